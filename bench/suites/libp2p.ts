/**
 * peerkit gossip against @libp2p/gossipsub on the same libp2p nodes over real loopback TCP
 * (Noise, yamux, identify): each node runs both the peerkit service (with the node driver on
 * top) and gossipsub, on the same connections. The same publish load runs through one, then
 * the other, and the ratios compare:
 * - `libp2p.cpu/gossipsub`: process CPU per delivered message (16 and 32 nodes; the worse kept);
 * - `libp2p.duplicates/gossipsub`: duplicate payloads received per delivery;
 * - `libp2p.p99/gossipsub`: p99 of publish-to-delivery wall time (the median of the rounds);
 * - `libp2p.bytes/gossipsub`: bytes written to the sockets per delivery (all loopback sockets
 *   of the process, so Noise and yamux framing are counted, and background traffic of both
 *   protocols falls in both phases).
 */
import { Socket } from 'node:net'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { tcp } from '@libp2p/tcp'
import type { GossipStats } from '@peerkit/gossip'
import { keyPairFromSeed, signerFromKeyPair } from '@peerkit/identity'
import {
  installPromiseWithResolvers,
  type PeerkitService,
  peerkit,
  privateKeyFromSeed,
} from '@peerkit/libp2p'
import { createNode, type Node } from '@peerkit/net'
import { mulberry32 as seeded } from '@peerkit/sim'
import { createLibp2p, type Libp2p } from 'libp2p'
import type { BenchContext, Suite } from '../src/harness'

const TOPIC = 'bench/libp2p'
const PAYLOAD_BYTES = 256
const INTERVAL_MS = 10
/**
 * The load runs in this many rounds per protocol, alternating which goes first: on a machine
 * whose load changes, one phase after the other compared the load of two moments.
 */
const ROUNDS = 3

type Services = {
  identify: ReturnType<ReturnType<typeof identify>>
  peerkit: PeerkitService
  pubsub: ReturnType<ReturnType<typeof gossipsub>>
}

interface Phase {
  delivered: number
  duplicates: number
  cpuMicros: number
  bytes: number
  p99Ms: number
  /** p99 of the messages that were their publisher's first (warm-up included), and of the rest. */
  firstP99Ms: number
  laterP99Ms: number
  firstMessages: number
  /** p99 of the event loop's delay over the phase: every node's frames wait in the one loop. */
  loopP99Ms: number
  wallMs: number
}

/** Counts the bytes every socket of the process writes while `counting` is on. */
function socketCounter(): { start(): void; stop(): number; restore(): void } {
  const original = Socket.prototype.write
  let bytes = 0
  let on = false
  Socket.prototype.write = function (this: Socket, chunk: unknown, ...rest: unknown[]) {
    if (on)
      bytes +=
        typeof chunk === 'string' ? Buffer.byteLength(chunk) : (chunk as Uint8Array).byteLength
    return (original as (...args: unknown[]) => boolean).call(this, chunk, ...rest)
  } as typeof Socket.prototype.write
  return {
    start() {
      bytes = 0
      on = true
    },
    stop() {
      on = false
      return bytes
    },
    restore() {
      Socket.prototype.write = original
    },
  }
}

/** The median of the finite values (NaN when there is none). */
function median(values: number[]): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b)
  if (sorted.length === 0) return Number.NaN
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
}

/** The rounds of one protocol: totals summed, tail figures the median round's. */
function combine(rounds: Phase[]): Phase {
  const sum = (pick: (o: Phase) => number): number => rounds.reduce((t, o) => t + pick(o), 0)
  return {
    delivered: sum((o) => o.delivered),
    duplicates: sum((o) => o.duplicates),
    cpuMicros: sum((o) => o.cpuMicros),
    bytes: sum((o) => o.bytes),
    wallMs: sum((o) => o.wallMs),
    firstMessages: sum((o) => o.firstMessages),
    p99Ms: median(rounds.map((o) => o.p99Ms)),
    firstP99Ms: median(rounds.map((o) => o.firstP99Ms)),
    laterP99Ms: median(rounds.map((o) => o.laterP99Ms)),
    loopP99Ms: median(rounds.map((o) => o.loopP99Ms)),
  }
}

function p99(values: number[]): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] as number
}

const cpuMicros = (): number => {
  const usage = process.cpuUsage()
  return usage.user + usage.system
}

async function waitUntil(condition: () => boolean, ms: number): Promise<void> {
  const deadline = performance.now() + ms
  while (!condition() && performance.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 20))
}

async function runNetwork(
  ctx: BenchContext,
  count: number,
  messages: number,
  sockets: ReturnType<typeof socketCounter>,
) {
  const random = seeded(count)
  const libp2ps: Libp2p<Services>[] = []
  const nodes: Node[] = []
  for (let index = 0; index < count; index++) {
    const seed = new Uint8Array(32).fill(index + 1)
    seed[0] = count
    const libp2p = (await createLibp2p({
      privateKey: await privateKeyFromSeed(seed),
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      connectionManager: { maxIncomingPendingConnections: 256, inboundConnectionThreshold: 10_000 },
      services: {
        identify: identify(),
        peerkit: peerkit(),
        // Every node is on 127.0.0.1: gossipsub's same-IP penalty would graylist them all.
        pubsub: gossipsub({
          emitSelf: false,
          allowPublishToZeroTopicPeers: true,
          scoreParams: { IPColocationFactorWeight: 0 },
        }),
      },
    })) as unknown as Libp2p<Services>
    libp2ps.push(libp2p)
    const signer = signerFromKeyPair(keyPairFromSeed(seed))
    nodes.push(
      await createNode({
        signer,
        transports: [libp2p.services.peerkit.transport],
        listen: ['libp2p'],
      }),
    )
  }
  // The same connections for both: each node dials three others at random (and the next one, so all are joined).
  for (let index = 0; index < count; index++) {
    const targets = new Set<number>([(index + 1) % count])
    while (targets.size < 4) {
      const other = Math.floor(random() * count)
      if (other !== index) targets.add(other)
    }
    for (const target of targets) {
      await libp2ps[index]!.dial(libp2ps[target]!.getMultiaddrs()[0]!).catch(() => {})
    }
  }
  const publishedAt = new Map<string, number>()
  const latencies: number[] = []
  // A publisher's first message travels a tree not built for it yet (peerkit pulls it hop by
  // hop): its latencies are kept apart too, to see where the tail is.
  const firstKeys = new Set<string>()
  const firstLatencies: number[] = []
  const laterLatencies: number[] = []
  const record = (key: string, at: number | undefined): void => {
    if (at === undefined) return
    const latency = performance.now() - at
    latencies.push(latency)
    ;(firstKeys.has(key) ? firstLatencies : laterLatencies).push(latency)
  }
  let delivered = 0
  // How each peerkit delivery came over its last hop (push, pull after an announcement,
  // repair), read from the routers' outputs.
  const paths = { push: 0, pull: 0, repair: 0 }
  for (const node of nodes) {
    const router = node.gossip.router
    const handle = router.handle.bind(router)
    router.handle = (input) => {
      const outputs = handle(input)
      for (const output of outputs)
        if (output.type === 'deliver' && output.via !== undefined) paths[output.via]++
      return outputs
    }
  }
  nodes.forEach((node) => {
    node.gossip.subscribe(TOPIC, (message) => {
      if (message.signer.equals(node.peerId)) return
      delivered++
      const key = String((message.data as { k: number }).k)
      record(key, publishedAt.get(key))
    })
  })
  let gsReceived = 0
  for (const libp2p of libp2ps) {
    const pubsub = libp2p.services.pubsub
    pubsub.addEventListener('message', (event) => {
      if (event.detail.topic !== TOPIC) return
      delivered++
      const data = event.detail.data
      const key = `g${data[0]! | (data[1]! << 8)}`
      record(key, publishedAt.get(key))
    })
    const original = (
      pubsub as unknown as { handleReceivedMessage: (...args: unknown[]) => Promise<void> }
    ).handleReceivedMessage
    ;(
      pubsub as unknown as { handleReceivedMessage: (...args: unknown[]) => Promise<void> }
    ).handleReceivedMessage = function (this: unknown, ...args: unknown[]) {
      gsReceived++
      return original.apply(this, args)
    }
    pubsub.subscribe(TOPIC)
  }
  await waitUntil(() => nodes.every((node) => node.peers().length >= 2), 20_000)
  // Meshes form on gossipsub heartbeats (one a second); membership settles meanwhile.
  await new Promise((resolve) => setTimeout(resolve, 3_000))
  const perRound = Math.max(1, Math.floor(messages / ROUNDS))
  const total = perRound * ROUNDS
  const publishers = Array.from({ length: total + 10 }, () => Math.floor(random() * count))
  const target = total * (count - 1)

  const phase = async (
    publish: (k: number, from: number) => Promise<void>,
    keyOf: (k: number) => string,
    duplicates: () => number,
    published: Set<number>,
    round: number,
  ): Promise<Phase> => {
    const roundTarget = perRound * (count - 1)
    const publishOnce = async (k: number, from: number): Promise<void> => {
      if (!published.has(from)) firstKeys.add(keyOf(k))
      published.add(from)
      await publish(k, from)
    }
    if (published.size === 0) {
      for (let k = 0; k < 10; k++) {
        await publishOnce(100_000 + k, publishers[k]!)
        await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS))
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000))
    delivered = 0
    latencies.length = 0
    firstLatencies.length = 0
    laterLatencies.length = 0
    const duplicatesBefore = duplicates()
    sockets.start()
    const loop = monitorEventLoopDelay({ resolution: 10 })
    loop.enable()
    const cpu0 = cpuMicros()
    const wall0 = performance.now()
    let firstMessages = 0
    for (let j = 0; j < perRound; j++) {
      const k = round * perRound + j
      if (!published.has(publishers[k + 10]!)) firstMessages++
      await publishOnce(k, publishers[k + 10]!)
      await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS))
    }
    // Until every delivery is in, or none came for a second (then that quiet second is not
    // counted). A second is 50 polls, not 1,000 ms of wall time: on a starved process one poll
    // can wait longer than a second while deliveries are still queued behind it.
    let last = delivered
    let quietPolls = 0
    let quietCpu = cpuMicros()
    const deadline = performance.now() + 30_000
    while (delivered < roundTarget && performance.now() < deadline && quietPolls < 50) {
      await new Promise((resolve) => setTimeout(resolve, 20))
      quietPolls++
      if (delivered !== last) {
        last = delivered
        quietPolls = 0
        quietCpu = cpuMicros()
      }
    }
    const wallMs = performance.now() - wall0
    loop.disable()
    const cpu = (delivered >= roundTarget ? cpuMicros() : quietCpu) - cpu0
    const bytes = sockets.stop()
    return {
      delivered,
      duplicates: duplicates() - duplicatesBefore,
      cpuMicros: cpu,
      bytes,
      p99Ms: p99(latencies),
      firstP99Ms: p99(firstLatencies),
      laterP99Ms: p99(laterLatencies),
      firstMessages,
      loopP99Ms: loop.percentile(99) / 1e6,
      wallMs,
    }
  }

  const data = new Uint8Array(PAYLOAD_BYTES)
  const peerRound = (published: Set<number>, round: number) =>
    phase(
      async (k, from) => {
        publishedAt.set(String(k), performance.now())
        await nodes[from]!.gossip.publish(TOPIC, { k, pad: 'x'.repeat(PAYLOAD_BYTES - 16) })
      },
      (k) => String(k),
      () => nodes.reduce((total, node) => total + node.gossip.router.stats().duplicates, 0),
      published,
      round,
    )
  const gsRound = (published: Set<number>, round: number) =>
    phase(
      async (k, from) => {
        data[0] = k & 0xff
        data[1] = (k >> 8) & 0xff
        publishedAt.set(`g${k & 0xffff}`, performance.now())
        await libp2ps[from]!.services.pubsub.publish(TOPIC, data.slice())
      },
      (k) => `g${k & 0xffff}`,
      () => gsReceived - delivered,
      published,
      round,
    )
  const peerRounds: Phase[] = []
  const gsRounds: Phase[] = []
  const peerPublished = new Set<number>()
  const gsPublished = new Set<number>()
  paths.push = 0
  paths.pull = 0
  paths.repair = 0
  for (let round = 0; round < ROUNDS; round++) {
    if (round % 2 === 0) {
      peerRounds.push(await peerRound(peerPublished, round))
      gsRounds.push(await gsRound(gsPublished, round))
    } else {
      gsRounds.push(await gsRound(gsPublished, round))
      peerRounds.push(await peerRound(peerPublished, round))
    }
  }
  ctx.log(
    `  ${count} nodes peerkit   last hop of each delivery (warm-up included): pushed ${paths.push}, pulled ${paths.pull}, repaired ${paths.repair}`,
  )
  // the frames peerkit's routers sent, per delivery: most of either side's CPU is libp2p's
  // cost per frame (a yamux frame, a Noise message and a socket write each)
  const stats = nodes.map((node) => node.gossip.router.stats())
  const sumOf = (pick: (s: GossipStats) => number): number =>
    stats.reduce((sum, s) => sum + pick(s), 0)
  const perDelivery = (n: number): string =>
    (
      n /
      Math.max(
        1,
        sumOf((s) => s.delivered),
      )
    ).toFixed(2)
  ctx.log(
    `  ${count} nodes peerkit   frames sent per delivery (warm-up included): payloads ${perDelivery(sumOf((s) => s.payloadsSent))}, control ${perDelivery(sumOf((s) => s.controlSent))} (IHAVE ${perDelivery(sumOf((s) => s.ihavesSent))}, GRAFT ${perDelivery(sumOf((s) => s.graftsSent))}, PRUNE ${perDelivery(sumOf((s) => s.prunesSent))})`,
  )
  const peer = combine(peerRounds)
  const gs = combine(gsRounds)
  await Promise.allSettled(nodes.map((node) => node.stop()))
  await Promise.allSettled(libp2ps.map((libp2p) => libp2p.stop()))
  for (const [subject, o] of [
    ['peerkit', peer],
    ['gossipsub', gs],
  ] as const) {
    ctx.record(`${count} nodes deliveries/cpu-s`, subject, (o.delivered / o.cpuMicros) * 1e6)
    ctx.figure(`libp2p.n${count}.${subject}.reliability`, Number((o.delivered / target).toFixed(4)))
    ctx.log(
      `  ${count} nodes ${subject.padEnd(9)} delivered ${o.delivered}/${target}, ${(o.cpuMicros / Math.max(1, o.delivered)).toFixed(1)} µs CPU, ${(o.duplicates / Math.max(1, o.delivered)).toFixed(3)} duplicates, ${(o.bytes / Math.max(1, o.delivered)).toFixed(0)} bytes per delivery, p99 ${o.p99Ms.toFixed(1)} ms (${o.firstMessages} publishers' first messages ${o.firstP99Ms.toFixed(1)} ms, the rest ${o.laterP99Ms.toFixed(1)} ms), event loop delay p99 ${o.loopP99Ms.toFixed(1)} ms, ${(o.wallMs / 1000).toFixed(1)} s`,
    )
  }
  return { peer, gs }
}

const suite: Suite = {
  name: 'libp2p',
  async run(ctx) {
    installPromiseWithResolvers()
    ctx.log('  the same libp2p nodes over loopback TCP (Noise, yamux, identify) run both protocols')
    const messages = ctx.quick ? 40 : 150
    const sockets = socketCounter()
    const ratios = {
      cpu: [] as number[],
      duplicates: [] as number[],
      p99: [] as number[],
      bytes: [] as number[],
    }
    try {
      for (const count of ctx.quick ? [16] : [16, 32]) {
        const { peer, gs } = await runNetwork(ctx, count, messages, sockets)
        const per = (value: number, o: Phase): number => value / Math.max(1, o.delivered)
        const cpu = per(peer.cpuMicros, peer) / per(gs.cpuMicros, gs)
        const duplicates = per(peer.duplicates, peer) / Math.max(1e-9, per(gs.duplicates, gs))
        const p99Ratio = peer.p99Ms / gs.p99Ms
        const bytes = per(peer.bytes, peer) / per(gs.bytes, gs)
        ctx.ratio(`libp2p.cpu/gossipsub.${count}`, cpu)
        ctx.ratio(`libp2p.duplicates/gossipsub.${count}`, duplicates)
        ctx.ratio(`libp2p.p99/gossipsub.${count}`, p99Ratio)
        ctx.ratio(`libp2p.bytes/gossipsub.${count}`, bytes)
        ratios.cpu.push(cpu)
        ratios.duplicates.push(duplicates)
        ratios.p99.push(p99Ratio)
        ratios.bytes.push(bytes)
      }
    } finally {
      sockets.restore()
    }
    ctx.ratio('libp2p.cpu/gossipsub', Math.max(...ratios.cpu))
    ctx.ratio('libp2p.duplicates/gossipsub', Math.max(...ratios.duplicates))
    ctx.ratio('libp2p.p99/gossipsub', Math.max(...ratios.p99))
    ctx.ratio('libp2p.bytes/gossipsub', Math.max(...ratios.bytes))
  },
}

export default suite
