/**
 * Gossip routers on the simulator, seen the way the router's tests look at them: the
 * engine carries every output (links with a delay each, dials in one round trip, closes,
 * crashes, wakes as ticks), and this harness only records what each node's router did
 * (deliveries and their hops, reports, validation requests, payloads sent) and lets a
 * test hold back a node's outputs or play a peer that writes its own frames (`inject`).
 * `validate` outputs are recorded and left for the test to answer.
 *
 * @example
 * const net = createNetwork({ nodes: 50, seed: 1 })
 * net.subscribeAll('t'); net.bootstrap(3); net.run(net.now + 10_000)
 * const id = await net.publish(0, 't', 'hello'); net.run(net.now + 5_000)
 */
import { createVerifyCache } from '@peerkit/envelope'
import {
  createGossip,
  decodeFrame,
  type Frame,
  type FrameLimits,
  type Gossip,
  type GossipInit,
  type GossipInput,
  type GossipOutput,
  messageIdOf,
  type ScoreHook,
  sealMessage,
  type Validator,
} from '@peerkit/gossip'
import { keyPairFromSeed, type PeerId, type Signer, signerFromKeyPair } from '@peerkit/identity'
import { EPOCH_MS } from '../../src/constants'
import { createGossipProtocol, type GossipDelivery } from '../../src/gossip-protocol'
import { nodeKeySeed } from '../../src/identities'
import type { ProtocolAdapter } from '../../src/protocol'
import { createRandom } from '../../src/random'
import { createSimulator, type Simulator } from '../../src/simulator'

/** Frame limits wide enough to read back anything a router sends in these tests. */
const READ_BACK_LIMITS: FrameLimits = {
  maxFrameBytes: 65_536,
  maxIds: 64,
  maxPeers: 64,
  maxTopics: 64,
  maxTtl: 16,
}

/** The seed of the identities every network here uses (node i is always the same peer). */
const IDENTITY_SEED = 0x9055

/** The frames among a router's outputs, decoded, each with the key of the peer it goes to. */
export function sentFrames(out: readonly GossipOutput[]): Array<readonly [string, Frame]> {
  return out.flatMap((o) =>
    o.type === 'send' ? [[o.to.toString(), decodeFrame(o.bytes, READ_BACK_LIMITS)] as const] : [],
  )
}

/** The signer of node `index` (also of peers no network holds, for larger indices). */
export function signerAt(index: number): Signer {
  return signerFromKeyPair(keyPairFromSeed(nodeKeySeed(IDENTITY_SEED, index)))
}

export interface Node {
  index: number
  signer: Signer
  peer: PeerId
  key: string
  /** The node's router (its latest, after a crash). */
  readonly router: Gossip
  readonly alive: boolean
  /** messageId → times delivered to the application. */
  delivered: Map<string, number>
  /** messageId → hops at delivery. */
  hops: Map<string, number>
  /** Misbehaviour reports this node made: `peerKey reason`. */
  reports: string[]
  /** Validation requests of this node's router, oldest first (the test answers them). */
  validations: { messageId: string; from: string }[]
  /** Set to see each output before it is carried out (return false to drop it). */
  filter?: (output: GossipOutput) => boolean
}

export interface NetworkOptions {
  nodes: number
  seed: number
  init?: GossipInit
  /** One-way delay range of a link, ms (default 10–50; each link draws one). */
  latency?: [number, number]
  validate?: (index: number) => Validator | undefined
  scoreHook?: (index: number) => ScoreHook | undefined
}

export interface Network {
  nodes: Node[]
  readonly sim: Simulator
  readonly now: number
  /** Payload messages sent over open connections (sum of `payloads` of their frames). */
  readonly payloadSends: number
  /** A stream for the test's own random choices, seeded by the network's seed. */
  random: () => number
  input(index: number, input: GossipInput): void
  /**
   * Hands `bytes` to node `to` as a frame from node `from` (now, over their connection).
   * @throws Error when `to` holds no connection to `from` (the frame would be dropped)
   */
  inject(from: number, to: number, bytes: Uint8Array): readonly GossipOutput[]
  /** Indices of the nodes that hold a connection with `index`, both ends of it open. */
  linked(index: number): number[]
  /** `a` dials `b`. */
  connect(a: number, b: number): void
  /** Node i dials up to `contacts` earlier nodes at i × 20 ms from now. */
  bootstrap(contacts: number): void
  subscribeAll(topic: string): void
  run(until: number): void
  crash(index: number): void
  seal(index: number, topic: string, data: unknown, timestamp?: number): Promise<Uint8Array>
  /** Publishes fresh data from node `index`. @returns the message id */
  publish(index: number, topic: string, data: unknown): Promise<string>
  /** Alive nodes that delivered `messageId` at least once. */
  reached(messageId: string): number
  alive(): Node[]
  /** The open connections, as `a-b` with a < b. */
  connections(): Set<string>
}

export function createNetwork(options: NetworkOptions): Network {
  const [minMs, maxMs] = options.latency ?? [10, 50]
  const verifyCache = createVerifyCache({ maxEntries: 100_000 })
  const routers: Gossip[] = []
  const nodes: Node[] = []
  let payloadSends = 0
  let published = 0

  const gossip = createGossipProtocol()
  const protocol: ProtocolAdapter<GossipInput, GossipOutput, GossipDelivery> = {
    ...gossip,
    apply(index, output, effects) {
      const node = nodes[index]!
      if (node.filter !== undefined && !node.filter(output)) return
      switch (output.type) {
        case 'deliver':
          node.delivered.set(output.messageId, (node.delivered.get(output.messageId) ?? 0) + 1)
          node.hops.set(output.messageId, output.hops)
          break
        case 'validate':
          node.validations.push({ messageId: output.messageId, from: output.from.toString() })
          return
        case 'misbehaved':
          node.reports.push(`${output.peer.toString()} ${output.reason}`)
          break
      }
      gossip.apply(index, output, effects)
    },
  }
  const sim = createSimulator({
    seed: options.seed,
    protocol,
    startTime: EPOCH_MS,
    latency: { kind: 'uniform', minMs, maxMs },
    observer: {
      send: (_from, _to, _bytes, payloads) => {
        payloadSends += payloads
      },
      drop: (_from, _to, payloads, reason) => {
        if (reason === 'not-connected') payloadSends -= payloads
      },
    },
  })

  for (let i = 0; i < options.nodes; i++) {
    const signer = signerAt(i)
    const validate = options.validate?.(i)
    const scoreHook = options.scoreHook?.(i)
    sim.addNode({
      peerId: signer.peerId,
      create: (context) => {
        const router = createGossip(options.init ?? {}, {
          self: signer.peerId,
          random: context.random,
          verifyCache,
          ...(validate === undefined ? {} : { validate }),
          ...(scoreHook === undefined ? {} : { scoreHook }),
        })
        routers[i] = router
        return router
      },
    })
    nodes.push({
      index: i,
      signer,
      peer: signer.peerId,
      key: signer.peerId.toString(),
      get router() {
        return routers[i]!
      },
      get alive() {
        return sim.isUp(i)
      },
      delivered: new Map(),
      hops: new Map(),
      reports: [],
      validations: [],
    })
    sim.start(i)
  }

  const random = createRandom(options.seed).fork(0x7e57).next
  const linked = (index: number): number[] =>
    sim.connections(index).filter((j) => sim.connections(j).includes(index))

  return {
    nodes,
    sim,
    get now() {
      return sim.now
    },
    get payloadSends() {
      return payloadSends
    },
    random,
    input: (index, input) => sim.input(index, input),
    inject(from, to, bytes) {
      // a frame the engine would drop would make every check on its outputs pass
      if (!sim.connections(to).includes(from))
        throw new Error(`node ${to} holds no link to ${from}`)
      return sim.inject(from, to, bytes)
    },
    linked,
    connect: (a, b) => sim.connect(a, b),
    bootstrap(contacts) {
      for (let i = 1; i < nodes.length; i++) {
        sim.at(sim.now + i * 20, () => {
          const chosen = new Set<number>()
          while (chosen.size < Math.min(contacts, i)) chosen.add(Math.floor(random() * i))
          for (const c of chosen) sim.connect(i, c)
        })
      }
    },
    subscribeAll(topic) {
      for (const n of nodes) sim.input(n.index, { type: 'subscribe', topic, now: sim.now })
    },
    run: (until) => sim.runUntil(until),
    crash: (index) => sim.crash(index),
    seal(index, topic, data, timestamp) {
      return sealMessage(nodes[index]!.signer, {
        topic,
        data: data as never,
        timestamp: timestamp ?? sim.now,
      })
    },
    async publish(index, topic, data) {
      const now = sim.now
      const envelope = await sealMessage(nodes[index]!.signer, {
        topic,
        data: { data: data as never, n: published++, at: now } as never,
        timestamp: now,
      })
      const before = nodes[index]!.router.stats().published
      sim.input(index, { type: 'publish', topic, envelope, now })
      if (nodes[index]!.router.stats().published !== before + 1)
        throw new Error('publish did not happen')
      return messageIdOf(envelope).toString()
    },
    reached(messageId) {
      return nodes.filter((n) => n.alive && (n.delivered.get(messageId) ?? 0) > 0).length
    },
    alive: () => nodes.filter((n) => n.alive),
    connections() {
      const pairs = new Set<string>()
      for (const n of nodes)
        for (const j of linked(n.index)) if (n.index < j) pairs.add(`${n.index}-${j}`)
      return pairs
    },
  }
}

/**
 * A line 0-1-…-(n-1) of subscribed routers: each dials the next once it holds its left
 * link, 500 ms apart.
 */
export function createLine(options: NetworkOptions & { topic?: string }): Network {
  const net = createNetwork(options)
  net.subscribeAll(options.topic ?? 't')
  for (let i = 0; i + 1 < options.nodes; i++) {
    net.connect(i, i + 1)
    net.run(net.now + 500)
  }
  return net
}
