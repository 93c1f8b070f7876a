/**
 * A payload is bounded in items and decoded only after its signatures verified: a forged
 * envelope costs a walk of its bytes and a signature check, never a decode, and a dense
 * payload beyond the item bound is refused with a typed error whatever its signature.
 */
import type { Value } from '@peerkit/codec'
import { describe, expect, test, vi } from 'vitest'
import {
  createReplayGuard,
  createVerifyCache,
  DEFAULT_MAX_PAYLOAD_ITEMS,
  open,
  openMulti,
  seal,
} from '../src/index'
import { alice, bob, bodyMap, rawBody, rules, signedEnvelope, thrown } from './fixtures/peers'

/** Counts the codec's `decode` calls (the real decoder runs). */
const counter = vi.hoisted(() => ({ decodes: 0 }))
vi.mock('@peerkit/codec', async (importOriginal) => {
  const codec = await importOriginal<typeof import('@peerkit/codec')>()
  return {
    ...codec,
    decode: (...args: Parameters<typeof codec.decode>) => {
      counter.decodes++
      return codec.decode(...args)
    },
  }
})

/** `groups` arrays of `size` empty byte strings: the densest payload there is. */
function dense(groups: number, size: number): Value {
  return Array.from({ length: groups }, () => Array.from({ length: size }, () => new Uint8Array(0)))
}

/** A copy of `bytes` whose signature (the 64 bytes before the final empty array) is wrong. */
function forged(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice()
  out[out.length - 2]! ^= 1
  return out
}

function decodesDuring(fn: () => unknown): number {
  const before = counter.decodes
  thrown(fn)
  return counter.decodes - before
}

describe('signature before decode', () => {
  test('a forged envelope with a dense payload within the bound is refused without a decode', async () => {
    // 4,000 empty byte strings, under the default bound of 4,096 items
    const bytes = await seal(alice, {
      domain: rules.domain,
      timestamp: rules.now,
      payload: dense(4, 999),
    })
    const bad = forged(bytes)
    expect((thrown(() => open(bad, rules)) as Error).name).toBe('BadSignatureError')
    expect(decodesDuring(() => open(bad, rules))).toBe(0)
    expect(decodesDuring(() => open(bad, { ...rules, replayGuard: createReplayGuard() }))).toBe(0)
    expect(
      decodesDuring(() => openMulti(bad, { ...rules, signers: [alice.peerId], threshold: 1 })),
    ).toBe(0)
    // the genuine one decodes its payload once, after the signature held
    expect(decodesDuring(() => open(bytes, rules))).toBe(1)
    expect(open(bytes, rules).payload).toEqual(dense(4, 999))
  })

  test('a forged envelope with a payload of the wrong shape fails on its signature, the same on every peer', () => {
    const body = rawBody(bodyMap(alice, { p: dense(2, 100) }))
    const bytes = forged(signedEnvelope(alice, body))
    expect((thrown(() => open(bytes, rules)) as Error).name).toBe('BadSignatureError')
    expect(decodesDuring(() => open(bytes, rules))).toBe(0)
  })

  test('a verify cache hit decodes the payload once, a cached forgery never', async () => {
    const cache = createVerifyCache()
    const bytes = await seal(alice, {
      domain: rules.domain,
      timestamp: rules.now,
      payload: [1, 2, 3],
    })
    open(bytes, { ...rules, cache })
    expect(decodesDuring(() => open(bytes, { ...rules, cache }))).toBe(1)
    expect(decodesDuring(() => open(forged(bytes), { ...rules, cache }))).toBe(0)
  })
})

describe('the payload item bound', () => {
  test('a dense, validly signed payload beyond the bound is refused with LimitExceededError', async () => {
    // 62,000 empty byte strings in a 62 KB message, sealed by a peer that raised its own bound
    const payload = dense(62, 1000)
    const bytes = await seal(alice, {
      domain: rules.domain,
      timestamp: rules.now,
      payload,
      maxItems: 70_000,
    })
    expect(bytes.length).toBeLessThan(64 * 1024)
    const guard = createReplayGuard()
    const error = thrown(() => open(bytes, { ...rules, replayGuard: guard })) as {
      name: string
      limit: string
    }
    expect(error.name).toBe('LimitExceededError')
    expect(error.limit).toBe('maxItems')
    expect(decodesDuring(() => open(bytes, rules))).toBe(0)
    // refused before its signature is looked at: a forgery gets the same verdict
    expect((thrown(() => open(forged(bytes), rules)) as { limit: string }).limit).toBe('maxItems')
    // nothing was recorded: the same envelope opens once the protocol raises the bound
    const opened = open(bytes, { ...rules, replayGuard: guard, maxItems: 62_062 })
    expect((opened.payload as Value[]).length).toBe(62)
  })

  test('the bound counts every element and entry of the payload together', async () => {
    const atBound = await seal(alice, {
      domain: rules.domain,
      timestamp: rules.now,
      payload: dense(1, DEFAULT_MAX_PAYLOAD_ITEMS - 1),
    })
    expect(open(atBound, rules).payload).toEqual(dense(1, DEFAULT_MAX_PAYLOAD_ITEMS - 1))
    const over = signedEnvelope(
      alice,
      rawBody(bodyMap(alice, { p: dense(1, DEFAULT_MAX_PAYLOAD_ITEMS) })),
    )
    expect((thrown(() => open(over, rules)) as { limit: string }).limit).toBe('maxItems')
    const map = signedEnvelope(
      alice,
      rawBody(
        bodyMap(alice, {
          p: Object.fromEntries(Array.from({ length: 2_100 }, (_, i) => [`k${i}`, [0]])),
        }),
      ),
    )
    expect((thrown(() => open(map, rules)) as { limit: string }).limit).toBe('maxItems')
    expect(open(map, { ...rules, maxItems: 4_200 }).payload).toHaveProperty('k7')
  })

  test('seal refuses a payload beyond the bound before signing', async () => {
    let signed = 0
    const signer = {
      peerId: bob.peerId,
      publicKey: bob.publicKey,
      sign: (message: Uint8Array) => {
        signed++
        return bob.sign(message)
      },
    }
    const error = await seal(signer, {
      domain: rules.domain,
      timestamp: rules.now,
      payload: dense(5, 1000),
    }).catch((e: unknown) => e)
    expect(error).toMatchObject({ name: 'LimitExceededError', limit: 'maxItems' })
    expect(signed).toBe(0)
  })

  test('refusing the densest payload costs far less than decoding it', async () => {
    const bytes = await seal(alice, {
      domain: rules.domain,
      timestamp: rules.now,
      payload: dense(62, 1000),
      maxItems: 70_000,
    })
    const time = (fn: () => unknown) => {
      const start = process.hrtime.bigint()
      for (let i = 0; i < 20; i++) thrown(fn)
      return Number(process.hrtime.bigint() - start) / 20 / 1e6
    }
    time(() => open(bytes, rules))
    const refused = time(() => open(bytes, rules))
    const decoded = time(() => open(bytes, { ...rules, maxItems: 70_000 }))
    expect(refused).toBeLessThan(decoded / 4)
  })
})
