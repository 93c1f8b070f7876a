/**
 * Peer records on membership frames: a router carries its own opaque record on JOIN,
 * NEIGHBOUR and SHUFFLE, passes others' records along FORWARD_JOIN and SHUFFLE walks,
 * reports each record it learns, and keeps them for its views within a bound.
 */
import { encode } from '@peerkit/codec'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  createGossip,
  DEFAULT_MAX_PEER_DATA_BYTES,
  decodeFrame,
  encodeFrame,
  type Frame,
  type GossipOutput,
  isGossipError,
} from '../src/index'
import { createNetwork, seededRandom, signerAt } from './fixtures/network'

const LIMITS = { maxFrameBytes: 65_536, maxIds: 64, maxPeers: 64, maxTopics: 64, maxTtl: 16 }
const peers = Array.from({ length: 8 }, (_, i) => signerAt(i).peerId)
const record = (i: number, size = 40): Uint8Array =>
  new Uint8Array(size).map((_, j) => (i * 31 + j) & 0xff)

describe('peer data frames', () => {
  it('without records, membership frames keep their encoding', () => {
    expect(encodeFrame({ kind: 'join' })).toEqual(encode([1, 0]))
    expect(encodeFrame({ kind: 'join', data: new Uint8Array(0) })).toEqual(encode([1, 0]))
    expect(encodeFrame({ kind: 'neighbor', high: true })).toEqual(encode([1, 2, true]))
    const shuffle = encodeFrame({ kind: 'shuffle', origin: peers[0]!, ttl: 2, peers: [peers[1]!] })
    expect(shuffle).toEqual(encode([1, 5, peers[0]!.toBytes(), 2, [peers[1]!.toBytes()]]))
  })

  it('round-trips records on every membership frame', () => {
    const arb = fc.option(fc.uint8Array({ minLength: 1, maxLength: 64 }), { nil: undefined })
    fc.assert(
      fc.property(arb, fc.array(arb, { minLength: 1, maxLength: 8 }), (data, list) => {
        const listed = peers.slice(0, list.length)
        const withList = list.some((d) => d !== undefined) ? { data: list } : {}
        const frames: Frame[] = [
          { kind: 'join', ...(data === undefined ? {} : { data }) },
          {
            kind: 'forward-join',
            peer: peers[1]!,
            ttl: 3,
            ...(data === undefined ? {} : { data }),
          },
          { kind: 'neighbor', high: false, ...(data === undefined ? {} : { data }) },
          { kind: 'shuffle', origin: peers[0]!, ttl: 1, peers: listed, ...withList },
          { kind: 'shuffle-reply', peers: listed, ...withList },
        ]
        for (const frame of frames) {
          const decoded = decodeFrame(encodeFrame(frame), LIMITS)
          expect(encodeFrame(decoded)).toEqual(encodeFrame(frame))
          if ('data' in frame && frame.data !== undefined && !Array.isArray(frame.data))
            expect((decoded as { data?: Uint8Array }).data).toEqual(frame.data)
          if (frame.kind === 'shuffle' || frame.kind === 'shuffle-reply') {
            const got = (decoded as { data?: (Uint8Array | undefined)[] }).data
            expect(got ?? list.map(() => undefined)).toEqual(list)
          }
        }
      }),
      { numRuns: 100 },
    )
  })

  it('rejects empty, oversized and misshapen records', () => {
    const p = peers[1]!.toBytes()
    const bad = [
      encode([1, 0, new Uint8Array(0)]),
      encode([1, 0, new Uint8Array(DEFAULT_MAX_PEER_DATA_BYTES + 1)]),
      encode([1, 0, 'text']),
      encode([1, 0, record(1), record(2)]),
      encode([1, 2, true, new Uint8Array(0)]),
      encode([1, 1, p, 2, new Uint8Array(DEFAULT_MAX_PEER_DATA_BYTES + 1)]),
      encode([1, 6, [[p]]]),
      encode([1, 6, [[p, record(1), record(2)]]]),
      encode([1, 6, [[p, new Uint8Array(0)]]]),
      encode([1, 5, p, 1, [[p, 7]]]),
    ]
    for (const bytes of bad) {
      expect(() => decodeFrame(bytes, LIMITS)).toThrow(
        expect.objectContaining({ name: 'MalformedFrameError' }),
      )
    }
    const small = { ...LIMITS, maxPeerDataBytes: 8 }
    expect(() => decodeFrame(encode([1, 0, record(1, 9)]), small)).toThrow(
      expect.objectContaining({ name: 'MalformedFrameError' }),
    )
    expect(decodeFrame(encode([1, 0, record(1, 8)]), small)).toEqual({
      kind: 'join',
      data: record(1, 8),
    })
  })
})

describe('peer data in the router', () => {
  it('refuses a record over maxPeerDataBytes with a typed error and changes nothing', () => {
    const router = createGossip(
      { maxPeerDataBytes: 16 },
      { self: peers[0]!, random: seededRandom(1) },
    )
    router.handle({ type: 'local-peer-data', data: record(0, 16), now: 1 })
    const digest = router.stateDigest()
    let caught: unknown
    try {
      router.handle({ type: 'local-peer-data', data: record(0, 17), now: 2 })
    } catch (error) {
      caught = error
    }
    expect(isGossipError(caught, 'PeerDataTooLargeError')).toBe(true)
    expect(() =>
      router.handle({ type: 'local-peer-data', data: 'x' as unknown as Uint8Array, now: 2 }),
    ).toThrow(expect.objectContaining({ name: 'InvalidArgumentError' }))
    expect(router.stateDigest()).toBe(digest)
    expect(() =>
      createGossip({ maxPeerDataBytes: 65_537 }, { self: peers[0]!, random: Math.random }),
    ).toThrow(expect.objectContaining({ name: 'InvalidArgumentError' }))
  })

  it('spreads every record through joins and shuffles, reports only true ones, and follows updates', async () => {
    const n = 30
    const net = await createNetwork({ nodes: n, seed: 3, init: { shuffleIntervalMs: 2_000 } })
    const truth = new Map(net.nodes.map((node) => [node.key, record(node.index)]))
    const learned = net.nodes.map(() => new Map<string, Uint8Array>())
    for (const node of net.nodes) {
      node.filter = (o: GossipOutput) => {
        if (o.type === 'peer-data') learned[node.index]!.set(o.peer.toString(), o.data)
        return true
      }
      net.input(node.index, { type: 'local-peer-data', data: truth.get(node.key)!, now: net.now })
    }
    net.subscribeAll('t')
    net.bootstrap(2)
    net.run(net.now + 30_000)
    let total = 0
    for (const node of net.nodes) {
      const mine = learned[node.index]!
      expect(mine.has(node.key)).toBe(false)
      total += mine.size
      for (const [key, data] of mine) expect(data).toEqual(truth.get(key))
      // every peer in a view has its record
      for (const p of [...node.router.activeView(), ...node.router.passiveView()])
        expect(node.router.peerData(p)).toEqual(truth.get(p.toString()))
    }
    expect(total).toBeGreaterThan(n * 5)
    // a new record replaces the old one as shuffles pass it on
    const fresh = record(99)
    net.input(0, { type: 'local-peer-data', data: fresh, now: net.now })
    net.run(net.now + 40_000)
    const knowers = net.nodes.filter((node) => learned[node.index]!.get(net.nodes[0]!.key))
    const updated = knowers.filter((node) => {
      const d = learned[node.index]!.get(net.nodes[0]!.key)!
      return d.length === fresh.length && d.every((b, i) => b === fresh[i])
    })
    expect(updated.length).toBeGreaterThan(0)
  })

  it('keeps at most a bounded number of records, whatever shuffles name', async () => {
    const net = await createNetwork({ nodes: 3, seed: 5 })
    net.connect(0, 1)
    net.run(net.now + 1_000)
    const router = net.nodes[1]!.router
    let reported = 0
    net.nodes[1]!.filter = (o) => {
      if (o.type === 'peer-data') reported++
      return true
    }
    const named = Array.from({ length: 400 }, (_, i) => signerAt(100 + i).peerId)
    for (let i = 0; i < named.length; i += 8) {
      const list = named.slice(i, i + 8)
      const frame = encodeFrame({
        kind: 'shuffle',
        // the neighbour's own shuffle: answering it needs no dial (dials are rate-limited)
        origin: net.nodes[0]!.peer,
        ttl: 0,
        peers: list,
        data: list.map((_, j) => record(i + j)),
      })
      net.inject(0, 1, frame)
    }
    expect(reported).toBe(named.length)
    const kept = named.filter((p) => router.peerData(p) !== undefined).length
    const bound = 2 * (5 + 30) + 8
    expect(kept).toBeGreaterThan(0)
    expect(kept).toBeLessThanOrEqual(bound)
    // every passive entry keeps its record
    for (const p of router.passiveView()) expect(router.peerData(p)).toBeDefined()
  })

  it('a frame with an oversized record is a violation and teaches nothing', async () => {
    const net = await createNetwork({ nodes: 2, seed: 7, init: { maxPeerDataBytes: 32 } })
    net.connect(0, 1)
    net.run(net.now + 1_000)
    const stranger = signerAt(50).peerId
    const bytes = encode([1, 6, [[stranger.toBytes(), record(1, 33)]]])
    const out = net.inject(0, 1, bytes)
    expect(out.some((o) => o.type === 'peer-data')).toBe(false)
    expect(out.some((o) => o.type === 'misbehaved' && o.reason === 'MalformedFrameError')).toBe(
      true,
    )
    expect(net.nodes[1]!.router.peerData(stranger)).toBeUndefined()
  })
})
