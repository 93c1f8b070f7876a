/**
 * Cheap attacks on one router that need no network: the message cache stays within its
 * bytes. The attacks a neighbour makes with frames it writes itself are tested on the
 * simulator (packages/sim/test/gossip/attacks.spec.ts).
 */
import { describe, expect, it } from 'vitest'
import { createGossip, messageIdOf, sealMessage } from '../src/index'
import { seededRandom, signerAt } from './helpers'

const TOPIC = 't'

describe('cheap attacks', () => {
  it('the message cache is bounded in bytes', async () => {
    const maxCachedBytes = 20_000
    const router = createGossip(
      { maxCachedBytes },
      { self: signerAt(0).peerId, random: seededRandom(7) },
    )
    const now = 1_700_000_000_000
    const seal = (data: unknown) =>
      sealMessage(signerAt(0), { topic: TOPIC, data: data as never, timestamp: now })
    router.handle({ type: 'subscribe', topic: TOPIC, now })
    let size = 0
    for (let i = 0; i < 40; i++) {
      const envelope = await seal(new Uint8Array(2_000).fill(i))
      size = envelope.length
      router.handle({ type: 'publish', topic: TOPIC, envelope, now })
    }
    const cached = router.stats().cachedMessages
    expect(cached).toBeGreaterThan(0)
    expect(cached * size).toBeLessThanOrEqual(maxCachedBytes)
    expect(messageIdOf(await seal('x'))).toBeDefined()
  })
})
