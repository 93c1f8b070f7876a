/**
 * The verify cache: remembers signatures that verified, so opening the same bytes again
 * (gossip delivers one message from several peers) costs a lookup instead of a signature
 * check. An entry is keyed by the body's digest, the public key and the signature: all of
 * what the verdict depends on, so a cache can be shared by any number of nodes in one
 * process (identical bytes get the identical verdict everywhere). Only valid signatures
 * are remembered, and only when the envelope is accepted; the least recently used entry
 * is dropped beyond `maxEntries` (approximately: the cache keeps two generations).
 *
 * @example
 * const cache = createVerifyCache({ maxEntries: 10_000 })
 * open(bytes, { ...rules, cache })
 * open(bytes, { ...rules, cache }) // no signature check this time
 */
import { assertObject, limitOption } from './assert'
import { byteKey } from './byte-key'
import { DEFAULT_CACHE_MAX_ENTRIES } from './constants'

/** Options of `createVerifyCache`. */
export interface VerifyCacheOptions {
  /** Most signatures remembered (default 8,192; about 270 bytes each). */
  maxEntries?: number | undefined
}

/** A bounded memory of verified signatures. */
export interface VerifyCache {
  /** Number of signatures remembered. */
  readonly size: number
  readonly maxEntries: number
  /** Whether the signature under `key` (from `verifyCacheKey`) is remembered. Changes nothing. */
  has(key: string): boolean
  /** Remembers (or refreshes) a verified signature. */
  add(key: string): void
  /** Forgets everything. */
  clear(): void
  /** The keys, older generation first (for diagnostics and tests). */
  keys(): IterableIterator<string>
}

/**
 * The cache key of one signature over one body.
 * @param digest - the body's sha2-256 digest (the envelope id's digest)
 * @param publicKey - the 32-byte key
 * @param signature - the 64-byte signature
 * @returns a 128-character string
 * @example cache.has(verifyCacheKey(id.digest, publicKey, signature))
 */
export function verifyCacheKey(
  digest: Uint8Array,
  publicKey: Uint8Array,
  signature: Uint8Array,
): string {
  return byteKey(digest) + byteKey(publicKey) + byteKey(signature)
}

/**
 * Creates a verify cache.
 * @param options - `maxEntries` (default 8,192)
 * @returns an empty cache
 * @throws {InvalidArgumentError} when `maxEntries` is not a positive integer
 * @example
 * const cache = createVerifyCache()
 * const opened = open(bytes, { domain, now, maxSkewMs, maxAgeMs, cache })
 */
export function createVerifyCache(options: VerifyCacheOptions = {}): VerifyCache {
  assertObject(options, 'options')
  const maxEntries = limitOption(
    options.maxEntries,
    'options.maxEntries',
    DEFAULT_CACHE_MAX_ENTRIES,
  )
  // Two generations: new keys go to `young`; when it holds half the bound, it becomes `old`
  // and the previous `old` is dropped. A key used again while old moves back to `young`.
  // One set operation per add (a strict LRU list costs a delete and a re-insert), and the
  // entries ever held stay within `maxEntries`.
  const oldMax = Math.floor(maxEntries / 2)
  const youngMax = maxEntries - oldMax
  let young = new Set<string>()
  let old = new Set<string>()
  return {
    get size() {
      return young.size + old.size
    },
    maxEntries,
    has(key) {
      return young.has(key) || old.has(key)
    },
    add(key) {
      if (young.has(key)) return
      if (old.has(key)) old.delete(key)
      if (young.size >= youngMax) {
        old = young
        young = new Set()
        // young may hold one more than old may (odd bounds); drop the oldest of it
        if (oldMax === 0) old = new Set()
        else if (old.size > oldMax) old.delete(old.keys().next().value as string)
      }
      young.add(key)
    },
    clear() {
      young.clear()
      old.clear()
    },
    *keys() {
      yield* old.keys()
      yield* young.keys()
    },
  }
}
