/**
 * Small helpers for tests of one router at a time: seeded identities and randomness, and
 * the frames among a router's outputs. Tests of routers in a network run on the
 * simulator (`packages/sim/test/gossip`).
 */
import { keyPairFromSeed, type Signer, signerFromKeyPair } from '@peerkit/identity'
import { decodeFrame, type Frame, type FrameLimits, type GossipOutput } from '../src/index'

/** Frame limits wide enough to read back anything a router sends in these tests. */
const READ_BACK_LIMITS: FrameLimits = {
  maxFrameBytes: 65_536,
  maxIds: 64,
  maxPeers: 64,
  maxTopics: 64,
  maxTtl: 16,
}

/** The frames among a router's outputs, decoded, each with the key of the peer it goes to. */
export function sentFrames(out: readonly GossipOutput[]): Array<readonly [string, Frame]> {
  return out.flatMap((o) =>
    o.type === 'send' ? [[o.to.toString(), decodeFrame(o.bytes, READ_BACK_LIMITS)] as const] : [],
  )
}

/** mulberry32: a small, fast, seeded generator. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** The signer of peer `index` (the same keys in every run). */
export function signerAt(index: number): Signer {
  const seed = new Uint8Array(32)
  new DataView(seed.buffer).setUint32(0, index + 1)
  seed[31] = 7
  return signerFromKeyPair(keyPairFromSeed(seed))
}
