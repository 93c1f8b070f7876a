/**
 * What both baselines do with a misbehaving peer: report it, count a strike, and at
 * `limit` strikes cut it off (disconnect now, refuse it later). Kept in one place so the
 * flood and mesh routers punish exactly alike.
 *
 * @example
 * const strikes = createStrikes(3)
 * if (strikes.strike(key, peer, 'invalid-message', out)) peers.delete(key)
 */
import type { GossipOutput, PeerId, PeerKey, ScoreHook } from '../contract'
import type { MessageCheck } from '../messages'
import type { StrategyContext } from './types'

/** A peer as the baselines track it. */
export interface StruckPeer {
  readonly id: PeerId
  strikes: number
}

export interface Strikes {
  /** Whether a peer was cut off (a new connection from it is refused with `disconnect`). */
  refused(key: PeerKey, peer: PeerId, out: GossipOutput[]): boolean
  /**
   * Reports `peer` for `reason` and counts a strike.
   * @returns true when this strike cut it off: the caller forgets the peer
   */
  strike(key: PeerKey, peer: StruckPeer, reason: string, out: GossipOutput[]): boolean
}

/** Creates the strike counter of one baseline router. */
export function createStrikes(limit: number): Strikes {
  const graylist = new Set<PeerKey>()
  return {
    refused(key, peer, out) {
      if (!graylist.has(key)) return false
      out.push({ type: 'disconnect', peer })
      return true
    },
    strike(key, peer, reason, out) {
      out.push({ type: 'misbehaved', peer: peer.id, reason })
      peer.strikes++
      if (peer.strikes < limit) return false
      graylist.add(key)
      out.push({ type: 'disconnect', peer: peer.id })
      return true
    },
  }
}

/** The components both baselines take from a strategy context (the score hook only when set). */
export function baselineComponents(context: StrategyContext): {
  self: PeerId
  check: MessageCheck
  scoreHook?: ScoreHook
} {
  return context.scoreHook === undefined
    ? { self: context.self, check: context.check }
    : { self: context.self, check: context.check, scoreHook: context.scoreHook }
}
