/**
 * Routers share nothing unless their application hands them the same share: delivered
 * envelopes of routers in one process are separate bytes, and one share gives them one copy.
 */
import { keyPairFromSeed, signerFromKeyPair } from '@peerkit/identity'
import { describe, expect, it } from 'vitest'
import {
  createGossip,
  createGossipShare,
  encodeFrame,
  type GossipShare,
  sealMessage,
} from '../src/index'

const TOPIC = 't'
const NOW = 1_700_000_000_000
const signer = (n: number) => signerFromKeyPair(keyPairFromSeed(new Uint8Array(32).fill(n)))

/** The envelope a router delivers when a neighbour pushes `frame` to it (a copy of its own). */
function deliveredBy(router: ReturnType<typeof createGossip>, frame: Uint8Array): Uint8Array {
  const from = signer(9).peerId
  router.handle({ type: 'subscribe', topic: TOPIC, now: NOW })
  router.handle({ type: 'peer-connected', peer: from, now: NOW, outbound: true })
  const out = router.handle({ type: 'frame', from, bytes: frame.slice(), now: NOW })
  const delivery = out.find((o) => o.type === 'deliver')
  if (delivery?.type !== 'deliver') throw new Error('not delivered')
  return delivery.envelope
}

describe('isolation', () => {
  it('routers without a common share deliver separate bytes; with one, the same copy', async () => {
    const envelope = await sealMessage(signer(1), { topic: TOPIC, data: 'x', timestamp: NOW })
    const frame = encodeFrame({ kind: 'gossip', topic: TOPIC, hops: 1, envelope })
    const make = (n: number, share?: GossipShare, init = {}) =>
      createGossip(init, {
        self: signer(n).peerId,
        random: () => 0.5,
        ...(share === undefined ? {} : { share }),
      })
    // two applications in one process, with different settings and no share
    const a = deliveredBy(make(2, undefined, { activeViewSize: 5 }), frame)
    const b = deliveredBy(make(3), frame)
    expect([...a]).toEqual([...envelope])
    expect(a).not.toBe(b)
    expect(a.buffer).not.toBe(b.buffer)
    // a simulator hands one share to all its routers: one copy for all
    const share = createGossipShare()
    const c = deliveredBy(make(4, share), frame)
    const d = deliveredBy(make(5, share, { activeViewSize: 5 }), frame)
    expect(d).toBe(c)
    expect(share.sizes().envelopes).toBe(1)
    // settings made alike are one object in a share, whatever router asked first
    expect(share.sizes().settings).toBe(2)
  })

  it('refuses a share that is not one', () => {
    expect(() =>
      createGossip(
        {},
        { self: signer(2).peerId, random: () => 0.5, share: {} as unknown as GossipShare },
      ),
    ).toThrow(expect.objectContaining({ name: 'InvalidArgumentError' }))
  })
})
