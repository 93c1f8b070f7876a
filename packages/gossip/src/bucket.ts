/**
 * Token buckets for per-peer rate limits, refilled from the time passed in with each
 * input (no clock inside).
 *
 * @example
 * const b = createBucket(100, now)
 * if (!take(b, 100, now)) report('rate')
 */

export interface Bucket {
  tokens: number
  at: number
}

/** A full bucket of `rate` tokens. */
export function createBucket(rate: number, now: number): Bucket {
  return { tokens: rate, at: now }
}

/**
 * Takes one token, refilling `rate` per second since the last call (burst `rate`).
 * @returns false when the bucket is empty (the call is over the limit)
 */
export function take(bucket: Bucket, rate: number, now: number): boolean {
  if (now > bucket.at) {
    bucket.tokens = Math.min(rate, bucket.tokens + ((now - bucket.at) * rate) / 1000)
    bucket.at = now
  }
  if (bucket.tokens < 1) return false
  bucket.tokens -= 1
  return true
}
