/**
 * Properties over arbitrary payloads and arbitrary damage: any single-bit change is refused,
 * a domain never opens another, refused input leaves guard and cache unchanged, the fast and
 * the general parser agree, and native and codec hashing give the same id.
 */
import { contentId, type Value } from '@peerkit/codec'
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { bodyId } from '../src/body-id'
import {
  countersign,
  createReplayGuard,
  createVerifyCache,
  envelopeId,
  isEnvelopeError,
  open,
  openMulti,
  seal,
} from '../src/index'
import { defaultParseLimits, parseEnvelope } from '../src/wire'
import { alice, bob, carol, flipBit, rules, T, thrown } from './fixtures/peers'

const RUNS = Number(process.env.PEERKIT_FC_RUNS ?? 60)

const { value } = fc.letrec<{ value: Value }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.maxSafeInteger(),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }),
    fc.string({ unit: 'grapheme', maxLength: 20 }),
    fc.uint8Array({ maxLength: 20 }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 6 }), tie('value'), { maxKeys: 4 }),
  ),
}))

const domain = fc.stringMatching(/^[\x21-\x7e]{1,24}$/)

const sealed = fc
  .record({
    payload: value,
    domain,
    skew: fc.integer({ min: -20_000, max: 20_000 }),
    expiresIn: fc.option(fc.integer({ min: 20_001, max: 10 ** 9 }), { nil: undefined }),
    nonce: fc.option(fc.uint8Array({ minLength: 1, maxLength: 64 }), { nil: undefined }),
    sequence: fc.option(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), { nil: undefined }),
    countersigners: fc.subarray([bob, carol]),
  })
  .map((input) => ({ ...input, timestamp: T + input.skew }))

async function make(input: {
  payload: Value
  domain: string
  timestamp: number
  expiresIn: number | undefined
  nonce: Uint8Array | undefined
  sequence: bigint | undefined
  countersigners: (typeof bob)[]
}): Promise<Uint8Array> {
  let bytes = await seal(alice, {
    domain: input.domain,
    payload: input.payload,
    timestamp: input.timestamp,
    expiresAt: input.expiresIn === undefined ? undefined : input.timestamp + input.expiresIn,
    nonce: input.nonce,
    sequence: input.sequence,
  })
  for (const signer of input.countersigners) bytes = await countersign(bytes, signer)
  return bytes
}

describe('properties', () => {
  test('a sealed envelope opens to its payload, signer and times', async () => {
    await fc.assert(
      fc.asyncProperty(sealed, async (input) => {
        const bytes = await make(input)
        const opened = open(bytes, { ...rules, domain: input.domain })
        expect(opened.signer.equals(alice.peerId)).toBe(true)
        expect(opened.timestamp).toBe(input.timestamp)
        expect(opened.payload).toEqual(normalize(input.payload))
        expect(opened.id.equals(envelopeId(bytes))).toBe(true)
        expect(opened.id.equals(envelopeId(bytes, { checkBody: false }))).toBe(true)
      }),
      { numRuns: RUNS },
    )
  })

  test('any single-bit change is refused', async () => {
    await fc.assert(
      fc.asyncProperty(sealed, fc.nat(), async (input, where) => {
        const bytes = await make(input)
        const damaged = flipBit(bytes, where % (bytes.length * 8))
        const error = thrown(() => open(damaged, { ...rules, domain: input.domain }))
        expect(isEnvelopeError(error)).toBe(true)
      }),
      { numRuns: RUNS * 2 },
    )
  })

  test('an envelope sealed for one domain never opens in another', async () => {
    await fc.assert(
      fc.asyncProperty(sealed, domain, async (input, other) => {
        fc.pre(other !== input.domain)
        const bytes = await make(input)
        const error = thrown(() => open(bytes, { ...rules, domain: other }))
        expect((error as Error).name).toBe('WrongDomainError')
      }),
      { numRuns: RUNS },
    )
  })

  test('refused input leaves the replay guard and the verify cache unchanged', async () => {
    const guard = createReplayGuard({ requireSequence: false })
    const cache = createVerifyCache()
    const primer = await seal(carol, { domain: 'primer/1', payload: 1, timestamp: T })
    open(primer, { ...rules, domain: 'primer/1', replayGuard: guard, cache })
    const damage = fc.oneof(
      fc.record({ kind: fc.constant('flip' as const), where: fc.nat() }),
      fc.record({ kind: fc.constant('truncate' as const), where: fc.nat() }),
      fc.record({ kind: fc.constant('domain' as const) }),
      fc.record({
        kind: fc.constant('late' as const),
        by: fc.integer({ min: 10 ** 6, max: 10 ** 10 }),
      }),
      fc.record({
        kind: fc.constant('early' as const),
        by: fc.integer({ min: 30_001, max: 10 ** 9 }),
      }),
      fc.record({ kind: fc.constant('replay' as const) }),
    )
    await fc.assert(
      fc.asyncProperty(sealed, damage, async (input, how) => {
        let bytes = await make(input)
        let options = { ...rules, domain: input.domain, replayGuard: guard, cache }
        if (how.kind === 'flip') bytes = flipBit(bytes, how.where % (bytes.length * 8))
        if (how.kind === 'truncate') bytes = bytes.subarray(0, how.where % bytes.length)
        if (how.kind === 'domain') options = { ...options, domain: `${input.domain}x` }
        if (how.kind === 'late')
          options = { ...options, now: input.timestamp + how.by, maxAgeMs: 10 ** 6 - 1 }
        if (how.kind === 'early') options = { ...options, now: input.timestamp - how.by }
        if (how.kind === 'replay') {
          // accepted once (if not already), then refused
          if (thrown(() => open(bytes, options)) !== undefined) return
        }
        const guardBefore = guard.toBytes()
        const cacheBefore = [...cache.keys()]
        const error = thrown(() => open(bytes, options))
        expect(isEnvelopeError(error)).toBe(true)
        expect(guard.toBytes()).toEqual(guardBefore)
        expect([...cache.keys()]).toEqual(cacheBefore)
      }),
      { numRuns: RUNS * 2 },
    )
  })

  test('the fast and the general parser agree on any input near a valid envelope', async () => {
    const limits = { ...defaultParseLimits, maxSignatures: 3 }
    await fc.assert(
      fc.asyncProperty(
        sealed,
        fc.array(fc.record({ where: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }), {
          maxLength: 3,
        }),
        fc.nat(),
        async (input, edits, cut) => {
          const bytes = (await make(input)).slice()
          for (const { where, byte } of edits) bytes[where % bytes.length] = byte
          const damaged = cut % 4 === 0 ? bytes.subarray(0, cut % bytes.length) : bytes
          const fast = outcome(() => parseEnvelope(damaged, limits))
          const general = outcome(() => parseEnvelope(damaged, limits, { general: true }))
          expect(fast).toEqual(general)
        },
      ),
      { numRuns: RUNS * 3 },
    )
  })

  test('arbitrary bytes and arbitrary CBOR values are refused with an envelope error, never a crash', async () => {
    const { encode } = await import('@peerkit/codec')
    const guard = createReplayGuard()
    const cache = createVerifyCache()
    const input = fc.oneof(
      fc.uint8Array({ maxLength: 600 }),
      value.map((v) => encode(v)),
      // near misses: the right outer shape around arbitrary items
      fc.tuple(value, value, value).map(([a, b, c]) => encode([1, a, b, c])),
      fc
        .tuple(value, fc.uint8Array({ minLength: 64, maxLength: 64 }))
        .map(([body, sig]) => encode([1, encode(body), sig, []])),
    )
    fc.assert(
      fc.property(input, (bytes) => {
        for (const run of [
          () => open(bytes, { ...rules, replayGuard: guard, cache }),
          () => envelopeId(bytes),
          () => openMulti(bytes, { ...rules, signers: [alice.peerId], threshold: 1 }),
        ]) {
          const error = thrown(run)
          expect((error as Error | undefined)?.name, String(error)).toMatch(/Error$/)
          expect(isEnvelopeError(error), String(error)).toBe(true)
        }
        expect(guard.size).toBe(0)
        expect(cache.size).toBe(0)
      }),
      { numRuns: RUNS * 5 },
    )
  })

  test('an id without the body check is the id of the body bytes, and the full id where there is one', async () => {
    const { decode, encode } = await import('@peerkit/codec')
    const input = fc.oneof(
      fc.uint8Array({ maxLength: 600 }),
      value.map((v) => encode(v)),
      // the right outer shape around a body that is not one
      fc
        .tuple(value, fc.uint8Array({ minLength: 64, maxLength: 64 }))
        .map(([body, sig]) => encode([1, encode(body), sig, []])),
      sealed,
    )
    const idOf = (bytes: Uint8Array, checkBody: boolean): string | undefined => {
      try {
        return envelopeId(bytes, { checkBody }).toString()
      } catch (error) {
        expect(isEnvelopeError(error), String(error)).toBe(true)
        return undefined
      }
    }
    await fc.assert(
      fc.asyncProperty(input, async (generated) => {
        const bytes = generated instanceof Uint8Array ? generated : await make(generated)
        const full = idOf(bytes, true)
        const shallow = idOf(bytes, false)
        if (full !== undefined) expect(shallow).toBe(full)
        if (shallow !== undefined) {
          const body = (decode(bytes) as Value[])[1] as Uint8Array
          expect(shallow).toBe(contentId(body).toString())
        }
      }),
      { numRuns: RUNS * 5 },
    )
    expect(() => envelopeId(new Uint8Array(4), { checkBody: 'no' as never })).toThrow(/checkBody/)
  })

  test('native hashing and the codec give the same id', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
        const ours = bodyId(bytes)
        const codecs = contentId(bytes)
        expect(ours.equals(codecs)).toBe(true)
        expect(codecs.equals(ours)).toBe(true)
        expect(ours.toString()).toBe(codecs.toString())
        expect(ours.bytes).toEqual(codecs.bytes)
        expect(ours.digest).toEqual(codecs.digest)
        expect([ours.hashCode, ours.hashName]).toEqual([codecs.hashCode, codecs.hashName])
      }),
      { numRuns: RUNS * 5 },
    )
  })
})

function outcome(fn: () => unknown): unknown {
  try {
    return { ok: fn() }
  } catch (error) {
    return { error: (error as Error).name }
  }
}

/** What a value decodes back to: maps as plain objects, safe bigints as numbers. */
function normalize(v: Value): Value {
  if (typeof v === 'bigint')
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(v)
      : v
  if (Array.isArray(v)) return v.map(normalize)
  if (v instanceof Uint8Array || v === null || typeof v !== 'object') return v
  const out: Record<string, Value> = {}
  for (const [key, inner] of v instanceof Map ? v : Object.entries(v)) {
    Object.defineProperty(out, key, {
      value: normalize(inner),
      enumerable: true,
      writable: true,
      configurable: true,
    })
  }
  return out
}

describe('the direct envelope writer', () => {
  test('writes what the general encoder writes, across every length form', async () => {
    const { encode } = await import('@peerkit/codec')
    const { encodeEnvelope } = await import('../src/wire')
    const signature = Uint8Array.from({ length: 64 }, (_, i) => i)
    for (const length of [0, 1, 23, 24, 25, 255, 256, 257, 65_535, 65_536, 70_000]) {
      const body = Uint8Array.from({ length }, (_, i) => i & 0xff)
      const direct = encodeEnvelope(body, [{ publicKey: alice.publicKey, signature }])
      expect(direct).toEqual(encode([1, body, signature, []]))
    }
  })
})
