/**
 * Invariant checks of one router's state, for tests and simulations that call them after
 * every input (`@peerkit/gossip/invariants`). Each layer's promises: the views within
 * their sizes and apart, neighbours connected; every eager peer an active neighbour, no
 * peer both eager and lazy; every cache and queue within its bound. A check returns the
 * broken invariants by name (empty when all hold) and changes nothing. Whether active
 * views are symmetric is a property of a network of routers: the caller checks it, with
 * `activeView` of each.
 *
 * @example
 * const router = createCheckedGossip({}, { self, random })
 * router.handle(input)
 * expect(router.checkInvariants()).toEqual([])
 */

import { MAX_QUEUED_PER_DIAL } from './membership'
import type { GossipComponents, GossipInit } from './options'
import { MAX_ANNOUNCERS } from './repair'
import { buildRouter } from './router'
import type { State } from './state'
import type { Gossip } from './types'

/** A router that can check its own state. */
export interface CheckedGossip extends Gossip {
  /** @returns the invariants that do not hold, each as `name: detail` (empty when all hold) */
  checkInvariants(): string[]
  /** Whether the router has cut `peer` (a peer key) off for a graylisted score: no neighbour of it, by design. */
  hasCutOff(peer: string): boolean
}

/**
 * `createGossip`, with `checkInvariants`.
 * @param init - as for `createGossip`
 * @param components - as for `createGossip`
 * @returns the router
 * @throws {InvalidArgumentError} as `createGossip`
 */
export function createCheckedGossip(init: GossipInit, components: GossipComponents): CheckedGossip {
  const { router, state } = buildRouter(init, components)
  return {
    ...router,
    checkInvariants: () => checkState(state, router),
    hasCutOff: (peer) => state.limits.cut.has(peer),
  }
}

function checkState(state: State, router: Gossip): string[] {
  const problems: string[] = []
  const fail = (name: string, detail: string): void => {
    problems.push(`${name}: ${detail}`)
  }
  const { core, limits, membership, shuffle, cache, broadcast, repair, validation } = state
  const { cfg, conns, selfKey, selfSource } = core
  const { active, passive, dials } = membership

  // membership
  if (active.size > cfg.activeViewSize) fail('active-bound', `${active.size}`)
  if (passive.size > cfg.passiveViewSize) fail('passive-bound', `${passive.size}`)
  for (const key of active.keys()) {
    if (passive.has(key)) fail('views-apart', key)
    if (limits.cut.has(key)) fail('cut-out-of-views', key)
    const conn = conns.get(key)
    if (conn === undefined) fail('active-connected', key)
    else if (!conn.active) fail('active-flag', key)
  }
  for (const key of passive.keys()) if (limits.cut.has(key)) fail('cut-out-of-views', key)
  if (active.has(selfKey) || passive.has(selfKey)) fail('self-in-view', selfKey)
  for (const [key, conn] of conns) if (conn.active && !active.has(key)) fail('active-flag', key)
  let caused = 0
  for (const [key, dial] of dials) {
    if (dial.cause !== undefined) caused++
    if (dial.frames.length > MAX_QUEUED_PER_DIAL) fail('dial-queue-bound', key)
  }
  if (caused > cfg.maxPendingDials) fail('pending-dials-bound', `${caused}`)
  if (shuffle.peerData.size > shuffle.maxPeerData)
    fail('peer-data-bound', `${shuffle.peerData.size}`)

  // broadcast, per topic
  for (const [topic, t] of broadcast.topics) {
    if (t.used.size > cfg.maxSources) fail('sources-bound', `${topic} ${t.used.size}`)
    for (const [source, children] of t.trees) {
      if (!t.used.has(source)) fail('tree-source-used', topic)
      if (children.length === 0) fail('tree-not-empty', topic)
      if (new Set(children).size !== children.length) fail('tree-no-repeats', topic)
      for (const child of children)
        if (!active.has(child)) fail('eager-in-active', `${topic} ${child}`)
    }
    for (const source of t.parents.keys())
      if (!t.used.has(source)) fail('parent-source-used', topic)
    for (const source of t.misses.keys())
      if (!t.parents.has(source)) fail('misses-of-parent', topic)
    for (const [source, backup] of t.backups) {
      if (!t.parents.has(source)) fail('backup-of-parent', topic)
      if (t.parents.get(source) === backup) fail('backup-not-parent', `${topic} ${backup}`)
    }
    for (const child of t.trees.get(selfSource) ?? [])
      if (t.declined.has(child)) fail('eager-lazy-apart', `${topic} own tree ${child}`)
    const eager = new Set(router.eagerPeers(topic).map(String))
    for (const lazy of router.lazyPeers(topic)) {
      if (eager.has(lazy.toString())) fail('eager-lazy-apart', `${topic} ${lazy.toString()}`)
    }
    if (t.ihave.length > 0 && broadcast.flushAt() === undefined) fail('ihave-flush-due', topic)
  }

  // caches
  const audit = cache.audit()
  if (audit.entries !== cache.count() || audit.bytes !== cache.bytes())
    fail('cache-counts', `${audit.entries}/${cache.count()} ${audit.bytes}/${cache.bytes()}`)
  if (cache.count() > cfg.maxCachedMessages) fail('cache-entries-bound', `${cache.count()}`)
  if (cache.bytes() > cfg.maxCachedBytes) fail('cache-bytes-bound', `${cache.bytes()}`)
  let heard = 0
  for (const entry of cache.seen.values()) if (entry.from !== selfKey) heard++
  // the router's own messages are remembered past the bound: a publish is never refused for it
  if (heard > cfg.maxSeenEntries) fail('seen-bound', `${heard}`)

  // repair and validation
  if (repair.missing.size > cfg.maxMissing) fail('missing-bound', `${repair.missing.size}`)
  const queued = repair.audit()
  // each missing message has one request in force at most, and only a missing one has any
  if (queued.live > repair.missing.size) fail('requests-bound', `${queued.live}`)
  if (queued.stray > 0) fail('requests-of-missing', `${queued.stray}`)
  for (const [key, m] of repair.missing) {
    if (cache.seen.has(key)) fail('missing-unseen', key)
    if (m.announcers.length > MAX_ANNOUNCERS) fail('announcers-bound', key)
  }
  if (validation.pending.size > cfg.maxPendingValidations)
    fail('pending-bound', `${validation.pending.size}`)
  for (const [key, conn] of conns)
    if (conn.pending < 0 || conn.pending > cfg.maxPendingPerPeer) fail('peer-pending-bound', key)
  return problems
}
