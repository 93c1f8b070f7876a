/**
 * The baselines' seen cache: message ids remembered for a fixed time. Entries are kept in
 * insertion order, which is expiry order because time only moves forward, so forgetting
 * old ids costs nothing per lookup beyond dropping the expired front.
 *
 * @example
 * const seen = createSeenCache(120_000)
 * seen.add(id, now); seen.has(id, now + 1) // true
 */

export interface SeenCache {
  has(id: string, now: number): boolean
  add(id: string, now: number): void
  readonly size: number
}

/**
 * Creates a seen cache.
 * @param ttlMs - how long an id is remembered
 * @returns the cache
 */
export function createSeenCache(ttlMs: number): SeenCache {
  const expiry = new Map<string, number>()
  const forget = (now: number): void => {
    for (const [id, until] of expiry) {
      if (until > now) break
      expiry.delete(id)
    }
  }
  return {
    has(id, now) {
      forget(now)
      return expiry.has(id)
    },
    add(id, now) {
      expiry.delete(id)
      expiry.set(id, now + ttlMs)
    },
    get size() {
      return expiry.size
    },
  }
}
