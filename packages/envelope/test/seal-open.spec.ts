import { contentId, decode, encode } from '@peerkit/codec'
import { describe, expect, test } from 'vitest'
import { createReplayGuard, envelopeId, open, seal } from '../src/index'
import { alice, bob, DOMAIN, errorName, rules, T, thrown } from './fixtures/peers'

describe('seal and open', () => {
  test('a sealed payload opens with its signer, times and id', async () => {
    const payload = {
      text: 'hello',
      n: 42,
      big: 2n ** 60n,
      raw: new Uint8Array([1, 2, 3]),
      list: [null, true],
    }
    const bytes = await seal(alice, { domain: DOMAIN, payload, timestamp: T, expiresAt: T + 1000 })
    const opened = open(bytes, rules)
    expect(opened.signer.equals(alice.peerId)).toBe(true)
    expect(opened.payload).toEqual(payload)
    expect(opened.timestamp).toBe(T)
    expect(opened.expiresAt).toBe(T + 1000)
    expect(opened.domain).toBe(DOMAIN)
    expect(opened.nonce).toBeUndefined()
    expect(opened.sequence).toBeUndefined()
    expect(opened.id.equals(envelopeId(bytes))).toBe(true)
  })

  test('the id is the content id of the canonical body bytes', async () => {
    const bytes = await seal(alice, { domain: DOMAIN, payload: 'x', timestamp: T })
    const body = (decode(bytes) as Uint8Array[])[1]!
    expect(envelopeId(bytes).equals(contentId(body))).toBe(true)
    expect(contentId(decode(body)).equals(envelopeId(bytes))).toBe(true)
  })

  test('sealing is deterministic: same statement, same bytes, same id on every peer', async () => {
    const input = { domain: DOMAIN, payload: { a: 1, b: [1, 2] }, timestamp: T }
    const one = await seal(alice, input)
    const two = await seal(alice, {
      ...input,
      payload: new Map<string, never>([
        ['b', [1, 2] as never],
        ['a', 1 as never],
      ]),
    })
    expect(two).toEqual(one)
  })

  test('a nonce or a sequence number makes otherwise identical statements distinct', async () => {
    const base = { domain: DOMAIN, payload: 'same', timestamp: T }
    const plain = envelopeId(await seal(alice, base))
    const a = envelopeId(await seal(alice, { ...base, nonce: new Uint8Array([1]) }))
    const b = envelopeId(await seal(alice, { ...base, nonce: new Uint8Array([2]) }))
    const s = envelopeId(await seal(alice, { ...base, sequence: 7 }))
    const ids = new Set([plain, a, b, s].map(String))
    expect(ids.size).toBe(4)
  })

  test('nonce and sequence come back; a small bigint sequence is one integer', async () => {
    const bytes = await seal(alice, {
      domain: DOMAIN,
      payload: 1,
      timestamp: T,
      nonce: new Uint8Array([9, 9]),
      sequence: 5n,
    })
    const opened = open(bytes, rules)
    expect(opened.nonce).toEqual(new Uint8Array([9, 9]))
    expect(opened.sequence).toBe(5)
    expect(
      await seal(alice, {
        domain: DOMAIN,
        payload: 1,
        timestamp: T,
        nonce: new Uint8Array([9, 9]),
        sequence: 5,
      }),
    ).toEqual(bytes)
    const big = await seal(alice, {
      domain: DOMAIN,
      payload: 1,
      timestamp: T,
      sequence: 2n ** 64n - 1n,
    })
    expect(open(big, rules).sequence).toBe(2n ** 64n - 1n)
  })

  test('useMaps gives payload maps as Map', async () => {
    const bytes = await seal(alice, { domain: DOMAIN, payload: { a: { b: 1 } }, timestamp: T })
    const opened = open(bytes, { ...rules, useMaps: true })
    expect(opened.payload).toEqual(new Map([['a', new Map([['b', 1]])]]))
  })

  test('a payload key named __proto__ stays data', async () => {
    const payload = JSON.parse('{"__proto__": {"polluted": true}}')
    const bytes = await seal(alice, { domain: DOMAIN, payload, timestamp: T })
    const opened = open(bytes, rules)
    expect(Object.keys(opened.payload as object)).toEqual(['__proto__'])
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined()
  })

  test('an enumerable property added to Object.prototype does not break opening', async () => {
    const bytes = await seal(alice, { domain: DOMAIN, payload: { a: 1 }, timestamp: T })
    Object.defineProperty(Object.prototype, 'x', {
      value: 1,
      enumerable: true,
      configurable: true,
      writable: true,
    })
    try {
      expect(open(bytes, rules).payload).toEqual({ a: 1 })
    } finally {
      delete (Object.prototype as { x?: unknown }).x
    }
  })

  test('the signer is the body signer, not whoever forwarded it', async () => {
    const bytes = await seal(bob, { domain: DOMAIN, payload: null, timestamp: T })
    expect(open(bytes, rules).signer.toString()).toBe(bob.peerId.toString())
  })
})

describe('results are independent of the input and of later opens', () => {
  test('an opened payload does not change when the input or the next envelope does', async () => {
    const first = await seal(alice, {
      domain: DOMAIN,
      payload: { raw: new Uint8Array([1, 2, 3]) },
      timestamp: T,
    })
    const second = await seal(bob, {
      domain: DOMAIN,
      payload: { raw: new Uint8Array([9, 9, 9]) },
      timestamp: T,
    })
    const a = open(first, rules)
    first.fill(0)
    const b = open(second, rules)
    expect(a.payload).toEqual({ raw: new Uint8Array([1, 2, 3]) })
    expect(b.payload).toEqual({ raw: new Uint8Array([9, 9, 9]) })
    expect(a.signer.equals(alice.peerId)).toBe(true)
  })

  test('a caller writing into a returned PeerId does not change later results', async () => {
    const bytes = await seal(alice, { domain: DOMAIN, payload: 1, timestamp: T })
    const first = open(bytes, rules).signer
    first.publicKey.fill(0)
    expect(open(bytes, rules).signer.equals(alice.peerId)).toBe(true)
  })

  test('an open nested inside another (from a custom guard) gets its own buffers', async () => {
    const inner = await seal(bob, { domain: DOMAIN, payload: 'inner', timestamp: T })
    const outer = await seal(alice, { domain: DOMAIN, payload: 'outer', timestamp: T })
    const real = createReplayGuard()
    let nested: unknown
    const guard = {
      ...real,
      check(claim: Parameters<typeof real.check>[0]) {
        nested = open(inner, rules).payload
        real.check(claim)
      },
      accept: real.accept,
    } as typeof real
    expect(open(outer, { ...rules, replayGuard: guard }).payload).toBe('outer')
    expect(nested).toBe('inner')
    expect(real.size).toBe(1)
  })
})

describe('seal checks its arguments', () => {
  const ok = { domain: DOMAIN, payload: 1, timestamp: T }
  const cases: [string, Record<string, unknown>, string][] = [
    ['empty domain', { domain: '' }, 'input.domain'],
    ['domain with a space', { domain: 'a b' }, 'input.domain'],
    ['non-ASCII domain', { domain: 'café/1' }, 'input.domain'],
    ['long domain', { domain: 'x'.repeat(129) }, 'input.domain'],
    ['fractional timestamp', { timestamp: 1.5 }, 'input.timestamp'],
    ['negative timestamp', { timestamp: -1 }, 'input.timestamp'],
    ['expiry at the timestamp', { expiresAt: T }, 'input.expiresAt'],
    ['empty nonce', { nonce: new Uint8Array() }, 'input.nonce'],
    ['long nonce', { nonce: new Uint8Array(65) }, 'input.nonce'],
    ['string nonce', { nonce: 'abc' }, 'input.nonce'],
    ['negative sequence', { sequence: -1 }, 'input.sequence'],
    ['huge sequence', { sequence: 2n ** 64n }, 'input.sequence'],
    ['float payload', { payload: 1.5 }, 'input.payload'],
    ['undefined payload', { payload: undefined }, 'input.payload'],
    ['class instance payload', { payload: new Date(0) }, 'input.payload'],
  ]
  for (const [name, override, argument] of cases) {
    test(name, async () => {
      const error = await seal(alice, { ...ok, ...override } as never).catch((e: unknown) => e)
      expect((error as { name?: string }).name).toBe('InvalidArgumentError')
      expect((error as { argument?: string }).argument).toBe(argument)
    })
  }

  test('a cyclic payload is refused', async () => {
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    const error = await seal(alice, { ...ok, payload: cyclic as never }).catch((e: unknown) => e)
    expect(['InvalidArgumentError', 'LimitExceededError']).toContain((error as Error).name)
  })

  test('a payload deeper than maxDepth is a LimitExceededError', async () => {
    let deep: unknown = 1
    for (let i = 0; i < 5; i++) deep = [deep]
    const error = await seal(alice, { ...ok, payload: deep as never, maxDepth: 4 }).catch(
      (e: unknown) => e,
    )
    expect((error as { name?: string; limit?: string }).name).toBe('LimitExceededError')
    expect((error as { limit?: string }).limit).toBe('maxDepth')
    await expect(
      seal(alice, { ...ok, payload: deep as never, maxDepth: 5 }),
    ).resolves.toBeInstanceOf(Uint8Array)
  })

  test('an envelope over maxBytes is not produced', async () => {
    const error = await seal(alice, { ...ok, payload: 'x'.repeat(70_000) }).catch((e: unknown) => e)
    expect((error as { name?: string }).name).toBe('LimitExceededError')
    const bytes = await seal(alice, { ...ok, payload: 'x'.repeat(70_000), maxBytes: 80_000 })
    expect(open(bytes, { ...rules, maxBytes: 80_000 }).payload).toHaveLength(70_000)
  })

  test('a signer must have a 32-byte key and a sign function', async () => {
    const noKey = await seal({ sign: alice.sign } as never, ok).catch((e: unknown) => e)
    expect((noKey as { argument?: string }).argument).toBe('signer.publicKey')
    const noSign = await seal({ publicKey: alice.publicKey } as never, ok).catch((e: unknown) => e)
    expect((noSign as { argument?: string }).argument).toBe('signer.sign')
    const shortSignature = await seal(
      { publicKey: alice.publicKey, sign: async () => new Uint8Array(10) } as never,
      ok,
    ).catch((e: unknown) => e)
    expect((shortSignature as { name?: string }).name).toBe('InvalidArgumentError')
  })
})

describe('open checks its options', () => {
  test.each([
    ['domain', { domain: 'has space' }],
    ['now', { now: Number.NaN }],
    ['now', { now: 1.5 }],
    ['maxSkewMs', { maxSkewMs: -1 }],
    ['maxAgeMs', { maxAgeMs: Number.NaN }],
    ['maxBytes', { maxBytes: 0 }],
    ['useMaps', { useMaps: 'yes' }],
  ])('bad %s', async (argument, override) => {
    const bytes = await seal(alice, { domain: DOMAIN, payload: 1, timestamp: T })
    const error = thrown(() => open(bytes, { ...rules, ...override } as never)) as {
      name: string
      argument: string
    }
    expect(error.name).toBe('InvalidArgumentError')
    expect(error.argument).toBe(`options.${argument}`)
  })

  test('bytes must be a Uint8Array', () => {
    expect(errorName(() => open('abc' as never, rules))).toBe('InvalidArgumentError')
    expect(errorName(() => open([1, 2] as never, rules))).toBe('InvalidArgumentError')
  })

  test('a Uint8Array from another realm is accepted', async () => {
    const { runInNewContext } = await import('node:vm')
    const bytes = await seal(alice, { domain: DOMAIN, payload: 'realm', timestamp: T })
    const foreign = runInNewContext('new Uint8Array(n)', { n: bytes.length }) as Uint8Array
    foreign.set(bytes)
    expect(foreign instanceof Uint8Array).toBe(false)
    expect(open(foreign, rules).payload).toBe('realm')
  })

  test('encode and decode agree with the envelope on the payload bytes', async () => {
    const payload = { z: 1, a: [new Uint8Array(2), 'y'] }
    const bytes = await seal(alice, { domain: DOMAIN, payload, timestamp: T })
    const body = decode((decode(bytes) as Uint8Array[])[1]!) as Record<string, unknown>
    expect(encode(body.p as never)).toEqual(encode(payload))
  })
})
