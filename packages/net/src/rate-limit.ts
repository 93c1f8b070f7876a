/**
 * Token buckets: a per-peer inbound rate with a burst. A bucket refills continuously at its
 * rate up to its depth; taking more than it holds fails and takes nothing.
 *
 * @example
 * const bucket = createTokenBucket({ ratePerSecond: 1000, burst: 2000, now: clock.now() })
 * if (!bucket.take(1, clock.now())) closeForFlood()
 */

/** A token bucket. */
export interface TokenBucket {
  /** Takes `amount` tokens at time `now` (ms); returns false (taking none) when too few are left. */
  take(amount: number, now: number): boolean
}

/** Options of `createTokenBucket`. */
export interface TokenBucketInit {
  /** Tokens added per second. */
  readonly ratePerSecond: number
  /** The most tokens the bucket holds (it starts full). */
  readonly burst: number
  /** The time the bucket is made (ms). */
  readonly now: number
}

/**
 * Makes a full bucket.
 * @param init - rate, depth and the current time
 * @returns the bucket
 * @example const bytes = createTokenBucket({ ratePerSecond: 1 << 20, burst: 1 << 21, now: 0 })
 */
export function createTokenBucket(init: TokenBucketInit): TokenBucket {
  let tokens = init.burst
  let at = init.now
  const perMs = init.ratePerSecond / 1000
  return {
    take(amount, now) {
      if (now > at) {
        tokens = Math.min(init.burst, tokens + (now - at) * perMs)
        at = now
      }
      if (tokens < amount) return false
      tokens -= amount
      return true
    },
  }
}
