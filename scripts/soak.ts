/**
 * `pnpm soak [-- --seconds N]`: 8 peerkit nodes in 8 processes gossip over loopback TCP (with
 * Noise) at a steady rate while nodes are killed (SIGKILL) and restarted. Prints the share of
 * messages delivered to the nodes live for the whole delivery window, p50/p99 latency of those
 * deliveries (a restarted node catching up on older messages is not counted), and
 * each process's resident memory over time; exits 1 on any unhandled error in a node, an
 * unexpected exit, a delivery ratio under 99%, or memory that keeps growing.
 *
 * @example
 * // pnpm soak -- --seconds 60
 */
import { type ChildProcess, fork } from 'node:child_process'
import { parseArgs } from 'node:util'

const NODES = 8
const BASE_PORT = 45_100
const RATE_PER_NODE = 5
const KILL_EVERY_MS = 20_000
const DOWN_MS = 5_000
const WINDOW_MS = 5_000
const MIN_DELIVERY_RATIO = 0.99
const MAX_RSS_GROWTH = 1.5

const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: { seconds: { type: 'string', default: '180' } },
})
const seconds = Number(values.seconds)
if (!Number.isFinite(seconds) || seconds < 30) throw new TypeError('--seconds must be at least 30')

interface Slot {
  child: ChildProcess | undefined
  /** Since when the current process has been ready (undefined while down or starting). */
  liveSince: number | undefined
  /** Intervals when it was live: [from, to). */
  lives: Array<[number, number]>
  killing: boolean
  rss: Array<{ at: number; rss: number; peers: number; generation: number }>
  generation: number
}

const started = Date.now()
const slots: Slot[] = Array.from({ length: NODES }, () => ({
  child: undefined,
  liveSince: undefined,
  lives: [],
  killing: false,
  rss: [],
  generation: 0,
}))
const published = new Map<string, { index: number; at: number }>()
const deliveries = new Map<string, Map<number, number>>()
const latencies: number[] = []
const failures: string[] = []

function neighbours(index: number): string[] {
  return [1, 2, 4].map((step) => `tcp://127.0.0.1:${BASE_PORT + ((index + step) % NODES)}`)
}

function spawnNode(index: number): void {
  const slot = slots[index] as Slot
  slot.generation++
  const child = fork(
    'scripts/soak-node.ts',
    [String(index), String(BASE_PORT + index), String(RATE_PER_NODE), ...neighbours(index)],
    { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  )
  slot.child = child
  child.on('message', (message: Record<string, unknown>) => {
    const now = Date.now()
    switch (message.type) {
      case 'ready':
        slot.liveSince = now
        break
      case 'published':
        published.set(message.id as string, { index, at: message.at as number })
        break
      case 'received': {
        const id = message.id as string
        let set = deliveries.get(id)
        if (set === undefined) {
          set = new Map()
          deliveries.set(id, set)
        }
        if (!set.has(index)) set.set(index, message.latencyMs as number)
        break
      }
      case 'rss':
        slot.rss.push({
          at: now - started,
          rss: message.rss as number,
          peers: message.peers as number,
          generation: slot.generation,
        })
        break
      case 'error':
        failures.push(`node ${index}: ${String(message.error)}`)
        break
    }
  })
  child.on('exit', (code, signal) => {
    if (slot.liveSince !== undefined) slot.lives.push([slot.liveSince, Date.now()])
    slot.liveSince = undefined
    slot.child = undefined
    if (!slot.killing && !stopping) failures.push(`node ${index} exited (${code ?? signal})`)
    slot.killing = false
  })
}

let stopping = false
for (let index = 0; index < NODES; index++) spawnNode(index)

// Kill one random node (never the same twice in a row) every KILL_EVERY_MS; restart it DOWN_MS later.
let kills = 0
let last = -1
const killer = setInterval(() => {
  let index = Math.floor(Math.random() * NODES)
  if (index === last) index = (index + 1) % NODES
  last = index
  const slot = slots[index] as Slot
  if (slot.child === undefined) return
  slot.killing = true
  slot.child.kill('SIGKILL')
  kills++
  setTimeout(() => {
    if (!stopping) spawnNode(index)
  }, DOWN_MS)
}, KILL_EVERY_MS)

await new Promise((resolve) => setTimeout(resolve, seconds * 1000))
stopping = true
clearInterval(killer)
const end = Date.now()
await Promise.all(
  slots.map(
    (slot) =>
      new Promise<void>((resolve) => {
        const child = slot.child
        if (child === undefined) return resolve()
        child.once('exit', () => resolve())
        child.send({ type: 'stop' })
        setTimeout(() => child.kill('SIGKILL'), 5_000)
      }),
  ),
)

// A message counts for every other node live from its publication to WINDOW_MS after it.
const liveThrough = (index: number, from: number, to: number): boolean =>
  (slots[index] as Slot).lives.some(([a, b]) => a <= from && b >= to)
let expected = 0
let delivered = 0
for (const [id, { index, at }] of published) {
  if (at + WINDOW_MS > end) continue
  for (let other = 0; other < NODES; other++) {
    if (other === index || !liveThrough(other, at, at + WINDOW_MS)) continue
    expected++
    const latency = deliveries.get(id)?.get(other)
    if (latency === undefined) continue
    delivered++
    latencies.push(latency)
  }
}
latencies.sort((a, b) => a - b)
const quantile = (q: number): number =>
  latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN
const ratio = expected === 0 ? 0 : delivered / expected
const mib = (bytes: number): string => (bytes / 1024 / 1024).toFixed(0)

console.log(
  `soak: ${NODES} nodes, ${seconds} s, ${RATE_PER_NODE} messages/s each, ${kills} kills (SIGKILL, restart after ${DOWN_MS / 1000} s)`,
)
console.log(
  `published ${published.size}, delivery ratio to live nodes ${(ratio * 100).toFixed(3)}% (${delivered}/${expected})`,
)
console.log(`latency p50 ${quantile(0.5)} ms, p99 ${quantile(0.99)} ms, max ${latencies.at(-1)} ms`)
console.log('resident memory (MiB) every 5 s per node; | marks a restart:')
let growing = false
for (const [index, slot] of slots.entries()) {
  let previous = 0
  const series = slot.rss.map((sample) => {
    const mark = sample.generation !== previous && previous !== 0 ? '| ' : ''
    previous = sample.generation
    return `${mark}${mib(sample.rss)}`
  })
  console.log(`  node ${index}: ${series.join(' ')}`)
  // Growth within the longest-lived process: its last minute against its second minute.
  const byGeneration = new Map<number, number[]>()
  for (const sample of slot.rss) {
    const list = byGeneration.get(sample.generation) ?? []
    list.push(sample.rss)
    byGeneration.set(sample.generation, list)
  }
  for (const list of byGeneration.values()) {
    if (list.length < 24) continue
    const mean = (part: number[]) => part.reduce((sum, value) => sum + value, 0) / part.length
    const early = mean(list.slice(12, 24))
    const late = mean(list.slice(-12))
    if (late > early * MAX_RSS_GROWTH) growing = true
  }
}
for (const failure of failures) console.log(`FAILURE ${failure}`)
if (growing)
  console.log('FAILURE resident memory grew by more than half between minute 2 and the last minute')
if (ratio < MIN_DELIVERY_RATIO)
  console.log(`FAILURE delivery ratio under ${MIN_DELIVERY_RATIO * 100}%`)
process.exitCode = failures.length > 0 || growing || ratio < MIN_DELIVERY_RATIO ? 1 : 0
