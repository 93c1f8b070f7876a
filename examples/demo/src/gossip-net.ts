/**
 * A network of `@peerkit/gossip` routers wired by hand: in-memory links, a virtual clock
 * and one event queue. It is the whole "driver" a real transport would be: it feeds each
 * router `GossipInput`s and carries out every `GossipOutput` (`send` becomes a `frame`
 * at the other end after a latency, `wake` a later `tick`, `connect` a link, `disconnect`
 * the end of one). Each router scores its neighbours with a `@peerkit/reputation`
 * scorer, told of every connection as the scorer asks.
 *
 * @example
 * const net = createGossipNet({ people: peers, seed: 7, start: START })
 * net.link(alice, bob); net.subscribeAll('market/offers'); net.run(5_000)
 */
import { createVerifyCache } from '@peerkit/envelope'
import { createGossip, type Gossip, type GossipInput, type GossipOutput } from '@peerkit/gossip'
import { createScorer, type Scorer } from '@peerkit/reputation'
import { createRandom } from '@peerkit/sim'
import { nameOf, type Person } from './cast'

/** One peer of the network: its router, its scorer and what it saw. */
export interface NetNode {
  readonly person: Person
  readonly router: Gossip
  readonly scorer: Scorer
  /** Message id → times delivered to the application (must never exceed 1). */
  readonly delivered: Map<string, number>
  /** Message id → virtual time of the delivery. */
  readonly deliveredAt: Map<string, number>
  /** Message id → the envelope as delivered. */
  readonly inbox: Map<string, Uint8Array>
  /** Misbehaviour this router reported: who, why, when. */
  readonly reports: { peer: string; reason: string; at: number }[]
}

export interface GossipNetOptions {
  readonly people: readonly Person[]
  /** Seed of every random choice (router randomness, link latencies). */
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
  /** Full message copies sent so far (the `payloads` of every `send`). */
  readonly payloadCopies: number
  /** Control frames sent so far (membership, announcements, repair). */
  readonly controlFrames: number
  /** Opens a link between two peers, as a bootstrap list would (`a` dials). */
  link(a: Person, b: Person): void
  /** Whether two peers are linked now. */
  linked(a: Person, b: Person): boolean
  /** Subscribes every router to `topic`. */
  subscribeAll(topic: string): void
  /** Publishes a sealed message from `person`'s router. */
  publish(person: Person, topic: string, envelope: Uint8Array): void
  /** Runs the network for `ms` of virtual time. */
  run(ms: number): void
  /**
   * Puts a frame straight onto the link from `from` to `to`, as a peer that does not follow
   * the protocol would; returns what `to`'s router answered (already carried out).
   */
  inject(from: Person, to: Person, bytes: Uint8Array): GossipOutput[]
}

interface Event {
  readonly at: number
  readonly seq: number
  readonly run: () => void
}

export function createGossipNet(options: GossipNetOptions): GossipNet {
  const random = createRandom(options.seed)
  const [minLatency, maxLatency] = options.latency ?? [10, 40]
  const verifyCache = createVerifyCache() // identical bytes, identical verdict: one per process
  const queue: Event[] = []
  const links = new Set<string>()
  /** Each router's latest wake, by person. */
  const wakes = new Map<string, number>()
  let now = options.start
  let seq = 0
  let payloadCopies = 0
  let controlFrames = 0

  const nodes: NetNode[] = options.people.map((person, i) => {
    const scorer = createScorer()
    return {
      person,
      scorer,
      router: createGossip(
        {},
        {
          self: person.signer.peerId,
          random: random.fork(i + 1).next,
          verifyCache,
          scoreHook: scorer,
        },
      ),
      delivered: new Map(),
      deliveredAt: new Map(),
      inbox: new Map(),
      reports: [],
    }
  })
  const byKey = new Map(nodes.map((n) => [n.person.key, n]))
  const nodeOf = (key: string): NetNode => {
    const node = byKey.get(key)
    if (node === undefined) throw new Error(`no peer ${key} in this network`)
    return node
  }
  const linkKey = (a: NetNode, b: NetNode): string =>
    a.person.key < b.person.key
      ? `${a.person.key}|${b.person.key}`
      : `${b.person.key}|${a.person.key}`

  function schedule(at: number, run: () => void): void {
    const event = { at, seq: seq++, run }
    let lo = 0
    let hi = queue.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (queue[mid]!.at <= at) lo = mid + 1
      else hi = mid
    }
    queue.splice(lo, 0, event)
  }

  const latency = (): number => minLatency + random.int(maxLatency - minLatency + 1)

  function input(node: NetNode, event: GossipInput): GossipOutput[] {
    const outputs = node.router.handle(event)
    for (const output of outputs) carry(node, output)
    return outputs
  }

  function connect(a: NetNode, b: NetNode): void {
    const key = linkKey(a, b)
    if (a === b || links.has(key)) return
    links.add(key)
    a.scorer.connect(b.person.key, now)
    b.scorer.connect(a.person.key, now)
    input(a, { type: 'peer-connected', peer: b.person.signer.peerId, now, outbound: true })
    input(b, { type: 'peer-connected', peer: a.person.signer.peerId, now, outbound: false })
  }

  function disconnect(a: NetNode, b: NetNode): void {
    if (!links.delete(linkKey(a, b))) return
    a.scorer.disconnect(b.person.key, now)
    b.scorer.disconnect(a.person.key, now)
    input(a, { type: 'peer-disconnected', peer: b.person.signer.peerId, now })
    input(b, { type: 'peer-disconnected', peer: a.person.signer.peerId, now })
  }

  function carry(node: NetNode, output: GossipOutput): void {
    switch (output.type) {
      case 'send': {
        const to = nodeOf(output.to.toString())
        const key = linkKey(node, to)
        if (!links.has(key)) return
        payloadCopies += output.payloads
        if (output.payloads === 0) controlFrames++
        schedule(now + latency(), () => {
          if (links.has(key)) {
            input(to, { type: 'frame', from: node.person.signer.peerId, bytes: output.bytes, now })
          }
        })
        return
      }
      case 'wake': {
        // each wake replaces the one before: only the latest becomes a tick
        const at = Math.max(output.at, now)
        if (wakes.get(node.person.key) === at) return
        wakes.set(node.person.key, at)
        schedule(at, () => {
          if (wakes.get(node.person.key) !== at) return
          wakes.delete(node.person.key)
          input(node, { type: 'tick', now })
        })
        return
      }
      case 'deliver':
        node.delivered.set(output.messageId, (node.delivered.get(output.messageId) ?? 0) + 1)
        node.deliveredAt.set(output.messageId, now)
        node.inbox.set(output.messageId, output.envelope)
        return
      case 'misbehaved':
        node.reports.push({ peer: nameOf(output.peer.toString()), reason: output.reason, at: now })
        return
      case 'connect': {
        const to = byKey.get(output.peer.toString())
        schedule(now + latency(), () => {
          if (to === undefined) {
            input(node, { type: 'connect-failed', peer: output.peer, now })
          } else {
            connect(node, to)
          }
        })
        return
      }
      case 'disconnect':
        disconnect(node, nodeOf(output.peer.toString()))
        return
      case 'validate':
        // no validator is installed, so routers never ask
        return
    }
  }

  return {
    get now() {
      return now
    },
    nodes,
    node: (person) => nodeOf(person.key),
    get payloadCopies() {
      return payloadCopies
    },
    get controlFrames() {
      return controlFrames
    },
    link: (a, b) => connect(nodeOf(a.key), nodeOf(b.key)),
    linked: (a, b) => links.has(linkKey(nodeOf(a.key), nodeOf(b.key))),
    subscribeAll(topic) {
      for (const node of nodes) input(node, { type: 'subscribe', topic, now })
    },
    publish(person, topic, envelope) {
      input(nodeOf(person.key), { type: 'publish', topic, envelope, now })
    },
    run(ms) {
      const until = now + ms
      while (queue.length > 0 && queue[0]!.at <= until) {
        const event = queue.shift()!
        now = Math.max(now, event.at)
        event.run()
      }
      now = until
    },
    inject(from, to, bytes) {
      const a = nodeOf(from.key)
      const b = nodeOf(to.key)
      if (!links.has(linkKey(a, b))) throw new Error(`${from.name} and ${to.name} are not linked`)
      return input(b, { type: 'frame', from: from.signer.peerId, bytes, now })
    },
  }
}
