/**
 * What a strategy is: a named way to build a `GossipRouter` for each simulated node, with
 * the few facts about it that the simulator needs (its heartbeat, how many peers a
 * joining node dials). The real router and the baselines all fit this shape, so one run
 * compares them under identical conditions.
 *
 * @example
 * const router = floodStrategy.createRouter({ self, random, topic, check, rules })
 */
import type { GossipRouter, PeerId, ScoreHook } from '../contract'
import type { EnvelopeRules, MessageCheck } from '../messages'

/** Everything a strategy may use to build one node's router. */
export interface StrategyContext {
  self: PeerId
  /** The node's own seeded stream. */
  random: () => number
  /** Envelope rules of the run (with the run-wide verify cache). */
  rules: EnvelopeRules
  /** Message ids and verification built on `rules`. */
  check: MessageCheck
  /** Optional per-node score hook. */
  scoreHook?: ScoreHook
}

export interface Strategy {
  /** `plumtree`, `mesh`, `flood`, or a name of your own. */
  readonly name: string
  /** The router's heartbeat, used to count repair rounds. */
  readonly heartbeatMs: number
  /** Peers each node dials when it joins (to nodes that joined before it). */
  readonly bootstrapDegree: number
  createRouter(context: StrategyContext): GossipRouter
}
