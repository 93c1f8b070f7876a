/**
 * Catch-up: Plumtree announces a message once, when it arrives, so a neighbour that joins
 * the active view (or whose subscription arrives) after that would never hear of it. It is
 * told instead, in one IHAVE per topic, of the messages of its topics accepted in the last
 * `catchUpMs`, and pulls what it lacks; at most once per topic and `catchUpMs` for each
 * peer, so a neighbour toggling its subscription cannot make the router announce its
 * recent messages again each time.
 *
 * @example
 * const catchUp = createCatchUp(core, cfg, limits, cache)
 * catchUp(key, new Set(['news']))
 */
import type { Cache } from './cache'
import { type Core, sourceOfKey } from './core'
import { type Announcement, wireIdOfKey } from './frames'
import type { Limits } from './limits'
import type { BroadcastConfig } from './options'
import type { PeerKey } from './types'

/** Announces to `key` the recent messages of the topics in `asked`. */
export type CatchUp = (key: PeerKey, asked: ReadonlySet<string>) => void

/**
 * Creates the catch-up of new neighbours.
 * @param core - the router's shared state
 * @param cfg - broadcast settings (`catchUpMs`, `maxTopics`, `maxIdsPerFrame`, thresholds)
 * @param limits - scores
 * @param cache - the message cache
 * @returns the catch-up function
 */
export function createCatchUp(
  core: Core,
  cfg: Pick<BroadcastConfig, 'catchUpMs' | 'maxTopics' | 'maxIdsPerFrame' | 'scoreThresholds'>,
  limits: Limits,
  cache: Cache,
): CatchUp {
  const { conns, stats } = core
  const { score } = limits
  const th = cfg.scoreThresholds
  /**
   * Announces to a neighbour the messages of `asked` (topics) accepted in the last
   * `catchUpMs`: when it becomes active, for the topics it is known to subscribe to, and
   * when an active neighbour's subscription arrives, for that topic.
   */
  return function catchUp(key: PeerKey, asked: ReadonlySet<string>): void {
    let only = asked
    if (cfg.catchUpMs === 0 || cache.count() === 0 || only.size === 0 || score(key) < th.gossip)
      return
    const since = core.now - cfg.catchUpMs
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
        last.set(topic, core.now)
      }
      if (last.size > cfg.maxTopics) {
        for (const [topic, at] of last) if (at <= since) last.delete(topic)
      }
      if (due.size === 0) return
      only = due
    }
    const byTopic = new Map<string, Announcement[]>()
    cache.newestFirst(since, (entry) => {
      if (entry.envelope === undefined || entry.from === key) return
      if (!only.has(entry.topic)) return
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
    })
    for (const [topic, ids] of byTopic) {
      stats.ihavesSent++
      core.send(key, { kind: 'ihave', topic, ids: ids.reverse() })
    }
  }
}
