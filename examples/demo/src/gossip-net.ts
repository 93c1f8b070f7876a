/**
 * The demo's network: one `@peerkit/net` node per person (`createNode`), on the memory
 * transport under a virtual clock, so every run is the same. Links have 10-40 ms of
 * latency; the nodes run their gossip routers, dial, say hello, queue and rate-limit as
 * they would over TCP. Each node's router scores its neighbours with a
 * `@peerkit/reputation` scorer, told of every link as the scorer asks. `run` moves the
 * virtual clock and lets the nodes' promises settle between steps.
 *
 * `inject` is how a cheating peer acts: its transport is tapped, so it can put any bytes
 * on its own link, on the gossip protocol, without its driver's rules.
 *
 * @example
 * const net = await createGossipNet({ people: peers, seed: 7, start: START })
 * net.link(alice, bob); net.subscribeAll('market/offers'); await net.run(5_000)
 */
import { decode } from '@peerkit/codec'
import { createVerifyCache } from '@peerkit/envelope'
import type { Gossip } from '@peerkit/gossip'
import {
  createMemoryNetwork,
  createNode,
  createVirtualClock,
  type Link,
  memory,
  type Node,
  type TransportFactory,
} from '@peerkit/net'
import { createScorer, type Scorer } from '@peerkit/reputation'
import { createRandom, mulberry32 as seeded } from '@peerkit/sim'
import { nameOf, type Person } from './cast'

/** The id of the gossip protocol in a node's hello. */
const GOSSIP_PROTOCOL = '/peerkit/gossip/1'
/** Virtual milliseconds per step of `run`. */
const STEP_MS = 5

/** One peer of the network: its node, its router, its scorer and what it saw. */
export interface NetNode {
  readonly person: Person
  readonly node: Node
  readonly router: Gossip
  readonly scorer: Scorer
  /** Message id → times delivered to the application (must never exceed 1). */
  readonly delivered: Map<string, number>
  /** Message id → virtual time of the delivery. */
  readonly deliveredAt: Map<string, number>
  /** Message id → the envelope as delivered. */
  readonly inbox: Map<string, Uint8Array>
  /** Misbehaviour this node reported: who, why, when. */
  readonly reports: { peer: string; reason: string; at: number }[]
}

export interface GossipNetOptions {
  readonly people: readonly Person[]
  /** Seed of every random choice (router and driver randomness, link latencies). */
  readonly seed: number
  /** Virtual time at the start (ms since the epoch). */
  readonly start: number
  /** One-way latency of a frame, ms (inclusive range). */
  readonly latency?: readonly [number, number]
}

export interface GossipNet {
  /** The virtual clock (ms since the epoch). */
  readonly now: number
  readonly nodes: readonly NetNode[]
  node(person: Person): NetNode
  /** Frames carrying a full message sent by every router so far. */
  readonly payloadCopies: number
  /** Control frames sent by every router so far (membership, announcements, repair). */
  readonly controlFrames: number
  /** Dials from `a` to `b`, as a bootstrap list would; the link opens while time runs. */
  link(a: Person, b: Person): void
  /** Whether two peers are linked now. */
  linked(a: Person, b: Person): boolean
  /** Subscribes every node to `topic`, recording each delivery. */
  subscribeAll(topic: string): void
  /** Publishes `data` from `person`'s node (sealed by its signer); the message id. */
  publish(person: Person, topic: string, data: Record<string, unknown>): Promise<string>
  /** Runs the network for `ms` of virtual time. */
  run(ms: number): Promise<void>
  /**
   * Puts gossip bytes straight onto the link from `from` to `to`, as a peer that does not
   * follow the protocol would, and runs the network for a second so that `to` reacts.
   */
  inject(from: Person, to: Person, bytes: Uint8Array): Promise<void>
  /** Stops every node. */
  stop(): Promise<void>
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/** A person's links, with the code each remote side gave gossip in its hello. */
interface Tap {
  readonly links: Map<string, { link: Link; gossipCode: number | undefined }>
}

/** Wraps a transport so the links it makes are known, and their first frame (the hello) read. */
function tapped(factory: TransportFactory, tap: Tap): TransportFactory {
  return (components) => {
    const inner = factory(components)
    const watch = (link: Link): Link => {
      const entry = { link, gossipCode: undefined as number | undefined }
      tap.links.set(link.remotePeer.toString(), entry)
      const off = link.on('frame', (frame) => {
        off()
        // the hello: code 0, then canonical CBOR [version, kind, record, protocols, idle]
        const hello = decode(frame.subarray(1)) as unknown[]
        const protocols = hello[3] as string[]
        const code = protocols.indexOf(GOSSIP_PROTOCOL)
        entry.gossipCode = code < 0 ? undefined : code
      })
      return link
    }
    return {
      name: inner.name,
      canDial: (address) => inner.canDial(address),
      dial: async (address, options) => watch(await inner.dial(address, options)),
      listen: (address, onLink) => inner.listen(address, (link) => onLink(watch(link))),
      close: () => inner.close(),
    }
  }
}

export async function createGossipNet(options: GossipNetOptions): Promise<GossipNet> {
  const random = createRandom(options.seed)
  const [minLatency, maxLatency] = options.latency ?? [10, 40]
  const clock = createVirtualClock(options.start)
  const network = createMemoryNetwork({
    clock,
    latencyMs: [minLatency, maxLatency],
    random: seeded(options.seed),
  })
  const verifyCache = createVerifyCache() // identical bytes, identical verdict: one per process
  const taps = new Map<string, Tap>()
  const addressOf = (person: Person): string => `memory://${person.name.toLowerCase()}`

  const nodes: NetNode[] = []
  for (const [i, person] of options.people.entries()) {
    const scorer = createScorer()
    const tap: Tap = { links: new Map() }
    taps.set(person.key, tap)
    const node = await createNode({
      signer: person.signer,
      transports: [tapped(memory(network), tap)],
      listen: [addressOf(person)],
      clock,
      random: random.fork(i + 1).next,
      verifyCache,
      scoreHook: scorer,
    })
    const entry: NetNode = {
      person,
      node,
      router: node.gossip.router,
      scorer,
      delivered: new Map(),
      deliveredAt: new Map(),
      inbox: new Map(),
      reports: [],
    }
    node.on('peer-connected', (peer) => scorer.connect(peer.toString(), clock.now()))
    node.on('peer-disconnected', ({ peer }) => scorer.disconnect(peer.toString(), clock.now()))
    node.on('misbehaved', (report) => {
      entry.reports.push({
        peer: nameOf(report.peer.toString()),
        reason: report.reason,
        at: clock.now(),
      })
    })
    nodes.push(entry)
  }
  const byKey = new Map(nodes.map((n) => [n.person.key, n]))
  const nodeOf = (key: string): NetNode => {
    const node = byKey.get(key)
    if (node === undefined) throw new Error(`no peer ${key} in this network`)
    return node
  }
  const sum = (pick: (router: Gossip) => number): number =>
    nodes.reduce((total, n) => total + pick(n.router), 0)

  const run = async (ms: number): Promise<void> => {
    await settle()
    for (let t = 0; t < ms; t += STEP_MS) {
      clock.advance(Math.min(STEP_MS, ms - t))
      await settle()
    }
  }

  return {
    get now() {
      return clock.now()
    },
    nodes,
    node: (person) => nodeOf(person.key),
    get payloadCopies() {
      return sum((router) => router.stats().payloadsSent)
    },
    get controlFrames() {
      return sum((router) => router.stats().controlSent)
    },
    link(a, b) {
      nodeOf(a.key)
        .node.dial(addressOf(b))
        .catch(() => {})
    },
    linked: (a, b) =>
      nodeOf(a.key)
        .node.peers()
        .some((peer) => peer.equals(b.signer.peerId)),
    subscribeAll(topic) {
      for (const n of nodes) {
        n.node.gossip.subscribe(topic, (message) => {
          n.delivered.set(message.messageId, (n.delivered.get(message.messageId) ?? 0) + 1)
          n.deliveredAt.set(message.messageId, clock.now())
          n.inbox.set(message.messageId, message.envelope)
        })
      }
    },
    async publish(person, topic, data) {
      const published = nodeOf(person.key).node.gossip.publish(topic, data as never)
      await settle()
      return (await published).messageId
    },
    run,
    async inject(from, to, bytes) {
      const entry = taps.get(from.key)?.links.get(to.signer.peerId.toString())
      if (entry === undefined || entry.link.status !== 'open' || entry.gossipCode === undefined) {
        throw new Error(`${from.name} and ${to.name} are not linked`)
      }
      const frame = new Uint8Array(bytes.length + 1)
      frame[0] = entry.gossipCode
      frame.set(bytes, 1)
      entry.link.send(frame)
      await run(1_000)
    },
    async stop() {
      const stopping = Promise.all(nodes.map((n) => n.node.stop()))
      await run(3_000)
      await stopping
    },
  }
}
