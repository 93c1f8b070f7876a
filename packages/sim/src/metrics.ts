/**
 * Run metrics: an observer that counts what the routers do (frames, payloads, bytes,
 * deliveries, reports, connections) and the figures computed from the counts —
 * reliability, RMR, LDH, latency percentiles, bytes per node, duplicates per delivery,
 * duplicate deliveries, and, for adversarial runs, honest reliability and how many
 * adversaries were cut off. Definitions are in `docs/sim.md`.
 *
 * @example
 * const metrics = createMetrics({ roles })
 * const sim = createSimulator({ seed, observer: metrics.observer })
 * metrics.publishing(sim, publisher, envelope, true)  // before feeding the publish input
 */
import { envelopeId } from '@peerkit/envelope'
import type { DeliveryPath } from '@peerkit/gossip'
import { type ConnectionLog, createConnectionReplay } from './connection-log'
import type { GossipOutput } from './contract'
import { InvalidOptionError } from './errors'
import type { SimObserver, Simulator } from './simulator'

/** What a node is in a run. Anything but `honest` is an adversary. */
export type NodeRole = 'honest' | 'dropper' | 'spammer' | 'replayer'

const HONEST = 0

/** Codes of a node in a record's `eligible` array until its eligibility is computed. */
const UP_SUBSCRIBER = 1
const PASSABLE = 2
const IN_COMPONENT = 4

/** One published message, as the metrics follow it. */
export interface MessageRecord {
  /** Order of publication. */
  index: number
  publisher: number
  publishedAt: number
  /** Counted in the figures (false for warm-up messages). */
  measured: boolean
  /** Whether it is the first message of its publisher in the run (warm-up included). */
  first: boolean
  /**
   * Who should receive it: 0 for nodes down or not subscribed at publication, 1 for live
   * subscribers outside the publisher's connected component of the overlay, 2 for live
   * subscribers inside it. Fixed at publication, computed when first read (or by
   * `figures`): in a split run, only after the other parts were absorbed.
   */
  readonly eligible: Uint8Array
  /** Deliveries per node (across restarts). */
  delivered: Uint8Array
  deliveries: number
  maxHops: number
}

/** The figures of one run. */
export interface RunFigures {
  /** Share of live subscribers (every node that runs the protocol) that received each message. */
  reliability: number
  /** The same, counting honest subscribers only. */
  honestReliability: number
  /** Lowest per-message share of honest subscribers reached. */
  minHonestReliability: number
  /**
   * Share of the live honest subscribers in the publisher's connected component of the
   * overlay (at publication) that received each message.
   */
  componentReliability: number
  /** payload messages sent / (receivers − 1) − 1, over measured messages. */
  rmr: number
  /** Mean over messages of the largest hop count of a delivery. */
  ldh: number
  latencyP50Ms: number
  latencyP99Ms: number
  /** Payload receptions that were not a first delivery, per delivery. */
  duplicatesPerDelivery: number
  /** Bytes sent per honest node while messages were measured. */
  bytesPerNode: number
  /** Times a node's application got a message it had already got (any message, whole run). */
  duplicateDeliveries: number
  /** Deliveries of ids never published by an honest node (forged messages that got through). */
  unknownDeliveries: number
  /** Adversaries that no honest node held a connection to at the end. */
  graylisted: number
  /** Share of spammers cut off by every honest node. */
  spammersCutOff: number
  /** Share of spammers reported (`misbehaved`) by at least one honest node. */
  spammersReported: number
  /** Reports (`misbehaved` outputs) by honest nodes about honest nodes. */
  falseReports: number
  /** Delivery over time: [ms after publish, share of eligible honest deliveries by then]. */
  curve: Array<[number, number]>
  /**
   * Latency of the measured deliveries by how each came over its last hop (`deliver`'s
   * `via`; a router that does not say is counted as pushing): pushed, pulled at once after
   * an announcement, or repaired after a timeout.
   */
  latencyByPath: Record<DeliveryPath, LatencyFigures>
  /** Latency of the measured messages that were their publisher's first in the run. */
  firstMessages: LatencyFigures
  /** Latency of the measured messages whose publisher had published before. */
  steadyMessages: LatencyFigures
}

/** Latency percentiles of a subset of the measured deliveries. */
export interface LatencyFigures {
  /** Share of the measured deliveries in the subset. */
  share: number
  p50Ms: number
  p99Ms: number
}

const PATHS: readonly DeliveryPath[] = ['push', 'pull', 'repair']

export interface MetricsOptions {
  /** Role of each node by index (nodes beyond the array are honest). */
  roles: readonly NodeRole[]
  /** Nodes subscribed to the measured topic (default: every node). */
  subscriber?: (node: number) => boolean
  /**
   * The id under which a message's envelope is known (default: its envelope id); used to
   * match deliveries to publications whatever form of id the router reports.
   */
  idOf?: (envelope: Uint8Array) => string | undefined
}

export interface Metrics {
  readonly observer: SimObserver
  /** Message records by publication order. */
  readonly messages: readonly MessageRecord[]
  /**
   * Records a message about to be published by `publisher` now; call before feeding the
   * publish input. Eligibility is fixed now: up and subscribed, and whether the node is in
   * the publisher's component of the connection graph (over links the partition lets
   * through). The graph is marked (`Simulator.markConnections`), not read: its component
   * is found when `eligible` is first read, so the parts of a split run need not stop here.
   */
  publishing(
    sim: Simulator,
    publisher: number,
    envelope: Uint8Array,
    measured: boolean,
  ): MessageRecord
  /** Starts the measurement window (payload, byte and reception counters). */
  startMeasuring(now: number): void
  /**
   * From now on, counts replays that got through: deliveries of an already published
   * message to a node that had delivered it before, or of a message older than `maxAgeMs`
   * (a young message reaching a node that missed it is a first delivery, not a replay).
   * Read the count with `lateDeliveries`.
   */
  watchLateDeliveries(maxAgeMs: number): void
  /** Replays that got through since `watchLateDeliveries`. */
  readonly lateDeliveries: number
  /** Computes the figures at the current time; adversaries connected for less than `cutOffGraceMs` count as cut off. */
  figures(sim: Pick<Simulator, 'size' | 'now'>, options: { cutOffGraceMs: number }): RunFigures
  /**
   * What this collector counted, as plain data (for the parts of a split run), with the
   * connection log of the simulator it recorded publications in.
   */
  exportState(): MetricsState
  /**
   * Adds what another part of a split run counted (its nodes are not this part's; both
   * recorded the same publications), and takes its connection log for eligibility.
   */
  absorb(state: MetricsState): void
}

/** The counts of a metrics collector, as structured-cloneable data. */
export interface MetricsState {
  records: Array<{ delivered: Uint8Array; deliveries: number; maxHops: number }>
  counts: {
    bytesSent: number
    payloadsSent: number
    payloadsReceived: number
    duplicateDeliveries: number
    unknownDeliveries: number
    falseReports: number
    lateDeliveries: number
  }
  latencies: number[]
  /** Per latency: its path (index in `push, pull, repair`) plus 4 when its message was its publisher's first. */
  latencyKinds: number[]
  reported: number[]
  adversaryLinks: Array<[number, number]>
  lastCrash: Array<[number, number]>
  /** The part's connection log (absent when it recorded no publication). */
  connections?: ConnectionLog
}

/**
 * The value below which a share `p` of sorted values lie (nearest rank).
 * @param sorted - ascending values
 * @param p - share in [0, 1]
 * @returns the percentile, or 0 for no values
 */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))
  return sorted[rank]!
}

/**
 * Creates the metrics of a run.
 * @param options - node roles and subscribers
 * @returns the collector; pass `observer` to `createSimulator`
 */
export function createMetrics(options: MetricsOptions): Metrics {
  const roleCode = (node: number): number => {
    const role = options.roles[node] ?? 'honest'
    return role === 'honest' ? 0 : role === 'dropper' ? 1 : role === 'spammer' ? 2 : 3
  }
  const isSubscriber = options.subscriber ?? (() => true)
  const idOf =
    options.idOf ??
    ((envelope: Uint8Array): string | undefined => {
      try {
        return envelopeId(envelope).toString()
      } catch {
        return undefined
      }
    })
  const records: MessageRecord[] = []
  const byId = new Map<string, MessageRecord>()
  /** Records waiting for their router's message id, by envelope id text. */
  const byEnvelope = new Map<string, MessageRecord>()
  let watchingLate = false
  let lateMaxAge = Number.POSITIVE_INFINITY
  let lateDeliveries = 0
  /** Last crash time per node. */
  const lastCrash: number[] = []
  let measuring = false
  let roles = new Uint8Array(0)
  let bytesSent = 0
  let payloadsSent = 0
  let payloadsReceived = 0
  let duplicateDeliveries = 0
  let unknownDeliveries = 0
  let falseReports = 0
  const latencies: number[] = []
  const latencyKinds: number[] = []
  /** Publishers recorded so far (for `MessageRecord.first`). */
  const publishers = new Set<number>()
  /** Honest node h's reports about adversary a: key h * 2^21 + a. */
  const reported = new Set<number>()
  /** Open honest-side connections to adversaries: key → opened at. */
  const adversaryLinks = new Map<number, number>()
  /** The simulator publications were recorded in (its connection log). */
  let marked: Simulator | undefined
  /** Other parts' connection logs, by part index (from `absorb`). */
  const partLogs: Array<ConnectionLog | undefined> = []
  /** Each record's connection mark, by record index. */
  const marks: number[] = []
  /**
   * Each record's `eligible` array, by record index: until its eligibility is computed, a
   * code per node (UP_SUBSCRIBER, plus PASSABLE when up and on the publisher's side of any
   * partition).
   */
  const eligibleArrays: Uint8Array[] = []
  /** Records whose eligibility is computed (a prefix of `records`). */
  let resolved = 0
  const replay = createConnectionReplay()

  const role = (node: number): number => {
    if (node >= roles.length) {
      const grown = new Uint8Array(Math.max(node + 1, roles.length * 2, 64))
      grown.set(roles)
      for (let i = roles.length; i < grown.length; i++) grown[i] = roleCode(i)
      roles = grown
    }
    return roles[node]!
  }
  const pairKey = (honest: number, adversary: number): number => honest * 2_097_152 + adversary

  const onDeliver = (
    node: number,
    output: Extract<GossipOutput, { type: 'deliver' }>,
    now: number,
  ): void => {
    let record = byId.get(output.messageId)
    if (record === undefined) {
      const key = idOf(output.envelope)
      record = key === undefined ? undefined : byEnvelope.get(key)
      if (record === undefined) {
        if (role(node) === HONEST) unknownDeliveries++
        return
      }
      byId.set(output.messageId, record)
    }
    if (watchingLate && (record.delivered[node]! > 0 || now - record.publishedAt > lateMaxAge)) {
      lateDeliveries++
    }
    if (record.delivered[node]! > 0) {
      duplicateDeliveries++
    } else {
      record.deliveries++
    }
    record.delivered[node] = Math.min(255, record.delivered[node]! + 1)
    if (record.delivered[node] === 1) {
      if (output.hops > record.maxHops) record.maxHops = output.hops
      if (record.measured && node !== record.publisher && role(node) === HONEST) {
        latencies.push(now - record.publishedAt)
        const path = output.via === 'pull' ? 1 : output.via === 'repair' ? 2 : 0
        latencyKinds.push(path + (record.first ? 4 : 0))
      }
    }
  }

  const observer: SimObserver = {
    send(from, _to, bytes, payloads) {
      if (!measuring || role(from) !== HONEST) return
      bytesSent += bytes.length
      payloadsSent += payloads
    },
    receive(to, from, _bytes, payloads) {
      if (!measuring || role(to) !== HONEST || role(from) !== HONEST) return
      payloadsReceived += payloads
    },
    deliver: onDeliver,
    misbehaved(node, peer) {
      if (peer < 0 || role(node) !== HONEST) return
      if (role(peer) === HONEST) falseReports++
      else reported.add(pairKey(node, peer))
    },
    opened(a, b, now) {
      // Called at the dialled end `a`; the dialler `b` holds it open one delay later.
      if (role(a) === HONEST && role(b) !== HONEST) adversaryLinks.set(pairKey(a, b), now)
    },
    closed(node, peer) {
      if (role(node) === HONEST && role(peer) !== HONEST) adversaryLinks.delete(pairKey(node, peer))
    },
    crashed(node, now) {
      lastCrash[node] = now
      if (role(node) !== HONEST) return
      for (const key of [...adversaryLinks.keys()]) {
        if (Math.floor(key / 2_097_152) === node) adversaryLinks.delete(key)
      }
    },
  }

  /**
   * Computes the eligibility of every record not computed yet: the connection graph at each
   * one's mark, rebuilt from the parts' logs, and the publisher's component in it.
   */
  const resolveEligibility = (): void => {
    if (resolved === records.length) return
    const logs = [...partLogs]
    const local = marked!.connectionLog()
    logs[local.part] = local
    let stack = new Int32Array(64)
    for (; resolved < records.length; resolved++) {
      const record = records[resolved]!
      replay.advance(logs, marks[resolved]!)
      const codes = eligibleArrays[resolved]!
      // Every node reached is on the publisher's side (each step stays on one side), so
      // "reachable from the node before" is "on the publisher's side": PASSABLE says it.
      const start = record.publisher
      codes[start] = codes[start]! | IN_COMPONENT
      stack[0] = start
      let top = 1
      while (top > 0) {
        const peers = replay.peers(stack[--top]!)
        for (let k = 0; k < peers.length; k++) {
          const peer = peers[k]!
          const code = codes[peer]!
          if ((code & (PASSABLE | IN_COMPONENT)) !== PASSABLE) continue
          codes[peer] = code | IN_COMPONENT
          if (top === stack.length) {
            const grown = new Int32Array(stack.length * 2)
            grown.set(stack)
            stack = grown
          }
          stack[top++] = peer
        }
      }
      for (let i = 0; i < codes.length; i++) {
        const code = codes[i]!
        codes[i] = (code & UP_SUBSCRIBER) === 0 ? 0 : (code & IN_COMPONENT) === 0 ? 1 : 2
      }
    }
  }

  return {
    observer,
    messages: records,
    publishing(sim, publisher, envelope, measured) {
      if (marked !== undefined && marked !== sim) {
        throw new InvalidOptionError(
          'sim',
          'one collector records the publications of one simulator',
        )
      }
      marked = sim
      const size = sim.size
      const index = records.length
      // codes until the eligibility is computed (see `eligibleArrays`)
      const eligible = new Uint8Array(size)
      marks.push(sim.markConnections())
      eligibleArrays.push(eligible)
      for (let i = 0; i < size; i++) {
        if (!sim.isUp(i)) continue
        eligible[i] =
          (isSubscriber(i) ? UP_SUBSCRIBER : 0) | (sim.reachable(publisher, i) ? PASSABLE : 0)
      }
      const record: MessageRecord = {
        index,
        publisher,
        publishedAt: sim.now,
        measured,
        first: !publishers.has(publisher),
        get eligible() {
          if (index >= resolved) resolveEligibility()
          return eligible
        },
        delivered: new Uint8Array(size),
        deliveries: 0,
        maxHops: 0,
      }
      records.push(record)
      publishers.add(publisher)
      const key = idOf(envelope)
      if (key !== undefined) byEnvelope.set(key, record)
      return record
    },
    startMeasuring() {
      measuring = true
    },
    watchLateDeliveries(maxAgeMs) {
      watchingLate = true
      lateMaxAge = maxAgeMs
    },
    get lateDeliveries() {
      return lateDeliveries
    },
    exportState() {
      const crashes: Array<[number, number]> = []
      lastCrash.forEach((at, node) => {
        crashes.push([node, at])
      })
      return {
        records: records.map((r) => ({
          delivered: r.delivered,
          deliveries: r.deliveries,
          maxHops: r.maxHops,
        })),
        counts: {
          bytesSent,
          payloadsSent,
          payloadsReceived,
          duplicateDeliveries,
          unknownDeliveries,
          falseReports,
          lateDeliveries,
        },
        latencies: [...latencies],
        latencyKinds: [...latencyKinds],
        reported: [...reported],
        adversaryLinks: [...adversaryLinks],
        lastCrash: crashes,
        ...(marked === undefined ? {} : { connections: marked.connectionLog() }),
      }
    },
    absorb(state) {
      if (state.records.length !== records.length) {
        throw new InvalidOptionError('state', 'the parts recorded different publications')
      }
      if (state.connections !== undefined) partLogs[state.connections.part] = state.connections
      state.records.forEach((other, i) => {
        const record = records[i]!
        for (let node = 0; node < other.delivered.length; node++) {
          const n = other.delivered[node]!
          if (n > 0) record.delivered[node] = Math.min(255, record.delivered[node]! + n)
        }
        record.deliveries += other.deliveries
        if (other.maxHops > record.maxHops) record.maxHops = other.maxHops
      })
      const c = state.counts
      bytesSent += c.bytesSent
      payloadsSent += c.payloadsSent
      payloadsReceived += c.payloadsReceived
      duplicateDeliveries += c.duplicateDeliveries
      unknownDeliveries += c.unknownDeliveries
      falseReports += c.falseReports
      lateDeliveries += c.lateDeliveries
      for (const latency of state.latencies) latencies.push(latency)
      for (const kind of state.latencyKinds) latencyKinds.push(kind)
      for (const key of state.reported) reported.add(key)
      for (const [key, at] of state.adversaryLinks) adversaryLinks.set(key, at)
      for (const [node, at] of state.lastCrash) {
        if (!(at <= (lastCrash[node] ?? Number.NEGATIVE_INFINITY))) lastCrash[node] = at
      }
    },
    figures(sim, { cutOffGraceMs }) {
      const measured = records.filter((r) => r.measured)
      let shareAll = 0
      let shareHonest = 0
      let shareComponent = 0
      let minHonest = 1
      let receiversMinusOne = 0
      let hopSum = 0
      let honestDeliveries = 0
      let honestEligibleTotal = 0
      for (const record of measured) {
        let eligibleAll = 0
        let eligibleHonest = 0
        let gotAll = 0
        let gotHonest = 0
        let eligibleComponent = 0
        let gotComponent = 0
        let receivers = 0
        const eligible = record.eligible
        for (let i = 0; i < eligible.length; i++) {
          const got = record.delivered[i]! > 0
          if (got && role(i) === HONEST) receivers++
          // A node that went down after the publish is no longer eligible.
          // A node that crashed after the publish without the message had no fair chance.
          if (eligible[i] === 0) continue
          if (!got && (lastCrash[i] ?? Number.NEGATIVE_INFINITY) >= record.publishedAt) continue
          eligibleAll++
          if (got) gotAll++
          if (role(i) === HONEST) {
            eligibleHonest++
            if (got) gotHonest++
            if (eligible[i] === 2) {
              eligibleComponent++
              if (got) gotComponent++
            }
          }
        }
        shareAll += eligibleAll === 0 ? 1 : gotAll / eligibleAll
        const honestShare = eligibleHonest === 0 ? 1 : gotHonest / eligibleHonest
        shareHonest += honestShare
        shareComponent += eligibleComponent === 0 ? 1 : gotComponent / eligibleComponent
        if (honestShare < minHonest) minHonest = honestShare
        receiversMinusOne += Math.max(0, receivers - 1)
        hopSum += record.maxHops
        honestDeliveries += Math.max(0, gotHonest - 1)
        honestEligibleTotal += Math.max(0, eligibleHonest - 1)
      }
      const count = measured.length
      const sorted = Float64Array.from(latencies).sort()
      const honestNodes = countHonest(sim.size, role)
      // Receptions beyond first deliveries; the publisher's own delivery had no reception.
      const firstReceptions = measured.reduce((sum, r) => {
        let n = 0
        for (let i = 0; i < r.delivered.length; i++) {
          if (r.delivered[i]! > 0 && i !== r.publisher && role(i) === HONEST) n++
        }
        return sum + n
      }, 0)
      let spammers = 0
      let spammersCut = 0
      let spammersReported = 0
      let graylisted = 0
      const now = sim.now
      for (let a = 0; a < sim.size; a++) {
        const code = role(a)
        if (code === HONEST) continue
        let connected = false
        for (const [key, openedAt] of adversaryLinks) {
          if (key % 2_097_152 === a && now - openedAt > cutOffGraceMs) {
            connected = true
            break
          }
        }
        if (!connected) graylisted++
        if (code === 2) {
          spammers++
          if (!connected) spammersCut++
          let wasReported = false
          for (let h = 0; h < sim.size && !wasReported; h++) {
            if (reported.has(pairKey(h, a))) wasReported = true
          }
          if (wasReported) spammersReported++
        }
      }
      return {
        reliability: count === 0 ? 1 : shareAll / count,
        honestReliability: count === 0 ? 1 : shareHonest / count,
        minHonestReliability: count === 0 ? 1 : minHonest,
        componentReliability: count === 0 ? 1 : shareComponent / count,
        rmr: receiversMinusOne === 0 ? 0 : payloadsSent / receiversMinusOne - 1,
        ldh: count === 0 ? 0 : hopSum / count,
        latencyP50Ms: percentile(sorted, 0.5),
        latencyP99Ms: percentile(sorted, 0.99),
        duplicatesPerDelivery:
          firstReceptions === 0
            ? 0
            : Math.max(0, payloadsReceived - firstReceptions) / firstReceptions,
        bytesPerNode: honestNodes === 0 ? 0 : bytesSent / honestNodes,
        duplicateDeliveries,
        unknownDeliveries,
        graylisted,
        spammersCutOff: spammers === 0 ? 1 : spammersCut / spammers,
        spammersReported: spammers === 0 ? 1 : spammersReported / spammers,
        falseReports,
        curve: deliveryCurve(sorted, honestEligibleTotal, honestDeliveries),
        latencyByPath: {
          push: latencyOf(latencies, latencyKinds, (k) => (k & 3) === PATHS.indexOf('push')),
          pull: latencyOf(latencies, latencyKinds, (k) => (k & 3) === PATHS.indexOf('pull')),
          repair: latencyOf(latencies, latencyKinds, (k) => (k & 3) === PATHS.indexOf('repair')),
        },
        firstMessages: latencyOf(latencies, latencyKinds, (k) => k >= 4),
        steadyMessages: latencyOf(latencies, latencyKinds, (k) => k < 4),
      }
    },
  }
}

/** Percentiles of the latencies whose kind passes `keep`. */
function latencyOf(
  latencies: readonly number[],
  kinds: readonly number[],
  keep: (kind: number) => boolean,
): LatencyFigures {
  const chosen: number[] = []
  for (let i = 0; i < latencies.length; i++) if (keep(kinds[i]!)) chosen.push(latencies[i]!)
  const sorted = Float64Array.from(chosen).sort()
  return {
    share: latencies.length === 0 ? 0 : chosen.length / latencies.length,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
  }
}

function countHonest(size: number, role: (node: number) => number): number {
  let n = 0
  for (let i = 0; i < size; i++) if (role(i) === HONEST) n++
  return n
}

/**
 * The delivery-over-time curve: for 64 points between 0 and the slowest delivery, the
 * share of eligible (message, honest receiver) pairs delivered by then.
 */
function deliveryCurve(
  sorted: Float64Array,
  eligiblePairs: number,
  deliveredPairs: number,
): Array<[number, number]> {
  if (sorted.length === 0 || eligiblePairs === 0) return [[0, 0]]
  const last = sorted[sorted.length - 1]!
  const points: Array<[number, number]> = []
  const scale = Math.min(1, deliveredPairs / eligiblePairs) / sorted.length
  let j = 0
  for (let k = 0; k <= 64; k++) {
    const t = (last * k) / 64
    while (j < sorted.length && sorted[j]! <= t) j++
    points.push([Math.round(t), j * scale])
  }
  return points
}
