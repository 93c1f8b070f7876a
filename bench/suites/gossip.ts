/**
 * Gossip against gossipsub: 16 and 32 nodes in one process, the same publish load (messages
 * from random nodes at a fixed interval), measuring CPU time per delivered message
 * (`process.cpuUsage`) and duplicate receptions per delivered message.
 *
 * - peerkit: `@peerkit/net` nodes (the node driver running `@peerkit/gossip` routers) on the
 *   memory transport with a virtual clock and 1-4 ms links: links, framing, hellos, queues
 *   and opened messages for subscribers are in the measured path, sockets and encryption are
 *   not; each router has its own verify cache, so every node checks every signature, as
 *   every gossipsub node does.
 * - gossipsub: `@libp2p/gossipsub` on real libp2p nodes over `@libp2p/memory` with
 *   plaintext, yamux and identify, signing and verifying every message (StrictSign).
 *
 * @example
 * pnpm bench -- --suite gossip          (add --quick for a short run)
 */
import { yamux } from '@chainsafe/libp2p-yamux'
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { memory } from '@libp2p/memory'
import { plaintext } from '@libp2p/plaintext'
import { createVerifyCache } from '@peerkit/envelope'
import { keyPairFromSeed, signerFromKeyPair } from '@peerkit/identity'
import {
  createMemoryNetwork,
  createNode,
  createVirtualClock,
  memory as memoryTransport,
  type Node,
} from '@peerkit/net'
import { mulberry32 as seeded } from '@peerkit/sim'
import { createLibp2p, type Libp2p } from 'libp2p'
import type { BenchContext, Suite } from '../src/harness'

// libp2p 3 uses Promise.withResolvers (Node 22+); this machine runs Node 20
const promiseStatics = Promise as unknown as { withResolvers?: () => unknown }
promiseStatics.withResolvers ??= () => {
  let resolve: unknown
  let reject: unknown
  const promise = new Promise((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

const TOPIC = 'bench'
const INTERVAL_MS = 20
const PAYLOAD_BYTES = 256
const CONTACTS = 4

interface Load {
  nodes: number
  messages: number
  warmup: number
}

interface Outcome {
  /** Deliveries to nodes other than the publisher. */
  delivered: number
  duplicates: number
  cpuMicros: number
  wallMs: number
}

/** The same plan for both subjects: who publishes each message. */
function plan(load: Load, seed: number): number[] {
  const random = seeded(seed)
  return Array.from({ length: load.warmup + load.messages }, () =>
    Math.floor(random() * load.nodes),
  )
}

/** Each node joins through up to CONTACTS earlier nodes (the same graph for both subjects). */
function contacts(nodes: number, seed: number): [number, number][] {
  const random = seeded(seed)
  const edges: [number, number][] = []
  for (let i = 1; i < nodes; i++) {
    const chosen = new Set<number>()
    while (chosen.size < Math.min(CONTACTS, i)) chosen.add(Math.floor(random() * i))
    for (const c of chosen) edges.push([i, c])
  }
  return edges
}

const cpuMicros = (): number => {
  const u = process.cpuUsage()
  return u.user + u.system
}

// ------------------------------------------------------------------ peerkit

async function runPeerkit(load: Load, seed: number): Promise<Outcome> {
  const clock = createVirtualClock(1_700_000_000_000)
  // each frame takes 1 to 4 ms, in order per link (as the hand-wired queues did)
  const network = createMemoryNetwork({ clock, latencyMs: [1, 4], random: seeded(seed) })
  const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))
  const run = async (ms: number, step = 20): Promise<void> => {
    for (let t = 0; t < ms; t += step) {
      clock.advance(Math.min(step, ms - t))
      await settle()
    }
  }
  let delivered = 0
  const nodes: Node[] = []
  for (let i = 0; i < load.nodes; i++) {
    const signer = signerFromKeyPair(keyPairFromSeed(new Uint8Array(32).fill(i + 1)))
    const node = await createNode({
      signer,
      transports: [memoryTransport(network)],
      listen: [`memory://gossip-bench-${i}`],
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
  for (const [a, b] of contacts(load.nodes, seed)) {
    const dialing = nodes[a]!.dial(`memory://gossip-bench-${b}`)
    await run(20, 5)
    await dialing
  }
  await run(3_000)
  const publishers = plan(load, seed)
  const data = new Uint8Array(PAYLOAD_BYTES)
  const publish = async (k: number): Promise<void> => {
    data[0] = k & 0xff
    data[1] = k >> 8
    await nodes[publishers[k]!]!.gossip.publish(TOPIC, data.slice())
    clock.advance(INTERVAL_MS)
  }
  for (let k = 0; k < load.warmup; k++) await publish(k)
  await run(2_000)
  const duplicates = (): number =>
    nodes.reduce((n, node) => n + node.gossip.router.stats().duplicates, 0)
  const dupBefore = duplicates()
  delivered = 0
  const cpu0 = cpuMicros()
  const wall0 = performance.now()
  for (let k = load.warmup; k < publishers.length; k++) await publish(k)
  clock.advance(2_000)
  const cpu = cpuMicros() - cpu0
  const wallMs = performance.now() - wall0
  const outcome = { delivered, duplicates: duplicates() - dupBefore, cpuMicros: cpu, wallMs }
  const stopping = Promise.all(nodes.map((node) => node.stop()))
  await run(200)
  await stopping
  return outcome
}

// ------------------------------------------------------------------ gossipsub

async function runGossipsub(load: Load, seed: number): Promise<Outcome> {
  const nodes: Libp2p<{ pubsub: ReturnType<ReturnType<typeof gossipsub>> }>[] = []
  for (let i = 0; i < load.nodes; i++) {
    nodes.push(
      await createLibp2p({
        addresses: { listen: [`/memory/peerkit-bench-${seed}-${i}`] },
        transports: [memory()],
        connectionEncrypters: [plaintext()],
        streamMuxers: [yamux()],
        services: {
          identify: identify(),
          pubsub: gossipsub({ emitSelf: false, allowPublishToZeroTopicPeers: true }),
        },
      }),
    )
  }
  let delivered = 0
  let received = 0
  for (const node of nodes) {
    const pubsub = node.services.pubsub
    pubsub.addEventListener('message', () => {
      delivered++
    })
    // every full message a node receives, first copy or duplicate, passes through here
    const original = (
      pubsub as unknown as { handleReceivedMessage: (...args: unknown[]) => Promise<void> }
    ).handleReceivedMessage
    ;(
      pubsub as unknown as { handleReceivedMessage: (...args: unknown[]) => Promise<void> }
    ).handleReceivedMessage = function (this: unknown, ...args: unknown[]) {
      received++
      return original.apply(this, args)
    }
    pubsub.subscribe(TOPIC)
  }
  for (const [a, b] of contacts(load.nodes, seed))
    await nodes[a]!.dial(nodes[b]!.getMultiaddrs()[0]!)
  // let the meshes form (gossipsub heartbeats every second)
  await new Promise((resolve) => setTimeout(resolve, 3_000))
  const publishers = plan(load, seed)
  const data = new Uint8Array(PAYLOAD_BYTES)
  const publish = async (k: number): Promise<void> => {
    data[0] = k & 0xff
    data[1] = k >> 8
    await nodes[publishers[k]!]!.services.pubsub.publish(TOPIC, data.slice())
    await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS))
  }
  for (let k = 0; k < load.warmup; k++) await publish(k)
  await new Promise((resolve) => setTimeout(resolve, 2_000))
  delivered = 0
  received = 0
  const cpu0 = cpuMicros()
  const wall0 = performance.now()
  const target = load.messages * (load.nodes - 1)
  for (let k = load.warmup; k < publishers.length; k++) await publish(k)
  const deadline = performance.now() + 10_000
  while (delivered < target && performance.now() < deadline)
    await new Promise((r) => setTimeout(r, 20))
  await new Promise((resolve) => setTimeout(resolve, 200))
  const cpu = cpuMicros() - cpu0
  const wallMs = performance.now() - wall0
  const duplicates = received - delivered
  await Promise.all(nodes.map((n) => n.stop()))
  return { delivered, duplicates, cpuMicros: cpu, wallMs }
}

// ------------------------------------------------------------------ suite

function report(
  ctx: BenchContext,
  nodes: number,
  subject: string,
  o: Outcome,
  expected: number,
): void {
  const label = `${nodes} nodes`
  const id = `gossip.n${nodes}.${subject}`
  const cpuPer = o.cpuMicros / Math.max(1, o.delivered)
  const dupPer = o.duplicates / Math.max(1, o.delivered)
  ctx.record(`${label} deliveries/cpu-s`, subject, (o.delivered / o.cpuMicros) * 1e6)
  ctx.figure(`${id}.cpuMicrosPerDelivery`, Number(cpuPer.toFixed(2)))
  ctx.figure(`${id}.duplicatesPerDelivery`, Number(dupPer.toFixed(4)))
  ctx.figure(`${id}.reliability`, Number((o.delivered / expected).toFixed(4)))
  ctx.log(
    `  ${label} ${subject.padEnd(9)} delivered ${o.delivered}/${expected}, ${cpuPer.toFixed(1)} µs CPU and ${dupPer.toFixed(3)} duplicates per delivery, ${(o.wallMs / 1000).toFixed(1)} s`,
  )
}

const suite: Suite = {
  name: 'gossip',
  async run(ctx) {
    ctx.log('  peerkit: @peerkit/net nodes on the memory transport with a virtual clock')
    ctx.log('  gossipsub: libp2p nodes over @libp2p/memory with plaintext, yamux and identify')
    const messages = ctx.quick ? 40 : 150
    const cpuRatios: number[] = []
    const dupRatios: number[] = []
    for (const nodes of [16, 32]) {
      const load: Load = { nodes, messages, warmup: 10 }
      const expected = messages * (nodes - 1)
      const peer = await runPeerkit(load, nodes)
      const gs = await runGossipsub(load, nodes)
      report(ctx, nodes, 'peerkit', peer, expected)
      report(ctx, nodes, 'gossipsub', gs, expected)
      const cpu = peer.cpuMicros / peer.delivered / (gs.cpuMicros / gs.delivered)
      const dup = peer.duplicates / peer.delivered / Math.max(1e-9, gs.duplicates / gs.delivered)
      ctx.ratio(`gossip.cpu/gossipsub.${nodes}`, cpu)
      ctx.ratio(`gossip.duplicates/gossipsub.${nodes}`, dup)
      cpuRatios.push(cpu)
      dupRatios.push(dup)
    }
    ctx.ratio('gossip.cpu/gossipsub', Math.max(...cpuRatios))
    ctx.ratio('gossip.duplicates/gossipsub', Math.max(...dupRatios))
  },
}

export default suite
