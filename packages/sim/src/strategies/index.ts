/**
 * The strategies the simulator knows by name: `plumtree` (peerkit's router), `mesh`
 * (gossipsub-style baseline) and `flood` (flooding baseline).
 *
 * @example
 * strategyFromName('mesh').name // 'mesh'
 */
import { UnknownStrategyError } from '../errors'
import { floodStrategy } from './flood'
import { meshStrategy } from './mesh'
import { plumtreeStrategy } from './plumtree'
import type { Strategy } from './types'

/** Names accepted by `strategyFromName` and the CLI's `--strategy`. */
export const STRATEGY_NAMES = ['plumtree', 'mesh', 'flood'] as const

export type StrategyName = (typeof STRATEGY_NAMES)[number]

/**
 * The strategy of a name.
 * @param name - `plumtree`, `mesh` or `flood`
 * @returns the strategy
 * @throws UnknownStrategyError for any other name
 */
export function strategyFromName(name: string): Strategy {
  switch (name) {
    case 'plumtree':
      return plumtreeStrategy
    case 'mesh':
      return meshStrategy
    case 'flood':
      return floodStrategy
    default:
      throw new UnknownStrategyError(name)
  }
}
