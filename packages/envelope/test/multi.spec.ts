import { decode } from '@peerkit/codec'
import { describe, expect, test } from 'vitest'
import {
  countersign,
  createReplayGuard,
  createVerifyCache,
  envelopeId,
  open,
  openMulti,
  seal,
} from '../src/index'
import {
  alice,
  bob,
  carol,
  DOMAIN,
  errorName,
  mallory,
  peer,
  rules,
  T,
  thrown,
} from './fixtures/peers'

const terms = () =>
  seal(alice, { domain: DOMAIN, payload: { price: 100, item: 'lamp' }, timestamp: T })

describe('countersign and openMulti', () => {
  test('both parties sign; openMulti requires both', async () => {
    const bytes = await terms()
    const both = await countersign(bytes, bob)
    const opened = openMulti(both, { ...rules, signers: [alice.peerId, bob.peerId], threshold: 2 })
    expect(opened.signer.equals(alice.peerId)).toBe(true)
    expect(opened.signers.map(String)).toEqual([alice.peerId.toString(), bob.peerId.toString()])
    expect(opened.payload).toEqual({ price: 100, item: 'lamp' })
    // alone, alice's signature does not meet a threshold of two
    expect(
      errorName(() =>
        openMulti(bytes, { ...rules, signers: [alice.peerId, bob.peerId], threshold: 2 }),
      ),
    ).toBe('InsufficientSignaturesError')
    expect(
      openMulti(bytes, { ...rules, signers: [alice.peerId, bob.peerId], threshold: 1 }).signers,
    ).toHaveLength(1)
  })

  test('countersigning keeps the body and so the id', async () => {
    const bytes = await terms()
    const both = await countersign(bytes, bob)
    expect(envelopeId(both).equals(envelopeId(bytes))).toBe(true)
    expect((decode(both) as Uint8Array[])[1]).toEqual((decode(bytes) as Uint8Array[])[1])
  })

  test('the order of countersigning does not change the bytes', async () => {
    const bytes = await terms()
    const bc = await countersign(await countersign(bytes, bob), carol)
    const cb = await countersign(await countersign(bytes, carol), bob)
    expect(bc).toEqual(cb)
    const opened = openMulti(bc, {
      ...rules,
      signers: [carol.peerId, bob.peerId, alice.peerId],
      threshold: 3,
    })
    expect(opened.signers).toHaveLength(3)
    expect(opened.signers[0]!.equals(alice.peerId)).toBe(true)
  })

  test('countersigning twice with one key changes nothing', async () => {
    const both = await countersign(await terms(), bob)
    expect(await countersign(both, bob)).toEqual(both)
    expect(await countersign(both, alice)).toEqual(both)
  })

  test('only listed peers count; duplicates in the list count once', async () => {
    const bytes = await countersign(await terms(), mallory)
    const options = { ...rules, signers: [alice.peerId, bob.peerId], threshold: 2 }
    const error = thrown(() => openMulti(bytes, options)) as {
      name: string
      found: number
      threshold: number
    }
    expect(error.name).toBe('InsufficientSignaturesError')
    expect(error.found).toBe(1)
    expect(
      errorName(() =>
        openMulti(bytes, { ...rules, signers: [alice.peerId, alice.peerId], threshold: 2 }),
      ),
    ).toBe('InvalidArgumentError')
    // an unlisted but valid countersignature does not hurt
    expect(
      openMulti(bytes, { ...rules, signers: [alice.peerId], threshold: 1 }).signers,
    ).toHaveLength(2)
  })

  test('bad threshold or signers are argument errors', async () => {
    const bytes = await terms()
    const bad = [
      { signers: [alice.peerId], threshold: 0 },
      { signers: [alice.peerId], threshold: 2 },
      { signers: [alice.peerId], threshold: 1.5 },
      { signers: 'alice', threshold: 1 },
      { signers: [{ publicKey: new Uint8Array(3) }], threshold: 1 },
    ]
    for (const extra of bad)
      expect(errorName(() => openMulti(bytes, { ...rules, ...extra } as never))).toBe(
        'InvalidArgumentError',
      )
  })

  test('countersign refuses to endorse a forgery', async () => {
    const bytes = await terms()
    const forged = bytes.slice()
    forged[forged.length - 2]! ^= 1 // inside the signer's signature
    const error = await countersign(forged, bob).catch((e: unknown) => e)
    expect((error as { name?: string }).name).toBe('BadSignatureError')
  })

  test('countersign respects maxSignatures', async () => {
    let bytes = await terms()
    for (let i = 10; i < 13; i++) bytes = await countersign(bytes, peer(i))
    const error = await countersign(bytes, bob, { maxSignatures: 4 }).catch((e: unknown) => e)
    expect((error as { name?: string; limit?: string }).limit).toBe('maxSignatures')
    expect(
      openMulti(await countersign(bytes, bob, { maxSignatures: 5 }), {
        ...rules,
        maxSignatures: 5,
        signers: [bob.peerId],
        threshold: 1,
      }).signers,
    ).toHaveLength(5)
  })

  test('countersign does not care if the input bytes change while it signs', async () => {
    const bytes = await terms()
    const pending = countersign(bytes, bob)
    bytes.fill(0)
    const both = await pending
    expect(
      openMulti(both, { ...rules, signers: [alice.peerId, bob.peerId], threshold: 2 }).signers,
    ).toHaveLength(2)
  })

  test('a guard keyed by the id refuses the same statement re-wrapped with more signatures', async () => {
    const bytes = await terms()
    const guard = createReplayGuard()
    open(bytes, { ...rules, replayGuard: guard })
    const rewrapped = await countersign(bytes, mallory)
    const error = thrown(() => open(rewrapped, { ...rules, replayGuard: guard })) as {
      name: string
      reason: string
    }
    expect(error.name).toBe('ReplayError')
    expect(error.reason).toBe('duplicate')
  })

  test('openMulti with a guard and a cache records only on success', async () => {
    const both = await countersign(await terms(), bob)
    const guard = createReplayGuard()
    const cache = createVerifyCache()
    expect(
      errorName(() =>
        openMulti(both, {
          ...rules,
          signers: [carol.peerId, bob.peerId],
          threshold: 2,
          replayGuard: guard,
          cache,
        }),
      ),
    ).toBe('InsufficientSignaturesError')
    expect(guard.size).toBe(0)
    expect(cache.size).toBe(0)
    openMulti(both, {
      ...rules,
      signers: [alice.peerId, bob.peerId],
      threshold: 2,
      replayGuard: guard,
      cache,
    })
    expect(guard.size).toBe(1)
    expect(cache.size).toBe(2)
  })

  test('receipts: sealed by one party, countersigned by the other, opened long after with maxAgeMs Infinity', async () => {
    const receipt = await seal(bob, {
      domain: 'peerkit/escrow/receipt/1',
      payload: { trade: 'abc', paid: true },
      timestamp: T,
    })
    const signed = await countersign(receipt, alice)
    const later = openMulti(signed, {
      domain: 'peerkit/escrow/receipt/1',
      now: T + 5 * 365 * 24 * 3600 * 1000,
      maxSkewMs: 0,
      maxAgeMs: Number.POSITIVE_INFINITY,
      signers: [alice.peerId, bob.peerId],
      threshold: 2,
    })
    expect(later.signer.equals(bob.peerId)).toBe(true)
  })
})
