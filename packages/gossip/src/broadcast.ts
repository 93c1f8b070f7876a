/**
 * Plumtree broadcast, per topic, with one tree per publisher ("source"). A publisher
 * pushes to all its subscribed neighbours; every other node pushes a message to its
 * children in that source's tree (the eager set) and announces it (IHAVE, batched per
 * lazy flush) to the other neighbours (the lazy set). PRUNE takes a child out (a prune
 * for a low score holds it off), and a new neighbour is caught up on recent messages.
 * Requests (GRAFT, IWANT) and their answers are the repair layer's (`repair.ts`); taking
 * a message in is the validation layer's (`validation.ts`).
 *
 * @example
 * const broadcast = createBroadcast(core, cfg, limits, membership, cache)
 * broadcast.subscribe('news')
 * broadcast.accept(pending, key) // deliver, become the sender's child, forward
 */
import type { PeerId } from '@peerkit/identity'
import { ACCEPTED, type Cache } from './cache'
import { createCatchUp } from './catch-up'
import { type Conn, type Core, pairKey, sourceOfKey } from './core'
import type { Announcement, PruneReason, WireId } from './frames'
import type { Limits } from './limits'
import type { Membership } from './membership'
import type { BroadcastConfig } from './options'
import { createRedundancy, type Redundancy } from './redundancy'
import type { DeliveryPath, PeerKey } from './types'

export interface TopicState {
  /** Per source (its public key as a `sourceKeyOf` string): the neighbours we push its messages to, least recently used first. */
  trees: Map<string, PeerKey[]>
  /** Per source: the neighbour that pushes its messages to us. */
  parents: Map<string, PeerKey>
  /**
   * Per source with a parent whose last push did not come in time (the message was asked of
   * an announcer by IWANT instead): when it was asked, or -1 once the parent's copy is taken
   * as lost (`LOSS_CONFIRM_MS`). The parent keeps its place after one such miss (a lost
   * frame does not move a tree); a second in a row grafts the announcer. The parent's copy
   * of that message clears it, and so does its next push once the copy was taken as lost;
   * a copy that comes after the announcer's moves the parent to the announcer.
   */
  misses: Map<string, number>
  /**
   * Per source with a parent, while the router noticed a lost push in the last
   * `LOSS_MEMORY_MS`: a second neighbour that pushes the source's messages to us, so that a
   * lost frame on one path costs nothing. Its copies are not pruned as duplicates.
   */
  backups: Map<string, PeerKey>
  /**
   * Neighbours that pruned this router's own tree (they hear its messages faster another
   * way): its messages are announced to them instead of pushed, until they graft it again.
   */
  declined: Set<PeerKey>
  /**
   * Per source named in `trees` or `parents`: when it was last used, least recently used
   * first. Bounds both maps (`maxSources`) and expires sources unused for `sourceTtlMs`.
   */
  used: Map<string, number>
  /** Announcements waiting for the next lazy flush. */
  ihave: { entry: Announcement; from: PeerKey; source: string; skip: PeerKey[] | undefined }[]
  /** Connections of the active neighbours subscribed to the topic, as of `peersVersion` (see `topicPeers`). */
  peers: Conn[]
  peersVersion: number
}

/** A message on its way in: validated (or waiting for the application's verdict). */
export interface Pending {
  topic: string
  id: WireId
  /** The public message id (the envelope id's text form). */
  messageId: string
  envelope: Uint8Array
  from: PeerId
  hops: number
  /** The publisher's peer key. */
  signer: PeerKey
  /** The publisher's public key, as a `sourceKeyOf` string and as bytes. */
  source: string
  sourceBytes: Uint8Array
  deadline: number
  /** How the copy came over its last hop. */
  via: DeliveryPath
  /** Neighbours that announced the message to us: they have it, so get no IHAVE for it. */
  skip?: PeerKey[] | undefined
  /**
   * True: asked of an announcer while the parent keeps its place (no GRAFT), so the parent
   * stays; false: a copy of a message so asked, from another peer. Undefined otherwise.
   */
  keepParent?: boolean | undefined
}

export interface Broadcast {
  readonly topics: ReadonlyMap<string, TopicState>
  /** `topic SEP peer` → until when we must not graft that peer without a missing message. */
  readonly graftBackoff: ReadonlyMap<string, number>
  /** `topic SEP peer` → until when that peer must not graft us without a missing message. */
  readonly prunedUntil: ReadonlyMap<string, number>
  /** The connections of the active neighbours subscribed to `topic` (read-only). */
  topicPeers(topic: string, t?: TopicState): readonly Conn[]
  setParent(t: TopicState, source: string, key: PeerKey): void
  /** Forgets the parent in `source`'s tree, with its miss and second parent. */
  dropParent(t: TopicState, source: string): void
  /** Makes `key` a child in `source`'s tree. */
  addChild(t: TopicState, source: string, key: PeerKey): void
  /** Removes a peer from every tree of `topic` (as child and as parent). */
  unlinkTopic(topic: string, key: PeerKey): void
  /** Asks `key` to stop pushing `sources` (all of the topic's trees when empty) to us. */
  prune(topic: string, key: PeerKey, reason: PruneReason, sources: Uint8Array[]): void
  inBackoff(map: ReadonlyMap<string, number>, topic: string, peer: PeerKey): boolean
  /** Delivers an accepted message, takes its sender as parent, and forwards it. */
  accept(p: Pending, key: string): void
  /**
   * Eager push to the source's tree, and a queued announcement for everyone else. `settled`:
   * the copy came down an established tree (pushed by the parent it already had), so its
   * announcements are only the lazy neighbours' backup and may wait for the next lazy flush.
   */
  forward(p: Pending, settled?: boolean): void
  /** Sends the queued announcements. */
  flushLazy(): void
  /** When the next lazy flush is due (undefined: nothing queued). */
  flushAt(): number | undefined
  catchUp(key: PeerKey, asked: ReadonlySet<string>): void
  onPrune(
    key: PeerKey,
    conn: Conn,
    topic: string,
    reason: PruneReason,
    backoffMs: number,
    sources: Uint8Array[],
  ): void
  onSubscriptions(key: PeerKey, conn: Conn, subscribe: boolean, list: string[]): void
  /** Adds a topic (false when already subscribed). */
  subscribe(topic: string): boolean
  /** Removes a topic (false when not subscribed). */
  unsubscribe(topic: string): boolean
  /** Peers we push `source`'s messages to (any source's when `source` is omitted). */
  eagerKeys(topic: string, source: PeerId | undefined): PeerKey[]
  /** Second parents on lossy links. */
  readonly redundancy: Redundancy
  /** Heartbeat: sources unused for `sourceTtlMs`, backoffs that ended, backups no longer needed. */
  expire(): void
}

/**
 * Creates the broadcast layer.
 * @param core - the router's shared state
 * @param cfg - broadcast settings
 * @param limits - scores and reports
 * @param membership - the active view
 * @param cache - seen entries and cached envelopes
 * @returns the layer, with no topic
 */
export function createBroadcast(
  core: Core,
  cfg: BroadcastConfig,
  limits: Limits,
  membership: Membership,
  cache: Cache,
): Broadcast {
  const { conns, selfKey, selfSource, stats, sourceKeyOf } = core
  const { active } = membership
  const { connScore } = limits
  const th = cfg.scoreThresholds
  const topics = new Map<string, TopicState>()
  const graftBackoff = new Map<string, number>()
  const prunedUntil = new Map<string, number>()
  let flushAt: number | undefined
  /** When the last lazy flush went out. */
  let lastFlush = Number.NEGATIVE_INFINITY
  const catchUp = createCatchUp(core, cfg, limits, cache)
  const redundancy = createRedundancy(
    core,
    limits,
    th,
    (topic, key) => inBackoff(graftBackoff, topic, key),
    prune,
  )

  /**
   * Every message needs a topic's peers and they rarely change, so they are kept per topic
   * and rebuilt after `linksChanged`.
   */
  function topicPeers(topic: string, t = topics.get(topic)): readonly Conn[] {
    if (t !== undefined && t.peersVersion === core.linksVersion) return t.peers
    const result: Conn[] = []
    for (const key of active.keys()) {
      const conn = conns.get(key)
      if (conn?.topics.has(topic)) result.push(conn)
    }
    if (t !== undefined) {
      t.peers = result
      t.peersVersion = core.linksVersion
    }
    return result
  }

  /**
   * Marks `source` as used in `t` (its tree or parent is being set or used). Past
   * `maxSources` the least recently used source's tree and parent are forgotten: its nodes
   * fall back to pulling, without extra payloads.
   */
  function touchSource(t: TopicState, source: string): void {
    const used = t.used
    if (used.delete(source)) {
      used.set(source, core.now)
      return
    }
    if (used.size >= cfg.maxSources) {
      const oldest = used.keys().next().value
      if (oldest !== undefined) forgetSource(t, oldest)
    }
    used.set(source, core.now)
  }

  function forgetSource(t: TopicState, source: string): void {
    t.used.delete(source)
    t.trees.delete(source)
    dropParent(t, source)
  }

  /** Forgets the parent in `source`'s tree, with its miss and second parent. */
  function dropParent(t: TopicState, source: string): void {
    t.parents.delete(source)
    t.misses.delete(source)
    t.backups.delete(source)
  }

  function setParent(t: TopicState, source: string, key: PeerKey): void {
    touchSource(t, source)
    if (t.misses.size > 0 && t.parents.get(source) !== key) t.misses.delete(source)
    if (t.backups.size > 0 && t.backups.get(source) === key) t.backups.delete(source)
    t.parents.set(source, key)
  }

  function addChild(t: TopicState, source: string, key: PeerKey): void {
    touchSource(t, source)
    let children = t.trees.get(source)
    if (children === undefined) {
      children = []
      t.trees.set(source, children)
    }
    if (!children.includes(key)) children.push(key)
  }

  function removeChild(t: TopicState, source: string, key: PeerKey): void {
    const children = t.trees.get(source)
    if (children === undefined) return
    const i = children.indexOf(key)
    if (i < 0) return
    children.splice(i, 1)
    if (children.length === 0) t.trees.delete(source)
  }

  function unlinkTopic(topic: string, key: PeerKey): void {
    const t = topics.get(topic)
    if (t === undefined) return
    for (const [source, children] of t.trees) {
      const i = children.indexOf(key)
      if (i >= 0) {
        children.splice(i, 1)
        if (children.length === 0) t.trees.delete(source)
      }
    }
    for (const [source, backup] of t.backups) if (backup === key) t.backups.delete(source)
    let orphaned: Uint8Array[] | undefined
    for (const [source, parent] of t.parents) {
      if (parent !== key) continue
      t.misses.delete(source)
      // a second parent takes over at once
      const backup = t.backups.get(source)
      if (backup !== undefined) {
        t.backups.delete(source)
        t.parents.set(source, backup)
        continue
      }
      t.parents.delete(source)
      orphaned ??= []
      if (orphaned.length < cfg.maxIdsPerFrame) orphaned.push(sourceOfKey(source))
    }
    t.declined.delete(key)
    if (orphaned !== undefined) regraft(topic, t, key, orphaned)
  }

  /**
   * The parent in the trees of `sources` is gone (left the view, unsubscribed, scored too
   * low): graft every other subscribed neighbour for them. The next message's first copy
   * makes its sender the parent and the later copies prune the others, as for a first
   * message, instead of the next message waiting for announcements and a pull per orphan.
   */
  function regraft(topic: string, t: TopicState, gone: PeerKey, sources: Uint8Array[]): void {
    for (const conn of topicPeers(topic, t)) {
      if (conn.key === gone || connScore(conn.key, conn) < th.graft) continue
      if (inBackoff(graftBackoff, topic, conn.key)) continue
      stats.graftsSent++
      core.sendTo(conn, core.frameBytes({ kind: 'graft', topic, ids: [], sources }), 0)
    }
  }

  function prune(topic: string, key: PeerKey, reason: PruneReason, sources: Uint8Array[]): void {
    const t = topics.get(topic)
    if (t !== undefined) {
      if (sources.length === 0) {
        for (const [source, parent] of t.parents) if (parent === key) dropParent(t, source)
      } else {
        for (const s of sources) {
          const k = sourceKeyOf(s)
          if (t.parents.get(k) === key) dropParent(t, k)
        }
      }
    }
    // trees are per source, and a link pruned from one is the link a repair or a faster
    // path grafts for another: only a prune for a low score holds the peer off
    const backoff = reason === 'score' ? cfg.pruneBackoffMs : 0
    if (backoff > 0) prunedUntil.set(pairKey(topic, key), core.now + backoff)
    stats.prunesSent++
    core.send(key, { kind: 'prune', topic, reason, backoffMs: backoff, sources })
  }

  function inBackoff(map: ReadonlyMap<string, number>, topic: string, peer: PeerKey): boolean {
    const until = map.get(pairKey(topic, peer))
    return until !== undefined && until > core.now
  }

  /** The neighbours this router pushes its own messages to: every subscribed one that did not decline. */
  function ownTree(topic: string, t: TopicState | undefined): PeerKey[] {
    const keys: PeerKey[] = []
    for (const c of topicPeers(topic, t))
      if (t === undefined || !t.declined.has(c.key)) keys.push(c.key)
    return keys
  }

  function forward(p: Pending, settled = false): void {
    const { topic, envelope, hops, id } = p
    const t = topics.get(topic)
    if (hops >= cfg.hopLimit) return
    const fromKey = p.from.toString()
    const publisher = fromKey === selfKey
    // (`accept` touched the source: the most recently used trees survive `maxSources`)
    const children = t?.trees.get(p.source)
    const eager = publisher ? ownTree(topic, t) : (children ?? [])
    let bytes: Uint8Array | undefined
    for (const peer of eager) {
      if (peer === fromKey || peer === p.signer) continue
      const conn = conns.get(peer)
      if (conn === undefined || connScore(peer, conn) < th.gossip) continue
      bytes ??= core.frameBytes({ kind: 'gossip', topic, hops: hops + 1, envelope })
      core.sendTo(conn, bytes, 1)
    }
    if (t === undefined || (publisher && t.declined.size === 0)) return
    t.ihave.push({
      entry: { id, hops: hops + 1, source: p.sourceBytes },
      from: fromKey,
      source: p.source,
      // the publisher's announcement goes to the neighbours that declined its push only
      skip: publisher ? eager : p.skip,
    })
    // announcements a neighbour may be waiting on (a first message, a pulled or repaired copy)
    // go at the end of this input; the backups of a settled tree wait until `lazyFlushMs`
    // after the last flush, so on a busy router one frame per neighbour carries several
    const due = settled ? Math.max(core.now, lastFlush + cfg.lazyFlushMs) : core.now
    if (flushAt === undefined || due < flushAt) flushAt = due
  }

  /** Whether `entry` (from `q`) is news to `key`: not its sender, a child pushed it, nor an announcer of it. */
  function announces(q: TopicState['ihave'][number], key: PeerKey, t: TopicState): boolean {
    return q.from !== key && !q.skip?.includes(key) && !t.trees.get(q.source)?.includes(key)
  }

  function flushLazy(): void {
    flushAt = undefined
    lastFlush = core.now
    for (const [topic, t] of topics) {
      if (t.ihave.length === 0) continue
      const queued = t.ihave
      t.ihave = []
      const peers = topicPeers(topic, t)
      // the frame of a neighbour that lacks all of them is encoded once
      let whole: Uint8Array | undefined
      for (const conn of peers) {
        const key = conn.key
        if (connScore(key, conn) < th.gossip) continue
        // each neighbour hears only what it lacks: not what it sent, announced or is pushed
        const entries: Announcement[] = []
        for (const q of queued) if (announces(q, key, t)) entries.push(q.entry)
        if (entries.length === 0) continue
        if (entries.length === queued.length && entries.length <= cfg.maxIdsPerFrame) {
          whole ??= core.frameBytes({ kind: 'ihave', topic, ids: entries })
          stats.ihavesSent++
          core.sendTo(conn, whole, 0)
          continue
        }
        for (let i = 0; i < entries.length; i += cfg.maxIdsPerFrame) {
          const ids = entries.slice(i, i + cfg.maxIdsPerFrame)
          stats.ihavesSent++
          core.sendTo(conn, core.frameBytes({ kind: 'ihave', topic, ids }), 0)
        }
      }
    }
  }

  return {
    topics,
    graftBackoff,
    prunedUntil,
    topicPeers,
    setParent,
    dropParent,
    addChild,
    unlinkTopic,
    prune,
    inBackoff,
    forward,
    flushLazy,
    flushAt: () => flushAt,
    catchUp,

    accept(p, key) {
      const { topic, envelope, hops, from } = p
      const fromKey = from.toString()
      cache.store(cache.mark(key, ACCEPTED, hops, fromKey, topic, p.source), envelope)
      stats.delivered++
      core.out.push({
        type: 'deliver',
        topic,
        messageId: p.messageId,
        envelope,
        from,
        hops,
        via: p.via,
      })
      limits.report(fromKey, 'first-delivery')
      // the first copy came this way: that neighbour is our parent in the source's tree
      const t = topics.get(topic)
      let settled = false
      if (t !== undefined) {
        const fresh = !t.used.has(p.source)
        settled = !fresh && p.via === 'push' && t.parents.get(p.source) === fromKey
        // a copy asked of an announcer while the parent's push was late leaves the parent in
        // place (see `TopicState.misses`); a pushed copy from it clears the miss
        // so does a copy from the second parent (see `TopicState.backups`): it came first
        // because the parent's was lost, not because its path is faster
        if (p.keepParent === true || t.backups.get(p.source) === fromKey) touchSource(t, p.source)
        else {
          if (t.misses.size > 0 && t.parents.get(p.source) === fromKey) {
            const askedAt = t.misses.get(p.source)
            // the parent's own copy of the asked message, or a push after a loss already
            // counted, clears the miss; a later message pushed first leaves it to the loss
            // watch (`LOSS_CONFIRM_MS`): paths reorder (the parent may have pulled the asked
            // one itself), so only a copy that never comes is a lost frame
            if (askedAt !== undefined && (p.keepParent !== undefined || askedAt < 0))
              t.misses.delete(p.source)
          }
          setParent(t, p.source, fromKey)
        }
        // a source new here has no tree yet: within `firstPushHops` of the publisher, push to
        // every neighbour (but those known to have the message) and let their duplicates
        // prune the tree to the paths of first arrival, instead of each hop waiting for an
        // announcement and a pull; farther out that would cost a flood's copies
        if (fresh && hops < cfg.firstPushHops) {
          // every neighbour is pushed the message: an announcement is no one's only way to it
          settled = true
          for (const c of topicPeers(topic, t)) {
            if (c.key === fromKey || c.key === p.signer || p.skip?.includes(c.key)) continue
            addChild(t, p.source, c.key)
          }
        }
      }
      forward(p, settled)
    },

    onPrune(key, conn, topic, reason, backoffMs, sources) {
      if (reason === 'unsubscribed') {
        if (conn.topics.delete(topic)) core.linksChanged()
        unlinkTopic(topic, key)
        return
      }
      const t = topics.get(topic)
      if (t === undefined) return
      if (sources.length === 0) {
        for (const [source, children] of [...t.trees])
          if (children.includes(key)) removeChild(t, source, key)
        t.declined.add(key)
      } else {
        for (const s of sources) {
          const source = sourceKeyOf(s)
          removeChild(t, source, key)
          if (source === selfSource) t.declined.add(key)
        }
      }
      if (backoffMs > 0) graftBackoff.set(pairKey(topic, key), core.now + backoffMs)
    },

    onSubscriptions(key, conn, subscribe, list) {
      let added: Set<string> | undefined
      for (const topic of list) {
        if (subscribe) {
          if (conn.topics.has(topic)) continue
          if (conn.topics.size >= cfg.maxTopics) {
            limits.violation(key, 'too-many-topics')
            return
          }
          conn.topics.add(topic)
          core.linksChanged()
          // a new neighbour's subscription: the messages announced before it arrived skipped
          // the neighbour (`topicPeers`), so catch it up now
          // (also when this router does not subscribe: what it published is in its cache)
          if (conn.active) {
            added ??= new Set()
            added.add(topic)
          }
        } else {
          if (conn.topics.delete(topic)) core.linksChanged()
          unlinkTopic(topic, key)
        }
      }
      if (added !== undefined) catchUp(key, added)
    },

    subscribe(topic) {
      if (topics.has(topic)) return false
      topics.set(topic, {
        trees: new Map(),
        parents: new Map(),
        declined: new Set(),
        misses: new Map(),
        backups: new Map(),
        used: new Map(),
        ihave: [],
        peers: [],
        peersVersion: -1,
      })
      return true
    },

    unsubscribe: (topic) => topics.delete(topic),

    eagerKeys(topic, source) {
      const t = topics.get(topic)
      if (t === undefined) return []
      if (source !== undefined) return [...(t.trees.get(sourceKeyOf(source.publicKey)) ?? [])]
      const all = new Set<PeerKey>()
      for (const children of t.trees.values()) for (const c of children) all.add(c)
      return [...all]
    },

    redundancy,

    expire() {
      const before = core.now - cfg.sourceTtlMs
      for (const [topic, t] of topics) {
        redundancy.expire(topic, t)
        for (const [source, at] of t.used) {
          if (at > before) break
          forgetSource(t, source)
        }
      }
      for (const [key, until] of graftBackoff) if (until <= core.now) graftBackoff.delete(key)
      for (const [key, until] of prunedUntil) if (until <= core.now) prunedUntil.delete(key)
    },
  }
}
