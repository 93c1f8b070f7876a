/**
 * Every kind of bad input gets its own typed error, and leaves the replay guard and the
 * verify cache exactly as they were.
 */
import { encode, type Value } from '@peerkit/codec'
import { describe, expect, test } from 'vitest'
import {
  createReplayGuard,
  createVerifyCache,
  type OpenOptions,
  open,
  openMulti,
  type ReplayGuard,
  seal,
  type VerifyCache,
} from '../src/index'
import {
  alice,
  bob,
  bodyMap,
  carol,
  DOMAIN,
  mallory,
  rawBody,
  rawEnvelope,
  rules,
  signBody,
  signedEnvelope,
  T,
  thrown,
} from './fixtures/peers'

/** Opens with a primed guard and cache; asserts the error and that neither changed. */
function expectRefused(
  bytes: Uint8Array,
  name: string,
  extra: Partial<OpenOptions> = {},
): Record<string, unknown> {
  const { guard, cache } = primed
  const guardBefore = guard.toBytes()
  const cacheBefore = [...cache.keys()]
  const error = thrown(() =>
    open(bytes, { ...rules, replayGuard: guard, cache, ...extra }),
  ) as Record<string, unknown>
  expect(error?.name).toBe(name)
  expect(guard.toBytes()).toEqual(guardBefore)
  expect([...cache.keys()]).toEqual(cacheBefore)
  return error
}

let sealed: Uint8Array
const primed: { guard: ReplayGuard; cache: VerifyCache } = {
  guard: createReplayGuard(),
  cache: createVerifyCache(),
}

// a guard and a cache with something in them, so "unchanged" is not trivially true
const warmup = (async () => {
  sealed = await seal(alice, { domain: DOMAIN, payload: { text: 'hello' }, timestamp: T })
  const other = await seal(carol, { domain: DOMAIN, payload: 'primer', timestamp: T - 1 })
  open(other, { ...rules, replayGuard: primed.guard, cache: primed.cache })
})()

describe('bad input is refused with its own error', () => {
  test('truncated', async () => {
    await warmup
    for (const length of [0, 1, 2, 3, 10, sealed.length - 1]) {
      expectRefused(sealed.subarray(0, length), 'MalformedEnvelopeError')
    }
  })

  test('trailing bytes', async () => {
    await warmup
    const longer = new Uint8Array(sealed.length + 1)
    longer.set(sealed)
    expectRefused(longer, 'MalformedEnvelopeError')
  })

  test('oversized: refused before it is read', async () => {
    await warmup
    const big = new Uint8Array(64 * 1024 + 1)
    big.set(sealed)
    const error = expectRefused(big, 'LimitExceededError')
    expect(error.limit).toBe('maxBytes')
    expect(expectRefused(sealed, 'LimitExceededError', { maxBytes: sealed.length - 1 }).limit).toBe(
      'maxBytes',
    )
  })

  test('not an array, or the wrong shape', async () => {
    await warmup
    const body = rawBody(bodyMap(alice))
    const sig = signBody(alice, body)
    expectRefused(encode({ v: 1 }), 'MalformedEnvelopeError')
    expectRefused(rawEnvelope([1, body, sig]), 'MalformedEnvelopeError')
    expectRefused(rawEnvelope([1, body, sig, [], []]), 'MalformedEnvelopeError')
    expectRefused(rawEnvelope([1, 'body' as Value, sig, []]), 'MalformedEnvelopeError')
    expectRefused(rawEnvelope([1, body, sig.subarray(0, 63), []]), 'MalformedEnvelopeError')
    expectRefused(rawEnvelope([1, body, sig, {}]), 'MalformedEnvelopeError')
    expectRefused(rawEnvelope([1, body, sig, [[alice.publicKey]]]), 'MalformedEnvelopeError')
    expectRefused(
      rawEnvelope([1, body, sig, [[new Uint8Array(31), sig]]]),
      'MalformedEnvelopeError',
    )
    expectRefused(rawEnvelope([1, body, sig, [[[[1]]]]]), 'MalformedEnvelopeError')
    expectRefused(rawEnvelope(['1', body, sig, []]), 'MalformedEnvelopeError')
  })

  test('non-canonical: a longer length form, an indefinite array', async () => {
    await warmup
    // the body's length (one byte, 0x58 n) re-written in the two-byte form (0x59 0 n)
    expect(sealed[2]).toBe(0x58)
    const longForm = new Uint8Array(sealed.length + 1)
    longForm.set(sealed.subarray(0, 2))
    longForm[2] = 0x59
    longForm[3] = 0
    longForm.set(sealed.subarray(3), 4)
    expectRefused(longForm, 'MalformedEnvelopeError')
    // an indefinite-length outer array
    const indefinite = new Uint8Array(sealed.length + 1)
    indefinite.set(sealed)
    indefinite[0] = 0x9f
    indefinite[sealed.length] = 0xff
    expectRefused(indefinite, 'MalformedEnvelopeError')
  })

  test('non-canonical body: keys out of order, though properly signed', async () => {
    await warmup
    // hand-written map {t, d, k, p} (not in canonical key order), then signed
    const parts = [
      encode('t'),
      encode(T),
      encode('d'),
      encode(DOMAIN),
      encode('k'),
      encode(alice.publicKey),
      encode('p'),
      encode(1),
    ]
    const body = new Uint8Array([0xa4, ...parts.flatMap((p) => [...p])])
    expectRefused(signedEnvelope(alice, body), 'MalformedEnvelopeError')
  })

  test('bad body fields, though properly signed', async () => {
    await warmup
    const bad: Record<string, Value | undefined>[] = [
      { x: 1 }, // unknown field
      { d: undefined }, // missing domain
      { k: undefined },
      { t: undefined },
      { p: undefined },
      { d: 'two words' },
      { d: 7 },
      { k: new Uint8Array(33) },
      { t: -1 },
      { t: 2n ** 60n },
      { e: T }, // expiry not after the timestamp
      { e: 'soon' },
      { n: new Uint8Array() },
      { n: new Uint8Array(65) },
      { s: -5 },
      { s: 'one' },
    ]
    for (const override of bad)
      expectRefused(
        signedEnvelope(alice, rawBody(bodyMap(alice, override))),
        'MalformedEnvelopeError',
      )
    expectRefused(signedEnvelope(alice, encode([1, 2])), 'MalformedEnvelopeError')
    expectRefused(signedEnvelope(alice, encode('body')), 'MalformedEnvelopeError')
    expectRefused(signedEnvelope(alice, new Uint8Array([0xf9, 0, 0])), 'MalformedEnvelopeError')
  })

  test('wrong version, even when the rest is unreadable', async () => {
    await warmup
    const v2 = sealed.slice()
    v2[1] = 2
    expect(expectRefused(v2, 'UnsupportedVersionError').version).toBe(2)
    expect(
      expectRefused(new Uint8Array([0x83, 0x00, 0xff]), 'UnsupportedVersionError').version,
    ).toBe(0)
    expect(
      expectRefused(new Uint8Array([0x82, 0x18, 0xc8]), 'UnsupportedVersionError').version,
    ).toBe(200)
    const huge = new Uint8Array([0x81, 0x1b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])
    expect(expectRefused(huge, 'UnsupportedVersionError').version).toBe(2n ** 64n - 1n)
    expectRefused(new Uint8Array([0x84, 0x1b, 0xff]), 'MalformedEnvelopeError')
  })

  test('wrong domain', async () => {
    await warmup
    const error = expectRefused(sealed, 'WrongDomainError', { domain: 'peerkit/other/1' })
    expect(error.expected).toBe('peerkit/other/1')
    expect(error.actual).toBe(DOMAIN)
    // no prefix, case or version games
    expectRefused(sealed, 'WrongDomainError', { domain: 'peerkit/test/10' })
    expectRefused(sealed, 'WrongDomainError', { domain: 'PEERKIT/TEST/1' })
  })

  test('future-dated beyond the skew', async () => {
    await warmup
    // stamped T: acceptable from T - 30_000 on, not before
    expect(open(sealed, { ...rules, now: T - 30_000 }).timestamp).toBe(T)
    expectRefused(sealed, 'NotYetValidError', { now: T - 30_001 })
    expectRefused(sealed, 'NotYetValidError', { now: T - 1, maxSkewMs: 0 })
    expect(open(sealed, { ...rules, now: 0, maxSkewMs: Number.POSITIVE_INFINITY }).timestamp).toBe(
      T,
    )
  })

  test('expired: by its own expiry, or older than maxAgeMs', async () => {
    await warmup
    const expiring = await seal(alice, {
      domain: DOMAIN,
      payload: 1,
      timestamp: T,
      expiresAt: T + 100,
    })
    expect(open(expiring, { ...rules, now: T + 99 }).expiresAt).toBe(T + 100)
    expect(expectRefused(expiring, 'ExpiredError', { now: T + 100 }).reason).toBe('expires-at')
    // stamped T, maxAgeMs 600_000: acceptable up to T + 600_000
    expect(open(sealed, { ...rules, now: T + 600_000 }).timestamp).toBe(T)
    expect(expectRefused(sealed, 'ExpiredError', { now: T + 600_001 }).reason).toBe('max-age')
    // an unbounded age still honours the envelope's own expiry
    expect(
      open(sealed, { ...rules, now: T + 10 ** 12, maxAgeMs: Number.POSITIVE_INFINITY }).timestamp,
    ).toBe(T)
    expectRefused(expiring, 'ExpiredError', {
      now: T + 10 ** 12,
      maxAgeMs: Number.POSITIVE_INFINITY,
    })
  })

  test('replayed', async () => {
    await warmup
    const once = await seal(alice, { domain: DOMAIN, payload: 'once', timestamp: T })
    open(once, { ...rules, replayGuard: primed.guard, cache: primed.cache })
    expect(expectRefused(once, 'ReplayError').reason).toBe('duplicate')
    // still refused at the very end of the window, and later by age
    expectRefused(once, 'ReplayError', { now: T + 600_000 })
    expectRefused(once, 'ExpiredError', { now: T + 600_001 })
  })

  test('re-signed by another key', async () => {
    await warmup
    // mallory signs alice's body: the body names alice, the signature is mallory's
    const body = rawBody(bodyMap(alice, { p: 'pay mallory' }))
    const forged = rawEnvelope([1, body, signBody(mallory, body), []])
    expect(expectRefused(forged, 'BadSignatureError').index).toBe(0)
  })

  test('signature swapped from another envelope of the same signer', async () => {
    await warmup
    const other = await seal(alice, { domain: DOMAIN, payload: 'other', timestamp: T })
    const body = rawBody(bodyMap(alice, { p: 'swapped' }))
    const otherSignature = (await import('@peerkit/codec')).decode(other) as Uint8Array[]
    expectRefused(rawEnvelope([1, body, otherSignature[2]!, []]), 'BadSignatureError')
  })

  test('a signature over the body without the signing prefix', async () => {
    await warmup
    const body = rawBody(bodyMap(alice, { p: 'no prefix' }))
    expectRefused(rawEnvelope([1, body, alice.signSync(body), []]), 'BadSignatureError')
  })

  test('a signature with S not below the group order (malleability) is refused', async () => {
    await warmup
    const body = rawBody(bodyMap(alice, { p: 'malleable' }))
    const signature = signBody(alice, body)
    // S + L: the same point equation, a different encoding
    const L = 2n ** 252n + 27742317777372353535851937790883648493n
    let s = 0n
    for (let i = 31; i >= 0; i--) s = (s << 8n) | BigInt(signature[32 + i]!)
    let t = s + L
    const malleated = signature.slice()
    for (let i = 0; i < 32; i++) {
      malleated[32 + i] = Number(t & 0xffn)
      t >>= 8n
    }
    expect(open(rawEnvelope([1, body, signature, []]), rules).payload).toBe('malleable')
    expectRefused(rawEnvelope([1, body, malleated, []]), 'BadSignatureError')
  })

  test('an invalid public key in the body', async () => {
    await warmup
    // the identity point: small order, refused by the verification rule
    const small = new Uint8Array(32)
    small[0] = 1
    const body = rawBody(bodyMap(alice, { k: small }))
    expectRefused(rawEnvelope([1, body, signBody(alice, body), []]), 'BadSignatureError')
  })

  test('a bad countersignature fails open too', async () => {
    await warmup
    const body = rawBody(bodyMap(alice, { p: 'countersigned' }))
    const good = signedEnvelope(alice, body, [bob])
    expect(open(good, rules).payload).toBe('countersigned')
    const badCounter = rawEnvelope([
      1,
      body,
      signBody(alice, body),
      [[bob.publicKey, signBody(carol, body)]],
    ])
    expect(expectRefused(badCounter, 'BadSignatureError').index).toBe(1)
  })

  test('countersignatures out of order, repeated, or by the signer', async () => {
    await warmup
    const body = rawBody(bodyMap(alice, { p: 'order' }))
    const sig = signBody(alice, body)
    const [first, second] = [bob, carol].sort((x, y) =>
      Buffer.compare(Buffer.from(x.publicKey), Buffer.from(y.publicKey)),
    )
    const pair = (s: typeof bob): Value => [s.publicKey, signBody(s, body)]
    expect(open(rawEnvelope([1, body, sig, [pair(first!), pair(second!)]]), rules).payload).toBe(
      'order',
    )
    expectRefused(
      rawEnvelope([1, body, sig, [pair(second!), pair(first!)]]),
      'MalformedEnvelopeError',
    )
    expectRefused(rawEnvelope([1, body, sig, [pair(bob), pair(bob)]]), 'MalformedEnvelopeError')
    expectRefused(rawEnvelope([1, body, sig, [pair(alice)]]), 'MalformedEnvelopeError')
  })

  test('too many signatures', async () => {
    await warmup
    const body = rawBody(bodyMap(alice, { p: 'crowd' }))
    const envelope = signedEnvelope(alice, body, [bob, carol])
    expect(expectRefused(envelope, 'LimitExceededError', { maxSignatures: 2 }).limit).toBe(
      'maxSignatures',
    )
    expect(open(envelope, { ...rules, maxSignatures: 3 }).payload).toBe('crowd')
    // an array head announcing 20 countersignatures is refused before any of them is read
    const head = new Uint8Array([
      0x84,
      0x01,
      0x41,
      0x00,
      0x58,
      0x40,
      ...new Uint8Array(64),
      0x94,
      ...new Uint8Array(40),
    ])
    expect(expectRefused(head, 'LimitExceededError').limit).toBe('maxSignatures')
    // one announcing 2^32 - 1 of them cannot even fit the input: truncated
    const huge = new Uint8Array([
      0x84,
      0x01,
      0x41,
      0x00,
      0x58,
      0x40,
      ...new Uint8Array(64),
      0x9a,
      0xff,
      0xff,
      0xff,
      0xff,
    ])
    expectRefused(huge, 'MalformedEnvelopeError')
  })

  test('payload nested deeper than maxDepth', async () => {
    await warmup
    let deep: Value = 1
    for (let i = 0; i < 10; i++) deep = [deep]
    const bytes = await seal(alice, { domain: DOMAIN, payload: deep, timestamp: T })
    expect(expectRefused(bytes, 'LimitExceededError', { maxDepth: 9 }).limit).toBe('maxDepth')
    expect(open(bytes, { ...rules, maxDepth: 10 }).payload).toEqual(deep)
  })

  test('openMulti refuses too few listed signers without verifying', async () => {
    await warmup
    const body = rawBody(bodyMap(alice, { p: 'multi' }))
    // a forged countersignature: the threshold check comes first and reports what is missing
    const envelope = rawEnvelope([
      1,
      body,
      signBody(alice, body),
      [[bob.publicKey, new Uint8Array(64)]],
    ])
    const { guard, cache } = primed
    const before = guard.toBytes()
    const error = thrown(() =>
      openMulti(envelope, {
        ...rules,
        signers: [alice.peerId, carol.peerId],
        threshold: 2,
        replayGuard: guard,
        cache,
      }),
    ) as { name: string; found: number }
    expect(error.name).toBe('InsufficientSignaturesError')
    expect(error.found).toBe(1)
    expect(guard.toBytes()).toEqual(before)
    const bad = thrown(() =>
      openMulti(envelope, { ...rules, signers: [alice.peerId, bob.peerId], threshold: 2 }),
    ) as {
      name: string
    }
    expect(bad.name).toBe('BadSignatureError')
  })
})
