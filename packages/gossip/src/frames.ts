/**
 * Wire frames: versioned canonical CBOR arrays `[version, kind, ...fields]`, and their one
 * codec. Decoding reads each field in place with the codec's `Cursor`, strictly and under
 * limits: the size is checked before any byte is read, every list against its limit before
 * its entries, every field for type and range, and only the one canonical encoding of a
 * frame is accepted. Anything else is a `MalformedFrameError` (or
 * `UnsupportedFrameVersionError`, `FrameTooLargeError`). The frames every message passes
 * through (gossip, ihave, iwant, graft) are written directly; the others through `encode`.
 *
 * No state lives in the module: what a reader keeps between frames (the last topic, the
 * offsets `readIhave` found) is in a `FrameReader`, one per router.
 *
 * @example
 * const bytes = encodeFrame({ kind: 'prune', topic: 'news', reason: 'duplicate', backoffMs: 60_000, sources: [] })
 * decodeFrame(bytes, limits) // { kind: 'prune', topic: 'news', ... }
 */
import {
  byteKey,
  Cursor,
  encode,
  headSize,
  isBytes,
  isCodecError,
  MAJOR_ARRAY,
  MAJOR_BYTES,
  MAJOR_NEGATIVE,
  MAJOR_TEXT,
  MAJOR_UNSIGNED,
  type Value,
  writeHead,
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
const MAX_HOPS = 0xffff
/** `[version, kind, topic, list]`: the array head of ihave and iwant frames. */
const ARRAY_OF_4 = 0x84
/** `[id, hops, source]`: the array head of one announcement. */
const ARRAY_OF_3 = 0x83

// ------------------------------------------------------------------ writing

/**
 * Where control frames get their bytes: `size` bytes, every one of them written by the
 * caller (a router's share cuts them from slabs; `GossipShare.frameBuffer`).
 */
export type FrameAllocator = (size: number) => Uint8Array

const ownBuffer: FrameAllocator = (size) => new Uint8Array(size)

/**
 * Encodes a frame as canonical CBOR.
 * @param frame - the frame
 * @param allocate - where ihave, iwant and graft frames get their bytes (default: a buffer
 *   each; a router passes its share's slabs, whose frames are views: read them through
 *   `byteOffset` and `byteLength` when you use their `buffer`)
 * @returns the bytes to send
 * @example encodeFrame({ kind: 'join' })
 */
export function encodeFrame(frame: Frame, allocate: FrameAllocator = ownBuffer): Uint8Array {
  return writeHot(frame, allocate) ?? encode(frameValue(frame))
}

/**
 * A frame as the CBOR value it is on the wire, `[version, kind, ...fields]`: the definition
 * of the encoding (`encodeFrame` writes the frames of every message directly, to the same
 * bytes).
 */
export function frameValue(frame: Frame): Value[] {
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
  return head
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

/** The bytes of an ASCII topic, or undefined for any other text. */
function asciiBytes(topic: string): Uint8Array | undefined {
  const bytes = new Uint8Array(topic.length)
  for (let i = 0; i < topic.length; i++) {
    const c = topic.charCodeAt(i)
    if (c > 0x7f) return undefined
    bytes[i] = c
  }
  return bytes
}

function isHops(hops: number): boolean {
  return hops >= 0 && hops <= MAX_HOPS && Number.isInteger(hops)
}

/** Writes the frame's first bytes, `[version, kind, topic`; returns the position after them. */
function writeStart(out: Uint8Array, fields: number, kind: number, topic: Uint8Array): number {
  out[0] = (MAJOR_ARRAY << 5) | (fields + 2)
  out[1] = FRAME_VERSION
  out[2] = kind
  const at = writeHead(out, 3, MAJOR_TEXT, topic.length)
  out.set(topic, at)
  return at + topic.length
}

/** Writes a byte string of `bytes`; returns the position after it. */
function writeBytes(out: Uint8Array, at: number, bytes: Uint8Array): number {
  const from = writeHead(out, at, MAJOR_BYTES, bytes.length)
  out.set(bytes, from)
  return from + bytes.length
}

/**
 * Writes a gossip, ihave, iwant or graft frame whose topic is ASCII and whose hop counts,
 * ids and sources are in range, to the bytes `encode(frameValue(frame))` gives.
 * @returns the bytes, or undefined when `encode` must write it
 */
function writeHot(frame: Frame, controlFrame: FrameAllocator): Uint8Array | undefined {
  switch (frame.kind) {
    case 'gossip': {
      const t = asciiBytes(frame.topic)
      const { hops, envelope } = frame
      if (t === undefined || !isHops(hops)) return undefined
      const n = envelope.length
      const out = new Uint8Array(
        3 + headSize(t.length) + t.length + headSize(hops) + headSize(n) + n,
      )
      const at = writeHead(out, writeStart(out, 3, KIND_CODES.gossip, t), MAJOR_UNSIGNED, hops)
      writeBytes(out, at, envelope)
      return out
    }
    case 'ihave': {
      const t = asciiBytes(frame.topic)
      if (t === undefined) return undefined
      const ids = frame.ids
      let size = 3 + headSize(t.length) + t.length + headSize(ids.length)
      for (const e of ids) {
        if (e.id.bytes.length !== ID_BYTES || e.source.length !== SOURCE_BYTES || !isHops(e.hops))
          return undefined
        size += 1 + 2 + ID_BYTES + headSize(e.hops) + 2 + SOURCE_BYTES
      }
      const out = controlFrame(size)
      let at = writeHead(out, writeStart(out, 2, KIND_CODES.ihave, t), MAJOR_ARRAY, ids.length)
      for (const e of ids) {
        out[at++] = ARRAY_OF_3
        at = writeBytes(out, at, e.id.bytes)
        at = writeHead(out, at, MAJOR_UNSIGNED, e.hops)
        at = writeBytes(out, at, e.source)
      }
      return out
    }
    case 'iwant':
    case 'graft': {
      const t = asciiBytes(frame.topic)
      if (t === undefined) return undefined
      const ids = frame.ids
      const sources = frame.kind === 'graft' ? frame.sources : undefined
      for (const id of ids) if (id.bytes.length !== ID_BYTES) return undefined
      if (sources !== undefined)
        for (const s of sources) if (s.length !== SOURCE_BYTES) return undefined
      let size =
        3 + headSize(t.length) + t.length + headSize(ids.length) + ids.length * (2 + ID_BYTES)
      if (sources !== undefined)
        size += headSize(sources.length) + sources.length * (2 + SOURCE_BYTES)
      const out = controlFrame(size)
      const fields = sources === undefined ? 2 : 3
      let at = writeStart(out, fields, KIND_CODES[frame.kind], t)
      at = writeHead(out, at, MAJOR_ARRAY, ids.length)
      for (const id of ids) at = writeBytes(out, at, id.bytes)
      if (sources !== undefined) {
        at = writeHead(out, at, MAJOR_ARRAY, sources.length)
        for (const s of sources) at = writeBytes(out, at, s)
      }
      return out
    }
    default:
      return undefined
  }
}

// ------------------------------------------------------------------ reading

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
