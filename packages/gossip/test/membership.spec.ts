/**
 * HyParView membership in one router: a router cut off joins again through any open
 * connection, but not through the peer that just left it; picking a view member. The
 * membership of routers in a network (repair from the passive view, shuffles, joins that
 * overlap) is tested on the simulator, in packages/sim/test/gossip/membership.spec.ts.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createGossip, encodeFrame, type GossipOutput } from '../src/index'
import { pick, pickKey } from '../src/random'
import { sentFrames, signerAt } from './helpers'

const keys = (peers: { toString(): string }[]): string[] => peers.map(String)

describe('rejoining', () => {
  const sent = (out: GossipOutput[]): string[] => sentFrames(out).map(([, frame]) => frame.kind)

  it('a router left with no neighbour and no passive peer joins again through any open connection', () => {
    let state = 7
    const random = (): number => {
      state = (state * 16_807) % 2_147_483_647
      return state / 2_147_483_647
    }
    const router = createGossip({}, { self: signerAt(0).peerId, random })
    const other = signerAt(1).peerId
    const now = 1_700_000_000_000
    router.handle({ type: 'subscribe', topic: 't', now })
    // a connection outside both views (as a shuffle reply's): nothing happens at once
    expect(
      sent(router.handle({ type: 'peer-connected', peer: other, outbound: false, now })),
    ).toEqual([])
    expect(router.activeView()).toEqual([])
    // at the next heartbeat the router finds itself cut off and joins through it
    const out = router.handle({ type: 'tick', now: now + 3_000 })
    expect(sent(out)).toContain('join')
    expect(keys(router.activeView())).toEqual([other.toString()])
  })

  it('a router left by its only neighbour closes the link, and asks that peer back at the next round', () => {
    const router = createGossip({}, { self: signerAt(0).peerId, random: () => 0.5 })
    const other = signerAt(1).peerId
    const now = 1_700_000_000_000
    router.handle({ type: 'subscribe', topic: 't', now })
    router.handle({ type: 'peer-connected', peer: other, outbound: true, now })
    expect(keys(router.activeView())).toEqual([other.toString()])
    const linkOutputs = (out: GossipOutput[]) =>
      out.flatMap((o) =>
        (o.type === 'connect' || o.type === 'disconnect') && o.peer.equals(other) ? [o.type] : [],
      )
    const out = router.handle({
      type: 'frame',
      from: other,
      bytes: encodeFrame({ kind: 'disconnect' }),
      now: now + 10,
    })
    // the link goes now; the peer is not dialed again in the same breath
    expect(linkOutputs(out)).toEqual(['disconnect'])
    expect(keys(router.passiveView())).toEqual([other.toString()])
    // at the next heartbeat, alone, the router dials it with a high-priority request
    const later = router.handle({ type: 'tick', now: now + 3_000 })
    expect(linkOutputs(later)).toEqual(['connect'])
    router.handle({ type: 'peer-connected', peer: other, outbound: true, now: now + 3_020 })
    const reply = encodeFrame({ kind: 'neighbor-reply', accepted: true })
    router.handle({ type: 'frame', from: other, bytes: reply, now: now + 3_030 })
    expect(keys(router.activeView())).toEqual([other.toString()])
  })

  it('a router whose only neighbour leaves it does not join again through that neighbour', () => {
    const router = createGossip({}, { self: signerAt(0).peerId, random: () => 0.5 })
    const other = signerAt(1).peerId
    const now = 1_700_000_000_000
    const disconnect = encodeFrame({ kind: 'disconnect' })
    router.handle({ type: 'subscribe', topic: 't', now })
    router.handle({ type: 'peer-connected', peer: other, outbound: true, now })
    // it leaves, and is asked back as a neighbour over a new connection
    router.handle({ type: 'frame', from: other, bytes: disconnect, now: now + 10 })
    router.handle({ type: 'peer-disconnected', peer: other, now: now + 10 })
    router.handle({ type: 'peer-connected', peer: other, outbound: true, now: now + 20 })
    const reply = encodeFrame({ kind: 'neighbor-reply', accepted: true })
    router.handle({ type: 'frame', from: other, bytes: reply, now: now + 30 })
    expect(keys(router.activeView())).toEqual([other.toString()])
    // it leaves again: the connection goes, and so does the neighbour
    const out = router.handle({ type: 'frame', from: other, bytes: disconnect, now: now + 40 })
    expect(out.some((o) => o.type === 'disconnect' && o.peer.equals(other))).toBe(true)
    expect(sent(out)).not.toContain('join')
    router.handle({ type: 'peer-disconnected', peer: other, now: now + 40 })
    expect(router.activeView()).toEqual([])
  })
})

describe('picking a view member', () => {
  it('property: pickKey chooses what pick chooses from the list of keys', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string(), { maxLength: 40 }),
        fc.double({ min: 0, max: 1 }),
        (keys, r) => {
          const map = new Map(keys.map((k) => [k, 0]))
          expect(pickKey(map, () => r)).toBe(pick([...map.keys()], () => r))
        },
      ),
    )
  })
})
