/**
 * Wire frames: every kind round-trips, the decoder accepts only the canonical encoding of
 * a frame of this version, and every other input fails with a typed error.
 */
import { encode } from '@peerkit/codec'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MAX_PINNED_SLACK } from '../src/constants'
import { idKeyOf, wireIdOfKey } from '../src/frames'
import {
  decodeFrame,
  encodeFrame,
  type Frame,
  type FrameLimits,
  isGossipError,
  type WireId,
} from '../src/index'
import { createGossipShare, keepable } from '../src/shared'
import { signerAt } from './helpers'

const RUNS = Number(process.env.PEERKIT_FC_RUNS ?? 200)
const limits: FrameLimits = {
  maxFrameBytes: 4096,
  maxIds: 16,
  maxPeers: 8,
  maxTopics: 8,
  maxTtl: 6,
}
const alice = signerAt(0).peerId
const bob = signerAt(1).peerId

function id(fill: number): WireId {
  const bytes = new Uint8Array(36).fill(fill)
  bytes.set([0x01, 0x51, 0x12, 0x20])
  return { bytes, key: idKeyOf(bytes) }
}
const source = new Uint8Array(32).fill(9)

const examples: Frame[] = [
  { kind: 'join' },
  { kind: 'forward-join', peer: alice, ttl: 3 },
  { kind: 'neighbor', high: true },
  { kind: 'neighbor-reply', accepted: false },
  { kind: 'disconnect' },
  { kind: 'shuffle', origin: alice, ttl: 2, peers: [alice, bob] },
  { kind: 'shuffle-reply', peers: [bob] },
  { kind: 'subscriptions', subscribe: true, topics: ['a', 'b'] },
  { kind: 'gossip', topic: 'a', hops: 4, envelope: new Uint8Array([1, 2, 3]) },
  { kind: 'ihave', topic: 'a', ids: [{ id: id(1), hops: 2, source }] },
  { kind: 'iwant', topic: 'a', ids: [id(2), id(3)] },
  { kind: 'graft', topic: 'a', ids: [id(4)], sources: [source] },
  { kind: 'prune', topic: 'a', reason: 'duplicate', backoffMs: 60_000, sources: [] },
]

function normal(frame: Frame): unknown {
  return JSON.parse(
    JSON.stringify(frame, (_k, v) => {
      if (v instanceof Uint8Array) return Array.from(v)
      if (v !== null && typeof v === 'object' && typeof v.toBytes === 'function')
        return v.toString()
      return v
    }),
  )
}

function errorName(fn: () => unknown): string {
  try {
    fn()
    return 'none'
  } catch (error) {
    expect(isGossipError(error)).toBe(true)
    return (error as Error).name
  }
}

describe('frames', () => {
  it('round-trips every kind of frame', () => {
    for (const frame of examples) {
      const bytes = encodeFrame(frame)
      expect(normal(decodeFrame(bytes, limits))).toEqual(normal(frame))
      expect(encodeFrame(decodeFrame(bytes, limits))).toEqual(bytes)
    }
  })

  it('property: an id key gives back the id it was made from', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (digest) => {
        const bytes = Uint8Array.of(0x01, 0x51, 0x12, 0x20, ...digest)
        const key = idKeyOf(bytes)
        expect(wireIdOfKey(key)).toEqual({ bytes, key })
      }),
    )
  })

  it('rejects frames larger than the limit before decoding', () => {
    const big = encodeFrame({ kind: 'gossip', topic: 'a', hops: 1, envelope: new Uint8Array(5000) })
    expect(errorName(() => decodeFrame(big, limits))).toBe('FrameTooLargeError')
  })

  it('rejects another version with UnsupportedFrameVersionError', () => {
    expect(errorName(() => decodeFrame(encode([2, 0]), limits))).toBe(
      'UnsupportedFrameVersionError',
    )
  })

  it.each([
    ['an unknown kind', encode([1, 99])],
    ['a missing field', encode([1, 1, alice.toBytes()])],
    ['an extra field', encode([1, 0, 1])],
    ['a negative hop count', encode([1, 8, 'a', -1, new Uint8Array(1)])],
    ['an empty topic', encode([1, 8, '', 1, new Uint8Array(1)])],
    ['a bad message id', encode([1, 10, 'a', [new Uint8Array(36)]])],
    ['a short source', encode([1, 9, 'a', [[id(1).bytes, 1, new Uint8Array(31)]]])],
    ['too many ids', encode([1, 10, 'a', Array.from({ length: 17 }, () => id(1).bytes)])],
    ['a ttl above the walk length', encode([1, 1, alice.toBytes(), 7])],
    ['a bad peer id', encode([1, 1, new Uint8Array(34), 1])],
    ['an unknown prune reason', encode([1, 12, 'a', 9, 0, []])],
    ['not an array', encode({ v: 1 })],
    ['non-canonical CBOR', new Uint8Array([0x82, 0x18, 0x01, 0x00])],
    ['trailing bytes', new Uint8Array([...encodeFrame({ kind: 'join' }), 0])],
  ])('rejects %s with MalformedFrameError', (_name, bytes) => {
    expect(errorName(() => decodeFrame(bytes, limits))).toBe('MalformedFrameError')
  })

  it('property: random bytes never decode to anything but a typed error or a valid frame', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        try {
          const frame = decodeFrame(bytes, limits)
          // anything accepted is canonical: it encodes back to the same bytes
          expect(encodeFrame(frame)).toEqual(bytes)
        } catch (error) {
          expect(isGossipError(error)).toBe(true)
        }
      }),
      { numRuns: RUNS },
    )
  })

  it('property: generated frames round-trip', () => {
    const topic = fc.string({ minLength: 1, maxLength: 20 })
    const wire = fc.integer({ min: 0, max: 255 }).map(id)
    const frame: fc.Arbitrary<Frame> = fc.oneof(
      fc.record({
        kind: fc.constant('gossip' as const),
        topic,
        hops: fc.nat(0xffff),
        envelope: fc.uint8Array({ maxLength: 64 }),
      }),
      fc.record({
        kind: fc.constant('ihave' as const),
        topic,
        ids: fc.array(fc.record({ id: wire, hops: fc.nat(0xffff), source: fc.constant(source) }), {
          maxLength: 16,
        }),
      }),
      fc.record({
        kind: fc.constant('iwant' as const),
        topic,
        ids: fc.array(wire, { maxLength: 16 }),
      }),
      fc.record({
        kind: fc.constant('prune' as const),
        topic,
        reason: fc.constantFrom(
          'duplicate' as const,
          'optimization' as const,
          'unsubscribed' as const,
          'score' as const,
        ),
        backoffMs: fc.nat(600_000),
        sources: fc.array(fc.constant(source), { maxLength: 3 }),
      }),
      fc.record({
        kind: fc.constant('subscriptions' as const),
        subscribe: fc.boolean(),
        // a frame's topics are a set: each once (a repeat is malformed)
        topics: fc.uniqueArray(topic, { maxLength: 8 }),
      }),
    )
    fc.assert(
      fc.property(frame, (f) => {
        const bytes = encodeFrame(f)
        expect(normal(decodeFrame(bytes, limits))).toEqual(normal(f))
      }),
      { numRuns: RUNS },
    )
  })

  it("cuts control frames from a share's slab without overlap, and gives messages their own buffer", () => {
    const share = createGossipShare()
    const input: Frame[] = Array.from({ length: 300 }, (_, i) => ({
      kind: 'iwant',
      topic: 'a',
      ids: [id(i % 7), id(i % 5)],
    }))
    const frames = input.map((f) => encodeFrame(f, share.frameBuffer))
    // all encoded before any is read: a frame written over another would show here
    expect(frames.map((f) => decodeFrame(f, limits))).toEqual(input)
    for (let i = 1; i < frames.length; i++) {
      const [a, b] = [frames[i - 1]!, frames[i]!]
      if (a.buffer === b.buffer)
        expect(b.byteOffset).toBeGreaterThanOrEqual(a.byteOffset + a.length)
    }
    const slabs = new Set(frames.map((f) => f.buffer)).size
    expect(slabs).toBeGreaterThan(1)
    expect(slabs).toBeLessThan(frames.length / 10)
    const g = encodeFrame(
      { kind: 'gossip', topic: 'a', hops: 1, envelope: new Uint8Array(300) },
      share.frameBuffer,
    )
    expect(g.buffer.byteLength).toBe(g.length)
  })

  describe('keepable', () => {
    it('keeps a view whose buffer is its own, give or take MAX_PINNED_SLACK bytes', () => {
      const frame = new Uint8Array(300 + MAX_PINNED_SLACK)
      const view = frame.subarray(MAX_PINNED_SLACK)
      expect(keepable(view)).toBe(view)
      expect(keepable(frame)).toBe(frame)
    })

    it('copies a view that would pin a larger buffer, or a shared one', () => {
      const big = new Uint8Array(4096)
      big.set([1, 2, 3], 100)
      const view = big.subarray(100, 400)
      const kept = keepable(view)
      expect(kept).not.toBe(view)
      expect(kept).toEqual(view)
      big.fill(0)
      expect([...kept.subarray(0, 3)]).toEqual([1, 2, 3])
      const shared = new Uint8Array(new SharedArrayBuffer(8))
      expect(keepable(shared).buffer).toBeInstanceOf(ArrayBuffer)
    })
  })
})
