/**
 * Wire frames: versioned canonical CBOR arrays `[version, kind, ...fields]`. Decoding is
 * strict and bounded: the size is checked before any byte is read, the codec enforces
 * depth and item counts, and every field is checked for type and range. Anything else
 * is a `MalformedFrameError` (or `UnsupportedFrameVersionError`, `FrameTooLargeError`).
 *
 * @example
 * const bytes = encodeFrame({ kind: 'prune', topic: 'news', reason: 'duplicate', backoffMs: 60_000, sources: [] })
 * decodeFrame(bytes, limits) // { kind: 'prune', topic: 'news', ... }
 */
import { decode, encode, isBytes, type Value } from '@peerkit/codec'
import { type PeerId, peerIdFromBytes } from '@peerkit/identity'
import {
  DEFAULT_MAX_PEER_DATA_BYTES,
  FRAME_MAX_DEPTH,
  FRAME_VERSION,
  MAX_PRUNE_BACKOFF_MS,
  MAX_TOPIC_BYTES,
} from './constants'
import { FrameTooLargeError, MalformedFrameError, UnsupportedFrameVersionError } from './errors'
import { type FrameAllocator, fastDecode, fastEncode } from './fast-frames'
import { isValidTopic } from './topic'

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
  const d = at + 4
  // one call with the 32 digest bytes as arguments: no subarray, no apply (a hot path: every
  // announced, requested and received id goes through here)
  const key = String.fromCharCode(
    b[d]!,
    b[d + 1]!,
    b[d + 2]!,
    b[d + 3]!,
    b[d + 4]!,
    b[d + 5]!,
    b[d + 6]!,
    b[d + 7]!,
    b[d + 8]!,
    b[d + 9]!,
    b[d + 10]!,
    b[d + 11]!,
    b[d + 12]!,
    b[d + 13]!,
    b[d + 14]!,
    b[d + 15]!,
    b[d + 16]!,
    b[d + 17]!,
    b[d + 18]!,
    b[d + 19]!,
    b[d + 20]!,
    b[d + 21]!,
    b[d + 22]!,
    b[d + 23]!,
    b[d + 24]!,
    b[d + 25]!,
    b[d + 26]!,
    b[d + 27]!,
    b[d + 28]!,
    b[d + 29]!,
    b[d + 30]!,
    b[d + 31]!,
  )
  return key
}

/**
 * The map key of a content id's bytes (a binary string of its digest).
 * @param bytes - the 36 bytes of a sha2-256 content id
 * @returns the key
 */
export function idKeyOf(bytes: Uint8Array): string {
  if (bytes.length !== ID_BYTES)
    return String.fromCharCode.apply(null, bytes.subarray(4) as unknown as number[])
  return keyOfIdAt(bytes, 0)
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

const KIND_CODES: Record<FrameKind, number> = {
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
const PRUNE_CODES: Record<PruneReason, number> = {
  duplicate: 0,
  optimization: 1,
  unsubscribed: 2,
  score: 3,
}
const PRUNE_REASONS: PruneReason[] = ['duplicate', 'optimization', 'unsubscribed', 'score']

/**
 * Encodes a frame as canonical CBOR.
 * @param frame - the frame
 * @param allocate - where ihave, iwant and graft frames get their bytes (default: a buffer
 *   each; a router passes its share's slabs, whose frames are views: read them through
 *   `byteOffset` and `byteLength` when you use their `buffer`)
 * @returns the bytes to send
 * @example encodeFrame({ kind: 'join' })
 */
export function encodeFrame(frame: Frame, allocate?: FrameAllocator): Uint8Array {
  return fastEncode(frame, allocate) ?? encodeFrameGeneral(frame)
}

/** `encodeFrame` through the general CBOR encoder only (the definition; tests compare). */
export function encodeFrameGeneral(frame: Frame): Uint8Array {
  const head: Value[] = [FRAME_VERSION, KIND_CODES[frame.kind]]
  switch (frame.kind) {
    case 'join':
      pushData(head, frame.data)
      break
    case 'disconnect':
      break
    case 'forward-join':
      head.push(frame.peer.toBytes(), frame.ttl)
      pushData(head, frame.data)
      break
    case 'neighbor':
      head.push(frame.high)
      pushData(head, frame.data)
      break
    case 'neighbor-reply':
      head.push(frame.accepted)
      break
    case 'shuffle':
      head.push(frame.origin.toBytes(), frame.ttl, peerEntries(frame.peers, frame.data))
      break
    case 'shuffle-reply':
      head.push(peerEntries(frame.peers, frame.data))
      break
    case 'subscriptions':
      head.push(frame.subscribe, frame.topics)
      break
    case 'gossip':
      head.push(frame.topic, frame.hops, frame.envelope)
      break
    case 'ihave':
      head.push(
        frame.topic,
        frame.ids.map((e) => [e.id.bytes, e.hops, e.source]),
      )
      break
    case 'iwant':
      head.push(
        frame.topic,
        frame.ids.map((e) => e.bytes),
      )
      break
    case 'graft':
      head.push(
        frame.topic,
        frame.ids.map((e) => e.bytes),
        frame.sources,
      )
      break
    case 'prune':
      head.push(frame.topic, PRUNE_CODES[frame.reason], frame.backoffMs, frame.sources)
      break
  }
  return encode(head)
}

/** Appends a record as a trailing field (nothing when absent or empty). */
function pushData(head: Value[], data: Uint8Array | undefined): void {
  if (data !== undefined && data.length > 0) head.push(data)
}

/** A shuffle list: `peer` bytes, or `[peer, data]` for a peer with a record. */
function peerEntries(peers: PeerId[], data: (Uint8Array | undefined)[] | undefined): Value[] {
  return peers.map((p, i) => {
    const d = data?.[i]
    return d !== undefined && d.length > 0 ? [p.toBytes(), d] : p.toBytes()
  })
}

function fail(message: string): never {
  throw new MalformedFrameError(message)
}

function uint(value: Value | undefined, max: number, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    fail(`${what}: expected an integer in [0, ${max}]`)
  }
  return value
}

function bool(value: Value | undefined, what: string): boolean {
  if (typeof value !== 'boolean') fail(`${what}: expected a boolean`)
  return value
}

function bytes(value: Value | undefined, what: string): Uint8Array {
  if (!isBytes(value)) fail(`${what}: expected bytes`)
  return value as Uint8Array
}

function list(value: Value | undefined, max: number, what: string): Value[] {
  if (!Array.isArray(value)) fail(`${what}: expected an array`)
  if (value.length > max) fail(`${what}: more than ${max} entries`)
  return value
}

function topic(value: Value | undefined): string {
  if (!isValidTopic(value)) fail('topic: expected a topic name')
  return value as string
}

function peer(value: Value | undefined, what: string, resolve: PeerResolver): PeerId {
  const b = bytes(value, what)
  try {
    return resolve(b)
  } catch (cause) {
    throw new MalformedFrameError(`${what}: not a peer id`, { cause })
  }
}

function wireId(value: Value | undefined): WireId {
  const b = bytes(value, 'id')
  if (b.length !== ID_BYTES || !isIdPrefix(b, 0)) {
    fail('id: not a sha2-256 content id')
  }
  return { bytes: b, key: idKeyOf(b) }
}

function source(value: Value | undefined): Uint8Array {
  const b = bytes(value, 'source')
  if (b.length !== SOURCE_BYTES) fail(`source: expected ${SOURCE_BYTES} bytes`)
  return b
}

function arity(fields: Value[], n: number): void {
  if (fields.length !== n) fail(`expected ${n} fields, got ${fields.length}`)
}

/** `n` fields, or `n + 1` with a trailing record. */
function arityWithData(fields: Value[], n: number): void {
  if (fields.length !== n && fields.length !== n + 1)
    fail(`expected ${n} or ${n + 1} fields, got ${fields.length}`)
}

function peerData(value: Value | undefined, limits: FrameLimits): Uint8Array {
  const b = bytes(value, 'data')
  const max = limits.maxPeerDataBytes ?? DEFAULT_MAX_PEER_DATA_BYTES
  if (b.length === 0) fail('data: empty (absent means none)')
  if (b.length > max) fail(`data: more than ${max} bytes`)
  return b
}

/** A frame's optional trailing record at `fields[n]`, as a field object to spread. */
function trailingData(fields: Value[], n: number, limits: FrameLimits): { data?: Uint8Array } {
  return fields.length > n ? { data: peerData(fields[n], limits) } : {}
}

/** Reads a shuffle list: the peers, and their records when any entry has one. */
function peerList(
  value: Value | undefined,
  limits: FrameLimits,
  resolve: PeerResolver,
): { peers: PeerId[]; data?: (Uint8Array | undefined)[] } {
  const entries = list(value, limits.maxPeers, 'peers')
  const peers: PeerId[] = []
  let data: (Uint8Array | undefined)[] | undefined
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]
    if (Array.isArray(entry)) {
      arity(entry, 2)
      peers.push(peer(entry[0], 'peers', resolve))
      data ??= new Array<Uint8Array | undefined>(entries.length).fill(undefined)
      data[i] = peerData(entry[1], limits)
    } else peers.push(peer(entry, 'peers', resolve))
  }
  return data === undefined ? { peers } : { peers, data }
}

/**
 * Decodes one wire frame under limits. Byte fields (ids, sources, envelopes) may be views of
 * `input`: what outlives it should be copied, or passed through `keepable`.
 * @param input - bytes from a peer
 * @param limits - size and count limits
 * @param resolve - reads peer id bytes (default `peerIdFromBytes`)
 * @returns the frame
 * @throws {FrameTooLargeError} when `input` is larger than `limits.maxFrameBytes`
 * @throws {UnsupportedFrameVersionError} for another protocol version
 * @throws {MalformedFrameError} for anything else that is not a valid frame
 * @example decodeFrame(bytes, limits).kind // 'ihave'
 */
export function decodeFrame(
  input: Uint8Array,
  limits: FrameLimits,
  resolve: PeerResolver = peerIdFromBytes,
): Frame {
  if (!isBytes(input)) fail('expected bytes')
  if (input.length > limits.maxFrameBytes)
    throw new FrameTooLargeError(input.length, limits.maxFrameBytes)
  return fastDecode(input, limits, MAX_TOPIC_BYTES) ?? decodeFrameGeneral(input, limits, resolve)
}

/**
 * `decodeFrame` through the general CBOR decoder only: the definition of what a frame is
 * (the fast path accepts a subset of it, with the same result; tests compare the two).
 */
export function decodeFrameGeneral(
  input: Uint8Array,
  limits: FrameLimits,
  resolve: PeerResolver = peerIdFromBytes,
): Frame {
  if (!isBytes(input)) fail('expected bytes')
  if (input.length > limits.maxFrameBytes)
    throw new FrameTooLargeError(input.length, limits.maxFrameBytes)
  let value: Value
  try {
    value = decode(input, {
      maxBytes: limits.maxFrameBytes,
      maxDepth: FRAME_MAX_DEPTH,
      maxItems: Math.max(limits.maxIds, limits.maxPeers, limits.maxTopics, 8),
      maxTotalItems: 4 * limits.maxIds + 3 * limits.maxPeers + limits.maxTopics + 16,
    })
  } catch (cause) {
    throw new MalformedFrameError('not canonical CBOR within limits', { cause })
  }
  if (!Array.isArray(value) || value.length < 2) fail('expected [version, kind, ...]')
  if (value[0] !== FRAME_VERSION) {
    if (typeof value[0] === 'number' && Number.isInteger(value[0])) {
      throw new UnsupportedFrameVersionError(value[0])
    }
    fail('version: expected an integer')
  }
  const code = value[1]
  const f = value.slice(2)
  switch (code) {
    case KIND_CODES.join:
      arityWithData(f, 0)
      return { kind: 'join', ...trailingData(f, 0, limits) }
    case KIND_CODES['forward-join']:
      arityWithData(f, 2)
      return {
        kind: 'forward-join',
        peer: peer(f[0], 'peer', resolve),
        ttl: uint(f[1], limits.maxTtl, 'ttl'),
        ...trailingData(f, 2, limits),
      }
    case KIND_CODES.neighbor:
      arityWithData(f, 1)
      return { kind: 'neighbor', high: bool(f[0], 'high'), ...trailingData(f, 1, limits) }
    case KIND_CODES['neighbor-reply']:
      arity(f, 1)
      return { kind: 'neighbor-reply', accepted: bool(f[0], 'accepted') }
    case KIND_CODES.disconnect:
      arity(f, 0)
      return { kind: 'disconnect' }
    case KIND_CODES.shuffle: {
      arity(f, 3)
      const origin = peer(f[0], 'origin', resolve)
      const ttl = uint(f[1], limits.maxTtl, 'ttl')
      return { kind: 'shuffle', origin, ttl, ...peerList(f[2], limits, resolve) }
    }
    case KIND_CODES['shuffle-reply']:
      arity(f, 1)
      return { kind: 'shuffle-reply', ...peerList(f[0], limits, resolve) }
    case KIND_CODES.subscriptions: {
      arity(f, 2)
      const subscribe = bool(f[0], 'subscribe')
      const topics = list(f[1], limits.maxTopics, 'topics').map(topic)
      // each topic once: a list naming one topic many times must not cost many times
      if (new Set(topics).size !== topics.length) fail('topics: a topic is repeated')
      return { kind: 'subscriptions', subscribe, topics }
    }
    case KIND_CODES.gossip:
      arity(f, 3)
      return {
        kind: 'gossip',
        topic: topic(f[0]),
        hops: uint(f[1], 0xffff, 'hops'),
        envelope: bytes(f[2], 'envelope'),
      }
    case KIND_CODES.ihave: {
      arity(f, 2)
      const t = topic(f[0])
      const ids = list(f[1], limits.maxIds, 'ids').map((entry) => {
        const triple = list(entry, 3, 'ids entry')
        arity(triple, 3)
        return {
          id: wireId(triple[0]),
          hops: uint(triple[1], 0xffff, 'hops'),
          source: source(triple[2]),
        }
      })
      return { kind: 'ihave', topic: t, ids }
    }
    case KIND_CODES.iwant: {
      arity(f, 2)
      const t = topic(f[0])
      return { kind: 'iwant', topic: t, ids: list(f[1], limits.maxIds, 'ids').map(wireId) }
    }
    case KIND_CODES.graft: {
      arity(f, 3)
      const t = topic(f[0])
      const ids = list(f[1], limits.maxIds, 'ids').map(wireId)
      const sources = list(f[2], limits.maxIds, 'sources').map(source)
      return { kind: 'graft', topic: t, ids, sources }
    }
    case KIND_CODES.prune: {
      arity(f, 4)
      const t = topic(f[0])
      const reason = PRUNE_REASONS[uint(f[1], PRUNE_REASONS.length - 1, 'reason')]!
      const backoffMs = uint(f[2], MAX_PRUNE_BACKOFF_MS, 'backoffMs')
      const sources = list(f[3], limits.maxIds, 'sources').map(source)
      return { kind: 'prune', topic: t, reason, backoffMs, sources }
    }
    default:
      fail(`unknown frame kind ${String(code)}`)
  }
}
