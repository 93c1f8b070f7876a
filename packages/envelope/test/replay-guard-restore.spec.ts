/**
 * Restoring a saved replay guard: bounded by the guard's own bounds before any work, linear
 * in the input, and refused whole when the state is damaged (the saved form carries a
 * sha2-256 checksum of the state).
 */
import { contentId, decode, encode, type Value } from '@peerkit/codec'
import { describe, expect, test } from 'vitest'
import {
  createReplayGuard,
  guardStateMaxBytes,
  type ReplayClaim,
  replayGuardFromBytes,
} from '../src/index'
import { alice, errorName } from './fixtures/peers'

function claim(id: number, timestamp: number, forgetAt: number, signer?: Uint8Array): ReplayClaim {
  const digest = new Uint8Array(32)
  new DataView(digest.buffer).setUint32(28, id)
  return {
    digest,
    signer: signer ?? alice.publicKey,
    timestamp,
    forgetAt,
    ageBound: true,
    sequence: signer === undefined ? undefined : id,
  }
}

/** A saved form around `state`, with a correct checksum (what a hostile writer can make). */
function wrap(state: Value): Uint8Array {
  const bytes = encode(state)
  return encode({ v: 2, state: bytes, sum: contentId(bytes).bytes.subarray(4) })
}

function elapsed(fn: () => unknown): number {
  const t0 = performance.now()
  try {
    fn()
  } catch {}
  return performance.now() - t0
}

describe('restoring a saved replay guard', () => {
  test('a hostile 64 MiB state is refused at once, before it is decoded', () => {
    // a plausible head, then 64 MiB of empty arrays as ids
    const size = 64 * 1024 * 1024
    const hostile = new Uint8Array(size).fill(0x80)
    hostile.set([0xa3, 0x61, 0x76, 0x02, 0x65, ...new TextEncoder().encode('state'), 0x5a])
    const ms = elapsed(() => replayGuardFromBytes(hostile))
    expect(errorName(() => replayGuardFromBytes(hostile))).toBe('LimitExceededError')
    expect(ms).toBeLessThan(50)
    // the bound is the most a state within the guard's bounds can take: a few MiB by default
    expect(guardStateMaxBytes(65_536, 16_384)).toBeLessThan(5 * 1024 * 1024)
  })

  test('a hostile state within the byte bound but over the entry bound is refused', () => {
    const ids: Value[] = []
    for (let i = 0; i < 9; i++) ids.push([new Uint8Array(32).fill(i), 1, 2, true])
    const bytes = wrap({ floor: null, ids, signers: [] })
    expect(
      errorName(() => replayGuardFromBytes(bytes, { maxEntries: 8, maxBytes: 1024 * 1024 })),
    ).toBe('LimitExceededError')
    expect(replayGuardFromBytes(bytes, { maxEntries: 9 }).size).toBe(9)
  })

  test('a full guard saves and restores within its own bound, in linear time', () => {
    const maxEntries = 20_000
    const maxSigners = 5_000
    const guard = createReplayGuard({ maxEntries, maxSigners, requireSequence: true })
    const huge = Number.MAX_SAFE_INTEGER
    for (let i = 0; i < maxEntries; i++) {
      const signer = i < maxSigners ? new Uint8Array(32).fill(1 + (i % 250)) : undefined
      if (signer !== undefined) new DataView(signer.buffer).setUint32(0, i)
      guard.accept(claim(i, huge - 10, huge, signer), 0)
    }
    expect(guard.size).toBe(maxEntries)
    expect(guard.signerCount).toBe(maxSigners)
    const saved = guard.toBytes()
    expect(saved.length).toBeLessThanOrEqual(guardStateMaxBytes(maxEntries, maxSigners))
    const t0 = performance.now()
    const restored = replayGuardFromBytes(saved, { maxEntries, maxSigners, requireSequence: true })
    const ms = performance.now() - t0
    expect(restored.toBytes()).toEqual(saved)
    // about 1 MiB: a linear restore takes tens of milliseconds; allow a busy machine
    expect(ms).toBeLessThan(1000)
  })

  test('the saved form carries a checksum, and a damaged state is refused whole', () => {
    const guard = createReplayGuard()
    for (let i = 0; i < 50; i++) guard.accept(claim(i, 100 + i, 1000 + i), 100)
    const saved = guard.toBytes()
    const outer = decode(saved) as { v: number; state: Uint8Array; sum: Uint8Array }
    expect(outer.v).toBe(2)
    expect(outer.sum).toEqual(contentId(outer.state).bytes.subarray(4))
    // flip each byte of the state in turn: every change is refused, none half-trusted
    const stateStart = saved.length - outer.state.length - 2 - 32 - 3 - 1
    let refused = 0
    for (let at = 0; at < saved.length; at++) {
      const damaged = saved.slice()
      damaged[at] = damaged[at]! ^ 0x01
      const name = errorName(() => replayGuardFromBytes(damaged))
      expect(['InvalidStateError', 'LimitExceededError']).toContain(name)
      refused++
    }
    expect(refused).toBe(saved.length)
    expect(stateStart).toBeGreaterThan(0)
  })

  test('a state of the former version, without a checksum, is refused', () => {
    const v1 = encode({ v: 1, floor: null, ids: [[new Uint8Array(32), 1, 2, true]], signers: [] })
    expect(errorName(() => replayGuardFromBytes(v1))).toBe('InvalidStateError')
  })

  test('restoring a larger guard into a smaller one needs the saved bound, and evicts safely', () => {
    const guard = createReplayGuard()
    for (let i = 0; i < 10; i++) guard.accept(claim(i, 100 + i, 1000 + i), 100)
    expect(errorName(() => replayGuardFromBytes(guard.toBytes(), { maxEntries: 4 }))).toBe(
      'LimitExceededError',
    )
    const small = replayGuardFromBytes(guard.toBytes(), { maxEntries: 4, savedMaxEntries: 10 })
    expect(small.size).toBe(4)
    expect(small.floor).toBe(105)
    expect(errorName(() => replayGuardFromBytes(guard.toBytes(), { savedMaxEntries: 0 }))).toBe(
      'InvalidArgumentError',
    )
  })
})
