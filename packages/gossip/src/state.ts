/**
 * The composition of a router's layers: the shared core, limits and scoring, membership
 * (views and shuffles) and broadcast (caches, trees, repair, validation), wired to each
 * other; the heartbeat that runs each layer's periodic work in a fixed order; the topic
 * inputs; and the read-only views of the state (introspection, `stateDigest`). `router.ts`
 * decodes inputs into calls on these layers and merges their wake times.
 *
 * @example
 * const state = createState(cfg, share, components)
 * state.subscribe('news')
 * if (state.core.now >= state.nextHeartbeat()) state.heartbeat()
 */
import { contentId, contentIdFromString, encode, type Value } from '@peerkit/codec'
import type { PeerId } from '@peerkit/identity'
import { type Broadcast, createBroadcast } from './broadcast'
import { type Cache, createCache } from './cache'
import { type Core, createCore } from './core'
import { InvalidArgumentError } from './errors'
import { idKeyOf } from './frames'
import { createLimits, type Limits } from './limits'
import { createMembership, type Membership } from './membership'
import type { GossipComponents, ResolvedInit } from './options'
import { createRepair, type Repair } from './repair'
import { createPenaltyScore } from './score'
import type { GossipShare } from './shared'
import { createShuffle, type Shuffle } from './shuffle'
import { assertTopic } from './topic'
import type { Gossip, PeerKey } from './types'
import { createValidation, type Validation } from './validation'

/** A router's layers, wired. */
export interface State {
  readonly core: Core
  readonly limits: Limits
  readonly membership: Membership
  readonly shuffle: Shuffle
  readonly cache: Cache
  readonly broadcast: Broadcast
  readonly repair: Repair
  readonly validation: Validation
  /** Sets the timers at the first input (spreading the heartbeats of routers started together). */
  start(): void
  /** When the next heartbeat is due. */
  nextHeartbeat(): number
  /** Each layer's periodic work, in order. */
  heartbeat(): void
  /** @throws {InvalidTopicError | InvalidArgumentError} for a bad name, or one topic too many */
  subscribe(topic: string): void
  /** @throws {InvalidTopicError} for a bad name */
  unsubscribe(topic: string): void
  /** The read-only part of the router's interface. */
  inspect(): Omit<Gossip, 'self' | 'handle'>
}

/**
 * Creates and wires a router's layers.
 * @param cfg - the resolved settings
 * @param share - the router's share
 * @param components - checked components (`self`, `random`, hooks)
 * @returns the state, empty
 */
export function createState(
  cfg: ResolvedInit,
  share: GossipShare,
  components: GossipComponents,
): State {
  const core = createCore(cfg, share, components.self, components.random)
  const { conns, stats, sourceKeyOf } = core
  const hook = components.scoreHook ?? createPenaltyScore()
  const th = cfg.scoreThresholds
  let nextHeartbeat = 0

  // the layers reach the ones made after them through these arrows, called only later
  const limits = createLimits(core, cfg, hook, {
    knownPeer: (key) => membership.active.get(key) ?? membership.passive.get(key),
    evict: (key) => membership.evict(key),
  })
  const membership: Membership = createMembership(core, cfg, limits, {
    learnData: (peer, data) => shuffle.learnData(peer, data),
    localData: () => shuffle.localData(),
    forgetData: (key) => shuffle.forgetData(key),
    topicNames: () => [...broadcast.topics.keys()],
    unlink(key) {
      for (const topic of broadcast.topics.keys()) broadcast.unlinkTopic(topic, key)
    },
    catchUp: (key, topics) => broadcast.catchUp(key, topics),
  })
  const shuffle = createShuffle(core, cfg, limits, membership)
  const cache = createCache(core, cfg)
  const broadcast: Broadcast = createBroadcast(core, cfg, limits, membership, cache)
  const repair = createRepair(core, cfg, limits, membership, cache, broadcast)
  const validation = createValidation(core, cfg, limits, cache, broadcast, repair, {
    validate: components.validate,
    verifyCache: components.verifyCache,
  })
  const { active, passive } = membership
  const { topics } = broadcast

  /** Peers whose score fell: out of the trees, or cut off. */
  function rescore(): void {
    for (const key of [...active.keys()]) {
      const s = limits.score(key)
      if (s < th.graylist) limits.cutOff(key)
      else if (s < th.graft) {
        for (const [topic, t] of topics) {
          let child = false
          for (const children of t.trees.values()) if (children.includes(key)) child = true
          if (child) {
            broadcast.unlinkTopic(topic, key)
            broadcast.prune(topic, key, 'score', [])
          }
        }
      }
    }
  }

  const keysOf = (set: Iterable<PeerKey>): PeerId[] => {
    const result: PeerId[] = []
    for (const key of set) {
      const peer = active.get(key) ?? conns.get(key)?.peer
      if (peer !== undefined) result.push(peer)
    }
    return result
  }

  function stateDigest(): string {
    const sorted = (items: Iterable<string>): string[] => [...items].sort()
    const { seen } = cache
    const { missing } = repair
    const { peerData } = shuffle
    const localData = shuffle.localData()
    const state: Value = [
      sorted(conns.keys()).map((k) => [k, sorted(conns.get(k)!.topics)]),
      sorted(active.keys()),
      sorted(passive.keys()),
      sorted(membership.dials.keys()),
      sorted(membership.neighborRequests.keys()),
      sorted(topics.keys()).map((k) => {
        const t = topics.get(k)!
        return [
          k,
          sorted(t.trees.keys()).map((s) => [s, sorted(t.trees.get(s)!)]),
          sorted(t.parents.keys()).map((s) => [s, t.parents.get(s)!]),
          sorted(t.declined),
          t.ihave.map((e) => e.entry.id.key),
        ]
      }),
      sorted(seen.keys()).map((k) => [k, seen.get(k)!.state, seen.get(k)!.from]),
      sorted([...seen].flatMap(([k, e]) => (e.envelope === undefined ? [] : [k]))),
      sorted(missing.keys()).map((k) => [k, missing.get(k)!.announcers]),
      sorted(validation.pending.keys()),
      sorted(broadcast.graftBackoff.keys()),
      sorted(broadcast.prunedUntil.keys()),
      [...limits.cut].sort(),
      sorted(peerData.keys()).map((k) => [k, peerData.get(k)!]),
      localData ?? null,
    ]
    return contentId(encode(state)).toString()
  }

  return {
    core,
    limits,
    membership,
    shuffle,
    cache,
    broadcast,
    repair,
    validation,

    start() {
      nextHeartbeat = core.now + Math.floor(core.random() * cfg.heartbeatIntervalMs) + 1
      shuffle.start()
      membership.start()
    },

    nextHeartbeat: () => nextHeartbeat,

    heartbeat() {
      nextHeartbeat = core.now + cfg.heartbeatIntervalMs
      membership.beginRound()
      cache.expire()
      broadcast.expire()
      validation.expire()
      membership.expire()
      shuffle.expire()
      rescore()
      membership.closeIdle()
      membership.ensureActive()
      shuffle.maybeShuffle()
      membership.maybeSwap()
    },

    subscribe(topic) {
      assertTopic(topic)
      if (topics.has(topic)) return
      if (topics.size >= cfg.maxTopics)
        throw new InvalidArgumentError('input.topic', `more than ${cfg.maxTopics} topics`)
      broadcast.subscribe(topic)
      for (const key of active.keys()) {
        core.send(key, { kind: 'subscriptions', subscribe: true, topics: [topic] })
      }
    },

    unsubscribe(topic) {
      assertTopic(topic)
      if (!broadcast.unsubscribe(topic)) return
      validation.dropTopic(topic)
      for (const key of active.keys())
        core.send(key, { kind: 'subscriptions', subscribe: false, topics: [topic] })
    },

    inspect: () => ({
      activeView: () => [...active.values()],
      passiveView: () => [...passive.values()],
      topics: () => [...topics.keys()],
      eagerPeers: (topic, source) => keysOf(broadcast.eagerKeys(topic, source)),
      lazyPeers(topic, source) {
        const eager = new Set(broadcast.eagerKeys(topic, source))
        return keysOf(
          topics.has(topic)
            ? broadcast
                .topicPeers(topic)
                .map((c) => c.key)
                .filter((k) => !eager.has(k))
            : [],
        )
      },
      parent(topic, source) {
        const key = topics.get(topic)?.parents.get(sourceKeyOf(source.publicKey))
        return key === undefined ? undefined : (active.get(key) ?? conns.get(key)?.peer)
      },
      peerTopics: (peer) => [...(conns.get(peer.toString())?.topics ?? [])],
      peerData: (peer) => shuffle.peerData.get(peer.toString()),
      hasSeen(messageId) {
        try {
          return cache.seen.has(idKeyOf(contentIdFromString(messageId).bytes))
        } catch {
          return false
        }
      },
      stats: () => ({
        ...stats,
        seenSize: cache.seen.size,
        cachedMessages: cache.count(),
        pendingValidations: validation.pending.size,
      }),
      stateDigest,
    }),
  }
}
