/**
 * The seen and message caches on their own: the message cache's bounds in entries and
 * bytes (oldest envelope out first), expiry of envelopes and of seen entries, and the
 * newest-first walk that catch-up reads.
 */
import { describe, expect, it } from 'vitest'
import { ACCEPTED, createCache } from '../src/cache'
import { createCore } from '../src/core'
import { type GossipInit, resolveInit } from '../src/options'
import { createGossipShare } from '../src/shared'
import { seededRandom, signerAt } from './helpers'

function cacheOf(init: GossipInit) {
  const cfg = resolveInit(init)
  const core = createCore(cfg, createGossipShare(), signerAt(0).peerId, seededRandom(1))
  return { core, cfg, cache: createCache(core, cfg) }
}

/** Marks message `i` accepted and caches an envelope of `bytes` bytes for it. */
function accept(cache: ReturnType<typeof cacheOf>['cache'], i: number, bytes = 10) {
  const entry = cache.mark(`m${i}`, ACCEPTED, 1, 'peer', 't', 'source')
  cache.store(entry, new Uint8Array(bytes).fill(i))
  return entry
}

describe('message cache', () => {
  it('keeps at most maxCachedMessages envelopes, dropping the oldest', () => {
    const { cache } = cacheOf({ maxCachedMessages: 3 })
    const entries = [0, 1, 2, 3, 4].map((i) => accept(cache, i))
    expect(cache.count()).toBe(3)
    expect(entries.map((e) => e.envelope !== undefined)).toEqual([false, false, true, true, true])
    // the seen entries stay: only their envelopes went
    expect(cache.seen.size).toBe(5)
    expect(cache.audit()).toEqual({ entries: 3, bytes: 30 })
  })

  it('keeps at most maxCachedBytes, and never an envelope larger than that', () => {
    const { cache } = cacheOf({ maxCachedBytes: 100 })
    const entries = [0, 1, 2].map((i) => accept(cache, i, 40))
    expect(entries.map((e) => e.envelope !== undefined)).toEqual([false, true, true])
    expect(cache.bytes()).toBe(80)
    const big = accept(cache, 9, 101)
    expect(big.envelope).toBeUndefined()
    expect(cache.bytes()).toBe(80)
    expect(cache.audit()).toEqual({ entries: 2, bytes: 80 })
  })

  it('keeps nothing when caching is off', () => {
    const { cache } = cacheOf({ maxCachedMessages: 0 })
    expect(accept(cache, 0).envelope).toBeUndefined()
    expect(cache.count()).toBe(0)
  })

  it('lets envelopes go after messageCacheMs and seen entries after the seen TTL', () => {
    const { core, cfg, cache } = cacheOf({ messageCacheMs: 1_000 })
    accept(cache, 0)
    core.now = 500
    accept(cache, 1)
    core.now = 1_000
    cache.expire()
    expect(cache.count()).toBe(1)
    expect(cache.seen.get('m0')?.envelope).toBeUndefined()
    expect(cache.seen.get('m1')?.envelope).toBeDefined()
    core.now = cfg.seenTtlMs
    cache.expire()
    expect([...cache.seen.keys()]).toEqual(['m1'])
    core.now = cfg.seenTtlMs + 500
    cache.expire()
    expect(cache.seen.size).toBe(0)
    expect(cache.audit()).toEqual({ entries: 0, bytes: 0 })
  })

  it('walks the messages accepted since a time, newest first', () => {
    const { core, cache } = cacheOf({})
    for (const i of [0, 1, 2, 3]) {
      core.now = i * 1_000
      accept(cache, i)
    }
    const seen: string[] = []
    cache.newestFirst(1_000, (entry) => seen.push(entry.key))
    expect(seen).toEqual(['m3', 'm2', 'm1'])
  })
})
