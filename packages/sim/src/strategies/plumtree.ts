/**
 * peerkit's own router (`@peerkit/gossip`: HyParView membership and Plumtree broadcast) as
 * a simulator strategy. Each node gets its own router with its own seeded stream; all
 * routers of a run share the run's verify cache and one `GossipShare`.
 *
 * @example
 * const strategy = createPlumtreeStrategy({ ihaveTimeoutMs: 400 })
 * const router = strategy.createRouter(context)
 */
import {
  createGossip,
  createGossipShare,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  type GossipComponents,
  type GossipInit,
  type GossipShare,
} from '@peerkit/gossip'
import type { Strategy } from './types'

/** Contacts a joining node dials: HyParView joins through one contact. */
export const PLUMTREE_BOOTSTRAP_DEGREE = 1

/**
 * The plumtree strategy with the given router tuning.
 * @param init - `createGossip` tuning (defaults: the router's own)
 * @returns the strategy
 */
export function createPlumtreeStrategy(init: GossipInit = {}): Strategy {
  /** One share per run (a run's routers have its envelope rules in common). */
  const shares = new WeakMap<object, GossipShare>()
  return {
    name: 'plumtree',
    heartbeatMs: init.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS,
    bootstrapDegree: PLUMTREE_BOOTSTRAP_DEGREE,
    createRouter(context) {
      const components: GossipComponents = {
        self: context.self,
        random: context.random,
        verifyCache: context.rules.cache,
        share: shareOf(shares, context.rules),
      }
      if (context.scoreHook !== undefined) components.scoreHook = context.scoreHook
      return createGossip(init, components)
    },
  }
}

function shareOf(shares: WeakMap<object, GossipShare>, run: object): GossipShare {
  let share = shares.get(run)
  if (share === undefined) {
    share = createGossipShare()
    shares.set(run, share)
  }
  return share
}

/** The plumtree strategy with the router's defaults. */
export const plumtreeStrategy: Strategy = createPlumtreeStrategy()
