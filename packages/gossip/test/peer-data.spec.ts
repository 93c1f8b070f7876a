/**
 * Peer records on membership frames: their encoding, the records the decoder refuses, and
 * the bound on a router's own record. How routers spread, report and keep records in a
 * network is tested on the simulator (packages/sim/test/gossip/peer-data.spec.ts).
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
  isGossipError,
} from '../src/index'
import { seededRandom, signerAt } from './helpers'

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
})
