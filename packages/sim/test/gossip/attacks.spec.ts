/**
 * Cheap attacks on one router, each found by trying: a few bytes from one neighbour must
 * not buy much CPU, memory, traffic or dials, and honest forwarders must not be blamed for
 * what they could not know.
 */
import { encode } from '@peerkit/codec'
import { encodeFrame, type GossipOutput, type WireId } from '@peerkit/gossip'
import { idKeyOf } from '@peerkit/gossip/frames'
import { describe, expect, it } from 'vitest'
import { createLine, sentFrames, signerAt } from './harness'

const TOPIC = 't'
const misbehaved = (out: readonly GossipOutput[]): string[] =>
  out.flatMap((o) => (o.type === 'misbehaved' ? [o.reason] : []))

/** A made-up message id (a well-formed sha2-256 content id no message has). */
function fakeId(i: number): WireId {
  const bytes = new Uint8Array(36)
  bytes.set([0x01, 0x51, 0x12, 0x20])
  new DataView(bytes.buffer).setUint32(4, i + 1)
  bytes[35] = 0xaa
  return { bytes, key: idKeyOf(bytes) }
}

function fakeSource(i: number): Uint8Array {
  const s = new Uint8Array(32)
  new DataView(s.buffer).setUint32(0, i + 1)
  s[31] = 0x55
  return s
}

describe('cheap attacks', () => {
  it('a subscription frame naming one topic many times is refused as malformed', async () => {
    const net = createLine({ nodes: 2, seed: 1 })
    const frame = encodeFrame({
      kind: 'subscriptions',
      subscribe: false,
      topics: Array.from({ length: 1000 }, () => TOPIC),
    })
    const digest = net.nodes[1]!.router.stateDigest()
    expect(misbehaved(net.inject(0, 1, frame))).toEqual(['MalformedFrameError'])
    expect(net.nodes[1]!.router.stateDigest()).toBe(digest)
  })

  it('announcements naming made-up sources leave no parent behind, and trees stay bounded', async () => {
    const net = createLine({ nodes: 2, seed: 2, init: { maxSources: 16 } })
    const router = net.nodes[1]!.router
    const n = 100
    for (let i = 0; i < n; i += 10) {
      const ids = Array.from({ length: 10 }, (_, j) => ({
        id: fakeId(i + j),
        hops: 1,
        source: fakeSource(i + j),
      }))
      net.inject(0, 1, encodeFrame({ kind: 'ihave', topic: TOPIC, ids }))
    }
    // the grafts for them are out: the announcer is the provisional parent of a bounded few
    const parentOf = (i: number) =>
      router.parent(TOPIC, { publicKey: fakeSource(i) } as Parameters<typeof router.parent>[1])
    const provisional = Array.from({ length: n }, (_, i) => parentOf(i)).filter(Boolean).length
    expect(provisional).toBeLessThanOrEqual(16)
    // nothing arrives: once the request times out, no parent is left
    net.run(net.now + 10_000)
    expect(Array.from({ length: n }, (_, i) => parentOf(i)).filter(Boolean)).toEqual([])
  })

  it('a neighbour toggling its subscription is caught up once per catch-up window', async () => {
    const net = createLine({ nodes: 2, seed: 3 })
    for (let i = 0; i < 30; i++) await net.publish(0, TOPIC, `m${i}`)
    net.run(net.now + 500)
    let announced = 0
    for (let round = 0; round < 20; round++) {
      for (const subscribe of [false, true]) {
        const frame = encodeFrame({ kind: 'subscriptions', subscribe, topics: [TOPIC] })
        for (const [, f] of sentFrames(net.inject(1, 0, frame)))
          if (f.kind === 'ihave') announced += f.ids.length
      }
    }
    expect(announced).toBeLessThanOrEqual(30)
  })

  it('an envelope expired on arrival is dropped without blaming the forwarder', async () => {
    const init = { maxMessageAgeMs: 5_000, maxClockSkewMs: 1_000 }
    const net = createLine({ nodes: 2, seed: 4, init })
    const out: GossipOutput[] = []
    for (let i = 0; i < 40; i++) {
      // stamped just past the window's edges: the forwarder took them a moment earlier
      const old = await net.seal(0, TOPIC, `old${i}`, net.now - 5_001)
      const future = await net.seal(0, TOPIC, `new${i}`, net.now + 1_001)
      for (const envelope of [old, future])
        out.push(
          ...net.inject(0, 1, encodeFrame({ kind: 'gossip', topic: TOPIC, hops: 2, envelope })),
        )
    }
    expect(misbehaved(out)).toEqual([])
    expect(out.some((o) => o.type === 'disconnect' || o.type === 'deliver')).toBe(false)
    expect(net.nodes[1]!.router.stats().replaysRejected).toBe(80)
    expect(net.nodes[1]!.router.activeView().map(String)).toEqual([net.nodes[0]!.key])
  })

  it('a time that is not a whole non-negative number of milliseconds is refused at the edge', async () => {
    const net = createLine({ nodes: 2, seed: 5 })
    const envelope = await net.seal(0, TOPIC, 'x')
    const frame = encodeFrame({ kind: 'gossip', topic: TOPIC, hops: 1, envelope })
    const router = net.nodes[1]!.router
    const digest = router.stateDigest()
    for (const now of [net.now + 0.5, -1, Number.NaN]) {
      expect(() =>
        router.handle({ type: 'frame', from: net.nodes[0]!.peer, bytes: frame, now }),
      ).toThrow(expect.objectContaining({ name: 'InvalidArgumentError' }))
    }
    expect(router.stateDigest()).toBe(digest)
  })

  it('dials asked for by membership frames are rate-limited per neighbour and name it', async () => {
    const net = createLine({ nodes: 2, seed: 6 })
    const connects: GossipOutput[] = []
    for (let i = 0; i < 100; i++) {
      const stranger = signerAt(1_000 + i).peerId
      const frame =
        i % 2 === 0
          ? encodeFrame({ kind: 'forward-join', peer: stranger, ttl: 0 })
          : encodeFrame({ kind: 'shuffle', origin: stranger, ttl: 0, peers: [stranger] })
      for (const o of net.inject(0, 1, frame)) if (o.type === 'connect') connects.push(o)
    }
    expect(connects.length).toBeGreaterThan(0)
    expect(connects.length).toBeLessThanOrEqual(8)
    for (const o of connects) {
      if (o.type !== 'connect') throw new Error('unreachable')
      expect(o.cause?.toString()).toBe(net.nodes[0]!.key)
    }
  })

  it('a subscription list of distinct topics still works (the check refuses only repeats)', async () => {
    const net = createLine({ nodes: 2, seed: 8 })
    const frame = encode([1, 7, true, ['a', 'b', 'c']])
    expect(misbehaved(net.inject(0, 1, frame))).toEqual([])
    expect(net.nodes[1]!.router.peerTopics(net.nodes[0]!.peer).sort()).toEqual(['a', 'b', 'c', 't'])
  })
})
