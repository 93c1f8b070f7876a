/**
 * The seen cache and the message cache of a router. Every message heard of has a seen
 * entry (its state, where it first came from, its hops) until `seenTtlMs`; an accepted
 * message also keeps its envelope in that entry for `messageCacheMs`, to answer GRAFT and
 * IWANT requests and to catch up new neighbours. The message cache is a queue over seen
 * entries, oldest first, bounded in entries and bytes: a message costs one entry.
 *
 * @example
 * const cache = createCache(core, cfg)
 * cache.store(cache.mark(key, ACCEPTED, hops, from, topic, source), envelope)
 * cache.expire() // each heartbeat
 */
import type { Core } from './core'
import type { CacheConfig } from './options'
import type { PeerKey } from './types'

export const ACCEPTED = 0
export const REJECTED = 1
export const IGNORED = 2
export const PENDING = 3
type SeenState = typeof ACCEPTED | typeof REJECTED | typeof IGNORED | typeof PENDING

export interface Seen {
  expires: number
  state: SeenState
  /** Hops the message travelled to us (for tree optimization). */
  hops: number
  /** The neighbour it first came from (our parent in the tree for it). */
  from: PeerKey
  topic: string
  /** The publisher's public key as a `sourceKeyOf` string (names its tree). */
  source: string
  /** The message itself while it is cached for answering requests (accepted messages only). */
  envelope: Uint8Array | undefined
  /** Until when the envelope is kept. */
  cachedUntil: number
  /** One entry per request answered, naming the peer (a handful at most). */
  answered: PeerKey[] | undefined
  /** Its key in the seen map (the message id's digest, from which catch-up rebuilds the id). */
  key: string
}

export interface Cache {
  /** Seen entries by message id key, oldest first. */
  readonly seen: ReadonlyMap<string, Seen>
  /** Envelopes cached. */
  count(): number
  /** Bytes of the envelopes cached. */
  bytes(): number
  /** Records a message as seen (replacing an entry of the same key). */
  mark(
    key: string,
    state: SeenState,
    hops: number,
    from: PeerKey,
    topic: string,
    source: string,
  ): Seen
  /** Keeps an accepted message's envelope in its seen entry, to answer requests. */
  store(entry: Seen, envelope: Uint8Array): void
  /**
   * Calls `visit` with the cached entries accepted since `since`, newest first (entries
   * whose envelope went are visited too).
   */
  newestFirst(since: number, visit: (entry: Seen) => void): void
  /** Heartbeat: forgets seen entries and envelopes past their time. */
  expire(): void
  /** The envelopes in the queue and their bytes, counted again (for invariant checks). */
  audit(): { entries: number; bytes: number }
}

/**
 * Creates the caches of a router.
 * @param core - the router's shared state
 * @param cfg - cache settings
 * @returns the caches, empty
 */
export function createCache(core: Core, cfg: CacheConfig): Cache {
  const seen = new Map<string, Seen>()
  /**
   * Seen entries holding an envelope, oldest first (from `cachedHead`): the message cache is
   * part of the seen map, so a message costs one entry; this queue only orders its expiry.
   */
  let cached: (Seen | undefined)[] = []
  let cachedHead = 0
  let cachedCount = 0
  let cachedBytes = 0

  /** Drops cached envelopes, oldest first: those expired by `until`, or just one when Infinity. */
  function uncache(until: number): void {
    const one = until === Number.POSITIVE_INFINITY
    while (cachedHead < cached.length) {
      const entry = cached[cachedHead]!
      if (!one && entry.cachedUntil > until) break
      cached[cachedHead++] = undefined
      // an entry may have left the seen map (or been replaced) since: its envelope goes all the same
      if (entry.envelope !== undefined) {
        cachedBytes -= entry.envelope.length
        entry.envelope = undefined
        entry.answered = undefined
        cachedCount--
        if (one) break
      }
    }
    if (cachedHead >= 32 && cachedHead * 2 > cached.length) {
      cached = cached.slice(cachedHead)
      cachedHead = 0
    }
  }

  return {
    seen,
    count: () => cachedCount,
    bytes: () => cachedBytes,
    mark(key, state, hops, from, topic, source) {
      const entry: Seen = {
        expires: core.now + cfg.seenTtlMs,
        state,
        hops,
        from,
        topic,
        source,
        envelope: undefined,
        cachedUntil: 0,
        answered: undefined,
        key,
      }
      seen.set(key, entry)
      return entry
    },
    store(entry, envelope) {
      if (cfg.maxCachedMessages === 0 || cfg.messageCacheMs === 0) return
      if (envelope.length > cfg.maxCachedBytes) return
      if (cachedCount >= cfg.maxCachedMessages) uncache(Number.POSITIVE_INFINITY)
      while (cachedCount > 0 && cachedBytes + envelope.length > cfg.maxCachedBytes)
        uncache(Number.POSITIVE_INFINITY)
      entry.envelope = envelope
      entry.cachedUntil = core.now + cfg.messageCacheMs
      cached.push(entry)
      cachedCount++
      cachedBytes += envelope.length
    },
    newestFirst(since, visit) {
      if (cachedCount === 0) return
      // the queue is in the order messages were accepted
      for (let i = cached.length - 1; i >= cachedHead; i--) {
        const entry = cached[i]
        if (entry === undefined) continue
        if (entry.cachedUntil - cfg.messageCacheMs < since) break
        visit(entry)
      }
    },
    expire() {
      for (const [key, m] of seen) {
        if (m.expires > core.now) break
        seen.delete(key)
      }
      uncache(core.now)
    },
    audit() {
      let entries = 0
      let bytes = 0
      for (let i = cachedHead; i < cached.length; i++) {
        const envelope = cached[i]?.envelope
        if (envelope === undefined) continue
        entries++
        bytes += envelope.length
      }
      return { entries, bytes }
    },
  }
}
