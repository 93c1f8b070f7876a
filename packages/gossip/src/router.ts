/**
 * The gossip router: HyParView membership (a small symmetric active view, a passive view
 * for repair, joins by random walk, shuffles) and Plumtree broadcast per topic (eager push
 * on a self-forming tree, lazy IHAVE to the other neighbours, GRAFT / IWANT repair, PRUNE
 * on duplicates, tree optimization), with envelope messages, a seen cache, validation,
 * limits and score hooks. A deterministic state machine: all I/O is in the outputs.
 *
 * @example
 * const router = createGossip({}, { self: signer.peerId, random: seededRandom(1) })
 * router.handle({ type: 'subscribe', topic: 'news', now: 0 })
 * router.handle({ type: 'peer-connected', peer, now: 0, outbound: true }) // → send JOIN
 */
import {
  contentId,
  contentIdFromString,
  encode,
  equalBytes,
  isBytes,
  type Value,
} from '@peerkit/codec'
import type { PeerId } from '@peerkit/identity'
import { type Bucket, createBucket, take } from './bucket'
import { MAX_TOPIC_BYTES } from './constants'
import {
  DuplicatePublishError,
  InvalidArgumentError,
  PeerDataTooLargeError,
  PublishRejectedError,
} from './errors'
import { announcements, createFrameReader, readIhave } from './fast-frames'
import {
  type Announcement,
  decodeFrame,
  encodeFrame,
  type Frame,
  type FrameLimits,
  idKeyOf,
  keyOfIdAt,
  type PruneReason,
  type WireId,
  wireIdOfKey,
} from './frames'
import { type OpenRules, openMessage, tryMessageId } from './message'
import { type GossipComponents, type GossipInit, type ResolvedInit, resolveInit } from './options'
import { pick, pickKey, sample } from './random'
import { createPenaltyScore } from './score'
import { createGossipShare } from './shared'
import { assertTopic } from './topic'
import type {
  DeliveryPath,
  Gossip,
  GossipInput,
  GossipMessage,
  GossipOutput,
  GossipStats,
  PeerEventName,
  PeerKey,
  ScoreHook,
  ValidationVerdict,
} from './types'

/** A live connection to a peer (in the active view or not). */
interface Conn extends Bucket {
  peer: PeerId
  /** `peer.toString()`: the connection's key in `conns`. */
  key: PeerKey
  lastActivity: number
  /** Topics the peer told us it subscribes to. */
  topics: Set<string>
  messages: Bucket
  pending: number
  /** The peer's score, as of `scoreAt` (refreshed each heartbeat and after each event). */
  score: number
  scoreAt: number
  /** Whether the peer is in the active view (mirrors `active`, read per frame without a lookup). */
  active: boolean
  /** Dials this peer's membership frames may still cause (refilled one per second), as of `dialAt`. */
  dialTokens: number
  dialAt: number
  /** Per topic: when this peer was last caught up on it (catch-up runs once per `catchUpMs`). */
  caughtUp: Map<string, number> | undefined
}

interface TopicState {
  /** Per source (its public key as a `sourceKeyOf` string): the neighbours we push its messages to, least recently used first. */
  trees: Map<string, PeerKey[]>
  /** Per source: the neighbour that pushes its messages to us. */
  parents: Map<string, PeerKey>
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

const ACCEPTED = 0
const REJECTED = 1
const IGNORED = 2
const PENDING = 3
type SeenState = typeof ACCEPTED | typeof REJECTED | typeof IGNORED | typeof PENDING

interface Seen {
  expires: number
  state: SeenState
  /** Hops the message travelled to us (for tree optimization). */
  hops: number
  /** The neighbour it first came from (our parent in the tree for it). */
  from: PeerKey
  topic: string
  /** The publisher's public key as a `sourceKeyOf` string (names its tree). */
  source: string
  /** The message itself while it is cached for answering requests (accepted messages only). */
  envelope: Uint8Array | undefined
  /** Until when the envelope is kept. */
  cachedUntil: number
  /** One entry per request answered, naming the peer (a handful at most). */
  answered: PeerKey[] | undefined
  /** Its key in the seen map (the message id's digest, from which catch-up rebuilds the id). */
  key: string
}

interface Missing {
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

interface Pending {
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
}

interface Dial {
  peer: PeerId
  /** The neighbour whose membership frame asked for this dial, if any. */
  cause: PeerKey | undefined
  since: number
  frames: { bytes: Uint8Array; payloads: number }[]
}

const MAX_QUEUED_PER_DIAL = 8
const MAX_ANNOUNCERS = 8
const SEP = '\u0000'

/** The map key of a source (a 32-byte public key): a binary string, one character per byte. */
function sourceKeyText(bytes: Uint8Array): string {
  return String.fromCharCode.apply(null, bytes as unknown as number[])
}

/** The source bytes of a key made by `sourceKeyOf`. */
function sourceOfKey(key: string): Uint8Array {
  const bytes = new Uint8Array(key.length)
  for (let i = 0; i < key.length; i++) bytes[i] = key.charCodeAt(i)
  return bytes
}
const VERDICTS: ReadonlySet<string> = new Set(['accept', 'reject', 'ignore'])

/** The frame limits of a router's settings. */
function frameLimitsOf(cfg: ResolvedInit): FrameLimits {
  return {
    maxFrameBytes: cfg.maxFrameBytes,
    maxIds: cfg.maxIdsPerFrame,
    maxPeers: Math.max(
      1 + cfg.shuffleActiveCount + cfg.shufflePassiveCount,
      cfg.passiveViewSize,
      1,
    ),
    maxTopics: cfg.maxTopics,
    maxTtl: Math.max(cfg.activeRandomWalkLength, cfg.shuffleWalkLength),
    maxPeerDataBytes: cfg.maxPeerDataBytes,
  }
}

/**
 * Creates a gossip router.
 * @param init - tuning; every field defaults to the value in `constants.ts`
 * @param components - `self`, `random`, and optional `scoreHook`, `verifyCache`, `validate`
 * @returns the router, with read-only introspection
 * @throws {InvalidArgumentError} for an init option out of range or missing components
 * @example
 * const router = createGossip({ activeViewSize: 5 }, { self: peerId, random: () => rng.next() })
 * const outputs = router.handle({ type: 'tick', now: 1_000 })
 */
export function createGossip(init: GossipInit, components: GossipComponents): Gossip {
  const resolved = resolveInit(init)
  if (components === null || typeof components !== 'object') {
    throw new InvalidArgumentError('components', 'expected an object')
  }
  const share = components.share ?? createGossipShare()
  if (typeof share?.key !== 'function' || typeof share.envelope !== 'function')
    throw new InvalidArgumentError('components.share', 'expected a GossipShare')
  const cfg = share.settings(resolved)
  /** `sourceKeyText`, as the share's one string. */
  const sourceKeyOf = (bytes: Uint8Array): string => share.key(sourceKeyText(bytes))
  /** `encodeFrame`, control frames cut from the share's slabs. */
  const frameBytes = (frame: Frame): Uint8Array => encodeFrame(frame, share.frameBuffer)
  /** This router's own reader of announcements read in place. */
  const reader = createFrameReader()
  const { self, random } = components
  if (
    self === null ||
    typeof self !== 'object' ||
    typeof self.toString !== 'function' ||
    !isBytes(self.publicKey)
  ) {
    throw new InvalidArgumentError('components.self', 'expected a PeerId')
  }
  if (typeof random !== 'function')
    throw new InvalidArgumentError('components.random', 'expected a function')
  const selfKey = self.toString()
  /** This router's own public key as a `sourceKeyOf` string (its tree as a publisher). */
  const selfSource = sourceKeyOf(self.publicKey)
  const hook: ScoreHook = components.scoreHook ?? createPenaltyScore()
  const validate = components.validate
  const verifyCache = components.verifyCache
  const th = cfg.scoreThresholds
  const frameLimits = frameLimitsOf(cfg)

  // ------------------------------------------------------------------ state
  const conns = new Map<PeerKey, Conn>()
  const active = new Map<PeerKey, PeerId>()
  const passive = new Map<PeerKey, PeerId>()
  const dials = new Map<PeerKey, Dial>()
  const neighborRequests = new Map<PeerKey, number>()
  /** Passive peers that refused or failed this heartbeat round; not asked again until the next. */
  const recentlyTried = new Set<PeerKey>()
  /** Peers cut off for a graylisted score. */
  const cut = new Set<PeerKey>()
  /**
   * Since when the active view has been below its target size (undefined: it is full), and
   * whether a low-priority request was refused since then. Either a refusal or a heartbeat
   * spent under target makes the next requests high priority, so a node never stays short
   * of neighbours because every peer it knows is full (HyParView's low priority alone
   * leaves islands cut off for good).
   */
  let underSince: number | undefined
  /** Whether this router has joined through a contact the application dialed. */
  let joined = false
  let lowRefused = false
  const topics = new Map<string, TopicState>()
  /** `topic SEP peer` → until when we must not graft that peer without a missing message. */
  const graftBackoff = new Map<string, number>()
  /** `topic SEP peer` → until when that peer must not graft us without a missing message. */
  const prunedUntil = new Map<string, number>()
  const seen = new Map<string, Seen>()
  /** Bumped by `linksChanged`. */
  let linksVersion = 0
  /**
   * Seen entries holding an envelope, oldest first (from `cachedHead`): the message cache is
   * part of the seen map, so a message costs one entry; this queue only orders its expiry.
   */
  let cached: (Seen | undefined)[] = []
  let cachedHead = 0
  let cachedCount = 0
  let cachedBytes = 0
  const missing = new Map<string, Missing>()
  /**
   * Repair timers in deadline order: each is `ihaveTimeoutMs` after the input that set it, so
   * deadlines only grow and a queue suffices. Slots before `timerHead` are spent and cleared,
   * so a spent timer does not keep its entry alive until the queue is compacted.
   */
  const timers: (Timer | undefined)[] = []
  let timerHead = 0
  /** Announced messages to pull at once (nothing pushed is on its way), in arrival order. */
  let pulls: Timer[] = []
  /** Messages waiting for the application's verdict, by public message id. */
  const pending = new Map<string, Pending>()
  let shuffleRepliesExpected = 0
  let shuffleReplyDeadline = 0
  /** This router's own peer record, carried on its membership frames (undefined: none). */
  let localData: Uint8Array | undefined
  /**
   * The latest record of each peer learned from membership frames, oldest update first.
   * Bounded: when full, records of peers in no view go first, then the oldest.
   */
  const peerData = new Map<PeerKey, Uint8Array>()
  const maxPeerData = 2 * (cfg.activeViewSize + cfg.passiveViewSize) + 8

  let now = 0
  let started = false
  let nextHeartbeat = 0
  let nextShuffle = 0
  let nextSwap = 0
  let flushAt: number | undefined
  let scheduledWake: number | undefined
  let out: GossipOutput[] = []

  const stats: GossipStats = {
    delivered: 0,
    published: 0,
    duplicates: 0,
    payloadsSent: 0,
    controlSent: 0,
    invalid: 0,
    replaysRejected: 0,
    framesDropped: 0,
    graftsSent: 0,
    prunesSent: 0,
    ihavesSent: 0,
    graylisted: 0,
    seenSize: 0,
    cachedMessages: 0,
    pendingValidations: 0,
  }

  // ------------------------------------------------------------------ small helpers
  const rules = (): OpenRules => ({
    domain: cfg.domain,
    now,
    maxSkewMs: cfg.maxClockSkewMs,
    maxAgeMs: cfg.maxMessageAgeMs,
    cache: verifyCache,
    maxBytes: cfg.maxMessageBytes,
  })
  const pairKey = (topic: string, peer: PeerKey): string => topic + SEP + peer
  function score(peer: PeerKey): number {
    const conn = conns.get(peer)
    if (conn === undefined) return hook.score(peer, now)
    return connScore(peer, conn)
  }

  /** `score` of a connected peer whose connection the caller holds. */
  function connScore(peer: PeerKey, conn: Conn): number {
    if (now - conn.scoreAt >= cfg.heartbeatIntervalMs) {
      conn.score = hook.score(peer, now)
      conn.scoreAt = now
    }
    return conn.score
  }

  function sendBytes(peer: PeerKey, bytes: Uint8Array, payloads: number): void {
    const conn = conns.get(peer)
    if (conn !== undefined) sendTo(conn, bytes, payloads)
  }

  function sendTo(conn: Conn, bytes: Uint8Array, payloads: number): void {
    conn.lastActivity = now
    out.push({ type: 'send', to: conn.peer, bytes, payloads })
    if (payloads > 0) stats.payloadsSent += payloads
    else stats.controlSent++
  }

  function send(peer: PeerKey, frame: Frame): void {
    if (!conns.has(peer)) return
    sendBytes(peer, frameBytes(frame), frame.kind === 'gossip' ? 1 : 0)
  }

  /**
   * Whether a neighbour's membership frame may make this router dial `key`: free when no
   * dial is needed (connected, or a dial pending), else within the neighbour's budget
   * (`maxDialsPerPeer`, one more per second) and the total `maxPendingDials`.
   */
  function mayDial(key: PeerKey, cause: PeerKey | undefined): boolean {
    if (cause === undefined || conns.has(key) || dials.has(key)) return true
    const conn = conns.get(cause)
    if (conn === undefined) return false
    conn.dialTokens = Math.min(cfg.maxDialsPerPeer, conn.dialTokens + (now - conn.dialAt) / 1000)
    conn.dialAt = now
    let pending = 0
    for (const d of dials.values()) if (d.cause !== undefined) pending++
    if (conn.dialTokens < 1 || pending >= cfg.maxPendingDials) {
      stats.framesDropped++
      return false
    }
    conn.dialTokens -= 1
    return true
  }

  /**
   * Sends now when connected, else asks to connect (naming the neighbour that caused the
   * dial, if any) and sends once the connection is up.
   */
  function sendOrDial(peer: PeerId, frame: Frame, cause?: PeerKey): void {
    const key = peer.toString()
    if (conns.has(key)) {
      send(key, frame)
      return
    }
    let dial = dials.get(key)
    if (dial === undefined) {
      dial = { peer, cause, since: now, frames: [] }
      dials.set(key, dial)
      const by = cause === undefined ? undefined : conns.get(cause)?.peer
      out.push(by === undefined ? { type: 'connect', peer } : { type: 'connect', peer, cause: by })
    }
    if (dial.frames.length < MAX_QUEUED_PER_DIAL) {
      dial.frames.push({ bytes: frameBytes(frame), payloads: 0 })
    }
  }

  function report(peer: PeerKey, event: PeerEventName, reason?: string): void {
    hook.record(peer, event, now)
    const c = conns.get(peer)
    if (c !== undefined) c.scoreAt = Number.NEGATIVE_INFINITY
    if (reason !== undefined) {
      const conn = conns.get(peer)
      const id = conn?.peer ?? active.get(peer) ?? passive.get(peer)
      if (id !== undefined) out.push({ type: 'misbehaved', peer: id, reason })
    }
    if (event !== 'first-delivery' && event !== 'duplicate' && score(peer) < th.graylist)
      cutOff(peer)
  }

  function violation(peer: PeerKey, reason: string): void {
    stats.framesDropped++
    report(peer, 'protocol-violation', reason)
  }

  // ------------------------------------------------------------------ membership
  /**
   * Takes in a peer record from a membership frame: reported to the driver when it differs
   * from the one kept, and kept (bounded) so that shuffles pass it on.
   */
  function learnData(peer: PeerId, data: Uint8Array | undefined): void {
    if (data === undefined) return
    const key = peer.toString()
    if (key === selfKey || cut.has(key)) return
    const known = peerData.get(key)
    if (known !== undefined && equalBytes(known, data)) return
    const kept = data.slice()
    if (known !== undefined) peerData.delete(key)
    else if (peerData.size >= maxPeerData) trimPeerData()
    peerData.set(key, kept)
    out.push({ type: 'peer-data', peer, data: kept })
  }

  /** Makes room in `peerData`: records of peers in no view first, else the oldest one. */
  function trimPeerData(): void {
    for (const key of peerData.keys()) {
      if (!active.has(key) && !passive.has(key) && !neighborRequests.has(key) && !dials.has(key))
        peerData.delete(key)
    }
    if (peerData.size >= maxPeerData) {
      const oldest = peerData.keys().next().value
      if (oldest !== undefined) peerData.delete(oldest)
    }
  }

  /** The records of `peers` as a shuffle list carries them (undefined when none has one). */
  function dataOf(peers: PeerId[]): (Uint8Array | undefined)[] | undefined {
    let any = false
    const data = peers.map((p) => {
      const key = p.toString()
      const d = key === selfKey ? localData : peerData.get(key)
      if (d !== undefined) any = true
      return d
    })
    return any ? data : undefined
  }

  function addPassive(peer: PeerId): void {
    const key = peer.toString()
    if (key === selfKey || active.has(key) || passive.has(key) || cut.has(key)) return
    if (cfg.passiveViewSize === 0) return
    if (passive.size >= cfg.passiveViewSize) {
      const victim = pickKey(passive, random)
      if (victim !== undefined) passive.delete(victim)
    }
    passive.set(key, peer)
  }

  function addActive(key: PeerKey): void {
    const conn = conns.get(key)
    if (conn === undefined || active.has(key) || key === selfKey || cut.has(key)) return
    if (active.size >= cfg.activeViewSize) {
      const victim = pickKey(active, random)
      if (victim !== undefined) {
        send(victim, { kind: 'disconnect' })
        dropActive(victim, true)
      }
    }
    active.set(key, conn.peer)
    linksChanged()
    conn.active = true
    passive.delete(key)
    neighborRequests.delete(key)
    noteViewSize()
    if (topics.size > 0)
      send(key, { kind: 'subscriptions', subscribe: true, topics: [...topics.keys()] })
    // topics the peer is not yet known to subscribe to are caught up when its
    // subscriptions arrive (`onSubscriptions`): until then nothing is announced to it
    catchUp(key, conn.topics)
  }

  /**
   * Announces to a neighbour the messages of `only` (topics) accepted in the last
   * `catchUpMs`: when it becomes active, for the topics it is known to subscribe to, and
   * when an active neighbour's subscription arrives, for that topic.
   */
  function catchUp(key: PeerKey, asked: ReadonlySet<string>): void {
    let only = asked
    if (cfg.catchUpMs === 0 || cachedCount === 0 || only.size === 0 || score(key) < th.gossip)
      return
    const since = now - cfg.catchUpMs
    // once per topic and `catchUpMs` for each peer: a neighbour toggling its subscription
    // must not make us announce the recent messages again each time
    const conn = conns.get(key)
    if (conn !== undefined) {
      conn.caughtUp ??= new Map()
      const last = conn.caughtUp
      const due = new Set<string>()
      for (const topic of only) {
        const at = last.get(topic)
        if (at !== undefined && at > since) continue
        due.add(topic)
        last.set(topic, now)
      }
      if (last.size > cfg.maxTopics) {
        for (const [topic, at] of last) if (at <= since) last.delete(topic)
      }
      if (due.size === 0) return
      only = due
    }
    const byTopic = new Map<string, Announcement[]>()
    // newest first: the cache queue is in the order messages were accepted
    for (let i = cached.length - 1; i >= cachedHead; i--) {
      const entry = cached[i]
      if (entry === undefined) continue
      if (entry.cachedUntil - cfg.messageCacheMs < since) break
      if (entry.envelope === undefined || entry.from === key) continue
      if (!only.has(entry.topic)) continue
      let list = byTopic.get(entry.topic)
      if (list === undefined) {
        list = []
        byTopic.set(entry.topic, list)
      }
      if (list.length < cfg.maxIdsPerFrame) {
        list.push({
          id: wireIdOfKey(entry.key),
          hops: entry.hops + 1,
          source: sourceOfKey(entry.source),
        })
      }
    }
    for (const [topic, ids] of byTopic) {
      stats.ihavesSent++
      send(key, { kind: 'ihave', topic, ids: ids.reverse() })
    }
  }

  /** Removes a peer from the active view and every tree; optionally keeps it as passive. */
  function dropActive(key: PeerKey, toPassive: boolean): void {
    const peer = active.get(key)
    if (peer === undefined) return
    active.delete(key)
    linksChanged()
    const conn = conns.get(key)
    if (conn !== undefined) conn.active = false
    noteViewSize()
    for (const topic of topics.keys()) unlinkTopic(topic, key)
    if (toPassive) addPassive(peer)
  }

  function requestNeighbor(peer: PeerId, high: boolean, cause?: PeerKey): void {
    const key = peer.toString()
    if (key === selfKey || active.has(key) || neighborRequests.has(key) || cut.has(key)) return
    if (!mayDial(key, cause)) return
    neighborRequests.set(key, now + cfg.neighborTimeoutMs)
    recentlyTried.add(key)
    sendOrDial(peer, { kind: 'neighbor', high, data: localData }, cause)
  }

  /** Tracks how long the active view has been below target (see `underSince`). */
  function noteViewSize(): void {
    if (active.size >= cfg.activeViewSize) {
      underSince = undefined
      lowRefused = false
    } else underSince ??= now
  }

  /**
   * Fills the active view from the passive view, a few requests at a time. Requests are
   * high priority (the receiver makes room) when the view is empty, and when it is short
   * by two or more after a low-priority request was refused or a heartbeat spent under
   * target.
   */
  function ensureActive(): void {
    noteViewSize()
    let wanted = cfg.activeViewSize - active.size - neighborRequests.size
    if (wanted <= 0) return
    const candidates = [...passive.keys()].filter(
      (k) => !recentlyTried.has(k) && !neighborRequests.has(k),
    )
    if (active.size === 0 && candidates.length === 0 && neighborRequests.size === 0) {
      // cut off: every neighbour and every passive peer is gone. A live connection outside
      // the views (a shuffle reply's, a dial of the application's) is the way back: join
      // through it, as a newcomer does, rather than wait for the application to dial
      const key = pick(
        [...conns.keys()].filter((k) => !cut.has(k)),
        random,
      )
      if (key !== undefined) {
        send(key, { kind: 'join', data: localData })
        addActive(key)
        return
      }
    }
    // one missing neighbour is no danger to connectivity, and making room at a full peer
    // costs that peer a link: so only views short by two or more escalate
    const high =
      active.size === 0 ||
      (active.size <= cfg.activeViewSize - 2 &&
        (lowRefused || (underSince !== undefined && underSince + cfg.heartbeatIntervalMs <= now)))
    for (const key of sample(candidates, wanted, random)) {
      const peer = passive.get(key)!
      requestNeighbor(peer, high)
      wanted--
    }
  }

  function cutOff(key: PeerKey): void {
    if (cut.has(key)) return
    cut.add(key)
    stats.graylisted++
    const peer = conns.get(key)?.peer ?? active.get(key) ?? passive.get(key) ?? dials.get(key)?.peer
    dropActive(key, false)
    passive.delete(key)
    dials.delete(key)
    neighborRequests.delete(key)
    peerData.delete(key)
    const wasConnected = conns.delete(key)
    linksChanged()
    if (peer !== undefined && wasConnected) out.push({ type: 'disconnect', peer })
    ensureActive()
  }

  function isCut(key: PeerKey): boolean {
    if (cut.size === 0 || !cut.has(key)) return false
    if (score(key) >= th.graylist) {
      cut.delete(key)
      return false
    }
    return true
  }

  function onJoin(key: PeerKey, data: Uint8Array | undefined): void {
    if (active.has(key)) return
    const peer = conns.get(key)!.peer
    learnData(peer, data)
    addActive(key)
    for (const other of active.keys()) {
      if (other !== key)
        send(other, { kind: 'forward-join', peer, ttl: cfg.activeRandomWalkLength, data })
    }
  }

  function onForwardJoin(
    from: PeerKey,
    joiner: PeerId,
    ttl: number,
    data: Uint8Array | undefined,
  ): void {
    const key = joiner.toString()
    if (key === selfKey || cut.has(key)) return
    learnData(joiner, data)
    if (ttl === 0 || active.size <= 1) {
      requestNeighbor(joiner, true, from)
      return
    }
    // every hop of the walk's passive part remembers the joiner: joiners land all over the
    // overlay, so this keeps passive views supplied with peers outside the local clique
    if (ttl <= cfg.passiveRandomWalkLength) addPassive(joiner)
    const next = pick(
      [...active.keys()].filter((k) => k !== from && k !== key),
      random,
    )
    if (next === undefined) requestNeighbor(joiner, true, from)
    else send(next, { kind: 'forward-join', peer: joiner, ttl: ttl - 1, data })
  }

  function onNeighbor(key: PeerKey, high: boolean, data: Uint8Array | undefined): void {
    const requester = conns.get(key)?.peer
    if (requester !== undefined) learnData(requester, data)
    if (active.has(key)) {
      send(key, { kind: 'neighbor-reply', accepted: true })
      return
    }
    const accept = score(key) >= th.graft && (high || active.size < cfg.activeViewSize)
    send(key, { kind: 'neighbor-reply', accepted: accept })
    // a refused requester is not kept as a passive candidate: peers of its own choosing
    // (Sybils dialing in) must not be able to fill our passive view
    if (accept) addActive(key)
  }

  function onNeighborReply(key: PeerKey, accepted: boolean): void {
    const asked = neighborRequests.delete(key)
    if (accepted) {
      if (active.has(key)) return
      if (asked || active.size < cfg.activeViewSize) addActive(key)
      // the peer now counts us as a neighbour: tell it we do not
      else send(key, { kind: 'disconnect' })
      return
    }
    if (asked) {
      // full, but alive: keep it as a candidate for later (a swap, or when it has room)
      const peer = conns.get(key)?.peer
      if (peer !== undefined) addPassive(peer)
      lowRefused = true
      ensureActive()
    }
  }

  function onDisconnectFrame(key: PeerKey): void {
    const peer = conns.get(key)?.peer
    if (active.has(key)) {
      dropActive(key, true)
      ensureActive()
    }
    neighborRequests.delete(key)
    conns.delete(key)
    linksChanged()
    if (peer !== undefined) out.push({ type: 'disconnect', peer })
  }

  function shuffle(): void {
    const target = pickKey(active, random)
    if (target === undefined) return
    const peers = [
      self,
      ...sample(
        [...active.entries()].filter(([k]) => k !== target).map(([, p]) => p),
        cfg.shuffleActiveCount,
        random,
      ),
      ...sample([...passive.values()], cfg.shufflePassiveCount, random),
    ]
    shuffleRepliesExpected = Math.min(shuffleRepliesExpected + 1, 4)
    shuffleReplyDeadline = now + 4 * cfg.heartbeatIntervalMs
    send(target, {
      kind: 'shuffle',
      origin: self,
      ttl: cfg.shuffleWalkLength,
      peers,
      data: dataOf(peers),
    })
  }

  function learnAll(peers: PeerId[], data: (Uint8Array | undefined)[] | undefined): void {
    if (data === undefined) return
    for (let i = 0; i < peers.length; i++) learnData(peers[i]!, data[i])
  }

  function onShuffle(
    from: PeerKey,
    origin: PeerId,
    ttl: number,
    peers: PeerId[],
    data: (Uint8Array | undefined)[] | undefined,
  ): void {
    const originKey = origin.toString()
    if (originKey === selfKey || cut.has(originKey)) return
    if (ttl > 0 && active.size > 1) {
      const next = pick(
        [...active.keys()].filter((k) => k !== from && k !== originKey),
        random,
      )
      if (next !== undefined) {
        learnAll(peers, data)
        send(next, { kind: 'shuffle', origin, ttl: ttl - 1, peers, data })
        return
      }
    }
    if (!mayDial(originKey, from)) return
    const offered = new Set(peers.map((p) => p.toString()))
    const reply = sample(
      [...passive.entries()].filter(([k]) => !offered.has(k) && k !== originKey).map(([, p]) => p),
      peers.length,
      random,
    )
    sendOrDial(origin, { kind: 'shuffle-reply', peers: reply, data: dataOf(reply) }, from)
    // the peers enter the view before their records, so a trim keeps those records
    for (const p of peers) addPassive(p)
    learnAll(peers, data)
  }

  function onShuffleReply(
    key: PeerKey,
    peers: PeerId[],
    data: (Uint8Array | undefined)[] | undefined,
  ): void {
    if (shuffleRepliesExpected === 0 || now > shuffleReplyDeadline) {
      violation(key, 'unsolicited-shuffle-reply')
      return
    }
    shuffleRepliesExpected--
    for (const p of peers) addPassive(p)
    learnAll(peers, data)
  }

  // ------------------------------------------------------------------ broadcast
  /*
   * Plumtree with one tree per publisher ("source") and topic. A publisher pushes to all its
   * subscribed neighbours; every other node pushes a message to its children in that
   * source's tree and announces it (IHAVE) to the rest. A node with no parent in a source's
   * tree pulls an announced message at once with a GRAFT, which also makes the announcer its
   * parent; a node with a parent waits `ihaveTimeoutMs` for the pushed copy first. So each
   * source's tree forms along the fastest announcement paths without a single extra
   * payload, duplicates prune redundant links, and shorter lazy paths replace long ones.
   */

  /**
   * The connections of the active neighbours subscribed to `topic` (read-only). Every message needs them and
   * they rarely change, so they are kept per topic and rebuilt after `linksChanged`.
   */
  function topicPeers(topic: string, t = topics.get(topic)): readonly Conn[] {
    if (t !== undefined && t.peersVersion === linksVersion) return t.peers
    const result: Conn[] = []
    for (const key of active.keys()) {
      const conn = conns.get(key)
      if (conn?.topics.has(topic)) result.push(conn)
    }
    if (t !== undefined) {
      t.peers = result
      t.peersVersion = linksVersion
    }
    return result
  }

  /** Voids every topic's `topicPeers`: call on any change of the active view, the connections or a neighbour's topics. */
  function linksChanged(): void {
    linksVersion++
  }

  /**
   * Marks `source` as used in `t` (its tree or parent is being set or used). Past
   * `maxSources` the least recently used source's tree and parent are forgotten: its nodes
   * fall back to pulling, without extra payloads.
   */
  function touchSource(t: TopicState, source: string): void {
    const used = t.used
    if (used.delete(source)) {
      used.set(source, now)
      return
    }
    if (used.size >= cfg.maxSources) {
      const oldest = used.keys().next().value
      if (oldest !== undefined) forgetSource(t, oldest)
    }
    used.set(source, now)
  }

  function forgetSource(t: TopicState, source: string): void {
    t.used.delete(source)
    t.trees.delete(source)
    t.parents.delete(source)
  }

  /** Forgets the trees and parents of sources unused for `sourceTtlMs`. */
  function expireSources(): void {
    const before = now - cfg.sourceTtlMs
    for (const t of topics.values()) {
      for (const [source, at] of t.used) {
        if (at > before) break
        forgetSource(t, source)
      }
    }
  }

  function setParent(t: TopicState, source: string, key: PeerKey): void {
    touchSource(t, source)
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

  /** Removes a peer from every tree of `topic` (as child and as parent). */
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
    for (const [source, parent] of t.parents) if (parent === key) t.parents.delete(source)
    t.declined.delete(key)
  }

  function markSeen(
    key: string,
    state: SeenState,
    hops: number,
    from: PeerKey,
    topic: string,
    source: string,
  ): Seen {
    const entry: Seen = {
      expires: now + cfg.seenTtlMs,
      state,
      hops,
      from,
      topic,
      source,
      envelope: undefined,
      cachedUntil: 0,
      answered: undefined,
      key,
    }
    seen.set(key, entry)
    return entry
  }

  /** Asks `key` to stop pushing `sources` (all of the topic's trees when empty) to us. */
  function prune(topic: string, key: PeerKey, reason: PruneReason, sources: Uint8Array[]): void {
    const t = topics.get(topic)
    if (t !== undefined) {
      if (sources.length === 0) {
        for (const [source, parent] of t.parents) if (parent === key) t.parents.delete(source)
      } else {
        for (const s of sources) {
          const k = sourceKeyOf(s)
          if (t.parents.get(k) === key) t.parents.delete(k)
        }
      }
    }
    // trees are per source, and a link pruned from one is the link a repair or a faster
    // path grafts for another: only a prune for a low score holds the peer off
    const backoff = reason === 'score' ? cfg.pruneBackoffMs : 0
    if (backoff > 0) prunedUntil.set(pairKey(topic, key), now + backoff)
    stats.prunesSent++
    send(key, { kind: 'prune', topic, reason, backoffMs: backoff, sources })
  }

  /** Eager push to the source's tree, and a queued announcement for everyone else. */
  function forward(p: Pending): void {
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
      bytes ??= frameBytes({ kind: 'gossip', topic, hops: hops + 1, envelope })
      sendTo(conn, bytes, 1)
    }
    if (t === undefined || (publisher && t.declined.size === 0)) return
    t.ihave.push({
      entry: { id, hops: hops + 1, source: p.sourceBytes },
      from: fromKey,
      source: p.source,
      // the publisher's announcement goes to the neighbours that declined its push only
      skip: publisher ? eager : p.skip,
    })
    flushAt ??= now + cfg.lazyFlushMs
  }

  /** The neighbours this router pushes its own messages to: every subscribed one that did not decline. */
  function ownTree(topic: string, t: TopicState | undefined): PeerKey[] {
    const keys: PeerKey[] = []
    for (const c of topicPeers(topic, t))
      if (t === undefined || !t.declined.has(c.key)) keys.push(c.key)
    return keys
  }

  function flushLazy(): void {
    flushAt = undefined
    for (const [topic, t] of topics) {
      if (t.ihave.length === 0) continue
      const queued = t.ihave
      t.ihave = []
      const peers = topicPeers(topic, t)
      // a single announcement skips its sender and the children that get the payload
      const only = queued.length === 1 ? queued[0]! : undefined
      const children = only === undefined ? undefined : t.trees.get(only.source)
      for (let i = 0; i < queued.length; i += cfg.maxIdsPerFrame) {
        const entries = queued.slice(i, i + cfg.maxIdsPerFrame).map((q) => q.entry)
        let bytes: Uint8Array | undefined
        for (const conn of peers) {
          const key = conn.key
          if (
            key === only?.from ||
            children?.includes(key) ||
            only?.skip?.includes(key) ||
            connScore(key, conn) < th.gossip
          )
            continue
          bytes ??= frameBytes({ kind: 'ihave', topic, ids: entries })
          stats.ihavesSent++
          sendTo(conn, bytes, 0)
        }
      }
    }
  }

  /** Keeps an accepted message's envelope in its seen entry, to answer requests. */
  function cacheMessage(entry: Seen, envelope: Uint8Array): void {
    if (cfg.maxCachedMessages === 0 || cfg.messageCacheMs === 0) return
    if (envelope.length > cfg.maxCachedBytes) return
    if (cachedCount >= cfg.maxCachedMessages) uncache(Number.POSITIVE_INFINITY)
    while (cachedCount > 0 && cachedBytes + envelope.length > cfg.maxCachedBytes)
      uncache(Number.POSITIVE_INFINITY)
    entry.envelope = envelope
    entry.cachedUntil = now + cfg.messageCacheMs
    cached.push(entry)
    cachedCount++
    cachedBytes += envelope.length
  }

  /** Drops cached envelopes, oldest first: those expired by `until`, or just one when Infinity. */
  function uncache(until: number): void {
    const one = until === Number.POSITIVE_INFINITY
    while (cachedHead < cached.length) {
      const entry = cached[cachedHead]!
      if (!one && entry.cachedUntil > until) break
      cached[cachedHead++] = undefined
      // an entry may have left the seen map (or been replaced) since: its envelope goes all the same
      if (entry.envelope !== undefined) {
        cachedBytes -= entry.envelope.length
        entry.envelope = undefined
        entry.answered = undefined
        cachedCount--
        if (one) break
      }
    }
    if (cachedHead >= 32 && cachedHead * 2 > cached.length) {
      cached = cached.slice(cachedHead)
      cachedHead = 0
    }
  }

  function accept(p: Pending, key: string): void {
    const { topic, envelope, hops, from } = p
    const fromKey = from.toString()
    cacheMessage(markSeen(key, ACCEPTED, hops, fromKey, topic, p.source), envelope)
    stats.delivered++
    out.push({ type: 'deliver', topic, messageId: p.messageId, envelope, from, hops, via: p.via })
    report(fromKey, 'first-delivery')
    // the first copy came this way: that neighbour is our parent in the source's tree
    const t = topics.get(topic)
    if (t !== undefined) setParent(t, p.source, fromKey)
    forward(p)
  }

  function settle(p: Pending, key: string, verdict: ValidationVerdict, reason: string): void {
    if (verdict === 'accept') {
      accept(p, key)
      return
    }
    const fromKey = p.from.toString()
    if (verdict === 'reject') {
      markSeen(key, REJECTED, p.hops, fromKey, p.topic, p.source)
      stats.invalid++
      report(fromKey, 'invalid-message', reason)
    } else {
      markSeen(key, IGNORED, p.hops, fromKey, p.topic, p.source)
    }
  }

  function onGossip(
    fromKey: PeerKey,
    conn: Conn,
    topic: string,
    hops: number,
    envelope: Uint8Array,
  ): void {
    if (!take(conn.messages, cfg.maxMessagesPerPeerPerSecond, now)) {
      violation(fromKey, 'message-rate')
      return
    }
    const t = topics.get(topic)
    if (t === undefined) return // a late push after we unsubscribed: not the peer's fault
    if (envelope.length > cfg.maxMessageBytes) {
      violation(fromKey, 'message-too-large')
      return
    }
    const mid = tryMessageId(envelope, cfg.maxMessageBytes)
    if (typeof mid === 'string') {
      stats.invalid++
      report(fromKey, 'invalid-message', mid)
      return
    }
    const key = share.key(idKeyOf(mid.bytes))
    const s = seen.get(key)
    if (s !== undefined) {
      if (s.state === REJECTED) {
        stats.invalid++
        report(fromKey, 'invalid-message', 'known-invalid')
        return
      }
      stats.duplicates++
      report(fromKey, 'duplicate')
      // a second parent in this source's tree: keep the first, prune this one
      if (s.state === ACCEPTED && s.from !== fromKey && t.parents.get(s.source) !== fromKey) {
        prune(topic, fromKey, 'duplicate', [sourceOfKey(s.source)])
      }
      return
    }
    if (hops > cfg.hopLimit || hops === 0) {
      violation(fromKey, 'hop-limit')
      return
    }
    if (seen.size >= cfg.maxSeenEntries) {
      stats.framesDropped++
      return
    }
    const opened = openMessage(envelope, topic, rules())
    if (!opened.ok) {
      // not remembered: the id names the signed body, not the signatures, so a copy with a
      // broken signature must not make the genuine message look known; and a rejected
      // frame leaves the state as it was (domain and time are checked before signatures)
      stats.invalid++
      // out of the time window: the forwarder may have accepted it a moment earlier, or
      // its clock may differ from ours within the allowed skew; dropped, never blamed
      if (opened.replay) {
        stats.replaysRejected++
        return
      }
      report(fromKey, 'invalid-message', opened.reason)
      return
    }
    // a peer under the accept threshold is still checked (so a spammer keeps being
    // reported until it is cut off), but its valid messages are not taken from it
    if (score(fromKey) < th.accept) return
    const wanted = missing.get(key)
    if (wanted !== undefined) forget(key, wanted)
    const signer = opened.message.signer
    const messageId = mid.toString()
    // from here on the envelope is kept (pending, cached, delivered): not as a view of a larger buffer
    envelope = share.envelope(key, envelope)
    const p: Pending = {
      topic,
      id: { bytes: mid.bytes, key },
      messageId,
      envelope,
      from: conn.peer,
      hops,
      signer: signer.toString(),
      source: sourceKeyOf(signer.publicKey),
      sourceBytes: signer.publicKey,
      deadline: now + cfg.validationTimeoutMs,
      via: wanted?.asked === fromKey ? (wanted.via ?? 'push') : 'push',
      skip: wanted === undefined ? undefined : announcedBy(wanted),
    }
    let verdict: ValidationVerdict | 'pending' = 'accept'
    if (validate !== undefined) {
      const message: GossipMessage = {
        topic,
        messageId,
        signer,
        data: opened.message.data,
        timestamp: opened.message.timestamp,
        envelope,
        from: conn.peer,
      }
      try {
        verdict = validate(message)
      } catch {
        verdict = 'ignore'
      }
      if (verdict !== 'pending' && !VERDICTS.has(verdict)) verdict = 'ignore'
    }
    if (verdict !== 'pending') {
      settle(p, key, verdict, 'rejected')
      if (verdict === 'accept' && wanted !== undefined && wanted.asked === undefined)
        if (wanted.since < now) fasterParent(t, wanted, fromKey)
      return
    }
    if (pending.size >= cfg.maxPendingValidations) {
      // the application is behind: drop without remembering, so a later copy is processed
      stats.framesDropped++
      return
    }
    if (conn.pending >= cfg.maxPendingPerPeer) {
      violation(fromKey, 'pending-validations')
      return
    }
    conn.pending++
    pending.set(messageId, p)
    markSeen(key, PENDING, hops, fromKey, topic, p.source)
    out.push({ type: 'validate', topic, messageId, envelope, from: conn.peer })
  }

  /** The topic's state when announcements from this neighbour are heard (active, subscribed, scored enough). */
  function heardTopic(fromKey: PeerKey, conn: Conn, topic: string): TopicState | undefined {
    if (!conn.active) return undefined
    const t = topics.get(topic)
    if (t === undefined || connScore(fromKey, conn) < th.gossip) return undefined
    return t
  }

  function onIhave(fromKey: PeerKey, conn: Conn, topic: string, ids: Announcement[]): void {
    const t = heardTopic(fromKey, conn, topic)
    if (t === undefined) return
    for (const { id, hops, source } of ids) {
      const s = seen.get(id.key)
      if (s !== undefined) {
        // the cheap tests first: nearly every announcement of a known message stops here
        if (noShorterPath(s, topic, hops)) continue
        const parent = t.parents.get(s.source)
        if (
          parent !== undefined &&
          parent !== fromKey &&
          !inBackoff(graftBackoff, topic, fromKey) &&
          score(fromKey) >= th.graft
        ) {
          // a much shorter path exists for this source: take it, and prune the long one
          const sourceBytes = sourceOfKey(s.source)
          prune(topic, parent, 'optimization', [sourceBytes])
          setParent(t, s.source, fromKey)
          stats.graftsSent++
          send(fromKey, { kind: 'graft', topic, ids: [], sources: [sourceBytes] })
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
      const deadline = wait ? now + cfg.ihaveTimeoutMs : now
      // the announcement's bytes are views of the frame: the entry keeps keys, not bytes
      const entry: Missing = {
        topic,
        key: share.key(id.key),
        source: sourceKey,
        announcers: [fromKey],
        asked: undefined,
        via: undefined,
        pullNow: !wait,
        since: now,
        deadline,
      }
      missing.set(entry.key, entry)
      // a pull due now must not queue behind a repair timer due later
      if (wait) timers.push({ deadline, m: entry })
      else pulls.push({ deadline, m: entry })
    }
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

  /**
   * `onIhave` for a well-formed frame read in place (`readIhave`, ids in `announced`), as
   * far as it needs no more than the ids' keys: known messages with no shorter path, and
   * missing ones, which gain an announcer. False at the first id that needs more (unknown,
   * or a shorter path): the announcements are then built from the same reading
   * (`announcements`) and `onIhave` goes over every id again, which repeats nothing (an
   * announcer is added once).
   */
  function announcedInPlace(fromKey: PeerKey, conn: Conn, topic: string, b: Uint8Array): boolean {
    if (heardTopic(fromKey, conn, topic) === undefined) return true
    const announced = reader.announced
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
  }

  /**
   * A pushed copy came from `fromKey` after another neighbour had announced it: that
   * neighbour is on a faster path from the source, so it becomes the parent in the source's
   * tree (a GRAFT naming the source) and the slower one is pruned from it. Each such switch
   * lowers the arrival time, so a source's tree settles on the paths of first arrival.
   */
  function fasterParent(t: TopicState, m: Missing, fromKey: PeerKey): void {
    const first = m.announcers[0]
    if (first === undefined || first === fromKey) return
    const conn = conns.get(first)
    if (conn === undefined || !conn.active || inBackoff(graftBackoff, m.topic, first)) return
    if (connScore(first, conn) < th.graft) return
    const sourceBytes = sourceOfKey(m.source)
    if (t.parents.get(m.source) === fromKey) prune(m.topic, fromKey, 'optimization', [sourceBytes])
    setParent(t, m.source, first)
    stats.graftsSent++
    send(first, { kind: 'graft', topic: m.topic, ids: [], sources: [sourceBytes] })
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

  /** The neighbours that announced a missing message (asked or not). */
  function announcedBy(m: Missing): PeerKey[] {
    return m.asked === undefined ? m.announcers : [...m.announcers, m.asked]
  }

  function inBackoff(map: Map<string, number>, topic: string, peer: PeerKey): boolean {
    const until = map.get(pairKey(topic, peer))
    return until !== undefined && until > now
  }

  /** Drops a missing entry; its queued timers become void. */
  function forget(key: string, m: Missing): void {
    m.deadline = -1
    missing.delete(key)
  }

  /**
   * Requests announced messages: those to pull at once, and those whose pushed copy or whose
   * answer did not arrive in time (from the next announcer).
   */
  function runTimers(): void {
    // most inputs find nothing due: no allocation for them
    const pulling = pulls.length > 0
    if (!pulling && (timerHead >= timers.length || timers[timerHead]!.deadline > now)) return
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
    while (timerHead < timers.length && timers[timerHead]!.deadline <= now) {
      const { deadline, m } = timers[timerHead]!
      timers[timerHead++] = undefined
      // a timer whose entry was answered or replaced is void
      if (m.deadline === deadline) request(m, requests, blamed)
    }
    if (timerHead >= 32 && timerHead * 2 > timers.length) {
      // spent entries go once they are half the queue (amortised O(1); thousands of routers
      // in one process must not each keep a long tail)
      timers.splice(0, timerHead)
      timerHead = 0
    }
    for (const b of requests.values()) {
      if (b.graft) {
        stats.graftsSent++
        send(b.peer, { kind: 'graft', topic: b.topic, ids: b.ids, sources: [] })
      } else {
        send(b.peer, { kind: 'iwant', topic: b.topic, ids: b.ids })
      }
    }
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
        report(m.asked, 'broken-promise')
      }
      // a parent that did not deliver what it was grafted for is no parent (an announcement
      // naming a made-up source leaves no parent behind)
      if (t.parents.get(m.source) === m.asked) t.parents.delete(m.source)
    }
    let next: PeerKey | undefined
    while (m.announcers.length > 0) {
      const candidate = m.announcers.shift()!
      if (active.has(candidate) && !cut.has(candidate) && score(candidate) >= th.graft) {
        next = candidate
        break
      }
    }
    if (next === undefined) {
      forget(key, m)
      return
    }
    const graft = !inBackoff(graftBackoff, m.topic, next)
    const batchKey = pairKey(m.topic, next) + SEP + (graft ? 'g' : 'w')
    let batch = requests.get(batchKey)
    if (batch === undefined) {
      batch = { topic: m.topic, peer: next, ids: [], graft }
      requests.set(batchKey, batch)
    }
    if (batch.ids.length < cfg.maxIdsPerFrame) batch.ids.push(wireIdOfKey(key))
    if (graft) setParent(t, m.source, next)
    m.via = m.pullNow && m.asked === undefined ? 'pull' : 'repair'
    m.asked = next
    m.deadline = now + cfg.ihaveTimeoutMs
    timers.push({ deadline: m.deadline, m })
  }

  /** Sends requested messages, at most `maxRequestsPerMessage` times per peer and message. */
  function answer(key: PeerKey, topic: string, ids: WireId[], graft: TopicState | undefined): void {
    let overLimit = false
    for (const id of ids) {
      const c = seen.get(id.key)
      if (c === undefined || c.envelope === undefined || c.topic !== topic) continue
      if (graft !== undefined) {
        addChild(graft, c.source, key)
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
      sendBytes(key, frameBytes({ kind: 'gossip', topic, hops, envelope: c.envelope }), 1)
    }
    if (overLimit) violation(key, 'request-limit')
  }

  function onGraft(
    key: PeerKey,
    conn: Conn,
    topic: string,
    ids: WireId[],
    sources: Uint8Array[],
  ): void {
    const t = topics.get(topic)
    if (t === undefined) {
      stats.prunesSent++
      send(key, { kind: 'prune', topic, reason: 'unsubscribed', backoffMs: 0, sources: [] })
      return
    }
    if (!active.has(key)) return
    if (score(key) < th.graft) {
      prune(topic, key, 'score', [])
      return
    }
    if (ids.length === 0 && inBackoff(prunedUntil, topic, key)) {
      violation(key, 'graft-backoff')
      return
    }
    // a graft usually comes from a neighbour already known to subscribe: no change then
    if (!conn.topics.has(topic)) {
      conn.topics.add(topic)
      linksChanged()
    }
    for (const s of sources) {
      const source = sourceKeyOf(s)
      addChild(t, source, key)
      if (source === selfSource) t.declined.delete(key)
    }
    answer(key, topic, ids, t)
  }

  function onIwant(key: PeerKey, conn: Conn, topic: string, ids: WireId[]): void {
    if (!conn.active || !topics.has(topic)) return
    if (connScore(key, conn) < th.gossip) return
    answer(key, topic, ids, undefined)
  }

  function onPrune(
    key: PeerKey,
    conn: Conn,
    topic: string,
    reason: PruneReason,
    backoffMs: number,
    sources: Uint8Array[],
  ): void {
    if (reason === 'unsubscribed') {
      if (conn.topics.delete(topic)) linksChanged()
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
    if (backoffMs > 0) graftBackoff.set(pairKey(topic, key), now + backoffMs)
  }

  function onSubscriptions(key: PeerKey, conn: Conn, subscribe: boolean, list: string[]): void {
    let added: Set<string> | undefined
    for (const topic of list) {
      if (subscribe) {
        if (conn.topics.has(topic)) continue
        if (conn.topics.size >= cfg.maxTopics) {
          violation(key, 'too-many-topics')
          return
        }
        conn.topics.add(topic)
        linksChanged()
        // a new neighbour's subscription: the messages announced before it arrived skipped
        // the neighbour (`topicPeers`), so catch it up now
        if (conn.active && topics.has(topic)) {
          added ??= new Set()
          added.add(topic)
        }
      } else {
        if (conn.topics.delete(topic)) linksChanged()
        unlinkTopic(topic, key)
      }
    }
    if (added !== undefined) catchUp(key, added)
  }

  // ------------------------------------------------------------------ inputs
  function onFrame(from: PeerId, bytes: Uint8Array): void {
    const key = from.toString()
    const conn = conns.get(key)
    if (conn === undefined) return // not (or no longer) connected: nothing to blame
    if (isCut(key)) {
      cutOff(key)
      return
    }
    if (!take(conn, cfg.maxFramesPerPeerPerSecond, now)) {
      violation(key, 'frame-rate')
      return
    }
    // announcements of messages known or already missing are answered in place
    // (`readIhave`); the others are built from that reading, not decoded again
    const ihaveTopic = readIhave(reader, bytes, frameLimits, MAX_TOPIC_BYTES)
    if (ihaveTopic !== undefined) {
      conn.lastActivity = now
      if (!announcedInPlace(key, conn, ihaveTopic, bytes))
        onIhave(key, conn, ihaveTopic, announcements(reader, bytes))
      return
    }
    let frame: Frame
    try {
      frame = decodeFrame(bytes, frameLimits)
    } catch (error) {
      violation(key, (error as Error).name)
      return
    }
    conn.lastActivity = now
    switch (frame.kind) {
      case 'join':
        onJoin(key, frame.data)
        return
      case 'forward-join':
        onForwardJoin(key, frame.peer, frame.ttl, frame.data)
        return
      case 'neighbor':
        onNeighbor(key, frame.high, frame.data)
        return
      case 'neighbor-reply':
        onNeighborReply(key, frame.accepted)
        return
      case 'disconnect':
        onDisconnectFrame(key)
        return
      case 'shuffle':
        onShuffle(key, frame.origin, frame.ttl, frame.peers, frame.data)
        return
      case 'shuffle-reply':
        onShuffleReply(key, frame.peers, frame.data)
        return
      case 'subscriptions':
        onSubscriptions(key, conn, frame.subscribe, frame.topics)
        return
      case 'gossip':
        onGossip(key, conn, frame.topic, frame.hops, frame.envelope)
        return
      case 'ihave':
        onIhave(key, conn, frame.topic, frame.ids)
        return
      case 'iwant':
        onIwant(key, conn, frame.topic, frame.ids)
        return
      case 'graft':
        onGraft(key, conn, frame.topic, frame.ids, frame.sources)
        return
      case 'prune':
        onPrune(key, conn, frame.topic, frame.reason, frame.backoffMs, frame.sources)
        return
    }
  }

  function onConnected(peer: PeerId, outbound: boolean | undefined): void {
    const key = peer.toString()
    if (key === selfKey) return
    if (isCut(key)) {
      out.push({ type: 'disconnect', peer })
      return
    }
    if (!conns.has(key)) {
      linksChanged()
      conns.set(key, {
        peer,
        key,
        lastActivity: now,
        topics: new Set(),
        messages: createBucket(cfg.maxMessagesPerPeerPerSecond, now),
        tokens: cfg.maxFramesPerPeerPerSecond,
        at: now,
        pending: 0,
        score: 0,
        scoreAt: Number.NEGATIVE_INFINITY,
        active: false,
        dialTokens: cfg.maxDialsPerPeer,
        dialAt: now,
        caughtUp: undefined,
      })
    }
    const dial = dials.get(key)
    if (dial !== undefined) {
      dials.delete(key)
      for (const f of dial.frames) sendBytes(key, f.bytes, f.payloads)
      return
    }
    if (active.has(key) || outbound === false) return
    if (active.size === 0 || !joined) {
      // a newcomer: join through this contact (it always accepts, and walks our id around).
      // Also when peers joined through us before our own first contact came up: asking it
      // with low priority instead could be refused and leave our group cut off for good.
      joined = true
      send(key, { kind: 'join', data: localData })
      addActive(key)
    } else if (active.size + neighborRequests.size < cfg.activeViewSize) {
      requestNeighbor(peer, false)
    } else {
      // a full view: a peer the application dialed is kept as a candidate (swaps, repair)
      addPassive(peer)
    }
  }

  function onDisconnected(peer: PeerId): void {
    const key = peer.toString()
    if (!conns.delete(key)) return
    linksChanged()
    neighborRequests.delete(key)
    if (active.has(key)) {
      // a failed link: the peer may be gone, so it does not go back to the passive view,
      // unless it was the last peer we know (a join whose frame was lost leaves the joiner
      // with only its contact, which closes the link as idle): then it is worth one more
      // try, and a failed dial removes it
      dropActive(key, active.size === 1 && passive.size === 0)
      ensureActive()
    }
  }

  function onConnectFailed(peer: PeerId): void {
    const key = peer.toString()
    dials.delete(key)
    neighborRequests.delete(key)
    passive.delete(key)
    ensureActive()
  }

  function heartbeat(): void {
    nextHeartbeat = now + cfg.heartbeatIntervalMs
    recentlyTried.clear()
    for (const [key, m] of seen) {
      if (m.expires > now) break
      seen.delete(key)
    }
    uncache(now)
    expireSources()
    for (const [key, until] of graftBackoff) if (until <= now) graftBackoff.delete(key)
    for (const [key, until] of prunedUntil) if (until <= now) prunedUntil.delete(key)
    for (const [key, p] of pending) {
      if (p.deadline > now) continue
      pending.delete(key)
      const conn = conns.get(p.from.toString())
      if (conn !== undefined) conn.pending--
      markSeen(p.id.key, IGNORED, p.hops, p.from.toString(), p.topic, p.source)
    }
    for (const [key, deadline] of neighborRequests) {
      if (deadline > now) continue
      neighborRequests.delete(key)
      passive.delete(key)
    }
    for (const [key, dial] of dials) {
      if (dial.since + cfg.neighborTimeoutMs <= now) {
        dials.delete(key)
        passive.delete(key)
      }
    }
    if (now > shuffleReplyDeadline) shuffleRepliesExpected = 0
    // peers whose score fell: out of the trees, or cut off
    for (const key of [...active.keys()]) {
      const s = score(key)
      if (s < th.graylist) cutOff(key)
      else if (s < th.graft) {
        for (const [topic, t] of topics) {
          let child = false
          for (const children of t.trees.values()) if (children.includes(key)) child = true
          if (child) {
            unlinkTopic(topic, key)
            prune(topic, key, 'score', [])
          }
        }
      }
    }
    // idle connections outside the active view
    for (const [key, conn] of conns) {
      if (active.has(key) || neighborRequests.has(key)) continue
      if (conn.lastActivity + cfg.idleConnectionMs <= now) {
        conns.delete(key)
        linksChanged()
        out.push({ type: 'disconnect', peer: conn.peer })
      }
    }
    ensureActive()
    // the passive view is refreshed by a shuffle every shuffle interval (a view that runs
    // low is not refilled sooner: see "A router cut off joins again" in docs/gossip.md)
    if (now >= nextShuffle) {
      nextShuffle = now + cfg.shuffleIntervalMs
      shuffle()
    }
    if (cfg.swapIntervalMs > 0 && now >= nextSwap) {
      nextSwap = now + cfg.swapIntervalMs
      swap()
    }
  }

  /**
   * A full active view trades one neighbour for a random passive peer: a high-priority
   * NEIGHBOR request, and once it is accepted `addActive` lets a random neighbour go. The
   * links this moves are refilled from passive views at both ends, so groups of nodes that
   * filled their views with each other keep mixing with the rest of the overlay.
   */
  function swap(): void {
    if (active.size < cfg.activeViewSize || neighborRequests.size > 0) return
    const candidates = [...passive.keys()].filter((k) => !recentlyTried.has(k))
    const key = pick(candidates, random)
    if (key !== undefined) requestNeighbor(passive.get(key)!, true)
  }

  function onTick(): void {
    if (now >= nextHeartbeat) heartbeat()
  }

  function onPublish(topic: string, envelope: Uint8Array): void {
    assertTopic(topic)
    if (!isBytes(envelope)) throw new InvalidArgumentError('input.envelope', 'expected bytes')
    if (envelope.length > cfg.maxMessageBytes) throw new PublishRejectedError('too-large')
    const mid = tryMessageId(envelope, cfg.maxMessageBytes)
    if (typeof mid === 'string') throw new PublishRejectedError(mid)
    const key = share.key(idKeyOf(mid.bytes))
    const messageId = mid.toString()
    if (seen.has(key)) throw new DuplicatePublishError(messageId)
    const opened = openMessage(envelope, topic, rules())
    if (!opened.ok) throw new PublishRejectedError(opened.reason)
    const signer = opened.message.signer
    const p: Pending = {
      topic,
      id: { bytes: mid.bytes, key },
      messageId,
      envelope,
      from: self,
      hops: 0,
      signer: signer.toString(),
      source: sourceKeyOf(signer.publicKey),
      sourceBytes: signer.publicKey,
      deadline: now,
      via: 'push',
    }
    stats.published++
    cacheMessage(markSeen(key, ACCEPTED, 0, selfKey, topic, p.source), envelope)
    if (topics.has(topic)) {
      stats.delivered++
      out.push({ type: 'deliver', topic, messageId, envelope, from: self, hops: 0 })
    }
    // the publisher pushes to every subscribed neighbour that did not decline its tree
    forward(p)
  }

  function onSubscribe(topic: string): void {
    assertTopic(topic)
    if (topics.has(topic)) return
    if (topics.size >= cfg.maxTopics)
      throw new InvalidArgumentError('input.topic', `more than ${cfg.maxTopics} topics`)
    topics.set(topic, {
      trees: new Map(),
      parents: new Map(),
      declined: new Set(),
      used: new Map(),
      ihave: [],
      peers: [],
      peersVersion: -1,
    })
    for (const key of active.keys()) {
      send(key, { kind: 'subscriptions', subscribe: true, topics: [topic] })
    }
  }

  function onUnsubscribe(topic: string): void {
    assertTopic(topic)
    if (!topics.delete(topic)) return
    for (const [key, p] of pending) {
      if (p.topic !== topic) continue
      pending.delete(key)
      const conn = conns.get(p.from.toString())
      if (conn !== undefined) conn.pending--
      markSeen(p.id.key, IGNORED, p.hops, p.from.toString(), topic, p.source)
    }
    for (const key of active.keys())
      send(key, { kind: 'subscriptions', subscribe: false, topics: [topic] })
  }

  function onValidationResult(messageId: string, verdict: ValidationVerdict): void {
    if (typeof messageId !== 'string')
      throw new InvalidArgumentError('input.messageId', 'expected a string')
    if (!VERDICTS.has(verdict))
      throw new InvalidArgumentError('input.verdict', 'expected accept, reject or ignore')
    const p = pending.get(messageId)
    if (p === undefined) return // unknown or timed out
    pending.delete(messageId)
    const conn = conns.get(p.from.toString())
    if (conn !== undefined) conn.pending--
    if (!topics.has(p.topic)) {
      markSeen(p.id.key, IGNORED, p.hops, p.from.toString(), p.topic, p.source)
      return
    }
    settle(p, p.id.key, verdict, 'rejected')
  }

  function assertPeer(peer: unknown, argument: string): asserts peer is PeerId {
    if (
      peer === null ||
      typeof peer !== 'object' ||
      typeof (peer as PeerId).toString !== 'function'
    ) {
      throw new InvalidArgumentError(argument, 'expected a PeerId')
    }
  }

  function scheduleWake(): void {
    if (cfg.lazyFlushMs === 0 && flushAt !== undefined) flushLazy()
    let next = nextHeartbeat
    if (flushAt !== undefined && flushAt < next) next = flushAt
    if (pulls.length > 0) next = now
    while (timerHead < timers.length) {
      const head = timers[timerHead]!
      // a timer whose entry was answered or replaced is void (checked without a map lookup)
      if (head.m.deadline !== head.deadline) {
        timers[timerHead++] = undefined
        continue
      }
      if (head.deadline < next) next = head.deadline
      break
    }
    // a wake replaces the one before: say so whenever the next deadline moves, also later
    // (a repair timer made moot by the payload), so the driver does not tick in vain
    if (scheduledWake === undefined || scheduledWake <= now || next !== scheduledWake) {
      scheduledWake = next
      out.push({ type: 'wake', at: next })
    }
  }

  function setLocalData(data: Uint8Array): void {
    if (!isBytes(data)) throw new InvalidArgumentError('input.data', 'expected bytes')
    if (data.length > cfg.maxPeerDataBytes)
      throw new PeerDataTooLargeError(data.length, cfg.maxPeerDataBytes)
    localData = data.length === 0 ? undefined : data.slice()
  }

  function handle(input: GossipInput): GossipOutput[] {
    if (input === null || typeof input !== 'object')
      throw new InvalidArgumentError('input', 'expected an object')
    // checked once here: every time inside the router (and the envelope rules) is a whole,
    // non-negative number of milliseconds
    if (typeof input.now !== 'number' || !Number.isSafeInteger(input.now) || input.now < 0) {
      throw new InvalidArgumentError('input.now', 'expected a non-negative integer (ms)')
    }
    out = []
    // time never runs backwards inside the router
    const at = Math.max(now, input.now)
    const prevNow = now
    now = at
    try {
      switch (input.type) {
        case 'peer-connected':
          assertPeer(input.peer, 'input.peer')
          onConnected(input.peer, input.outbound)
          break
        case 'peer-disconnected':
          assertPeer(input.peer, 'input.peer')
          onDisconnected(input.peer)
          break
        case 'connect-failed':
          assertPeer(input.peer, 'input.peer')
          onConnectFailed(input.peer)
          break
        case 'frame':
          assertPeer(input.from, 'input.from')
          if (!isBytes(input.bytes)) throw new InvalidArgumentError('input.bytes', 'expected bytes')
          onFrame(input.from, input.bytes)
          break
        case 'tick':
          break
        case 'publish':
          onPublish(input.topic, input.envelope)
          break
        case 'subscribe':
          onSubscribe(input.topic)
          break
        case 'unsubscribe':
          onUnsubscribe(input.topic)
          break
        case 'validation-result':
          onValidationResult(input.messageId, input.verdict)
          break
        case 'local-peer-data':
          setLocalData(input.data)
          break
        default:
          throw new InvalidArgumentError(
            'input.type',
            `unknown input ${String((input as { type?: unknown }).type)}`,
          )
      }
    } catch (error) {
      // local misuse is thrown before any state changes
      now = prevNow
      throw error
    }
    if (!started) {
      started = true
      // spread the heartbeats of routers started together
      nextHeartbeat = now + Math.floor(random() * cfg.heartbeatIntervalMs) + 1
      nextShuffle = now + cfg.shuffleIntervalMs
      nextSwap = now + Math.floor(random() * cfg.swapIntervalMs) + 1
    }
    if (flushAt !== undefined && flushAt <= now) flushLazy()
    runTimers()
    onTick()
    scheduleWake()
    return out
  }

  /** Peers we push `source`'s messages to (any source's when `source` is omitted). */
  function eagerKeys(topic: string, source: PeerId | undefined): PeerKey[] {
    const t = topics.get(topic)
    if (t === undefined) return []
    if (source !== undefined) return [...(t.trees.get(sourceKeyOf(source.publicKey)) ?? [])]
    const all = new Set<PeerKey>()
    for (const children of t.trees.values()) for (const c of children) all.add(c)
    return [...all]
  }

  const keysOf = (set: Iterable<PeerKey>): PeerId[] => {
    const result: PeerId[] = []
    for (const key of set) {
      const peer = active.get(key) ?? conns.get(key)?.peer
      if (peer !== undefined) result.push(peer)
    }
    return result
  }

  return {
    self,
    handle,
    activeView: () => [...active.values()],
    passiveView: () => [...passive.values()],
    topics: () => [...topics.keys()],
    eagerPeers: (topic, source) => keysOf(eagerKeys(topic, source)),
    lazyPeers(topic, source) {
      const eager = new Set(eagerKeys(topic, source))
      return keysOf(
        topics.has(topic)
          ? topicPeers(topic)
              .map((c) => c.key)
              .filter((k) => !eager.has(k))
          : [],
      )
    },
    parent(topic, source) {
      const key = topics.get(topic)?.parents.get(sourceKeyOf(source.publicKey))
      return key === undefined ? undefined : (active.get(key) ?? conns.get(key)?.peer)
    },
    peerTopics: (peer) => [...(conns.get(peer.toString())?.topics ?? [])],
    peerData: (peer) => peerData.get(peer.toString()),
    hasSeen(messageId) {
      try {
        return seen.has(idKeyOf(contentIdFromString(messageId).bytes))
      } catch {
        return false
      }
    },
    stats: () => ({
      ...stats,
      seenSize: seen.size,
      cachedMessages: cachedCount,
      pendingValidations: pending.size,
    }),
    stateDigest() {
      const sorted = (items: Iterable<string>): string[] => [...items].sort()
      const state: Value = [
        sorted(conns.keys()).map((k) => [k, sorted(conns.get(k)!.topics)]),
        sorted(active.keys()),
        sorted(passive.keys()),
        sorted(dials.keys()),
        sorted(neighborRequests.keys()),
        sorted(topics.keys()).map((k) => {
          const t = topics.get(k)!
          return [
            k,
            sorted(t.trees.keys()).map((s) => [s, sorted(t.trees.get(s)!)]),
            sorted(t.parents.keys()).map((s) => [s, t.parents.get(s)!]),
            sorted(t.declined),
            t.ihave.map((e) => e.entry.id.key),
          ]
        }),
        sorted(seen.keys()).map((k) => [k, seen.get(k)!.state, seen.get(k)!.from]),
        sorted([...seen].flatMap(([k, e]) => (e.envelope === undefined ? [] : [k]))),
        sorted(missing.keys()).map((k) => [k, missing.get(k)!.announcers]),
        sorted(pending.keys()),
        sorted(graftBackoff.keys()),
        sorted(prunedUntil.keys()),
        [...cut].sort(),
        sorted(peerData.keys()).map((k) => [k, peerData.get(k)!]),
        localData ?? null,
      ]
      return contentId(encode(state)).toString()
    },
  }
}
