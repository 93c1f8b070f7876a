/**
 * Limits and scoring of a router's peers: the per-peer frame and message rates, the
 * score hook's scores (cached per connection for a heartbeat), the reports of peer events
 * to it, and graylisting (a peer whose score falls below the graylist threshold is cut
 * off until its score recovers).
 *
 * @example
 * const limits = createLimits(core, cfg, hook, { knownPeer, evict })
 * if (!limits.frameAllowed(key, conn)) return
 * limits.report(key, 'duplicate')
 */
import type { PeerId } from '@peerkit/identity'
import { take } from './bucket'
import type { Conn, Core } from './core'
import type { LimitsConfig } from './options'
import type { PeerEventName, PeerKey, ScoreHook } from './types'

/** What the limits need of the membership layer. */
export interface LimitsPorts {
  /** The id of a peer in a view, when it is not connected. */
  knownPeer(key: PeerKey): PeerId | undefined
  /** Removes a cut-off peer from the views and closes its connection. */
  evict(key: PeerKey): void
}

export interface Limits {
  /** Peers cut off for a graylisted score. */
  readonly cut: ReadonlySet<PeerKey>
  score(peer: PeerKey): number
  /** `score` of a connected peer whose connection the caller holds. */
  connScore(peer: PeerKey, conn: Conn): number
  /** Tells the score hook of a peer event (and the driver, with a reason); cuts the peer off when graylisted. */
  report(peer: PeerKey, event: PeerEventName, reason?: string): void
  /** A protocol violation: the frame is dropped and the peer reported. */
  violation(peer: PeerKey, reason: string): void
  cutOff(key: PeerKey): void
  /** Whether a peer is cut off (it is let back once its score recovers). */
  isCut(key: PeerKey): boolean
  /** Takes a frame from the peer's rate budget (a violation when over it). */
  frameAllowed(key: PeerKey, conn: Conn): boolean
  /** Takes a message from the peer's rate budget (a violation when over it). */
  messageAllowed(key: PeerKey, conn: Conn): boolean
}

/**
 * Creates the limits of a router.
 * @param core - the router's shared state
 * @param cfg - the limits' settings
 * @param hook - where events go and scores come from
 * @param ports - the membership layer's part
 * @returns the limits
 */
export function createLimits(
  core: Core,
  cfg: LimitsConfig,
  hook: ScoreHook,
  ports: LimitsPorts,
): Limits {
  const { conns, stats } = core
  const th = cfg.scoreThresholds
  const cut = new Set<PeerKey>()

  function connScore(peer: PeerKey, conn: Conn): number {
    if (core.now - conn.scoreAt >= cfg.heartbeatIntervalMs) {
      conn.score = hook.score(peer, core.now)
      conn.scoreAt = core.now
    }
    return conn.score
  }

  function score(peer: PeerKey): number {
    const conn = conns.get(peer)
    if (conn === undefined) return hook.score(peer, core.now)
    return connScore(peer, conn)
  }

  function report(peer: PeerKey, event: PeerEventName, reason?: string): void {
    hook.record(peer, event, core.now)
    const c = conns.get(peer)
    if (c !== undefined) c.scoreAt = Number.NEGATIVE_INFINITY
    if (reason !== undefined) {
      const id = conns.get(peer)?.peer ?? ports.knownPeer(peer)
      if (id !== undefined) core.out.push({ type: 'misbehaved', peer: id, reason })
    }
    if (event !== 'first-delivery' && event !== 'duplicate' && score(peer) < th.graylist)
      cutOff(peer)
  }

  function violation(peer: PeerKey, reason: string): void {
    stats.framesDropped++
    report(peer, 'protocol-violation', reason)
  }

  function cutOff(key: PeerKey): void {
    if (cut.has(key)) return
    cut.add(key)
    stats.graylisted++
    ports.evict(key)
  }

  return {
    cut,
    score,
    connScore,
    report,
    violation,
    cutOff,
    isCut(key) {
      if (cut.size === 0 || !cut.has(key)) return false
      if (score(key) >= th.graylist) {
        cut.delete(key)
        return false
      }
      return true
    },
    frameAllowed(key, conn) {
      if (take(conn, cfg.maxFramesPerPeerPerSecond, core.now)) return true
      violation(key, 'frame-rate')
      return false
    },
    messageAllowed(key, conn) {
      if (take(conn.messages, cfg.maxMessagesPerPeerPerSecond, core.now)) return true
      violation(key, 'message-rate')
      return false
    },
  }
}
