/**
 * Local mistakes throw typed errors and change nothing: bad init, bad inputs, publishes
 * that do not open, duplicate publishes.
 */
import { seal } from '@peerkit/envelope'
import { describe, expect, it } from 'vitest'
import { createGossip, isGossipError, sealMessage } from '../src/index'
import { seededRandom, signerAt } from './helpers'

const signer = signerAt(0)
const now = 1_700_000_000_000

function nameOf(fn: () => unknown): string {
  try {
    fn()
    return 'none'
  } catch (error) {
    expect(isGossipError(error)).toBe(true)
    return (error as Error).name
  }
}

describe('errors', () => {
  it('rejects init options out of range, naming them', () => {
    const components = { self: signer.peerId, random: seededRandom(1) }
    for (const init of [
      { activeViewSize: 0 },
      { hopLimit: 1.5 },
      { passiveRandomWalkLength: 9, activeRandomWalkLength: 2 },
      { scoreThresholds: { graylist: 0 } },
      { maxFrameBytes: 1000, maxMessageBytes: 900 },
      { firstPushHops: 0 },
    ]) {
      let error: unknown
      try {
        createGossip(init, components)
      } catch (e) {
        error = e
      }
      expect(isGossipError(error, 'InvalidArgumentError')).toBe(true)
      expect((error as { argument: string }).argument).toMatch(/^init\./)
    }
    expect(nameOf(() => createGossip({}, { self: signer.peerId } as never))).toBe(
      'InvalidArgumentError',
    )
  })

  it('throws typed errors for bad publishes and leaves the state as it was', async () => {
    const router = createGossip({}, { self: signer.peerId, random: seededRandom(2) })
    router.handle({ type: 'subscribe', topic: 't', now })
    const digest = router.stateDigest()
    const good = await sealMessage(signer, { topic: 't', data: 1, timestamp: now })
    const otherTopic = await sealMessage(signer, { topic: 'u', data: 1, timestamp: now })
    const otherDomain = await seal(signer, {
      domain: 'peerkit/other/1',
      payload: { topic: 't', data: 1 },
      timestamp: now,
    })
    const bareData = await seal(signer, {
      domain: 'peerkit/gossip/1',
      payload: 'no topic',
      timestamp: now,
    })
    const stale = await sealMessage(signer, { topic: 't', data: 1, timestamp: now - 10 * 60_000 })
    const cases: [string, () => unknown, string][] = [
      [
        'empty topic',
        () => router.handle({ type: 'publish', topic: '', envelope: good, now }),
        'InvalidTopicError',
      ],
      [
        'garbage',
        () => router.handle({ type: 'publish', topic: 't', envelope: new Uint8Array([1, 2]), now }),
        'PublishRejectedError',
      ],
      [
        'topic mismatch',
        () => router.handle({ type: 'publish', topic: 't', envelope: otherTopic, now }),
        'PublishRejectedError',
      ],
      [
        'other domain',
        () => router.handle({ type: 'publish', topic: 't', envelope: otherDomain, now }),
        'PublishRejectedError',
      ],
      [
        'payload shape',
        () => router.handle({ type: 'publish', topic: 't', envelope: bareData, now }),
        'PublishRejectedError',
      ],
      [
        'expired',
        () => router.handle({ type: 'publish', topic: 't', envelope: stale, now }),
        'PublishRejectedError',
      ],
      ['bad time', () => router.handle({ type: 'tick', now: Number.NaN }), 'InvalidArgumentError'],
      [
        'bad verdict',
        () =>
          router.handle({
            type: 'validation-result',
            messageId: 'x',
            verdict: 'maybe' as never,
            now,
          }),
        'InvalidArgumentError',
      ],
      [
        'unknown input',
        () => router.handle({ type: 'explode', now } as never),
        'InvalidArgumentError',
      ],
    ]
    for (const [, fn, name] of cases) {
      expect(nameOf(fn)).toBe(name)
      expect(router.stateDigest()).toBe(digest)
    }
    let reason = ''
    try {
      router.handle({ type: 'publish', topic: 't', envelope: otherDomain, now })
    } catch (e) {
      reason = (e as { reason: string }).reason
    }
    expect(reason).toBe('WrongDomainError')
    router.handle({ type: 'publish', topic: 't', envelope: good, now })
    const after = router.stateDigest()
    expect(nameOf(() => router.handle({ type: 'publish', topic: 't', envelope: good, now }))).toBe(
      'DuplicatePublishError',
    )
    expect(router.stateDigest()).toBe(after)
  })

  it('delivers a local publish to a subscribed application once, at hop 0', async () => {
    const router = createGossip({}, { self: signer.peerId, random: seededRandom(3) })
    router.handle({ type: 'subscribe', topic: 't', now })
    const envelope = await sealMessage(signer, { topic: 't', data: 'hi', timestamp: now })
    const out = router.handle({ type: 'publish', topic: 't', envelope, now })
    const deliveries = out.filter((o) => o.type === 'deliver')
    expect(deliveries).toHaveLength(1)
    expect(deliveries[0]).toMatchObject({ topic: 't', hops: 0 })
    expect(router.stats()).toMatchObject({ published: 1, delivered: 1 })
  })
})
