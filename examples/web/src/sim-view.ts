/**
 * The live simulator view: draws the network of a `LiveSim` into an SVG each frame and wires
 * the buttons. Virtual time runs at the speed chosen (1 = real time).
 */
import { createLiveSim, type LiveSnapshot } from './live-sim'

const WIDTH = 1000
const HEIGHT = 640
const SVG = 'http://www.w3.org/2000/svg'

function element(name: string, attributes: Record<string, string | number>): SVGElement {
  const node = document.createElementNS(SVG, name)
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value))
  return node
}

function draw(svg: SVGSVGElement, snapshot: LiveSnapshot): void {
  const x = (i: number) => 20 + (snapshot.nodes[i]?.x ?? 0) * (WIDTH - 40)
  const y = (i: number) => 20 + (snapshot.nodes[i]?.y ?? 0) * (HEIGHT - 40)
  const parts: SVGElement[] = []
  for (const [a, b] of snapshot.links)
    parts.push(element('line', { x1: x(a), y1: y(a), x2: x(b), y2: y(b), stroke: '#ddd' }))
  for (const [a, b] of snapshot.tree)
    parts.push(
      element('line', {
        x1: x(a),
        y1: y(a),
        x2: x(b),
        y2: y(b),
        stroke: '#36c',
        'stroke-width': 2,
      }),
    )
  snapshot.nodes.forEach((node, i) => {
    const fill = !node.up ? 'none' : node.sybil ? '#e80' : node.delivered ? '#3a7' : '#999'
    parts.push(
      element('circle', {
        cx: x(i),
        cy: y(i),
        r: 6,
        fill,
        stroke: node.up ? '#fff' : '#999',
        'data-node': i,
      }),
    )
  })
  svg.replaceChildren(...parts)
}

function counters(into: HTMLElement, snapshot: LiveSnapshot): void {
  const c = snapshot.counters
  const items: Array<[string, string, string]> = [
    [
      'reliability',
      `${(c.reliability * 100).toFixed(0)}%`,
      'of live honest nodes have the latest message',
    ],
    ['duplicates', c.duplicates.toFixed(2), 'extra copies per delivery'],
    ['p50', `${c.p50} ms`, 'median latency'],
    ['p99', `${c.p99} ms`, '99th percentile latency'],
    ['messages', String(c.messages), 'published'],
    ['live', String(c.live), 'honest nodes up'],
    ['crashed', String(c.crashed), 'nodes down'],
    ['sybils', String(c.sybils), 'Sybils inside'],
    ['reports', String(c.reports), 'peers reported'],
    ['time', `${(snapshot.time / 1000).toFixed(1)} s`, 'simulated'],
  ]
  into.replaceChildren(
    ...items.map(([name, value, title]) => {
      const span = document.createElement('span')
      span.title = title
      span.dataset.counter = name
      span.innerHTML = `${name} <b>${value}</b>`
      return span
    }),
  )
}

/**
 * Starts the live simulation and its drawing loop.
 * @param root - the section holding the view's elements
 * @example
 * await startSimView(document.getElementById('sim')!)
 */
export async function startSimView(root: HTMLElement): Promise<void> {
  const seed = Number(new URLSearchParams(location.search).get('seed') ?? 1)
  const nodes = Number(new URLSearchParams(location.search).get('nodes') ?? 80)
  const live = await createLiveSim({ nodes, seed })
  const svg = root.querySelector('#network') as SVGSVGElement
  const counterBox = root.querySelector('#sim-counters') as HTMLElement
  const speed = root.querySelector('#speed') as HTMLInputElement
  const button = (id: string, action: () => unknown) =>
    root.querySelector(`#${id}`)?.addEventListener('click', () => void action())
  button('publish', () => live.publish())
  button('crash', () => live.crash(0.2))
  button('sybils', () => live.addSybils(10))
  // the overlay forms before the first message
  live.advance(5_000)
  let last = performance.now()
  const frame = (now: number) => {
    const elapsed = Math.min(100, now - last)
    last = now
    live.advance(elapsed * Number(speed.value))
    const snapshot = live.snapshot()
    draw(svg, snapshot)
    counters(counterBox, snapshot)
    requestAnimationFrame(frame)
  }
  requestAnimationFrame(frame)
}
