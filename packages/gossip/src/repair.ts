/**
 * Repair: what a router does with announcements (IHAVE). A message announced and not yet
 * seen is missing; it is pulled at once (a GRAFT that also makes the announcer the
 * parent) when no pushed copy is on its way, else asked after `pushWaitMs` (an IWANT that
 * keeps the parent, a GRAFT once the parent's pushes failed in a row), and asked again
 * of the next announcer each time an answer does not come in `ihaveTimeoutMs` (a broken
 * promise). Requests due together go out in one frame per peer. An announcement of a known message over a
 * much shorter path, or a pushed copy slower than an announcement, moves the parent.
 * The other side is here too: GRAFT and IWANT are answered from the message cache, a
 * bounded number of times per peer and message.
 *
 * @example
 * const repair = createRepair(core, cfg, limits, membership, cache, broadcast)
 * repair.onIhave(key, conn, topic, announcements)
 * repair.runTimers() // after each input
 */
import type { Broadcast, TopicState } from './broadcast'
import { ACCEPTED, type Cache, type Seen } from './cache'
import { batchKeyOf, type Conn, type Core, sourceOfKey } from './core'
import type { Announced } from './frame-reader'
import { type Announcement, keyOfIdAt, type WireId, wireIdOfKey } from './frames'
import type { Limits } from './limits'
import type { Membership } from './membership'
import type { RepairConfig } from './options'
import type { DeliveryPath, PeerKey } from './types'

/** A message announced to us and not yet seen. */
export interface Missing {
  topic: string
  /** The id's key in `seen` and `missing` (its bytes are rebuilt for a request). */
  key: string
  /** The publisher's key (`sourceKeyOf`). */
  source: string
  announcers: PeerKey[]
  asked: PeerKey | undefined
  /** How the asked copy comes: pulled on the first request of an entry made to pull at once, else repaired. */
  via: DeliveryPath | undefined
  /** Whether the entry was made to pull at once (no pushed copy was on its way). */
  pullNow: boolean
  /** Whether the asked copy comes by IWANT, the parent keeping its place in the tree. */
  keepParent: boolean
  /** When the first announcement came. */
  since: number
  /** When to ask (again); -1 once the entry left `missing`, which voids its timers. */
  deadline: number
}

/** A queued request of a missing message, void once the entry's deadline moved. */
interface Timer {
  deadline: number
  m: Missing
}

/** Ids to request from one peer in one frame. */
interface Request {
  topic: string
  peer: PeerKey
  ids: WireId[]
  graft: boolean
}

/** Timers in deadline order; slots before `head` are spent and cleared, so a spent timer does not keep its entry alive until the queue is compacted. */
interface Queue {
  items: (Timer | undefined)[]
  head: number
}

const createQueue = (): Queue => ({ items: [], head: 0 })

/** Announcers kept per missing message. */
export const MAX_ANNOUNCERS = 8

export interface Repair {
  readonly missing: ReadonlyMap<string, Missing>
  onIhave(fromKey: PeerKey, conn: Conn, topic: string, ids: Announcement[]): void
  /**
   * `onIhave` for a well-formed frame read in place (ids in `announced`), as far as it needs
   * no more than the ids' keys: known messages with no shorter path, and missing ones,
   * which gain an announcer. False at the first id that needs more (unknown, or a shorter
   * path): the announcements are then built from the same reading and `onIhave` goes over
   * every id again, which repeats nothing (an announcer is added once).
   */
  announcedInPlace(
    fromKey: PeerKey,
    conn: Conn,
    topic: string,
    b: Uint8Array,
    announced: Announced,
  ): boolean
  /** A pushed copy came from `fromKey` after another neighbour announced it: see `fasterParent`. */
  fasterParent(t: TopicState, m: Missing, fromKey: PeerKey): void
  /**
   * The parent `from` pushed a copy after the one asked of `to` while it kept its place: its
   * push was late, not lost, so `to` becomes the parent (as in `fasterParent`).
   */
  movedParent(t: TopicState, topic: string, source: string, to: PeerKey, from: PeerKey): void
  /** The neighbours that announced a missing message (asked or not). */
  announcedBy(m: Missing): PeerKey[]
  /** Drops a missing entry; its queued timers become void. */
  forget(key: string, m: Missing): void
  /** A GRAFT: the sender becomes a child in the named trees and gets the messages it names. */
  onGraft(key: PeerKey, conn: Conn, topic: string, ids: WireId[], sources: Uint8Array[]): void
  /** An IWANT: the sender gets the messages it names. */
  onIwant(key: PeerKey, conn: Conn, topic: string, ids: WireId[]): void
  /** Requests what is due: pulls, and repairs whose copy or answer did not come in time. */
  runTimers(): void
  /** When the next request is due (undefined: none queued); drops void timers at the head. */
  nextWake(): number | undefined
  /**
   * The queued requests counted again (for invariant checks): `live`, those still in force,
   * and `stray`, live ones whose entry is no longer the one missing under its key.
   */
  audit(): { live: number; stray: number }
}

/**
 * Creates the repair layer.
 * @param core - the router's shared state
 * @param cfg - repair settings
 * @param limits - scores and reports
 * @param membership - the active view
 * @param cache - seen entries
 * @param broadcast - the topics' trees
 * @returns the layer, with nothing missing
 */
export function createRepair(
  core: Core,
  cfg: RepairConfig,
  limits: Limits,
  membership: Membership,
  cache: Cache,
  broadcast: Broadcast,
): Repair {
  const { conns, stats, share, selfSource, sourceKeyOf } = core
  const { active } = membership
  const { seen } = cache
  const { topics, graftBackoff, prunedUntil } = broadcast
  const { score, connScore } = limits
  const th = cfg.scoreThresholds
  const missing = new Map<string, Missing>()
  /**
   * Repair timers in deadline order, two queues: waits for a pushed copy (`pushWaitMs` after
   * the first announcement) and waits for an answer (`ihaveTimeoutMs` after a request). In
   * each queue every deadline is the same delay after the input that set it, so deadlines
   * only grow and a queue suffices.
   */
  const waits = createQueue()
  const timers = createQueue()
  /** Announced messages to pull at once (nothing pushed is on its way), in arrival order. */
  let pulls: Timer[] = []

  /** The topic's state when announcements from this neighbour are heard (active, subscribed, scored enough). */
  function heardTopic(fromKey: PeerKey, conn: Conn, topic: string): TopicState | undefined {
    if (!conn.active) return undefined
    const t = topics.get(topic)
    if (t === undefined || connScore(fromKey, conn) < th.gossip) return undefined
    return t
  }

  /**
   * Whether an announcement (`hops` away) of the known message `s` offers nothing: no
   * optimization, or the message was not accepted here, or the path is not shorter enough.
   */
  function noShorterPath(s: Seen, topic: string, hops: number): boolean {
    return (
      cfg.optimizationThreshold === 0 ||
      s.state !== ACCEPTED ||
      s.hops - hops < cfg.optimizationThreshold ||
      s.topic !== topic
    )
  }

  /** Notes that `fromKey` announced the missing message `m` (a handful at most). */
  function addAnnouncer(m: Missing, fromKey: PeerKey): void {
    if (
      m.announcers.length < MAX_ANNOUNCERS &&
      !m.announcers.includes(fromKey) &&
      m.asked !== fromKey
    )
      m.announcers.push(fromKey)
  }

  function forget(key: string, m: Missing): void {
    m.deadline = -1
    missing.delete(key)
  }

  /** Adds a missing message to the batch for its next announcer, and sets its repair timer. */
  function request(m: Missing, requests: Map<string, Request>, blamed: Set<PeerKey>): void {
    const key = m.key
    const t = topics.get(m.topic)
    if (t === undefined) {
      forget(key, m)
      return
    }
    if (m.asked !== undefined) {
      if (conns.has(m.asked) && !blamed.has(m.asked)) {
        blamed.add(m.asked)
        limits.report(m.asked, 'broken-promise')
      }
      // a parent that did not deliver what it was grafted for is no parent (an announcement
      // naming a made-up source leaves no parent behind)
      if (t.parents.get(m.source) === m.asked) broadcast.dropParent(t, m.source)
    }
    let next: PeerKey | undefined
    while (m.announcers.length > 0) {
      const candidate = m.announcers.shift()!
      if (active.has(candidate) && !limits.cut.has(candidate) && score(candidate) >= th.graft) {
        next = candidate
        break
      }
    }
    if (next === undefined) {
      forget(key, m)
      return
    }
    // the parent's push did not come in time: ask without moving the tree (IWANT), unless
    // the one before did not come either (one lost frame is not a slow path; a parent that
    // keeps missing is replaced by the announcer)
    const parent = t.parents.get(m.source)
    m.keepParent = false
    if (m.asked === undefined && !m.pullNow && parent !== undefined && active.has(parent)) {
      if (!t.misses.has(m.source)) {
        t.misses.set(m.source, core.now)
        m.keepParent = true
      }
    }
    const graft = !m.keepParent && !broadcast.inBackoff(graftBackoff, m.topic, next)
    const batchKey = batchKeyOf(m.topic, next, graft)
    let batch = requests.get(batchKey)
    if (batch === undefined) {
      batch = { topic: m.topic, peer: next, ids: [], graft }
      requests.set(batchKey, batch)
    }
    if (batch.ids.length < cfg.maxIdsPerFrame) batch.ids.push(wireIdOfKey(key))
    if (graft) broadcast.setParent(t, m.source, next)
    m.via = m.pullNow && m.asked === undefined ? 'pull' : 'repair'
    m.asked = next
    m.deadline = core.now + cfg.ihaveTimeoutMs
    timers.items.push({ deadline: m.deadline, m })
  }

  /** Requests the entries of `q` due now (void timers skipped), and compacts the queue. */
  function drain(q: Queue, requests: Map<string, Request>, blamed: Set<PeerKey>): void {
    while (q.head < q.items.length && q.items[q.head]!.deadline <= core.now) {
      const { deadline, m } = q.items[q.head]!
      q.items[q.head++] = undefined
      // a timer whose entry was answered or replaced is void
      if (m.deadline === deadline) request(m, requests, blamed)
    }
    if (q.head >= 32 && q.head * 2 > q.items.length) {
      // spent entries go once they are half the queue (amortised O(1); thousands of routers
      // in one process must not each keep a long tail)
      q.items.splice(0, q.head)
      q.head = 0
    }
  }

  /** Whether the head of `q` is due now. */
  const due = (q: Queue): boolean =>
    q.head < q.items.length && q.items[q.head]!.deadline <= core.now

  /** The first live deadline of `q` (void timers at the head are dropped). */
  function firstDeadline(q: Queue): number | undefined {
    while (q.head < q.items.length) {
      const head = q.items[q.head]!
      // a timer whose entry was answered or replaced is void (checked without a map lookup)
      if (head.m.deadline === head.deadline) return head.deadline
      q.items[q.head++] = undefined
    }
    return undefined
  }

  /** Makes `to` the parent in `source`'s tree (GRAFT), pruning `from` if it was the parent. */
  function moveParent(
    t: TopicState,
    topic: string,
    source: string,
    to: PeerKey,
    from: PeerKey,
  ): void {
    if (to === from) return
    const conn = conns.get(to)
    if (conn === undefined || !conn.active || broadcast.inBackoff(graftBackoff, topic, to)) return
    if (connScore(to, conn) < th.graft) return
    const sourceBytes = sourceOfKey(source)
    if (t.parents.get(source) === from) broadcast.prune(topic, from, 'optimization', [sourceBytes])
    broadcast.setParent(t, source, to)
    stats.graftsSent++
    core.send(to, { kind: 'graft', topic, ids: [], sources: [sourceBytes] })
  }

  /** Sends requested messages, at most `maxRequestsPerMessage` times per peer and message. */
  function answer(key: PeerKey, topic: string, ids: WireId[], graft: TopicState | undefined): void {
    let overLimit = false
    for (const id of ids) {
      const c = seen.get(id.key)
      if (c === undefined || c.envelope === undefined || c.topic !== topic) continue
      if (graft !== undefined) {
        broadcast.addChild(graft, c.source, key)
        if (c.source === selfSource) graft.declined.delete(key)
      }
      let count = 0
      if (c.answered !== undefined) for (const k of c.answered) if (k === key) count++
      if (count >= cfg.maxRequestsPerMessage) {
        overLimit = true
        continue
      }
      c.answered ??= []
      c.answered.push(key)
      const hops = Math.min(c.hops + 1, cfg.hopLimit)
      core.sendBytes(key, core.frameBytes({ kind: 'gossip', topic, hops, envelope: c.envelope }), 1)
    }
    if (overLimit) limits.violation(key, 'request-limit')
  }

  return {
    missing,
    forget,

    onGraft(key, conn, topic, ids, sources) {
      const t = topics.get(topic)
      if (t === undefined) {
        // a router outside the topic joins no tree, but what it published or announced
        // (catch-up) is in its cache: the requested ids are answered all the same
        if (active.has(key) && score(key) >= th.gossip) answer(key, topic, ids, undefined)
        stats.prunesSent++
        core.send(key, { kind: 'prune', topic, reason: 'unsubscribed', backoffMs: 0, sources: [] })
        return
      }
      if (!active.has(key)) return
      if (score(key) < th.graft) {
        broadcast.prune(topic, key, 'score', [])
        return
      }
      if (ids.length === 0 && broadcast.inBackoff(prunedUntil, topic, key)) {
        limits.violation(key, 'graft-backoff')
        return
      }
      // a graft usually comes from a neighbour already known to subscribe: no change then
      if (!conn.topics.has(topic)) {
        conn.topics.add(topic)
        core.linksChanged()
      }
      for (const s of sources) {
        const source = sourceKeyOf(s)
        broadcast.addChild(t, source, key)
        if (source === selfSource) t.declined.delete(key)
      }
      answer(key, topic, ids, t)
    },

    onIwant(key, conn, topic, ids) {
      // answered whether or not this router subscribes (see onGraft)
      if (!conn.active) return
      if (connScore(key, conn) < th.gossip) return
      answer(key, topic, ids, undefined)
    },

    onIhave(fromKey, conn, topic, ids) {
      const t = heardTopic(fromKey, conn, topic)
      if (t === undefined) return
      for (const { id, hops, source } of ids) {
        const s = seen.get(id.key)
        if (s !== undefined) {
          const parent = t.parents.get(s.source)
          // a router that lost a push lately takes the first announcer of a known message
          // as a second parent for its publisher
          if (
            parent !== undefined &&
            parent !== fromKey &&
            !t.backups.has(s.source) &&
            broadcast.redundancy.active()
          )
            broadcast.redundancy.adopt(t, topic, s.source, fromKey)
          // the cheap tests first: nearly every announcement of a known message stops here
          if (noShorterPath(s, topic, hops)) continue
          if (
            parent !== undefined &&
            parent !== fromKey &&
            !broadcast.inBackoff(graftBackoff, topic, fromKey) &&
            score(fromKey) >= th.graft
          ) {
            // a much shorter path exists for this source: take it, and prune the long one
            const sourceBytes = sourceOfKey(s.source)
            broadcast.prune(topic, parent, 'optimization', [sourceBytes])
            broadcast.setParent(t, s.source, fromKey)
            stats.graftsSent++
            core.send(fromKey, { kind: 'graft', topic, ids: [], sources: [sourceBytes] })
            s.hops = hops
          }
          continue
        }
        const m = missing.get(id.key)
        if (m !== undefined) {
          addAnnouncer(m, fromKey)
          continue
        }
        if (missing.size >= cfg.maxMissing) continue
        const sourceKey = sourceKeyOf(source)
        const parent = t.parents.get(sourceKey)
        // with a live parent the pushed copy is on its way: give it time; else pull now
        const wait = parent !== undefined && parent !== fromKey && active.has(parent)
        const deadline = wait ? core.now + cfg.pushWaitMs : core.now
        // the announcement's bytes are views of the frame: the entry keeps keys, not bytes
        const entry: Missing = {
          topic,
          key: share.key(id.key),
          source: sourceKey,
          announcers: [fromKey],
          asked: undefined,
          via: undefined,
          pullNow: !wait,
          keepParent: false,
          since: core.now,
          deadline,
        }
        missing.set(entry.key, entry)
        // a pull due now must not queue behind a repair timer due later
        if (wait) waits.items.push({ deadline, m: entry })
        else pulls.push({ deadline, m: entry })
      }
    },

    announcedInPlace(fromKey, conn, topic, b, announced) {
      if (heardTopic(fromKey, conn, topic) === undefined) return true
      if (broadcast.redundancy.active()) return false
      for (let i = 0; i < announced.count; i++) {
        const key = keyOfIdAt(b, announced.at[i]!)
        const s = seen.get(key)
        if (s !== undefined) {
          if (noShorterPath(s, topic, announced.hops[i]!)) continue
          return false
        }
        const m = missing.get(key)
        if (m === undefined) return false
        addAnnouncer(m, fromKey)
      }
      return true
    },

    /*
     * That neighbour is on a faster path from the source, so it becomes the parent in the
     * source's tree (a GRAFT naming the source) and the slower one is pruned from it. Each
     * such switch lowers the arrival time, so a source's tree settles on the paths of first
     * arrival.
     */
    fasterParent(t, m, fromKey) {
      // the announcer asked by IWANT, else the first one not asked yet
      const first = m.keepParent ? m.asked : m.announcers[0]
      if (first !== undefined) moveParent(t, m.topic, m.source, first, fromKey)
    },

    movedParent: moveParent,

    announcedBy: (m) => (m.asked === undefined ? m.announcers : [...m.announcers, m.asked]),

    runTimers() {
      // most inputs find nothing due: no allocation for them
      const pulling = pulls.length > 0
      if (!pulling && !due(waits) && !due(timers)) return
      const requests = new Map<string, Request>()
      // a peer that let several requests lapse in one round broke one promise: a slow burst
      // of an honest peer must not cost it a penalty per message
      const blamed = new Set<PeerKey>()
      if (pulling) {
        // due since they were queued, so before any timer
        const due = pulls
        pulls = []
        for (const { deadline, m } of due) if (m.deadline === deadline) request(m, requests, blamed)
      }
      drain(waits, requests, blamed)
      drain(timers, requests, blamed)
      for (const b of requests.values()) {
        if (b.graft) {
          stats.graftsSent++
          core.send(b.peer, { kind: 'graft', topic: b.topic, ids: b.ids, sources: [] })
        } else {
          core.send(b.peer, { kind: 'iwant', topic: b.topic, ids: b.ids })
        }
      }
    },

    audit() {
      let live = 0
      let stray = 0
      const queued = [
        ...waits.items.slice(waits.head),
        ...timers.items.slice(timers.head),
        ...pulls,
      ]
      for (const timer of queued) {
        if (timer === undefined || timer.m.deadline !== timer.deadline) continue
        live++
        if (missing.get(timer.m.key) !== timer.m) stray++
      }
      return { live, stray }
    },

    nextWake() {
      if (pulls.length > 0) return core.now
      const a = firstDeadline(waits)
      const b = firstDeadline(timers)
      return a === undefined ? b : b === undefined || a < b ? a : b
    },
  }
}
