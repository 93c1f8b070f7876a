/**
 * `createGossip`'s tuning (`GossipInit`) and collaborators (`GossipComponents`), and the
 * resolution of the init into a complete, checked configuration.
 *
 * @example
 * const config = resolveInit({ activeViewSize: 5 }) // every other knob at its default
 */
import type { VerifyCache } from '@peerkit/envelope'
import type { PeerId } from '@peerkit/identity'
import * as C from './constants'
import { InvalidArgumentError } from './errors'
import type { GossipShare } from './shared'
import type { ScoreHook, Validator } from './types'

/** Score thresholds, on the scale of the score hook. */
export interface ScoreThresholds {
  /** Below it: no IHAVE or eager push to the peer, its IHAVEs ignored. */
  gossip?: number
  /** Below it: the peer is not grafted, and its GRAFT is refused. */
  graft?: number
  /** Below it: messages from the peer are not accepted. */
  accept?: number
  /** Below it: the peer is ignored entirely and disconnected. */
  graylist?: number
}

/** Tuning of a router. Every field is optional; defaults are in `constants.ts`. */
export interface GossipInit {
  activeViewSize?: number
  passiveViewSize?: number
  activeRandomWalkLength?: number
  passiveRandomWalkLength?: number
  heartbeatIntervalMs?: number
  shuffleIntervalMs?: number
  /** Milliseconds between swaps of one active neighbour for a passive peer (0: never). */
  swapIntervalMs?: number
  shuffleActiveCount?: number
  shufflePassiveCount?: number
  shuffleWalkLength?: number
  neighborTimeoutMs?: number
  idleConnectionMs?: number
  ihaveTimeoutMs?: number
  /**
   * Milliseconds a router with a parent in the publisher's tree waits, after the first
   * announcement of a message, for the pushed copy before grafting the announcer (default
   * 150; `ihaveTimeoutMs` is the wait for the answer to a request).
   */
  pushWaitMs?: number
  /** Shortest time between two lazy flushes of backup announcements (default 50; see `DEFAULT_LAZY_FLUSH_MS`). */
  lazyFlushMs?: number
  catchUpMs?: number
  hopLimit?: number
  optimizationThreshold?: number
  /**
   * Hops from the publisher over which its first message is pushed to every neighbour, before
   * its tree exists; beyond, it is announced and pulled (default 2; 1: only the publisher
   * pushes; `hopLimit`: a flood, see `DEFAULT_FIRST_PUSH_HOPS`).
   */
  firstPushHops?: number
  pruneBackoffMs?: number
  messageCacheMs?: number
  /** Envelope domain of messages (default `peerkit/gossip/1`). */
  domain?: string
  maxMessageAgeMs?: number
  maxClockSkewMs?: number
  maxSeenEntries?: number
  maxCachedMessages?: number
  validationTimeoutMs?: number
  maxFrameBytes?: number
  /**
   * Largest opaque peer record (own or a peer's) carried on membership frames, in bytes
   * (default 1 KiB, less when a shuffle of that many records would not fit `maxFrameBytes`).
   */
  maxPeerDataBytes?: number
  maxMessageBytes?: number
  maxIdsPerFrame?: number
  maxRequestsPerMessage?: number
  maxMessagesPerPeerPerSecond?: number
  maxFramesPerPeerPerSecond?: number
  maxPendingValidations?: number
  maxPendingPerPeer?: number
  maxMissing?: number
  maxTopics?: number
  maxSources?: number
  /** Milliseconds a publisher's tree is kept without a message from it. */
  sourceTtlMs?: number
  /** Bytes of envelopes kept to answer requests. */
  maxCachedBytes?: number
  /** Dials one neighbour's membership frames may cause (burst; one more per second). */
  maxDialsPerPeer?: number
  /** Dials caused by neighbours' membership frames pending at once. */
  maxPendingDials?: number
  scoreThresholds?: ScoreThresholds
}

/** Collaborators of a router: who it is, its randomness, and optional hooks. */
export interface GossipComponents {
  /** This router's peer id. */
  self: PeerId
  /** Uniform randomness in [0, 1); seed it in tests and simulations. */
  random: () => number
  /** Where peer events go and scores come from (default: the built-in penalty scorer). */
  scoreHook?: ScoreHook
  /** A signature verification cache, shareable by the routers of one process. */
  verifyCache?: VerifyCache
  /** The application's validator (default: accept every message that opens). */
  validate?: Validator
  /**
   * Tables to share with other routers (`createGossipShare`): one copy of each accepted
   * envelope, one string per key and one settings object among all routers given the same
   * share. Default: a share of this router's own.
   */
  share?: GossipShare
}

export type ResolvedInit = Required<Omit<GossipInit, 'scoreThresholds'>> & {
  scoreThresholds: Required<ScoreThresholds>
  /** How long an id stays in the seen cache: at least the envelope time window. */
  seenTtlMs: number
}

function int(
  value: number | undefined,
  fallback: number,
  name: string,
  min: number,
  max: number,
): number {
  const v = value ?? fallback
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
    throw new InvalidArgumentError(`init.${name}`, `expected an integer in [${min}, ${max}]`)
  }
  return v
}

function num(value: number | undefined, fallback: number, name: string): number {
  const v = value ?? fallback
  if (typeof v !== 'number' || Number.isNaN(v))
    throw new InvalidArgumentError(`init.${name}`, 'expected a number')
  return v
}

const DAY = 86_400_000

/**
 * Fills in and checks a router's init.
 * @param init - partial tuning
 * @returns the complete configuration
 * @throws {InvalidArgumentError} naming the first option out of range
 */
export function resolveInit(init: GossipInit = {}): ResolvedInit {
  const t = init.scoreThresholds ?? {}
  const resolved: ResolvedInit = {
    activeViewSize: int(init.activeViewSize, C.DEFAULT_ACTIVE_VIEW_SIZE, 'activeViewSize', 1, 64),
    passiveViewSize: int(
      init.passiveViewSize,
      C.DEFAULT_PASSIVE_VIEW_SIZE,
      'passiveViewSize',
      0,
      1024,
    ),
    activeRandomWalkLength: int(
      init.activeRandomWalkLength,
      C.DEFAULT_ACTIVE_RANDOM_WALK_LENGTH,
      'activeRandomWalkLength',
      0,
      16,
    ),
    passiveRandomWalkLength: int(
      init.passiveRandomWalkLength,
      C.DEFAULT_PASSIVE_RANDOM_WALK_LENGTH,
      'passiveRandomWalkLength',
      0,
      16,
    ),
    heartbeatIntervalMs: int(
      init.heartbeatIntervalMs,
      C.DEFAULT_HEARTBEAT_INTERVAL_MS,
      'heartbeatIntervalMs',
      1,
      DAY,
    ),
    shuffleIntervalMs: int(
      init.shuffleIntervalMs,
      C.DEFAULT_SHUFFLE_INTERVAL_MS,
      'shuffleIntervalMs',
      1,
      DAY,
    ),
    swapIntervalMs: int(init.swapIntervalMs, C.DEFAULT_SWAP_INTERVAL_MS, 'swapIntervalMs', 0, DAY),
    shuffleActiveCount: int(
      init.shuffleActiveCount,
      C.DEFAULT_SHUFFLE_ACTIVE_COUNT,
      'shuffleActiveCount',
      0,
      64,
    ),
    shufflePassiveCount: int(
      init.shufflePassiveCount,
      C.DEFAULT_SHUFFLE_PASSIVE_COUNT,
      'shufflePassiveCount',
      0,
      256,
    ),
    shuffleWalkLength: int(
      init.shuffleWalkLength,
      C.DEFAULT_SHUFFLE_WALK_LENGTH,
      'shuffleWalkLength',
      0,
      16,
    ),
    neighborTimeoutMs: int(
      init.neighborTimeoutMs,
      C.DEFAULT_NEIGHBOR_TIMEOUT_MS,
      'neighborTimeoutMs',
      1,
      DAY,
    ),
    idleConnectionMs: int(
      init.idleConnectionMs,
      C.DEFAULT_IDLE_CONNECTION_MS,
      'idleConnectionMs',
      1,
      DAY,
    ),
    ihaveTimeoutMs: int(init.ihaveTimeoutMs, C.DEFAULT_IHAVE_TIMEOUT_MS, 'ihaveTimeoutMs', 1, DAY),
    pushWaitMs: int(init.pushWaitMs, C.DEFAULT_PUSH_WAIT_MS, 'pushWaitMs', 0, DAY),
    lazyFlushMs: int(init.lazyFlushMs, C.DEFAULT_LAZY_FLUSH_MS, 'lazyFlushMs', 0, DAY),
    catchUpMs: int(init.catchUpMs, C.DEFAULT_CATCH_UP_MS, 'catchUpMs', 0, DAY),
    hopLimit: int(init.hopLimit, C.DEFAULT_HOP_LIMIT, 'hopLimit', 1, 0xffff),
    optimizationThreshold: int(
      init.optimizationThreshold,
      C.DEFAULT_OPTIMIZATION_THRESHOLD,
      'optimizationThreshold',
      0,
      0xffff,
    ),
    firstPushHops: int(init.firstPushHops, C.DEFAULT_FIRST_PUSH_HOPS, 'firstPushHops', 1, 0xffff),
    pruneBackoffMs: int(
      init.pruneBackoffMs,
      C.DEFAULT_PRUNE_BACKOFF_MS,
      'pruneBackoffMs',
      0,
      C.MAX_PRUNE_BACKOFF_MS,
    ),
    messageCacheMs: int(init.messageCacheMs, C.DEFAULT_MESSAGE_CACHE_MS, 'messageCacheMs', 0, DAY),
    domain: init.domain ?? C.GOSSIP_DOMAIN,
    maxMessageAgeMs: int(
      init.maxMessageAgeMs,
      C.DEFAULT_MAX_MESSAGE_AGE_MS,
      'maxMessageAgeMs',
      1,
      30 * DAY,
    ),
    maxClockSkewMs: int(init.maxClockSkewMs, C.DEFAULT_MAX_CLOCK_SKEW_MS, 'maxClockSkewMs', 0, DAY),
    maxSeenEntries: int(init.maxSeenEntries, C.DEFAULT_MAX_SEEN_ENTRIES, 'maxSeenEntries', 1, 1e8),
    maxCachedMessages: int(
      init.maxCachedMessages,
      C.DEFAULT_MAX_CACHED_MESSAGES,
      'maxCachedMessages',
      0,
      1e7,
    ),
    validationTimeoutMs: int(
      init.validationTimeoutMs,
      C.DEFAULT_VALIDATION_TIMEOUT_MS,
      'validationTimeoutMs',
      1,
      DAY,
    ),
    maxFrameBytes: int(
      init.maxFrameBytes,
      C.DEFAULT_MAX_FRAME_BYTES,
      'maxFrameBytes',
      256,
      64 * 1024 * 1024,
    ),
    maxPeerDataBytes: int(
      init.maxPeerDataBytes,
      C.DEFAULT_MAX_PEER_DATA_BYTES,
      'maxPeerDataBytes',
      0,
      64 * 1024,
    ),
    maxMessageBytes: int(
      init.maxMessageBytes,
      C.DEFAULT_MAX_MESSAGE_BYTES,
      'maxMessageBytes',
      64,
      64 * 1024 * 1024,
    ),
    maxIdsPerFrame: int(
      init.maxIdsPerFrame,
      C.DEFAULT_MAX_IDS_PER_FRAME,
      'maxIdsPerFrame',
      1,
      65_536,
    ),
    maxRequestsPerMessage: int(
      init.maxRequestsPerMessage,
      C.DEFAULT_MAX_REQUESTS_PER_MESSAGE,
      'maxRequestsPerMessage',
      0,
      1024,
    ),
    maxMessagesPerPeerPerSecond: int(
      init.maxMessagesPerPeerPerSecond,
      C.DEFAULT_MAX_MESSAGES_PER_PEER_PER_SECOND,
      'maxMessagesPerPeerPerSecond',
      1,
      1e9,
    ),
    maxFramesPerPeerPerSecond: int(
      init.maxFramesPerPeerPerSecond,
      C.DEFAULT_MAX_FRAMES_PER_PEER_PER_SECOND,
      'maxFramesPerPeerPerSecond',
      1,
      1e9,
    ),
    maxPendingValidations: int(
      init.maxPendingValidations,
      C.DEFAULT_MAX_PENDING_VALIDATIONS,
      'maxPendingValidations',
      0,
      1e7,
    ),
    maxPendingPerPeer: int(
      init.maxPendingPerPeer,
      C.DEFAULT_MAX_PENDING_PER_PEER,
      'maxPendingPerPeer',
      0,
      1e7,
    ),
    maxMissing: int(init.maxMissing, C.DEFAULT_MAX_MISSING, 'maxMissing', 0, 1e7),
    maxSources: int(init.maxSources, C.DEFAULT_MAX_SOURCES, 'maxSources', 1, 1e7),
    sourceTtlMs: int(init.sourceTtlMs, C.DEFAULT_SOURCE_TTL_MS, 'sourceTtlMs', 1, DAY),
    maxCachedBytes: int(
      init.maxCachedBytes,
      C.DEFAULT_MAX_CACHED_BYTES,
      'maxCachedBytes',
      0,
      Number.MAX_SAFE_INTEGER,
    ),
    maxDialsPerPeer: int(
      init.maxDialsPerPeer,
      C.DEFAULT_MAX_DIALS_PER_PEER,
      'maxDialsPerPeer',
      0,
      1e6,
    ),
    maxPendingDials: int(
      init.maxPendingDials,
      C.DEFAULT_MAX_PENDING_DIALS,
      'maxPendingDials',
      0,
      1e6,
    ),
    maxTopics: int(init.maxTopics, C.DEFAULT_MAX_TOPICS, 'maxTopics', 1, 65_536),
    scoreThresholds: {
      gossip: num(t.gossip, C.DEFAULT_GOSSIP_THRESHOLD, 'scoreThresholds.gossip'),
      graft: num(t.graft, C.DEFAULT_GRAFT_THRESHOLD, 'scoreThresholds.graft'),
      accept: num(t.accept, C.DEFAULT_ACCEPT_THRESHOLD, 'scoreThresholds.accept'),
      graylist: num(t.graylist, C.DEFAULT_GRAYLIST_THRESHOLD, 'scoreThresholds.graylist'),
    },
    seenTtlMs: 0,
  }
  if (typeof resolved.domain !== 'string' || resolved.domain.length === 0) {
    throw new InvalidArgumentError('init.domain', 'expected a non-empty string')
  }
  if (resolved.passiveRandomWalkLength > resolved.activeRandomWalkLength) {
    throw new InvalidArgumentError(
      'init.passiveRandomWalkLength',
      'must not exceed activeRandomWalkLength',
    )
  }
  if (resolved.maxMessageBytes + 1024 > resolved.maxFrameBytes) {
    throw new InvalidArgumentError(
      'init.maxFrameBytes',
      'must exceed maxMessageBytes by at least 1 KiB',
    )
  }
  // a shuffle reply lists up to a passive view of peers, each with its record: it must fit a frame
  const listed = Math.max(
    1 + resolved.shuffleActiveCount + resolved.shufflePassiveCount,
    resolved.passiveViewSize,
  )
  const fits = Math.max(0, Math.floor((resolved.maxFrameBytes - 1024) / listed) - 48)
  // the default shrinks to what fits a small frame limit; an explicit value must fit
  if (init.maxPeerDataBytes === undefined)
    resolved.maxPeerDataBytes = Math.min(resolved.maxPeerDataBytes, fits)
  if (resolved.maxPeerDataBytes > fits) {
    throw new InvalidArgumentError(
      'init.maxPeerDataBytes',
      'a shuffle of peers with records this large would not fit maxFrameBytes',
    )
  }
  const th = resolved.scoreThresholds
  if (!(th.graylist <= th.accept && th.graylist <= th.gossip && th.graylist <= th.graft)) {
    throw new InvalidArgumentError('init.scoreThresholds.graylist', 'must be the lowest threshold')
  }
  // the replay guarantee: an id is remembered for as long as its envelope could still open
  resolved.seenTtlMs = resolved.maxMessageAgeMs + 2 * resolved.maxClockSkewMs
  Object.freeze(resolved.scoreThresholds)
  return Object.freeze(resolved)
}

/*
 * Configuration groups: the settings each layer of the router reads (the layer is typed
 * with its group, so a setting it does not name is out of its reach).
 */

/** Membership (`membership.ts`): the views, joins, NEIGHBOR requests, swaps and dial limits. */
export type MembershipConfig = Pick<
  ResolvedInit,
  | 'activeViewSize'
  | 'passiveViewSize'
  | 'activeRandomWalkLength'
  | 'passiveRandomWalkLength'
  | 'heartbeatIntervalMs'
  | 'swapIntervalMs'
  | 'neighborTimeoutMs'
  | 'idleConnectionMs'
  | 'maxDialsPerPeer'
  | 'maxPendingDials'
  | 'maxMessagesPerPeerPerSecond'
  | 'maxFramesPerPeerPerSecond'
  | 'scoreThresholds'
>

/** Shuffles and peer records (`shuffle.ts`). */
export type ShuffleConfig = Pick<
  ResolvedInit,
  | 'activeViewSize'
  | 'passiveViewSize'
  | 'heartbeatIntervalMs'
  | 'shuffleIntervalMs'
  | 'shuffleActiveCount'
  | 'shufflePassiveCount'
  | 'shuffleWalkLength'
  | 'maxPeerDataBytes'
>

/** Limits and scoring (`limits.ts`). */
export type LimitsConfig = Pick<
  ResolvedInit,
  | 'heartbeatIntervalMs'
  | 'maxFramesPerPeerPerSecond'
  | 'maxMessagesPerPeerPerSecond'
  | 'scoreThresholds'
>

/** The seen and message caches (`cache.ts`). */
export type CacheConfig = Pick<
  ResolvedInit,
  'seenTtlMs' | 'messageCacheMs' | 'maxCachedMessages' | 'maxCachedBytes'
>

/** Broadcast (`broadcast.ts`): trees, lazy announcements, catch-up, answers to requests. */
export type BroadcastConfig = Pick<
  ResolvedInit,
  | 'hopLimit'
  | 'firstPushHops'
  | 'lazyFlushMs'
  | 'catchUpMs'
  | 'pruneBackoffMs'
  | 'maxSources'
  | 'sourceTtlMs'
  | 'maxIdsPerFrame'
  | 'maxTopics'
  | 'scoreThresholds'
>

/** Repair (`repair.ts`): announcements, pulls and repair requests, and the answers to them. */
export type RepairConfig = Pick<
  ResolvedInit,
  | 'ihaveTimeoutMs'
  | 'pushWaitMs'
  | 'optimizationThreshold'
  | 'maxMissing'
  | 'maxIdsPerFrame'
  | 'maxRequestsPerMessage'
  | 'hopLimit'
  | 'scoreThresholds'
>

/** Validation (`validation.ts`): taking messages in and publishing. */
export type ValidationConfig = Pick<
  ResolvedInit,
  | 'domain'
  | 'maxMessageAgeMs'
  | 'maxClockSkewMs'
  | 'maxMessageBytes'
  | 'maxSeenEntries'
  | 'hopLimit'
  | 'validationTimeoutMs'
  | 'maxPendingValidations'
  | 'maxPendingPerPeer'
  | 'scoreThresholds'
>
