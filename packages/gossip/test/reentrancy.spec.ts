/**
 * Reads that call out: a score hook runs while a router reads an announcement in place, and
 * a hook that makes another router (or the frame decoder) read a frame meanwhile must not
 * change what the first one read.
 */
import { keyPairFromSeed, signerFromKeyPair } from '@peerkit/identity'
import { describe, expect, it } from 'vitest'
import { idKeyOf } from '../src/frames'
import {
  createGossip,
  createPenaltyScore,
  decodeFrame,
  encodeFrame,
  type Gossip,
  type ScoreHook,
} from '../src/index'

const TOPIC = 't'
const NOW = 1_700_000_000_000
const signer = (n: number) => signerFromKeyPair(keyPairFromSeed(new Uint8Array(32).fill(n)))
const LIMITS = { maxFrameBytes: 65_536, maxIds: 64, maxPeers: 64, maxTopics: 64, maxTtl: 16 }

/** An announcement of one made-up message id (well formed; no message has it). */
function announcement(n: number): Uint8Array {
  const bytes = new Uint8Array(36)
  bytes.set([0x01, 0x51, 0x12, 0x20])
  bytes.fill(n, 4)
  const source = new Uint8Array(32).fill(n)
  return encodeFrame({
    kind: 'ihave',
    topic: TOPIC,
    ids: [{ id: { bytes, key: idKeyOf(bytes) }, hops: 1, source }],
  })
}

const empty = encodeFrame({ kind: 'ihave', topic: TOPIC, ids: [] })

describe('re-entrant reads', () => {
  it('a score hook that reads other announcements leaves the one being read intact', () => {
    const neighbour = signer(9).peerId
    let nested: (() => void) | undefined
    const inner = createPenaltyScore()
    const hook: ScoreHook = {
      record: (peer, event, now) => inner.record(peer, event, now),
      score(peer, now) {
        // once, in the middle of the first router's read
        const run = nested
        nested = undefined
        run?.()
        return inner.score(peer, now)
      },
    }
    const make = (n: number, scoreHook?: ScoreHook): Gossip => {
      const router = createGossip(
        {},
        { self: signer(n).peerId, random: () => 0.5, ...(scoreHook ? { scoreHook } : {}) },
      )
      router.handle({ type: 'subscribe', topic: TOPIC, now: NOW })
      router.handle({ type: 'peer-connected', peer: neighbour, now: NOW, outbound: true })
      return router
    }
    const first = make(1, hook)
    const other = make(2)
    nested = () => {
      // the decoder reads a different announcement, and another router an empty one
      decodeFrame(announcement(7), LIMITS)
      other.handle({ type: 'frame', from: neighbour, bytes: empty, now: NOW + 10 })
    }
    const out = first.handle({
      type: 'frame',
      from: neighbour,
      bytes: announcement(3),
      now: NOW + 10,
    })
    expect(nested).toBeUndefined()
    // the first router still pulls the message it was told of
    const pulls = out.flatMap((o) => {
      if (o.type !== 'send') return []
      const frame = decodeFrame(o.bytes, LIMITS)
      return frame.kind === 'graft' || frame.kind === 'iwant'
        ? frame.ids.map((id) => id.bytes[4])
        : []
    })
    expect(pulls).toEqual([3])
  })
})
