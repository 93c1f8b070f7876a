/**
 * Local peer scores: what this node saw each peer do, folded into one number per peer.
 * Counters with weights, caps and decay on an injected clock; named thresholds that map a
 * score to actions; scores retained after disconnect; newcomers start at the floor.
 * Every event costs O(1); `tick` is the one O(peers) pass (decay, forgetting, actions).
 *
 * @example
 * const scorer = createScorer({}, {})
 * scorer.record(peer, 'invalid-message', now)
 * for (const change of scorer.tick(now)) router.apply(change) // e.g. stop-gossip
 */
import { assertPeerKey, assertTime } from './assert'
import { InvalidArgumentError, PeerTableFullError } from './errors'
import { resolveScorerParams, type ScorerInit, type ScorerParams } from './scorer-params'

/** The text form of a peer id (`PeerId.toString()`), the key peers are scored under. */
export type PeerKey = string

/** What a router reports about a peer (the `@peerkit/gossip` score-hook events). */
export type PeerEventName =
  | 'first-delivery'
  | 'duplicate'
  | 'invalid-message'
  | 'broken-promise'
  | 'protocol-violation'

/** The events, for checks and iteration. */
export const PEER_EVENTS: readonly PeerEventName[] = Object.freeze([
  'first-delivery',
  'duplicate',
  'invalid-message',
  'broken-promise',
  'protocol-violation',
])

/**
 * Where a score stands against the thresholds: `normal` (at or above `gossip`),
 * `no-gossip` (below `gossip`), `no-publish` (below `publish`), `graylisted` (below `graylist`).
 */
export type ScoreLevel = 'normal' | 'no-gossip' | 'no-publish' | 'graylisted'

/** What to do when a peer crosses a threshold, down or back up. */
export type ScoreAction =
  | 'stop-gossip'
  | 'refuse-publish'
  | 'graylist'
  | 'ungraylist'
  | 'accept-publish'
  | 'resume-gossip'

/** One peer whose level changed since the last `tick` reported it. */
export interface ScoreChange {
  readonly peer: PeerKey
  readonly score: number
  readonly from: ScoreLevel
  readonly to: ScoreLevel
  /** The actions to take, in order (downwards: stop-gossip first; upwards: ungraylist first). */
  readonly actions: readonly ScoreAction[]
  /** True when the change is the scorer forgetting the peer (its retention ran out). */
  readonly forgotten: boolean
}

/** The names of the parts a score is made of. */
export type ScorePartName =
  | 'firstDeliveries'
  | 'deliveryDeficit'
  | 'deliveryFailures'
  | 'invalidMessages'
  | 'brokenPromises'
  | 'protocolViolations'
  | 'application'

/** One part of a score: its counter (after decay) and what it adds to the score. */
export interface ScorePart {
  readonly counter: number
  readonly contribution: number
}

/** Why a peer has the score it has (`explain`). */
export interface ScoreExplanation {
  readonly peer: PeerKey
  /** False for a peer the scorer does not track (never seen, or forgotten). */
  readonly known: boolean
  readonly connected: boolean
  /** The score the router sees. */
  readonly score: number
  /** `newcomer.score` plus every contribution, before the probation cap. */
  readonly raw: number
  /** The newcomer floor (`newcomer.score`). */
  readonly floor: number
  /** True while the score is capped at the floor (a new identity on probation). */
  readonly probation: boolean
  readonly level: ScoreLevel
  readonly firstSeen: number | undefined
  /** For a disconnected peer, when the scorer will forget it. */
  readonly retainedUntil: number | undefined
  readonly parts: { readonly [K in ScorePartName]: ScorePart }
}

/** Collaborators of a scorer. */
export interface ScorerComponents {
  /**
   * The application's own view of a peer (for example its global trust), read whenever a
   * score is computed; weighted and capped by `params.application`. Must be O(1) and
   * return a finite number; 0 when absent.
   */
  readonly applicationScore?: (peer: PeerKey, now: number) => number
}

/** A local scorer. Satisfies `@peerkit/gossip`'s `ScoreHook` (`record` and `score`). */
export interface Scorer {
  readonly params: ScorerParams
  /** Peers tracked now (connected, and disconnected but retained). */
  readonly size: number
  /**
   * The peer connected. Tracks it if new (its score starts at the newcomer floor).
   * @throws InvalidArgumentError, PeerTableFullError
   */
  connect(peer: PeerKey, now: number): void
  /**
   * The peer disconnected: its score is kept for `retainMs`; a standing delivery deficit
   * sticks as a delivery failure. Unknown peers are ignored.
   * @throws InvalidArgumentError
   */
  disconnect(peer: PeerKey, now: number): void
  /**
   * Counts one event. A peer not yet tracked is tracked as connected from `now`. When the
   * table is full and no slot can be freed, the event is not counted (the peer keeps the
   * newcomer floor) and `droppedEvents` grows: a router calling this hook never sees an
   * exception for it.
   * @throws InvalidArgumentError
   */
  record(peer: PeerKey, event: PeerEventName, now: number): void
  /** Events `record` could not count because the peer table was full. */
  readonly droppedEvents: number
  /** The peer's score at `now` (the floor for a peer not tracked). @throws InvalidArgumentError */
  score(peer: PeerKey, now: number): number
  /** The peer's level at `now`. @throws InvalidArgumentError */
  level(peer: PeerKey, now: number): ScoreLevel
  /** The peer's score and its parts. @throws InvalidArgumentError */
  explain(peer: PeerKey, now: number): ScoreExplanation
  /**
   * Brings every peer's decay up to `now`, forgets peers whose retention ran out, and
   * returns the peers whose level changed since last reported (a peer starts as `normal`).
   * @throws InvalidArgumentError
   */
  tick(now: number): ScoreChange[]
  /** The keys of the tracked peers, in the order they were first tracked. */
  peers(): PeerKey[]
}

interface PeerState {
  readonly key: PeerKey
  readonly firstSeen: number
  connected: boolean
  connectedAt: number
  disconnectedAt: number
  /** Index of the last decay interval applied. */
  epoch: number
  firstDeliveries: number
  deliveries: number
  deliveryFailures: number
  invalidMessages: number
  brokenPromises: number
  protocolViolations: number
  /** The level last reported by `tick`. */
  reported: ScoreLevel
}

const RANK: Record<ScoreLevel, number> = {
  normal: 0,
  'no-gossip': 1,
  'no-publish': 2,
  graylisted: 3,
}
const LEVELS: readonly ScoreLevel[] = ['normal', 'no-gossip', 'no-publish', 'graylisted']
const DOWN: readonly ScoreAction[] = ['stop-gossip', 'stop-gossip', 'refuse-publish', 'graylist']
const UP: readonly ScoreAction[] = [
  'resume-gossip',
  'resume-gossip',
  'accept-publish',
  'ungraylist',
]
const EVENTS = new Set<string>(PEER_EVENTS)

function assertEvent(event: unknown): asserts event is PeerEventName {
  if (typeof event !== 'string' || !EVENTS.has(event)) {
    throw new InvalidArgumentError('event', `event must be one of ${PEER_EVENTS.join(', ')}`)
  }
}

/**
 * The actions that take a peer from one level to another.
 * @param from - the level the peer had
 * @param to - the level it has now
 * @returns the actions in the order to take them
 * @example
 * actionsBetween('normal', 'no-publish') // ['stop-gossip', 'refuse-publish']
 */
export function actionsBetween(from: ScoreLevel, to: ScoreLevel): ScoreAction[] {
  const a = RANK[from]
  const b = RANK[to]
  const actions: ScoreAction[] = []
  for (let r = a + 1; r <= b; r++) actions.push(DOWN[r]!)
  for (let r = a; r > b; r--) actions.push(UP[r]!)
  return actions
}

/**
 * Creates a local scorer.
 * @param params - any subset of `ScorerParams`; the rest are `DEFAULT_SCORER_PARAMS`
 * @param components - collaborators: an optional `applicationScore`
 * @returns a scorer; pass it to `createGossip` as its `scoreHook`
 * @throws InvalidParamsError naming a parameter out of range, out of order or unknown
 * @example
 * const scorer = createScorer({ thresholds: { gossip: -5, publish: -20, graylist: -50 } }, {})
 * scorer.record('z6Mk…', 'first-delivery', 1_000)
 * scorer.explain('z6Mk…', 1_000).parts.firstDeliveries // { counter: 1, contribution: 0.5 }
 */
export function createScorer(params: ScorerInit = {}, components: ScorerComponents = {}): Scorer {
  const p = resolveScorerParams(params)
  const applicationScore = components.applicationScore
  if (applicationScore !== undefined && typeof applicationScore !== 'function') {
    throw new InvalidArgumentError(
      'components.applicationScore',
      'applicationScore must be a function',
    )
  }
  const floor = p.newcomer.score
  const { decayIntervalMs, decayToZero, retainMs, maxPeers } = p
  const fd = p.firstDeliveries
  const dl = p.deliveries
  const th = p.thresholds

  const table = new Map<PeerKey, PeerState>()
  /** Disconnected peers in the order they disconnected (oldest first). */
  const retained = new Map<PeerKey, PeerState>()
  /** Changes found outside `tick` (a peer forgotten early), reported by the next `tick`. */
  let pending: ScoreChange[] = []

  const decayed = (value: number, factor: number, steps: number): number => {
    if (value === 0 || factor === 1) return value
    const next = steps === 1 ? value * factor : value * factor ** steps
    return Math.abs(next) < decayToZero ? 0 : next
  }

  const catchUp = (s: PeerState, now: number): void => {
    const epoch = Math.floor(now / decayIntervalMs)
    const steps = epoch - s.epoch
    if (steps <= 0) return // an earlier `now` undoes nothing
    s.epoch = epoch
    s.firstDeliveries = decayed(s.firstDeliveries, fd.decay, steps)
    s.deliveries = decayed(s.deliveries, dl.decay, steps)
    s.deliveryFailures = decayed(s.deliveryFailures, p.deliveryFailures.decay, steps)
    s.invalidMessages = decayed(s.invalidMessages, p.invalidMessages.decay, steps)
    s.brokenPromises = decayed(s.brokenPromises, p.brokenPromises.decay, steps)
    s.protocolViolations = decayed(s.protocolViolations, p.protocolViolations.decay, steps)
  }

  const applicationValue = (peer: PeerKey, now: number): number => {
    if (applicationScore === undefined) return 0
    const value = applicationScore(peer, now)
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new InvalidArgumentError(
        'components.applicationScore',
        'applicationScore must return a finite number',
      )
    }
    return value
  }

  const deficitOf = (s: PeerState, now: number): number => {
    if (dl.threshold === 0 || !s.connected || now < s.connectedAt + dl.activationMs) return 0
    return Math.max(0, dl.threshold - s.deliveries)
  }

  const applicationPart = (peer: PeerKey, now: number): ScorePart => {
    const counter = applicationValue(peer, now)
    const capped = Math.max(-p.application.cap, Math.min(p.application.cap, counter))
    return { counter, contribution: p.application.weight * capped }
  }

  /** The raw score (floor plus parts), without the probation cap. O(1). */
  const rawScore = (s: PeerState, now: number): number => {
    const deficit = deficitOf(s, now)
    const broken = Math.max(0, s.brokenPromises - p.brokenPromises.threshold)
    return (
      floor +
      fd.weight * s.firstDeliveries +
      dl.weight * deficit * deficit +
      p.deliveryFailures.weight * s.deliveryFailures +
      p.invalidMessages.weight * s.invalidMessages * s.invalidMessages +
      p.brokenPromises.weight * broken * broken +
      p.protocolViolations.weight * s.protocolViolations * s.protocolViolations +
      applicationPart(s.key, now).contribution
    )
  }

  const onProbation = (s: PeerState | undefined, now: number): boolean =>
    s === undefined || now < s.firstSeen + p.newcomer.probationMs

  const capped = (raw: number, probation: boolean): number =>
    probation ? Math.min(raw, floor) : raw

  const levelOf = (score: number): ScoreLevel =>
    score < th.graylist
      ? 'graylisted'
      : score < th.publish
        ? 'no-publish'
        : score < th.gossip
          ? 'no-gossip'
          : 'normal'

  const expired = (s: PeerState, now: number): boolean =>
    !s.connected && now >= s.disconnectedAt + retainMs

  const unknownScore = (peer: PeerKey, now: number): number =>
    Math.min(floor + applicationPart(peer, now).contribution, floor)

  const forget = (s: PeerState, now: number, changes: ScoreChange[]): void => {
    table.delete(s.key)
    retained.delete(s.key)
    if (s.reported !== 'normal') {
      changes.push({
        peer: s.key,
        score: unknownScore(s.key, now),
        from: s.reported,
        to: 'normal',
        actions: actionsBetween(s.reported, 'normal'),
        forgotten: true,
      })
    }
  }

  /** The live state of a tracked peer at `now`, or undefined (forgetting it if expired). */
  const live = (peer: PeerKey, now: number): PeerState | undefined => {
    const s = table.get(peer)
    if (s === undefined) return undefined
    if (expired(s, now)) {
      forget(s, now, pending)
      return undefined
    }
    catchUp(s, now)
    return s
  }

  const scoreOf = (s: PeerState, now: number): number =>
    capped(rawScore(s, now), onProbation(s, now))

  /** Frees one slot by forgetting the longest-disconnected peer not below the floor. */
  const evictOne = (now: number): boolean => {
    for (const s of retained.values()) {
      if (expired(s, now)) {
        forget(s, now, pending)
        return true
      }
      catchUp(s, now)
      if (scoreOf(s, now) >= floor) {
        forget(s, now, pending)
        return true
      }
    }
    return false
  }

  let droppedEvents = 0

  /** The peer's state, tracking it if new; undefined when the table is full. */
  const tryTrack = (peer: PeerKey, now: number): PeerState | undefined => {
    const existing = live(peer, now)
    if (existing !== undefined) return existing
    if (table.size >= maxPeers && !evictOne(now)) return undefined
    const s: PeerState = {
      key: peer,
      firstSeen: now,
      connected: true,
      connectedAt: now,
      disconnectedAt: 0,
      epoch: Math.floor(now / decayIntervalMs),
      firstDeliveries: 0,
      deliveries: 0,
      deliveryFailures: 0,
      invalidMessages: 0,
      brokenPromises: 0,
      protocolViolations: 0,
      reported: 'normal',
    }
    table.set(peer, s)
    return s
  }

  const track = (peer: PeerKey, now: number): PeerState => {
    const s = tryTrack(peer, now)
    if (s === undefined) throw new PeerTableFullError()
    return s
  }

  function score(peer: PeerKey, now: number): number {
    assertPeerKey(peer, 'peer')
    assertTime(now, 'now')
    const s = live(peer, now)
    return s === undefined ? unknownScore(peer, now) : scoreOf(s, now)
  }

  return {
    params: p,
    get size() {
      return table.size
    },
    get droppedEvents() {
      return droppedEvents
    },

    connect(peer, now) {
      assertPeerKey(peer, 'peer')
      assertTime(now, 'now')
      const s = track(peer, now)
      if (s.connected) return
      retained.delete(peer)
      s.connected = true
      s.connectedAt = now
    },

    disconnect(peer, now) {
      assertPeerKey(peer, 'peer')
      assertTime(now, 'now')
      const s = live(peer, now)
      if (s === undefined || !s.connected) return
      const deficit = deficitOf(s, now)
      if (deficit > 0) s.deliveryFailures += deficit * deficit
      s.connected = false
      s.disconnectedAt = now
      retained.set(peer, s)
    },

    record(peer, event, now) {
      assertPeerKey(peer, 'peer')
      assertEvent(event)
      assertTime(now, 'now')
      const s = tryTrack(peer, now)
      if (s === undefined) {
        droppedEvents++
        return
      }
      switch (event) {
        case 'first-delivery':
          s.firstDeliveries = Math.min(fd.cap, s.firstDeliveries + 1)
          s.deliveries = Math.min(dl.cap, s.deliveries + 1)
          break
        case 'duplicate':
          s.deliveries = Math.min(dl.cap, s.deliveries + 1)
          break
        case 'invalid-message':
          s.invalidMessages += 1
          break
        case 'broken-promise':
          s.brokenPromises += 1
          break
        case 'protocol-violation':
          s.protocolViolations += 1
          break
      }
    },

    score,

    level(peer, now) {
      return levelOf(score(peer, now))
    },

    explain(peer, now) {
      assertPeerKey(peer, 'peer')
      assertTime(now, 'now')
      const s = live(peer, now)
      const application = applicationPart(peer, now)
      const zero: ScorePart = { counter: 0, contribution: 0 }
      if (s === undefined) {
        const score = unknownScore(peer, now)
        return {
          peer,
          known: false,
          connected: false,
          score,
          raw: floor + application.contribution,
          floor,
          probation: true,
          level: levelOf(score),
          firstSeen: undefined,
          retainedUntil: undefined,
          parts: {
            firstDeliveries: zero,
            deliveryDeficit: zero,
            deliveryFailures: zero,
            invalidMessages: zero,
            brokenPromises: zero,
            protocolViolations: zero,
            application,
          },
        }
      }
      const deficit = deficitOf(s, now)
      const broken = Math.max(0, s.brokenPromises - p.brokenPromises.threshold)
      const raw = rawScore(s, now)
      const probation = onProbation(s, now)
      const score = capped(raw, probation)
      return {
        peer,
        known: true,
        connected: s.connected,
        score,
        raw,
        floor,
        probation,
        level: levelOf(score),
        firstSeen: s.firstSeen,
        retainedUntil: s.connected ? undefined : s.disconnectedAt + retainMs,
        parts: {
          firstDeliveries: {
            counter: s.firstDeliveries,
            contribution: fd.weight * s.firstDeliveries,
          },
          deliveryDeficit: { counter: deficit, contribution: dl.weight * deficit * deficit },
          deliveryFailures: {
            counter: s.deliveryFailures,
            contribution: p.deliveryFailures.weight * s.deliveryFailures,
          },
          invalidMessages: {
            counter: s.invalidMessages,
            contribution: p.invalidMessages.weight * s.invalidMessages * s.invalidMessages,
          },
          brokenPromises: {
            counter: s.brokenPromises,
            contribution: p.brokenPromises.weight * broken * broken,
          },
          protocolViolations: {
            counter: s.protocolViolations,
            contribution: p.protocolViolations.weight * s.protocolViolations * s.protocolViolations,
          },
          application,
        },
      }
    },

    tick(now) {
      assertTime(now, 'now')
      const changes = pending
      pending = []
      for (const s of table.values()) {
        if (expired(s, now)) {
          forget(s, now, changes)
          continue
        }
        catchUp(s, now)
        const score = scoreOf(s, now)
        const level = levelOf(score)
        if (level !== s.reported) {
          changes.push({
            peer: s.key,
            score,
            from: s.reported,
            to: level,
            actions: actionsBetween(s.reported, level),
            forgotten: false,
          })
          s.reported = level
        }
      }
      return changes
    },

    peers() {
      return [...table.keys()]
    },
  }
}

/** The levels from best to worst, for iteration and tests. */
export const SCORE_LEVELS: readonly ScoreLevel[] = Object.freeze([...LEVELS])
