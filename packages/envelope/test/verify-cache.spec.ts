import { describe, expect, test } from 'vitest'
import { createVerifyCache, envelopeId, open, seal, verifyCacheKey } from '../src/index'
import {
  alice,
  bodyMap,
  DOMAIN,
  errorName,
  rawBody,
  rawEnvelope,
  rules,
  signBody,
  T,
} from './fixtures/peers'

describe('verify cache', () => {
  test('remembers a verified signature; re-opening the same bytes consults it', async () => {
    const cache = createVerifyCache()
    const bytes = await seal(alice, { domain: DOMAIN, payload: 'gossip', timestamp: T })
    open(bytes, { ...rules, cache })
    expect(cache.size).toBe(1)
    const [key] = cache.keys()
    const signature = bytes.subarray(bytes.length - 65, bytes.length - 1)
    expect(key).toBe(verifyCacheKey(envelopeId(bytes).digest, alice.publicKey, signature))
    open(bytes, { ...rules, cache })
    expect(cache.size).toBe(1)
  })

  test('the key covers the signature: a forged signature on a cached body is still checked', async () => {
    const cache = createVerifyCache()
    const body = rawBody(bodyMap(alice, { p: 'cached body' }))
    const good = rawEnvelope([1, body, signBody(alice, body), []])
    open(good, { ...rules, cache })
    const forged = rawEnvelope([1, body, new Uint8Array(64).fill(7), []])
    expect(errorName(() => open(forged, { ...rules, cache }))).toBe('BadSignatureError')
    expect(cache.size).toBe(1)
  })

  test('an entry is trusted: the cache must only be filled by open (shown with a planted entry)', async () => {
    // this is why only open and countersign add to a cache, and only for verified signatures
    const cache = createVerifyCache()
    const body = rawBody(bodyMap(alice, { p: 'planted' }))
    const fake = new Uint8Array(64).fill(3)
    cache.add(
      verifyCacheKey(envelopeId(rawEnvelope([1, body, fake, []])).digest, alice.publicKey, fake),
    )
    expect(open(rawEnvelope([1, body, fake, []]), { ...rules, cache }).payload).toBe('planted')
  })

  test('is bounded, keeping recently used entries', () => {
    for (const maxEntries of [1, 2, 3, 7, 100]) {
      const cache = createVerifyCache({ maxEntries })
      for (let i = 0; i < 5 * maxEntries + 3; i++) {
        cache.add(`key-${i}`)
        expect(cache.size).toBeLessThanOrEqual(maxEntries)
        expect(cache.has(`key-${i}`)).toBe(true)
      }
    }
    const cache = createVerifyCache({ maxEntries: 4 })
    for (const key of ['a', 'b', 'c', 'd']) cache.add(key)
    cache.add('a') // used again: kept
    cache.add('e')
    cache.add('f')
    expect(cache.has('a')).toBe(true)
    expect(cache.has('b')).toBe(false)
    cache.clear()
    expect(cache.size).toBe(0)
  })

  test('one cache shared by many openers: same bytes, same verdict, each with its own rules', async () => {
    const cache = createVerifyCache()
    const bytes = await seal(alice, { domain: DOMAIN, payload: 'shared', timestamp: T })
    expect(open(bytes, { ...rules, cache }).payload).toBe('shared')
    // another node, another clock: the cached signature does not bypass its time or domain checks
    expect(errorName(() => open(bytes, { ...rules, now: T + 10 ** 9, cache }))).toBe('ExpiredError')
    expect(errorName(() => open(bytes, { ...rules, domain: 'other/1', cache }))).toBe(
      'WrongDomainError',
    )
  })

  test('options are checked', () => {
    expect(errorName(() => createVerifyCache({ maxEntries: 0 }))).toBe('InvalidArgumentError')
    expect(errorName(() => createVerifyCache({ maxEntries: 1.5 }))).toBe('InvalidArgumentError')
    expect(errorName(() => createVerifyCache(null as never))).toBe('InvalidArgumentError')
  })
})
