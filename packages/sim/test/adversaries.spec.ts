import { createVerifyCache } from '@peerkit/envelope'
import { sealMessage } from '@peerkit/gossip'
import { describe, expect, it } from 'vitest'
import { createAdversary } from '../src/adversaries'
import type { GossipOutput } from '../src/contract'
import { createIdentities } from '../src/identities'
import { createEnvelopeCheck, defaultEnvelopeRules } from '../src/messages'
import { createRandom } from '../src/random'
import { createFloodRouter } from '../src/strategies/flood'
import { decodeBaselineFrame, encodeBaselineFrame } from '../src/strategies/wire'

const TOPIC = 'sim'
const NOW = 1_767_225_600_000

async function setup(
  role: 'dropper' | 'spammer' | 'replayer',
  replayAt: number[] = [],
  eclipse = true,
) {
  const identities = createIdentities(4, 3)
  const [self, a, b, publisher] = [0, 1, 2, 3].map((i) => identities.peerId(i))
  const check = createEnvelopeCheck(defaultEnvelopeRules(createVerifyCache()))
  const inner = createFloodRouter({}, { self: self!, check })
  const adversary = createAdversary({
    role,
    inner,
    random: createRandom(1).next,
    targets: [a!, b!],
    replayAt,
    eclipse,
  })
  const envelope = await sealMessage(identities.signer(3), {
    topic: TOPIC,
    data: { n: 1, bytes: new Uint8Array(64).fill(7) },
    timestamp: NOW,
  })
  const frame = encodeBaselineFrame({ messages: [{ topic: TOPIC, hops: 0, envelope }] })
  const outputs: GossipOutput[] = []
  outputs.push(...adversary.handle({ type: 'subscribe', topic: TOPIC, now: NOW }))
  outputs.push(...adversary.handle({ type: 'peer-connected', peer: a!, now: NOW }))
  outputs.push(...adversary.handle({ type: 'peer-connected', peer: b!, now: NOW }))
  outputs.push(...adversary.handle({ type: 'frame', from: a!, bytes: frame, now: NOW + 1 }))
  return { adversary, outputs, envelope, frame, check, a: a!, b: b!, publisher: publisher! }
}

describe('adversaries', () => {
  it('a dropper delivers but never forwards a full message', async () => {
    const { adversary, outputs } = await setup('dropper')
    expect(outputs.some((o) => o.type === 'deliver')).toBe(true)
    expect(outputs.some((o) => o.type === 'send' && o.payloads > 0)).toBe(false)
    expect(adversary.stats.payloadsDropped).toBe(1)
  })

  it('every adversary dials honest targets it is not connected to (eclipse)', async () => {
    const { adversary, b } = await setup('dropper')
    // connected to both targets: nothing to dial
    const first = adversary.handle({ type: 'tick', now: NOW + 2_000 })
    expect(first.filter((o) => o.type === 'connect')).toEqual([])
    adversary.handle({ type: 'peer-disconnected', peer: b, now: NOW + 2_001 })
    const later = adversary.handle({ type: 'tick', now: NOW + 5_000 })
    const dials = later.filter((o) => o.type === 'connect')
    expect(dials.length).toBeGreaterThan(0)
    for (const dial of dials) expect(dial).toEqual({ type: 'connect', peer: b })
  })

  it('a spammer sends captured frames with an altered body (new id each time) and garbage', async () => {
    const { adversary, envelope, check } = await setup('spammer')
    const spam = adversary
      .handle({ type: 'tick', now: NOW + 1_000 })
      .filter((o): o is Extract<GossipOutput, { type: 'send' }> => o.type === 'send')
    expect(spam.length).toBe(4) // 2 neighbours × 2 frames
    const forged = spam.filter((o) => o.payloads === 1)
    expect(forged).toHaveLength(2)
    const ids = new Set<string>()
    for (const o of forged) {
      const bad = decodeBaselineFrame(o.bytes).messages![0]!.envelope
      expect(bad.length).toBe(envelope.length)
      let differences = 0
      for (let i = 0; i < bad.length; i++) if (bad[i] !== envelope[i]) differences++
      expect(differences).toBe(1)
      expect(check.verify(bad, TOPIC, NOW + 1_000)).toBe(false)
      ids.add(check.id(bad)!)
    }
    expect(ids.size).toBe(2)
    expect(adversary.stats.garbageSent).toBe(2)
  })

  it('a replayer re-sends the captured frames verbatim at its replay times only', async () => {
    const { adversary, frame } = await setup('replayer', [NOW + 10_000])
    const before = adversary.handle({ type: 'tick', now: NOW + 5_000 })
    expect(before.some((o) => o.type === 'send' && o.payloads > 0)).toBe(false)
    const at = adversary.handle({ type: 'tick', now: NOW + 10_000 })
    const replays = at.filter(
      (o): o is Extract<GossipOutput, { type: 'send' }> => o.type === 'send',
    )
    expect(replays).toHaveLength(2)
    for (const o of replays) expect(o.bytes).toEqual(frame)
    expect(adversary.stats.replaysSent).toBe(2)
  })
})

describe('replayer without eclipse', () => {
  it('dials targets only 2 s before a replay', async () => {
    const { adversary, b } = await setup('replayer', [NOW + 10_000], false)
    adversary.handle({ type: 'peer-disconnected', peer: b, now: NOW + 10 })
    const early = adversary.handle({ type: 'tick', now: NOW + 5_000 })
    expect(early.filter((o) => o.type === 'connect')).toEqual([])
    const before = adversary.handle({ type: 'tick', now: NOW + 8_000 })
    expect(before.filter((o) => o.type === 'connect').length).toBeGreaterThan(0)
    expect(before.some((o) => o.type === 'wake' && o.at === NOW + 10_000)).toBe(true)
  })
})
