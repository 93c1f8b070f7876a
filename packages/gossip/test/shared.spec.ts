/**
 * Shares (`createGossipShare`): one envelope per message for equal bytes only, one string
 * per key, one settings object, the bounds that keep a peer from growing them, and routers
 * that share nothing unless given the same share.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { INTERN_GENERATION, SHARED_ENVELOPE_GENERATION_BYTES } from '../src/constants'
import { resolveInit } from '../src/options'
import { createGossipShare } from '../src/shared'

describe('shares', () => {
  it('keeps one envelope per message for equal bytes, and never hands out different bytes', () => {
    const keptEnvelope = createGossipShare().envelope
    const first = Uint8Array.of(1, 2, 3, 4)
    const kept = keptEnvelope('shared-test-a', first)
    expect(kept).toBe(first)
    // an equal copy (another router's frame) gets the bytes kept first
    expect(keptEnvelope('shared-test-a', Uint8Array.of(1, 2, 3, 4))).toBe(first)
    // the same key with other bytes (another signature over the same body) keeps its own
    const other = Uint8Array.of(1, 2, 3, 5)
    const otherKept = keptEnvelope('shared-test-a', other)
    expect(otherKept).toBe(other)
    expect([...keptEnvelope('shared-test-a', Uint8Array.of(1, 2, 3, 4))]).toEqual([1, 2, 3, 4])
  })

  it('copies a view that would pin a larger buffer before sharing it', () => {
    const keptEnvelope = createGossipShare().envelope
    const buffer = new Uint8Array(4096)
    buffer.set([9, 9, 9], 100)
    const kept = keptEnvelope('shared-test-b', buffer.subarray(100, 103))
    expect(kept.buffer).not.toBe(buffer.buffer)
    buffer.fill(0)
    expect([...keptEnvelope('shared-test-b', Uint8Array.of(9, 9, 9))]).toEqual([9, 9, 9])
  })

  it('always returns bytes equal to the ones passed in (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.constantFrom('p0', 'p1', 'p2'),
            fc.uint8Array({ minLength: 0, maxLength: 3 }),
          ),
          { maxLength: 60 },
        ),
        (calls) => {
          const keptEnvelope = createGossipShare().envelope
          for (const [key, bytes] of calls) {
            const expected = [...bytes]
            expect([...keptEnvelope(`shared-prop-${key}`, bytes)]).toEqual(expected)
          }
        },
      ),
    )
  })

  it('stays within its bounds however many keys and envelopes pass', () => {
    const share = createGossipShare()
    for (let i = 0; i < 3 * INTERN_GENERATION; i++) expect(share.key(`k${i}`)).toBe(`k${i}`)
    expect(share.sizes().keys).toBeLessThanOrEqual(2 * INTERN_GENERATION)
    const big = 64 * 1024
    for (let i = 0; i < (3 * SHARED_ENVELOPE_GENERATION_BYTES) / big; i++) {
      share.envelope(`shared-big-${i}`, new Uint8Array(big).fill(i & 0xff))
    }
    const sizes = share.sizes()
    expect(sizes.envelopeBytes).toBeLessThanOrEqual(2 * SHARED_ENVELOPE_GENERATION_BYTES)
    expect(sizes.envelopes).toBeLessThanOrEqual((2 * SHARED_ENVELOPE_GENERATION_BYTES) / big)
  })

  it('shares one frozen settings object between routers made alike', () => {
    const share = createGossipShare()
    const resolve = (init: Parameters<typeof resolveInit>[0]) => share.settings(resolveInit(init))
    const a = resolve({ activeViewSize: 5 })
    const b = resolve({ activeViewSize: 5 })
    expect(b).toBe(a)
    // another share (another application) has its own
    expect(createGossipShare().settings(resolveInit({ activeViewSize: 5 }))).not.toBe(a)
    expect(Object.isFrozen(a)).toBe(true)
    expect(Object.isFrozen(a.scoreThresholds)).toBe(true)
    const c = resolve({ activeViewSize: 5, scoreThresholds: { gossip: -11 } })
    expect(c).not.toBe(a)
    expect(c.scoreThresholds.gossip).toBe(-11)
    expect(a.scoreThresholds.gossip).not.toBe(-11)
    // settings that differ only in an infinite threshold are not the same settings
    const low = resolve({
      scoreThresholds: { gossip: Number.NEGATIVE_INFINITY, graylist: Number.NEGATIVE_INFINITY },
    })
    const high = resolve({
      scoreThresholds: { gossip: Number.POSITIVE_INFINITY, graylist: Number.NEGATIVE_INFINITY },
    })
    expect(high).not.toBe(low)
    expect(high.scoreThresholds.gossip).toBe(Number.POSITIVE_INFINITY)
  })
})
