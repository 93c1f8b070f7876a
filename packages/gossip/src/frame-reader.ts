/**
 * Reading frames, strictly and under limits: the size is checked before any byte is read,
 * every list against its limit before its entries, every field for type and range, and
 * only the one canonical encoding of a frame is accepted. Anything else is a
 * `MalformedFrameError` (or `UnsupportedFrameVersionError`, `FrameTooLargeError`).
 *
 * No state lives in the module: what a reader keeps between frames (the last topic, the
 * offsets `readIhave` found) is in a `FrameReader`, one per router.
 *
 * @example
 * decodeFrame(bytes, limits).kind // 'ihave'
 */
import {
  Cursor,
  isBytes,
  isCodecError,
  MAJOR_ARRAY,
  MAJOR_NEGATIVE,
  MAJOR_TEXT,
  MAJOR_UNSIGNED,
} from '@peerkit/codec'
import { type PeerId, peerIdFromBytes } from '@peerkit/identity'
import {
  DEFAULT_MAX_PEER_DATA_BYTES,
  FRAME_VERSION,
  MAX_PRUNE_BACKOFF_MS,
  MAX_TOPIC_BYTES,
} from './constants'
import {
  FrameTooLargeError,
  isGossipError,
  MalformedFrameError,
  UnsupportedFrameVersionError,
} from './errors'
import {
  type Announcement,
  ARRAY_OF_3,
  ARRAY_OF_4,
  type Frame,
  type FrameLimits,
  ID_BYTES,
  isIdPrefix,
  KIND_CODES,
  keyOfIdAt,
  MAX_HOPS,
  type PeerResolver,
  PRUNE_REASONS,
  SOURCE_BYTES,
  type WireId,
} from './frames'

/** What `readIhave` found: where each announced id and source starts, and its hop count. */
export interface Announced {
  count: number
  at: number[]
  hops: number[]
  source: number[]
}

/**
 * What one reader keeps between frames: what its last `readIhave` found (valid until its
 * next call), and the last topic it read (most frames carry the same one). A router keeps
 * one; a `decodeFrame` call without one reads without it, so reads never share state.
 */
export interface FrameReader {
  readonly announced: Announced
  lastTopic: string
  lastTopicBytes: Uint8Array
}

/**
 * Makes a reader for `readIhave`, `announcements` and `decodeFrame`.
 * @returns a reader at rest
 * @example const reader = createFrameReader(); readIhave(reader, bytes, limits, 256)
 */
export function createFrameReader(): FrameReader {
  return {
    announced: { count: 0, at: [], hops: [], source: [] },
    lastTopic: '',
    lastTopicBytes: new Uint8Array(0),
  }
}

function fail(message: string): never {
  throw new MalformedFrameError(message)
}

/** An unsigned integer of at most `max`. */
function uint(c: Cursor, max: number, what: string): number {
  const v = c.tryHead(MAJOR_UNSIGNED)
  if (v >= 0 && v <= max) return v
  // not a short canonical head: the strict read names what it is
  if (v < 0) c.uint()
  return fail(`${what}: expected an integer in [0, ${max}]`)
}

/** The length of a list of at most `max` entries. */
function list(c: Cursor, max: number, what: string): number {
  let n = c.tryHead(MAJOR_ARRAY)
  if (n < 0) n = c.head(MAJOR_ARRAY)
  if (n > max) fail(`${what}: more than ${max} entries`)
  return n
}

function sameBytes(a: Uint8Array, b: Uint8Array, at: number): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[at + i]) return false
  return true
}

/** A topic name (the reader's last one when it has the same bytes). */
function topic(c: Cursor, r: FrameReader | undefined, maxBytes: number): string {
  const start = c.pos
  let n = c.tryHead(MAJOR_TEXT)
  if (n < 0) n = c.head(MAJOR_TEXT)
  if (n === 0 || n > maxBytes) fail('topic: expected a topic name')
  const from = c.pos
  if (
    r !== undefined &&
    n === r.lastTopicBytes.length &&
    sameBytes(r.lastTopicBytes, c.bytes, from)
  ) {
    c.pos = from + n
    return r.lastTopic
  }
  c.pos = start
  const text = c.text()
  if (r !== undefined) {
    r.lastTopic = text
    r.lastTopicBytes = c.bytes.slice(from, from + n)
  }
  return text
}

/** Where the bytes of a field of exactly `length` bytes start. */
function fixedBytes(c: Cursor, length: number, what: string): number {
  const at = c.tryBytes(length)
  if (at >= 0) return at
  c.byteString()
  return fail(`${what}: expected ${length} bytes`)
}

/** Where a message id (a sha2-256 content id) starts. */
function idAt(c: Cursor): number {
  const at = c.tryBytes(ID_BYTES)
  if (at >= 0 && isIdPrefix(c.bytes, at)) return at
  if (at < 0) c.byteString()
  return fail('id: not a sha2-256 content id')
}

function wireId(c: Cursor): WireId {
  const at = idAt(c)
  return { bytes: c.bytes.subarray(at, at + ID_BYTES), key: keyOfIdAt(c.bytes, at) }
}

function source(c: Cursor): Uint8Array {
  const at = fixedBytes(c, SOURCE_BYTES, 'source')
  return c.bytes.subarray(at, at + SOURCE_BYTES)
}

function idList(c: Cursor, limits: FrameLimits): WireId[] {
  const n = list(c, limits.maxIds, 'ids')
  const ids: WireId[] = new Array(n)
  for (let i = 0; i < n; i++) ids[i] = wireId(c)
  return ids
}

function sourceList(c: Cursor, limits: FrameLimits): Uint8Array[] {
  const n = list(c, limits.maxIds, 'sources')
  const sources: Uint8Array[] = new Array(n)
  for (let i = 0; i < n; i++) sources[i] = source(c)
  return sources
}

/** A peer id, from a copy of its bytes (a peer outlives the frame). */
function peer(c: Cursor, what: string, resolve: PeerResolver): PeerId {
  const b = c.byteString().slice()
  try {
    return resolve(b)
  } catch (cause) {
    throw new MalformedFrameError(`${what}: not a peer id`, { cause })
  }
}

/** A peer record, copied: never empty (absent means none), at most `maxPeerDataBytes`. */
function peerData(c: Cursor, limits: FrameLimits): Uint8Array {
  const b = c.byteString()
  const max = limits.maxPeerDataBytes ?? DEFAULT_MAX_PEER_DATA_BYTES
  if (b.length === 0) fail('data: empty (absent means none)')
  if (b.length > max) fail(`data: more than ${max} bytes`)
  return b.slice()
}

/** A frame's optional trailing record, as a field object to spread. */
function trailingData(
  c: Cursor,
  fields: number,
  n: number,
  limits: FrameLimits,
): { data?: Uint8Array } {
  return fields > n ? { data: peerData(c, limits) } : {}
}

function arity(fields: number, n: number): void {
  if (fields !== n) fail(`expected ${n} fields, got ${fields}`)
}

/** `n` fields, or `n + 1` with a trailing record. */
function arityWithData(fields: number, n: number): void {
  if (fields !== n && fields !== n + 1) fail(`expected ${n} or ${n + 1} fields, got ${fields}`)
}

/** Reads a shuffle list: the peers, and their records when any entry has one. */
function peerList(
  c: Cursor,
  limits: FrameLimits,
  resolve: PeerResolver,
): { peers: PeerId[]; data?: (Uint8Array | undefined)[] } {
  const n = list(c, limits.maxPeers, 'peers')
  const peers: PeerId[] = []
  let data: (Uint8Array | undefined)[] | undefined
  for (let i = 0; i < n; i++) {
    if (c.peekMajor() === MAJOR_ARRAY) {
      arity(c.head(MAJOR_ARRAY), 2)
      peers.push(peer(c, 'peers', resolve))
      data ??= new Array<Uint8Array | undefined>(n).fill(undefined)
      data[i] = peerData(c, limits)
    } else peers.push(peer(c, 'peers', resolve))
  }
  return data === undefined ? { peers } : { peers, data }
}

/**
 * Reads the announcements of an ihave frame, after its topic, into `r.announced`: the
 * offsets of each id and source in `c.bytes`, and the hop counts.
 */
function readAnnounced(c: Cursor, r: FrameReader, limits: FrameLimits): void {
  const n = list(c, limits.maxIds, 'ids')
  const { at, hops, source: sources } = r.announced
  r.announced.count = 0
  const b = c.bytes
  for (let i = 0; i < n; i++) {
    if (b[c.pos] === ARRAY_OF_3 && c.pos < c.end) c.pos++
    else arity(c.head(MAJOR_ARRAY), 3)
    at[i] = idAt(c)
    hops[i] = uint(c, MAX_HOPS, 'hops')
    sources[i] = fixedBytes(c, SOURCE_BYTES, 'source')
  }
  r.announced.count = n
}

/**
 * Reads an ihave frame in place, without building it: the ids' offsets and hop counts go
 * to the reader's `announced` (valid until its next call). Nearly every announcement names
 * a message the receiver has or is already pulling, which needs no more than the id's key;
 * the router handles those from here and builds the rest (`announcements`). It accepts
 * exactly the ihave frames `decodeFrame` accepts.
 * @param r - the reader
 * @param b - the frame bytes
 * @param limits - the decoder's limits
 * @param maxTopicBytes - the longest topic name
 * @returns the topic, or undefined when `b` is not a valid ihave frame (`decodeFrame` then
 *   says what it is)
 */
export function readIhave(
  r: FrameReader,
  b: Uint8Array,
  limits: FrameLimits,
  maxTopicBytes: number,
): string | undefined {
  if (b.length < 4 || b.length > limits.maxFrameBytes) return undefined
  if (b[0] !== ARRAY_OF_4 || b[1] !== FRAME_VERSION || b[2] !== KIND_CODES.ihave) return undefined
  const c = new Cursor(b, 3)
  try {
    const t = topic(c, r, maxTopicBytes)
    readAnnounced(c, r, limits)
    if (!c.atEnd()) return undefined
    return t
  } catch {
    r.announced.count = 0
    return undefined
  }
}

/**
 * The announcements of the ihave frame `b` that `readIhave` just read, built: their byte
 * fields are views of `b`.
 */
export function announcements(r: FrameReader, b: Uint8Array): Announcement[] {
  const ids: Announcement[] = new Array(r.announced.count)
  for (let i = 0; i < ids.length; i++) {
    const at = r.announced.at[i]!
    const source = r.announced.source[i]!
    ids[i] = {
      id: { bytes: b.subarray(at, at + ID_BYTES), key: keyOfIdAt(b, at) },
      hops: r.announced.hops[i]!,
      source: b.subarray(source, source + SOURCE_BYTES),
    }
  }
  return ids
}

/** The frame's version: FRAME_VERSION, or an `UnsupportedFrameVersionError`. */
function version(c: Cursor): void {
  const major = c.peekMajor()
  if (major === MAJOR_UNSIGNED) {
    const v = c.uint()
    if (v === FRAME_VERSION) return
    if (typeof v === 'number') throw new UnsupportedFrameVersionError(v)
  } else if (major === MAJOR_NEGATIVE) {
    const n = c.head(MAJOR_NEGATIVE)
    if (n < Number.MAX_SAFE_INTEGER) throw new UnsupportedFrameVersionError(-1 - n)
  }
  fail('version: expected an integer')
}

/**
 * Decodes one wire frame under limits. Ids, sources and envelopes are views of `input`:
 * what outlives it should be copied, or passed through `keepable`; peer ids and records
 * are copies.
 * @param input - bytes from a peer
 * @param limits - size and count limits
 * @param resolve - reads peer id bytes (default `peerIdFromBytes`)
 * @param reader - a reader to keep the last topic in (default none)
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
  reader?: FrameReader,
): Frame {
  if (!isBytes(input)) fail('expected bytes')
  if (input.length > limits.maxFrameBytes)
    throw new FrameTooLargeError(input.length, limits.maxFrameBytes)
  const c = new Cursor(input)
  try {
    const frame = readFrame(c, limits, resolve, reader)
    c.expectEnd()
    return frame
  } catch (error) {
    if (isGossipError(error)) throw error
    if (isCodecError(error))
      throw new MalformedFrameError('not canonical CBOR within limits', { cause: error })
    // defence in depth: nothing but a typed error may escape a decoder
    throw new MalformedFrameError('undecodable frame', { cause: error })
  }
}

function readFrame(
  c: Cursor,
  limits: FrameLimits,
  resolve: PeerResolver,
  r: FrameReader | undefined,
): Frame {
  const n = c.peekMajor() === MAJOR_ARRAY ? c.head(MAJOR_ARRAY) : -1
  if (n < 2) fail('expected [version, kind, ...]')
  version(c)
  const code = c.tryHead(MAJOR_UNSIGNED)
  const f = n - 2
  switch (code) {
    case KIND_CODES.join:
      arityWithData(f, 0)
      return { kind: 'join', ...trailingData(c, f, 0, limits) }
    case KIND_CODES['forward-join']:
      arityWithData(f, 2)
      return {
        kind: 'forward-join',
        peer: peer(c, 'peer', resolve),
        ttl: uint(c, limits.maxTtl, 'ttl'),
        ...trailingData(c, f, 2, limits),
      }
    case KIND_CODES.neighbor:
      arityWithData(f, 1)
      return { kind: 'neighbor', high: c.boolean(), ...trailingData(c, f, 1, limits) }
    case KIND_CODES['neighbor-reply']:
      arity(f, 1)
      return { kind: 'neighbor-reply', accepted: c.boolean() }
    case KIND_CODES.disconnect:
      arity(f, 0)
      return { kind: 'disconnect' }
    case KIND_CODES.shuffle: {
      arity(f, 3)
      const origin = peer(c, 'origin', resolve)
      const ttl = uint(c, limits.maxTtl, 'ttl')
      return { kind: 'shuffle', origin, ttl, ...peerList(c, limits, resolve) }
    }
    case KIND_CODES['shuffle-reply']:
      arity(f, 1)
      return { kind: 'shuffle-reply', ...peerList(c, limits, resolve) }
    case KIND_CODES.subscriptions: {
      arity(f, 2)
      const subscribe = c.boolean()
      const count = list(c, limits.maxTopics, 'topics')
      const topics: string[] = new Array(count)
      for (let i = 0; i < count; i++) topics[i] = topic(c, undefined, MAX_TOPIC_BYTES)
      // each topic once: a list naming one topic many times must not cost many times
      if (new Set(topics).size !== topics.length) fail('topics: a topic is repeated')
      return { kind: 'subscriptions', subscribe, topics }
    }
    case KIND_CODES.gossip: {
      arity(f, 3)
      const t = topic(c, r, MAX_TOPIC_BYTES)
      const hops = uint(c, MAX_HOPS, 'hops')
      return { kind: 'gossip', topic: t, hops, envelope: c.byteString() }
    }
    case KIND_CODES.ihave: {
      arity(f, 2)
      const t = topic(c, r, MAX_TOPIC_BYTES)
      const own = r ?? createFrameReader()
      readAnnounced(c, own, limits)
      return { kind: 'ihave', topic: t, ids: announcements(own, c.bytes) }
    }
    case KIND_CODES.iwant: {
      arity(f, 2)
      const t = topic(c, r, MAX_TOPIC_BYTES)
      return { kind: 'iwant', topic: t, ids: idList(c, limits) }
    }
    case KIND_CODES.graft: {
      arity(f, 3)
      const t = topic(c, r, MAX_TOPIC_BYTES)
      const ids = idList(c, limits)
      return { kind: 'graft', topic: t, ids, sources: sourceList(c, limits) }
    }
    case KIND_CODES.prune: {
      arity(f, 4)
      const t = topic(c, r, MAX_TOPIC_BYTES)
      const reason = PRUNE_REASONS[uint(c, PRUNE_REASONS.length - 1, 'reason')]!
      const backoffMs = uint(c, MAX_PRUNE_BACKOFF_MS, 'backoffMs')
      return { kind: 'prune', topic: t, reason, backoffMs, sources: sourceList(c, limits) }
    }
    default:
      return fail('unknown frame kind')
  }
}
