/**
 * The node driver against the simulator: 32 `@peerkit/gossip` routers with the same tuning,
 * the same contact graph, the same link delays (uniform 1-4 ms) and the same publish plan,
 * once inside `@peerkit/sim` and once as `@peerkit/net` nodes on the memory transport (links,
 * framing, hellos, queues, rate limits and opened messages for subscribers in the measured
 * path). Both run on virtual time; the figure is gossip deliveries per CPU-second of the
 * publish phase (`process.cpuUsage`), and the ratio is driver over simulator.
 *
 * @example
 * pnpm bench -- --suite net          (add --quick for a short run)
 */
import { createVerifyCache } from '@peerkit/envelope'
import { createGossip, sealMessage } from '@peerkit/gossip'
import { keyPairFromSeed, type Signer, signerFromKeyPair } from '@peerkit/identity'
import {
  createMemoryNetwork,
  createNode,
  createVirtualClock,
  memory,
  type Node,
} from '@peerkit/net'
import { createSimulator, mulberry32 as seeded } from '@peerkit/sim'
import type { Suite } from '../../src/harness'

const NODES = 32
const TOPIC = 'bench'
const INTERVAL_MS = 20
const PAYLOAD_BYTES = 256
const CONTACTS = 4
const START = 1_700_000_000_000
const LATENCY: [number, number] = [1, 4]

interface Load {
  readonly messages: number
  readonly warmup: number
}

interface Outcome {
  /** Deliveries to nodes other than the publisher, in the measured phase. */
  readonly delivered: number
  readonly cpuMicros: number
}

const signers: Signer[] = Array.from({ length: NODES }, (_, i) =>
  signerFromKeyPair(keyPairFromSeed(new Uint8Array(32).fill(i + 1))),
)

/** Who publishes each message (the same plan for both subjects). */
function plan(load: Load, seed: number): number[] {
  const random = seeded(seed)
  return Array.from({ length: load.warmup + load.messages }, () => Math.floor(random() * NODES))
}

/** Each node joins through up to CONTACTS earlier nodes (the same graph for both subjects). */
function contacts(seed: number): [number, number][] {
  const random = seeded(seed)
  const edges: [number, number][] = []
  for (let i = 1; i < NODES; i++) {
    const chosen = new Set<number>()
    while (chosen.size < Math.min(CONTACTS, i)) chosen.add(Math.floor(random() * i))
    for (const c of chosen) edges.push([i, c])
  }
  return edges
}

const cpuMicros = (): number => {
  const usage = process.cpuUsage()
  return usage.user + usage.system
}

const payload = (k: number): Uint8Array => {
  const data = new Uint8Array(PAYLOAD_BYTES)
  data[0] = k & 0xff
  data[1] = k >> 8
  return data
}

async function runSim(load: Load, seed: number): Promise<Outcome> {
  let delivered = 0
  const sim = createSimulator({
    seed,
    startTime: START,
    latency: { kind: 'uniform', minMs: LATENCY[0], maxMs: LATENCY[1] },
    observer: {
      deliver(_node, output) {
        if (output.hops > 0) delivered++
      },
    },
  })
  for (let i = 0; i < NODES; i++) {
    const signer = signers[i] as Signer
    sim.addNode({
      peerId: signer.peerId,
      create: () =>
        createGossip(
          {},
          { self: signer.peerId, random: seeded(seed * 100 + i), verifyCache: createVerifyCache() },
        ),
    })
    sim.start(i)
    sim.input(i, { type: 'subscribe', topic: TOPIC, now: sim.now })
  }
  for (const [a, b] of contacts(seed)) {
    sim.connect(a, b)
    sim.runUntil(sim.now + 20)
  }
  sim.runUntil(sim.now + 3_000)
  const publishers = plan(load, seed)
  const publish = async (k: number): Promise<void> => {
    const p = publishers[k] as number
    const envelope = await sealMessage(signers[p] as Signer, {
      topic: TOPIC,
      data: payload(k),
      timestamp: sim.now,
    })
    sim.input(p, { type: 'publish', topic: TOPIC, envelope, now: sim.now })
    sim.runUntil(sim.now + INTERVAL_MS)
  }
  for (let k = 0; k < load.warmup; k++) await publish(k)
  sim.runUntil(sim.now + 2_000)
  delivered = 0
  const cpu0 = cpuMicros()
  for (let k = load.warmup; k < publishers.length; k++) await publish(k)
  sim.runUntil(sim.now + 2_000)
  return { delivered, cpuMicros: cpuMicros() - cpu0 }
}

async function runDriver(load: Load, seed: number): Promise<Outcome> {
  const clock = createVirtualClock(START)
  const network = createMemoryNetwork({ clock, latencyMs: LATENCY, random: seeded(seed) })
  const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))
  const run = async (ms: number, step = 20): Promise<void> => {
    for (let t = 0; t < ms; t += step) {
      clock.advance(Math.min(step, ms - t))
      await settle()
    }
  }
  let delivered = 0
  const nodes: Node[] = []
  for (let i = 0; i < NODES; i++) {
    const node = await createNode({
      signer: signers[i] as Signer,
      transports: [memory(network)],
      listen: [`memory://bench-${i}`],
      clock,
      random: seeded(seed * 100 + i),
      verifyCache: createVerifyCache(),
    })
    const self = node.peerId
    node.gossip.subscribe(TOPIC, (message) => {
      if (!message.from.equals(self)) delivered++
    })
    nodes.push(node)
  }
  for (const [a, b] of contacts(seed)) {
    const dialing = (nodes[a] as Node).dial(`memory://bench-${b}`)
    await run(20, 5)
    await dialing
  }
  await run(3_000)
  const publishers = plan(load, seed)
  const publish = async (k: number): Promise<void> => {
    await (nodes[publishers[k] as number] as Node).gossip.publish(TOPIC, payload(k))
    clock.advance(INTERVAL_MS)
  }
  for (let k = 0; k < load.warmup; k++) await publish(k)
  await run(2_000)
  delivered = 0
  const cpu0 = cpuMicros()
  for (let k = load.warmup; k < publishers.length; k++) await publish(k)
  clock.advance(2_000)
  const cpu = cpuMicros() - cpu0
  const stopping = Promise.all(nodes.map((node) => node.stop()))
  await run(200)
  await stopping
  return { delivered, cpuMicros: cpu }
}

const suite: Suite = {
  name: 'net',
  async run(ctx) {
    ctx.log(
      `  driver: ${NODES} nodes on the memory transport (virtual clock, ${LATENCY[0]}-${LATENCY[1]} ms links) against the same routers in @peerkit/sim`,
    )
    const load: Load = { messages: ctx.quick ? 60 : 200, warmup: 10 }
    const expected = load.messages * (NODES - 1)
    const rounds = ctx.quick ? 1 : 3
    const ratios: number[] = []
    let last: { sim: Outcome; driver: Outcome } | undefined
    for (let round = 0; round < rounds; round++) {
      const seed = 32 + round
      // interleaved, so drift of the machine hits both subjects alike
      const sim = await runSim(load, seed)
      const driver = await runDriver(load, seed)
      const simRate = sim.delivered / sim.cpuMicros
      const driverRate = driver.delivered / driver.cpuMicros
      ratios.push(driverRate / simRate)
      last = { sim, driver }
      ctx.log(
        `  round ${round + 1}: sim ${sim.delivered}/${expected} in ${(sim.cpuMicros / 1000).toFixed(0)} ms CPU, driver ${driver.delivered}/${expected} in ${(driver.cpuMicros / 1000).toFixed(0)} ms CPU, ratio ${(driverRate / simRate).toFixed(3)}`,
      )
    }
    const sorted = [...ratios].sort((a, b) => a - b)
    const median = sorted[sorted.length >> 1] as number
    if (last !== undefined) {
      ctx.record(
        '32 nodes deliveries/cpu-s',
        'sim',
        (last.sim.delivered / last.sim.cpuMicros) * 1e6,
      )
      ctx.record(
        '32 nodes deliveries/cpu-s',
        'driver',
        (last.driver.delivered / last.driver.cpuMicros) * 1e6,
      )
      ctx.figure('net.driver.reliability', Number((last.driver.delivered / expected).toFixed(4)))
      ctx.figure('net.sim.reliability', Number((last.sim.delivered / expected).toFixed(4)))
    }
    ctx.figure('net.driver.deliveries/sim.min', Number((sorted[0] as number).toFixed(3)))
    ctx.figure(
      'net.driver.deliveries/sim.max',
      Number((sorted[sorted.length - 1] as number).toFixed(3)),
    )
    ctx.ratio('net.driver.deliveries/sim', median)
  },
}

export default suite
