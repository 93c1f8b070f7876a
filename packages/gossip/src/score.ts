/**
 * The built-in score hook, used when no `scoreHook` is given: penalties for misbehaviour
 * that decay with a half-life, and a small capped credit for first deliveries. It is
 * deliberately simple; `@peerkit/reputation` offers a full scorer with the same shape.
 *
 * @example
 * const hook = createPenaltyScore()
 * hook.record(peer, 'invalid-message', now)
 * hook.score(peer, now) // -45
 */
import type { PeerEventName, PeerKey, ScoreHook } from './types'

/** Weights and decay of the built-in scorer. */
export interface PenaltyScoreInit {
  /** Points per event (negative for penalties). */
  weights?: Partial<Record<PeerEventName, number>>
  /** Milliseconds for a score to halve (default 5 minutes). */
  halfLifeMs?: number
  /** Highest score a peer can earn (default 10). */
  maxScore?: number
  /** Most peers tracked; the least recently seen is forgotten beyond it (default 10,000). */
  maxPeers?: number
}

/**
 * Default points per event, on the scale of the default thresholds (gossip -10, accept -40,
 * graylist -80): one invalid message stops gossip with the peer and refuses its messages for
 * about a minute (the half-life is 5 minutes), two within two minutes graylist it; nine
 * protocol violations in quick succession graylist; a broken promise, which loss alone
 * causes, weighs least: six in quick succession stop gossip.
 */
export const DEFAULT_PENALTY_WEIGHTS: Readonly<Record<PeerEventName, number>> = Object.freeze({
  'first-delivery': 0.1,
  duplicate: 0,
  'invalid-message': -45,
  'broken-promise': -2,
  'protocol-violation': -10,
})

interface Entry {
  value: number
  at: number
}

/**
 * Creates the built-in scorer.
 * @param init - weights, half-life, cap
 * @returns a `ScoreHook`
 * @example createGossip({}, { self, random, scoreHook: createPenaltyScore({ halfLifeMs: 60_000 }) })
 */
export function createPenaltyScore(init: PenaltyScoreInit = {}): ScoreHook {
  const weights = { ...DEFAULT_PENALTY_WEIGHTS, ...init.weights }
  const halfLife = init.halfLifeMs ?? 300_000
  const maxScore = init.maxScore ?? 10
  const maxPeers = init.maxPeers ?? 10_000
  const entries = new Map<PeerKey, Entry>()

  const current = (entry: Entry, now: number): number => {
    const dt = now - entry.at
    return dt <= 0 ? entry.value : entry.value * 0.5 ** (dt / halfLife)
  }

  return {
    record(peer, event, now) {
      const w = weights[event]
      if (w === 0) return
      const entry = entries.get(peer)
      if (entry !== undefined) {
        // updated in place, and moved to the back of the recently seen order
        entry.value = Math.min(maxScore, current(entry, now) + w)
        entry.at = now
        entries.delete(peer)
        entries.set(peer, entry)
        return
      }
      entries.set(peer, { value: Math.min(maxScore, w), at: now })
      if (entries.size > maxPeers) {
        const oldest = entries.keys().next().value
        if (oldest !== undefined) entries.delete(oldest)
      }
    },
    score(peer, now) {
      const entry = entries.get(peer)
      return entry === undefined ? 0 : current(entry, now)
    },
  }
}
