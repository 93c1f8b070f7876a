/**
 * A gossip network simulated live, step by step, for a page to draw: peerkit's router
 * (HyParView + Plumtree) on every node of a seeded `@peerkit/sim` network, with the counters
 * a reader wants to watch — reliability of the latest message among live honest nodes,
 * duplicates per delivery, latency — and the eager tree the latest message travelled.
 * No DOM here: the view draws `snapshot()`; tests drive the same object in Node.
 *
 * @example
 * const live = await createLiveSim({ nodes: 60, seed: 1 })
 * live.advance(3000)           // let the overlay form
 * await live.publish()
 * live.advance(2000)
 * live.snapshot().counters.reliability // 1
 */
import { createVerifyCache } from '@peerkit/envelope'
import { sealMessage } from '@peerkit/gossip'
import {
  createAdversary,
  createEnvelopeCheck,
  createIdentities,
  createRandom,
  createSimulator,
  defaultEnvelopeRules,
  plumtreeStrategy,
  type SimObserver,
} from '@peerkit/sim'

/** Options of `createLiveSim`. */
export interface LiveSimOptions {
  /** Honest nodes at the start. */
  readonly nodes: number
  /** Seed of the network, the keys and every random choice. */
  readonly seed: number
  /** Most Sybils that `addSybils` may add over the run. */
  readonly maxSybils?: number
}

/** One node as the view draws it. */
export interface LiveNode {
  /** Position in the unit square. */
  readonly x: number
  readonly y: number
  readonly up: boolean
  readonly sybil: boolean
  /** Delivered the latest message. */
  readonly delivered: boolean
}

/** The counters of the latest message, and of the run. */
export interface LiveCounters {
  /** Messages published so far. */
  readonly messages: number
  /** Share of live honest nodes that delivered the latest message. */
  readonly reliability: number
  /** Payload copies received per delivery of the latest message, minus one (0: no duplicates). */
  readonly duplicates: number
  /** Median and 99th percentile ms from publish to delivery of the latest message. */
  readonly p50: number
  readonly p99: number
  /** Live honest nodes, crashed nodes, Sybils. */
  readonly live: number
  readonly crashed: number
  readonly sybils: number
  /** Peers reported by honest routers (spam, garbage). */
  readonly reports: number
}

/** What the view draws. */
export interface LiveSnapshot {
  /** Virtual ms since the start. */
  readonly time: number
  readonly nodes: readonly LiveNode[]
  /** Open connections, each once (lower index first). */
  readonly links: readonly (readonly [number, number])[]
  /** The edges the latest message first arrived by: its eager tree. */
  readonly tree: readonly (readonly [number, number])[]
  readonly counters: LiveCounters
}

/** A live simulation. */
export interface LiveSim {
  /** Runs the network for `ms` virtual milliseconds. */
  advance(ms: number): void
  /** A random live honest node publishes a new signed message. */
  publish(): Promise<void>
  /** Crashes a share of the live honest nodes (their peers notice and repair). */
  crash(share: number): number
  /** Adds Sybils (half drop everything, half spam) that dial honest nodes. */
  addSybils(count: number): number
  snapshot(): LiveSnapshot
}

const TOPIC = 'live'
const EPOCH_MS = Date.UTC(2026, 0, 1)

/**
 * Builds the network and starts every honest node; nodes join in a spread of one second.
 * @param options - size and seed
 * @returns the live simulation
 * @example
 * const live = await createLiveSim({ nodes: 80, seed: 7 })
 */
export async function createLiveSim(options: LiveSimOptions): Promise<LiveSim> {
  const { nodes: honestCount, seed } = options
  const maxSybils = options.maxSybils ?? Math.ceil(honestCount / 2)
  const capacity = honestCount + maxSybils
  const random = createRandom(seed).fork(0x1ee)
  const identities = createIdentities(capacity, seed)
  const positions = Array.from({ length: capacity }, () => ({ x: random.next(), y: random.next() }))
  const sybil = new Array<boolean>(capacity).fill(false)

  let latest:
    | { id: string | undefined; at: number; publisher: number; delivered: Map<number, number> }
    | undefined
  const copies = new Map<number, number>()
  const parents = new Map<number, number>()
  let messages = 0
  let reports = 0
  const observer: SimObserver = {
    receive(to, from, _bytes, payloads) {
      if (latest === undefined || payloads === 0) return
      copies.set(to, (copies.get(to) ?? 0) + payloads)
      if (!latest.delivered.has(to) && !parents.has(to)) parents.set(to, from)
    },
    deliver(node, output, now) {
      if (latest === undefined || sybil[node]) return
      // the publisher delivers its own message first, as it publishes
      if (latest.id === undefined && node === latest.publisher) latest.id = output.messageId
      if (output.messageId !== latest.id) return
      latest.delivered.set(node, now - latest.at)
    },
    misbehaved(node) {
      if (!sybil[node]) reports++
    },
  }
  const sim = createSimulator({ seed, startTime: EPOCH_MS, routerErrors: 'count', observer })
  const rules = defaultEnvelopeRules(createVerifyCache({ maxEntries: 1 << 14 }))
  const check = createEnvelopeCheck(rules)
  const honest = Array.from({ length: honestCount }, (_, i) => identities.peerId(i))
  for (let i = 0; i < capacity; i++) {
    const index = i
    sim.addNode({
      peerId: identities.peerId(i),
      create(context) {
        const inner = plumtreeStrategy.createRouter({
          self: identities.peerId(index),
          random: context.random,
          rules,
          check,
        })
        if (!sybil[index]) return inner
        return createAdversary({
          role: index % 2 === 0 ? 'dropper' : 'spammer',
          inner,
          random: context.random,
          targets: honest,
        })
      },
    })
  }
  const join = (node: number, contacts: readonly number[]): void => {
    sim.start(node)
    sim.input(node, { type: 'subscribe', topic: TOPIC, now: sim.now })
    for (const contact of contacts) sim.connect(node, contact)
  }
  const liveHonest = (): number[] => {
    const out: number[] = []
    for (let i = 0; i < capacity; i++) if (!sybil[i] && i < honestCount && sim.isUp(i)) out.push(i)
    return out
  }
  const pick = <T>(items: readonly T[], count: number): T[] => {
    const pool = [...items]
    const out: T[] = []
    while (out.length < count && pool.length > 0) {
      out.push(pool.splice(Math.floor(random.next() * pool.length), 1)[0] as T)
    }
    return out
  }
  for (let i = 0; i < honestCount; i++) {
    const node = i
    sim.at(EPOCH_MS + Math.floor((i * 1000) / honestCount), () => {
      const earlier = Array.from({ length: node }, (_, j) => j)
      join(node, pick(earlier, plumtreeStrategy.bootstrapDegree))
    })
  }
  let sybils = 0

  return {
    advance(ms) {
      sim.runUntil(sim.now + Math.max(0, Math.floor(ms)))
    },
    async publish() {
      const publishers = liveHonest()
      const publisher = publishers[Math.floor(random.next() * publishers.length)]
      if (publisher === undefined) return
      const envelope = await sealMessage(identities.signer(publisher), {
        topic: TOPIC,
        data: { n: messages },
        timestamp: sim.now,
      })
      messages++
      copies.clear()
      parents.clear()
      latest = { id: undefined, at: sim.now, publisher, delivered: new Map() }
      sim.input(publisher, { type: 'publish', topic: TOPIC, envelope, now: sim.now })
    },
    crash(share) {
      const victims = pick(liveHonest(), Math.round(liveHonest().length * share))
      for (const node of victims) sim.crash(node)
      return victims.length
    },
    addSybils(count) {
      let added = 0
      while (added < count && sybils < maxSybils) {
        const node = honestCount + sybils
        sybil[node] = true
        sybils++
        added++
        join(node, pick(liveHonest(), plumtreeStrategy.bootstrapDegree))
      }
      return added
    },
    snapshot() {
      const used = honestCount + sybils
      const nodes: LiveNode[] = []
      const links: Array<readonly [number, number]> = []
      for (let i = 0; i < used; i++) {
        const position = positions[i] as { x: number; y: number }
        nodes.push({
          ...position,
          up: sim.isUp(i),
          sybil: sybil[i] === true,
          delivered: latest?.delivered.has(i) === true,
        })
        if (!sim.isUp(i)) continue
        for (const peer of sim.connections(i)) if (peer > i && peer < used) links.push([i, peer])
      }
      const tree: Array<readonly [number, number]> = []
      for (const [node, parent] of parents)
        if (latest?.delivered.has(node)) tree.push([parent, node])
      const live = liveHonest()
      const times = [...(latest?.delivered.values() ?? [])].sort((a, b) => a - b)
      const delivered = live.filter((i) => latest?.delivered.has(i)).length
      let received = 0
      for (const node of live) received += copies.get(node) ?? 0
      const receivers = live.filter((i) => copies.has(i)).length
      return {
        time: sim.now - EPOCH_MS,
        nodes,
        links,
        tree,
        counters: {
          messages,
          reliability: latest === undefined || live.length === 0 ? 0 : delivered / live.length,
          duplicates: receivers === 0 ? 0 : received / receivers - 1,
          p50: percentile(times, 0.5),
          p99: percentile(times, 0.99),
          live: live.length,
          crashed: honestCount - live.length,
          sybils,
          reports,
        },
      }
    },
  }
}

function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number
}
