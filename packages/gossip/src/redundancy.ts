/**
 * Redundancy on lossy links: a tree gives each node one copy of a message, so a frame lost
 * on the way costs the nodes under it an announcement, `pushWaitMs` and a round trip. A
 * router that finds a parent's copy lost (asked of an announcer, and not come within
 * `LOSS_CONFIRM_MS`) keeps a second parent in each publisher's tree for `LOSS_MEMORY_MS`:
 * the first neighbour to announce a message it already has is grafted for that publisher,
 * and its copies are not pruned as duplicates.
 * With no loss for that long the second parents are pruned. On loss-free links none is
 * ever taken.
 *
 * @example
 * const redundancy = createRedundancy(core, limits, th, inBackoff)
 * redundancy.expire(topic, t) // each heartbeat
 * if (redundancy.active()) redundancy.adopt(t, topic, source, announcer)
 */
import type { TopicState } from './broadcast'
import { LOSS_CONFIRM_MS, LOSS_MEMORY_MS } from './constants'
import { type Core, sourceOfKey } from './core'
import type { PruneReason } from './frames'
import type { Limits } from './limits'
import type { ScoreThresholds } from './options'
import type { PeerKey } from './types'

export interface Redundancy {
  /** Whether a loss was noticed in the last `LOSS_MEMORY_MS`. */
  active(): boolean
  /** Asks `key` to push `source`'s messages too, as a second parent (GRAFT naming the source). */
  adopt(t: TopicState, topic: string, source: string, key: PeerKey): void
  /** Heartbeat, per topic: misses past `LOSS_CONFIRM_MS` are losses; second parents go once the memory ended. */
  expire(topic: string, t: TopicState): void
}

/**
 * Creates the loss watch of one router.
 * @param core - the router's shared state
 * @param limits - scores
 * @param th - score thresholds (a second parent must be graftable)
 * @param inBackoff - whether `key` must not be grafted for `topic` now
 * @param prune - the broadcast layer's PRUNE (second parents are pruned with it)
 * @returns the watch, with no loss noticed
 */
export function createRedundancy(
  core: Core,
  limits: Limits,
  th: Required<ScoreThresholds>,
  inBackoff: (topic: string, key: PeerKey) => boolean,
  prune: (topic: string, key: PeerKey, reason: PruneReason, sources: Uint8Array[]) => void,
): Redundancy {
  let lossAt = Number.NEGATIVE_INFINITY
  const active = (): boolean => core.now - lossAt < LOSS_MEMORY_MS

  return {
    active,

    adopt(t, topic, source, key) {
      if (inBackoff(topic, key)) return
      const conn = core.conns.get(key)
      if (conn === undefined || !conn.active || limits.connScore(key, conn) < th.graft) return
      t.backups.set(source, key)
      core.stats.graftsSent++
      core.send(key, { kind: 'graft', topic, ids: [], sources: [sourceOfKey(source)] })
    },

    expire(topic, t) {
      const confirmed = core.now - LOSS_CONFIRM_MS
      // a parent's copy that has not come this long after the ask was lost
      for (const [source, at] of t.misses)
        if (at >= 0 && at <= confirmed) {
          t.misses.set(source, -1)
          lossAt = core.now
        }
      if (active() || t.backups.size === 0) return
      const ended = [...t.backups]
      t.backups.clear()
      for (const [source, key] of ended) prune(topic, key, 'duplicate', [sourceOfKey(source)])
    },
  }
}
