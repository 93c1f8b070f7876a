/**
 * Wire frames: versioned canonical CBOR arrays `[version, kind, ...fields]`: their types,
 * the codes of kinds and prune reasons, and message ids on the wire. They are written by
 * `frame-writer.ts` and read by `frame-reader.ts`, one codec under the same limits: the
 * frames every message passes through (gossip, ihave, iwant, graft) are written directly,
 * the others through `encode`; decoding reads each field in place with the codec's
 * `Cursor`, strictly, and accepts only the one canonical encoding of a frame.
 *
 * @example
 * const bytes = encodeFrame({ kind: 'prune', topic: 'news', reason: 'duplicate', backoffMs: 60_000, sources: [] })
 * decodeFrame(bytes, limits) // { kind: 'prune', topic: 'news', ... }
 */
import { byteKey } from '@peerkit/codec'
import type { PeerId } from '@peerkit/identity'

/** Why a peer was pruned from an eager set. */
export type PruneReason = 'duplicate' | 'optimization' | 'unsubscribed' | 'score'

/** A message id on the wire (content id bytes) with a compact key for maps. */
export interface WireId {
  readonly bytes: Uint8Array
  /** One character per digest byte: cheap to build and to hash. */
  readonly key: string
}

const ID_PREFIX = [0x01, 0x51, 0x12, 0x20] // CIDv1, cbor, sha2-256, 32 bytes
/** Length of a message id (a sha2-256 content id) on the wire. */
export const ID_BYTES = 36

/** Whether `b[at, at + 4)` is the prefix of a sha2-256 CBOR content id. */
export function isIdPrefix(b: Uint8Array, at: number): boolean {
  return (
    b[at] === ID_PREFIX[0] &&
    b[at + 1] === ID_PREFIX[1] &&
    b[at + 2] === ID_PREFIX[2] &&
    b[at + 3] === ID_PREFIX[3]
  )
}

/**
 * The map key of the message id at `b[at, at + 36)`: a binary string of its digest.
 * @param b - bytes holding the id
 * @param at - where the id starts
 * @returns the key
 */
export function keyOfIdAt(b: Uint8Array, at: number): string {
  return byteKey(b, at + 4, ID_BYTES - 4)
}

/**
 * The map key of a content id's bytes (a binary string of its digest).
 * @param bytes - the 36 bytes of a sha2-256 content id
 * @returns the key
 */
export function idKeyOf(bytes: Uint8Array): string {
  return byteKey(bytes, 4, bytes.length - 4)
}

/**
 * The message id a key of `idKeyOf` was made from (the key holds its digest).
 * @param key - a key of a sha2-256 content id
 * @returns the id, with fresh bytes
 */
export function wireIdOfKey(key: string): WireId {
  const bytes = new Uint8Array(4 + key.length)
  bytes.set(ID_PREFIX)
  for (let i = 0; i < key.length; i++) bytes[4 + i] = key.charCodeAt(i)
  return { bytes, key }
}

/** Turns peer id bytes into a `PeerId` (a router passes one that reuses known peers). */
export type PeerResolver = (bytes: Uint8Array) => PeerId

/**
 * Membership frames may carry opaque peer records (`data`: a driver's signed addresses, at
 * most `maxPeerDataBytes` each). On the wire a record is a trailing field, or an entry
 * `[peer, data]` in place of `peer` in a shuffle list; it is never empty (absent means none),
 * so each frame keeps one encoding.
 */
export type Frame =
  /** The joiner's own record in `data`. */
  | { kind: 'join'; data?: Uint8Array | undefined }
  /** `data` is the joiner's record, passed along the walk. */
  | { kind: 'forward-join'; peer: PeerId; ttl: number; data?: Uint8Array | undefined }
  /** The requester's own record in `data`. */
  | { kind: 'neighbor'; high: boolean; data?: Uint8Array | undefined }
  | { kind: 'neighbor-reply'; accepted: boolean }
  | { kind: 'disconnect' }
  /** `data[i]`, when present, is the record of `peers[i]`. */
  | {
      kind: 'shuffle'
      origin: PeerId
      ttl: number
      peers: PeerId[]
      data?: (Uint8Array | undefined)[] | undefined
    }
  | { kind: 'shuffle-reply'; peers: PeerId[]; data?: (Uint8Array | undefined)[] | undefined }
  | { kind: 'subscriptions'; subscribe: boolean; topics: string[] }
  | { kind: 'gossip'; topic: string; hops: number; envelope: Uint8Array }
  | { kind: 'ihave'; topic: string; ids: Announcement[] }
  | { kind: 'iwant'; topic: string; ids: WireId[] }
  /** Join the trees of `sources` (and of the sources of `ids`), and send `ids`. */
  | { kind: 'graft'; topic: string; ids: WireId[]; sources: Uint8Array[] }
  /** Leave the trees of `sources` (all of the topic's trees when empty). */
  | { kind: 'prune'; topic: string; reason: PruneReason; backoffMs: number; sources: Uint8Array[] }

/** One announced message: its id, the hops it would arrive with, and its publisher's key. */
export interface Announcement {
  id: WireId
  hops: number
  /** The publisher's 32-byte Ed25519 public key (names the tree the message travels on). */
  source: Uint8Array
}

export type FrameKind = Frame['kind']

/** Length of a source (a publisher's Ed25519 public key) on the wire. */
export const SOURCE_BYTES = 32

/** Limits the decoder enforces; a frame beyond any of them is malformed. */
export interface FrameLimits {
  maxFrameBytes: number
  maxIds: number
  maxPeers: number
  maxTopics: number
  maxTtl: number
  /** Largest peer record on a membership frame (default `DEFAULT_MAX_PEER_DATA_BYTES`). */
  maxPeerDataBytes?: number
}

export const KIND_CODES: Record<FrameKind, number> = {
  join: 0,
  'forward-join': 1,
  neighbor: 2,
  'neighbor-reply': 3,
  disconnect: 4,
  shuffle: 5,
  'shuffle-reply': 6,
  subscriptions: 7,
  gossip: 8,
  ihave: 9,
  iwant: 10,
  graft: 11,
  prune: 12,
}
export const PRUNE_CODES: Record<PruneReason, number> = {
  duplicate: 0,
  optimization: 1,
  unsubscribed: 2,
  score: 3,
}
export const PRUNE_REASONS: PruneReason[] = ['duplicate', 'optimization', 'unsubscribed', 'score']
export const MAX_HOPS = 0xffff
/** `[version, kind, topic, list]`: the array head of ihave and iwant frames. */
export const ARRAY_OF_4 = 0x84
/** `[id, hops, source]`: the array head of one announcement. */
export const ARRAY_OF_3 = 0x83
