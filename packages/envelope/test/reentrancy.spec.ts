/**
 * Opening keeps no state outside the call: an open nested inside another (from a replay
 * guard or verify cache the caller supplies) and opens interleaved across several rule sets
 * each see only their own envelope, and nothing they return aliases another's bytes.
 */
import { describe, expect, test } from 'vitest'
import {
  createReplayGuard,
  createVerifyCache,
  envelopeId,
  open,
  openMulti,
  type ReplayClaim,
  type ReplayGuard,
  seal,
  type VerifyCache,
} from '../src/index'
import { alice, bob, rules } from './fixtures/peers'

/** A replay guard that runs `during` inside every check, as a caller's own guard might. */
function guardRunning(during: () => void): ReplayGuard {
  const inner = createReplayGuard()
  return new Proxy(inner, {
    get(target, key) {
      if (key === 'check')
        return (claim: ReplayClaim) => {
          during()
          target.check(claim)
        }
      const value = Reflect.get(target, key)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}

describe('re-entrant opens', () => {
  test('an open nested in a guard check of another open leaves both results whole', async () => {
    const outerBytes = await seal(alice, {
      domain: rules.domain,
      timestamp: rules.now,
      payload: { who: 'outer', blob: new Uint8Array(300).fill(1) },
    })
    const innerBytes = await seal(bob, {
      domain: 'peerkit/other/1',
      timestamp: rules.now,
      payload: { who: 'inner', blob: new Uint8Array(500).fill(2) },
    })
    const inner: unknown[] = []
    const guard = guardRunning(() => {
      inner.push(open(innerBytes, { ...rules, domain: 'peerkit/other/1' }).payload)
      inner.push(envelopeId(innerBytes).toString())
    })
    const outer = open(outerBytes, { ...rules, replayGuard: guard, maxItems: 16 })
    expect(outer.payload).toEqual({ who: 'outer', blob: new Uint8Array(300).fill(1) })
    expect(outer.id.toString()).toBe(envelopeId(outerBytes).toString())
    expect(outer.signer.equals(alice.peerId)).toBe(true)
    expect(inner[0]).toEqual({ who: 'inner', blob: new Uint8Array(500).fill(2) })
    expect(inner[1]).toBe(envelopeId(innerBytes).toString())
    expect(guard.has(outer.id)).toBe(true)
  })

  test('an openMulti nested in a verify cache lookup of another open', async () => {
    const outerBytes = await seal(alice, {
      domain: rules.domain,
      timestamp: rules.now,
      payload: 'outer',
    })
    const innerBytes = await seal(bob, {
      domain: rules.domain,
      timestamp: rules.now,
      payload: 'inner',
    })
    const real = createVerifyCache()
    let nested: unknown
    const cache: VerifyCache = new Proxy(real, {
      get(target, key) {
        if (key === 'has')
          return (k: string) => {
            nested ??= openMulti(innerBytes, { ...rules, signers: [bob.peerId], threshold: 1 })
            return target.has(k)
          }
        const value = Reflect.get(target, key)
        return typeof value === 'function' ? value.bind(target) : value
      },
    })
    expect(open(outerBytes, { ...rules, cache }).payload).toBe('outer')
    expect((nested as { payload: unknown }).payload).toBe('inner')
  })

  test('what open returns owns its bytes: reusing or changing the input changes nothing', async () => {
    const bytes = await seal(alice, {
      domain: rules.domain,
      timestamp: rules.now,
      payload: [new Uint8Array(40).fill(7), new Uint8Array(200).fill(9)],
      nonce: new Uint8Array(8).fill(3),
    })
    const input = bytes.slice()
    const opened = open(input, rules)
    input.fill(0)
    // a second open over different bytes in between
    open(await seal(bob, { domain: rules.domain, timestamp: rules.now, payload: [1, 2, 3] }), rules)
    expect(opened.payload).toEqual([new Uint8Array(40).fill(7), new Uint8Array(200).fill(9)])
    expect(opened.nonce).toEqual(new Uint8Array(8).fill(3))
    expect(opened.id.toString()).toBe(envelopeId(bytes).toString())
  })

  test('what a replay guard is handed owns its bytes too', async () => {
    const bytes = await seal(alice, { domain: rules.domain, timestamp: rules.now, payload: 1 })
    const kept: ReplayClaim[] = []
    const inner = createReplayGuard()
    const guard = new Proxy(inner, {
      get(target, key) {
        if (key === 'accept')
          return (claim: ReplayClaim, now: number) => {
            kept.push(claim)
            target.accept(claim, now)
          }
        const value = Reflect.get(target, key)
        return typeof value === 'function' ? value.bind(target) : value
      },
    })
    const input = bytes.slice()
    open(input, { ...rules, replayGuard: guard })
    input.fill(0)
    expect(kept[0]!.signer).toEqual(alice.publicKey)
  })
})
