/**
 * Direct reading and writing of the frames every message passes through (gossip, ihave,
 * iwant, graft), without building the generic CBOR value first. The general codec in
 * `frames.ts` defines what a frame is; this module handles only the exact canonical shape
 * of these four kinds and gives up (`undefined`) on anything else, which then goes the
 * general way. So it never accepts or produces what the general path would not: a property
 * test holds the two together on generated frames and on corrupted bytes.
 *
 * No state lives in the module: a reader's position and findings are in a `FrameReader`
 * (one per router, or one per `decodeFrame` call), and control frames get their bytes from
 * the allocator the caller passes.
 *
 * @example
 * fastDecode(bytes, limits, 256) ?? generalDecode(bytes, limits)
 */
import { FRAME_VERSION } from './constants'
import {
  type Announcement,
  type Frame,
  type FrameLimits,
  ID_BYTES,
  isIdPrefix,
  keyOfIdAt,
  SOURCE_BYTES,
  type WireId,
} from './frames'

const KIND_GOSSIP = 8
const KIND_IHAVE = 9
const KIND_IWANT = 10
const KIND_GRAFT = 11
const MAX_HOPS = 0xffff
/** The array head of each fast kind: `[version, kind, ...fields]`. */
const ARRAY_HEADS: Record<number, number> = {
  [KIND_GOSSIP]: 0x85,
  [KIND_IHAVE]: 0x84,
  [KIND_IWANT]: 0x84,
  [KIND_GRAFT]: 0x85,
}

/** What `readIhave` found: where each announced id and source starts, and its hop count. */
export interface Announced {
  count: number
  at: number[]
  hops: number[]
  source: number[]
}

/**
 * The state of one reader: its position in the frame being read, what its last `readIhave`
 * found (valid until its next call), and the last topic it read (most frames carry the same
 * one). A router keeps one; `decodeFrame` makes one per call, so reads never share state.
 */
export interface FrameReader {
  pos: number
  readonly announced: Announced
  lastTopic: string
  lastTopicBytes: Uint8Array
}

/**
 * Makes a reader for `readIhave`, `announcements` and `fastDecode`.
 * @returns a reader at rest
 * @example const reader = createFrameReader(); readIhave(reader, bytes, limits, 256)
 */
export function createFrameReader(): FrameReader {
  return {
    pos: 0,
    announced: { count: 0, at: [], hops: [], source: [] },
    lastTopic: '',
    lastTopicBytes: new Uint8Array(0),
  }
}

/** Reads a head of major type `major` in its shortest form; -1 when it is anything else. */
function head(r: FrameReader, b: Uint8Array, major: number): number {
  if (r.pos >= b.length) return -1
  const ib = b[r.pos]!
  if (ib >> 5 !== major) return -1
  const info = ib & 0x1f
  if (info < 24) {
    r.pos += 1
    return info
  }
  if (info === 24) {
    if (r.pos + 2 > b.length || b[r.pos + 1]! < 24) return -1
    r.pos += 2
    return b[r.pos - 1]!
  }
  if (info === 25) {
    if (r.pos + 3 > b.length) return -1
    const v = (b[r.pos + 1]! << 8) | b[r.pos + 2]!
    if (v < 0x100) return -1
    r.pos += 3
    return v
  }
  if (info === 26) {
    if (r.pos + 5 > b.length) return -1
    const v =
      ((b[r.pos + 1]! << 24) >>> 0) + (b[r.pos + 2]! << 16) + (b[r.pos + 3]! << 8) + b[r.pos + 4]!
    if (v < 0x1_0000) return -1
    r.pos += 5
    return v
  }
  return -1
}

/** An ASCII topic (the fast shape); undefined for anything else. */
function topicAt(r: FrameReader, b: Uint8Array, maxBytes: number): string | undefined {
  const n = head(r, b, 3)
  if (n <= 0 || n > maxBytes || r.pos + n > b.length) return undefined
  const start = r.pos
  r.pos += n
  if (n === r.lastTopicBytes.length) {
    let same = true
    for (let i = 0; i < n; i++) {
      if (b[start + i] !== r.lastTopicBytes[i]) {
        same = false
        break
      }
    }
    if (same) return r.lastTopic
  }
  for (let i = start; i < r.pos; i++) if (b[i]! > 0x7f) return undefined
  const text = String.fromCharCode.apply(null, b.subarray(start, r.pos) as unknown as number[])
  r.lastTopic = text
  r.lastTopicBytes = b.slice(start, r.pos)
  return text
}

/** A byte string of exactly `length` bytes, as a view of `b`; undefined otherwise. */
function fixedBytes(r: FrameReader, b: Uint8Array, length: number): Uint8Array | undefined {
  if (head(r, b, 2) !== length || r.pos + length > b.length) return undefined
  r.pos += length
  return b.subarray(r.pos - length, r.pos)
}

function wireIdAt(r: FrameReader, b: Uint8Array): WireId | undefined {
  if (head(r, b, 2) !== ID_BYTES || r.pos + ID_BYTES > b.length || !isIdPrefix(b, r.pos))
    return undefined
  const start = r.pos
  r.pos += ID_BYTES
  return { bytes: b.subarray(start, r.pos), key: keyOfIdAt(b, start) }
}

/** Reads announcement `i`, `[id, hops, source]`, into the reader's `announced`; false when it is not the fast shape. */
function announcementAt(r: FrameReader, b: Uint8Array, i: number): boolean {
  if (b[r.pos] !== 0x83) return false
  r.pos++
  if (head(r, b, 2) !== ID_BYTES || r.pos + ID_BYTES > b.length || !isIdPrefix(b, r.pos))
    return false
  r.announced.at[i] = r.pos
  r.pos += ID_BYTES
  const hops = head(r, b, 0)
  if (hops < 0 || hops > MAX_HOPS) return false
  if (head(r, b, 2) !== SOURCE_BYTES || r.pos + SOURCE_BYTES > b.length) return false
  r.announced.hops[i] = hops
  r.announced.source[i] = r.pos
  r.pos += SOURCE_BYTES
  return true
}

function idList(r: FrameReader, b: Uint8Array, maxIds: number): WireId[] | undefined {
  const n = head(r, b, 4)
  if (n < 0 || n > maxIds) return undefined
  const ids: WireId[] = new Array(n)
  for (let i = 0; i < n; i++) {
    const id = wireIdAt(r, b)
    if (id === undefined) return undefined
    ids[i] = id
  }
  return ids
}

function sourceList(r: FrameReader, b: Uint8Array, maxIds: number): Uint8Array[] | undefined {
  const n = head(r, b, 4)
  if (n < 0 || n > maxIds) return undefined
  const sources: Uint8Array[] = new Array(n)
  for (let i = 0; i < n; i++) {
    const s = fixedBytes(r, b, SOURCE_BYTES)
    if (s === undefined) return undefined
    sources[i] = s
  }
  return sources
}

/**
 * Reads a gossip, ihave, iwant or graft frame of the exact canonical shape.
 * @param b - the frame bytes (already checked against `limits.maxFrameBytes`)
 * @param limits - the decoder's limits
 * @param maxTopicBytes - the longest topic name
 * @returns the frame (its byte fields are views of `b`), or undefined when the general
 *   decoder must decide
 */
export function fastDecode(
  b: Uint8Array,
  limits: FrameLimits,
  maxTopicBytes: number,
  r: FrameReader = createFrameReader(),
): Frame | undefined {
  if (b.length < 4 || b[1] !== FRAME_VERSION) return undefined
  const kind = b[2]!
  if (kind === KIND_IHAVE) {
    const topic = readIhave(r, b, limits, maxTopicBytes)
    return topic === undefined ? undefined : { kind: 'ihave', topic, ids: announcements(r, b) }
  }
  // each kind has a fixed number of fields: the array head names it
  if (b[0] !== ARRAY_HEADS[kind]) return undefined
  r.pos = 3
  const topic = topicAt(r, b, maxTopicBytes)
  if (topic === undefined) return undefined
  let frame: Frame
  if (kind === KIND_GOSSIP) {
    const hops = head(r, b, 0)
    if (hops < 0 || hops > MAX_HOPS) return undefined
    const n = head(r, b, 2)
    if (n < 0 || r.pos + n !== b.length) return undefined
    frame = { kind: 'gossip', topic, hops, envelope: b.subarray(r.pos) }
    r.pos = b.length
  } else {
    const ids = idList(r, b, limits.maxIds)
    if (ids === undefined) return undefined
    if (kind === KIND_IWANT) frame = { kind: 'iwant', topic, ids }
    else {
      const sources = sourceList(r, b, limits.maxIds)
      if (sources === undefined) return undefined
      frame = { kind: 'graft', topic, ids, sources }
    }
  }
  return r.pos === b.length ? frame : undefined
}

/**
 * Reads an ihave frame of the exact fast shape in place, without building it: the ids'
 * offsets and hop counts go to the reader's `announced` (valid until its next call). Nearly every
 * announcement names a message the receiver has or is already pulling, which needs no
 * more than the id's key; the router handles those from here and decodes the rest.
 * @param b - the frame bytes
 * @param limits - the decoder's limits
 * @param maxTopicBytes - the longest topic name
 * @returns the topic, or undefined when the frame must be decoded (another kind or shape)
 */
export function readIhave(
  r: FrameReader,
  b: Uint8Array,
  limits: FrameLimits,
  maxTopicBytes: number,
): string | undefined {
  if (b.length < 4 || b.length > limits.maxFrameBytes) return undefined
  if (b[0] !== ARRAY_HEADS[KIND_IHAVE] || b[1] !== FRAME_VERSION || b[2] !== KIND_IHAVE)
    return undefined
  r.pos = 3
  const topic = topicAt(r, b, maxTopicBytes)
  if (topic === undefined) return undefined
  const n = head(r, b, 4)
  if (n < 0 || n > limits.maxIds) return undefined
  for (let i = 0; i < n; i++) if (!announcementAt(r, b, i)) return undefined
  if (r.pos !== b.length) return undefined
  r.announced.count = n
  return topic
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

// ------------------------------------------------------------------ writing

/**
 * Where control frames get their bytes: `size` bytes, every one of them written by the
 * caller (a router's share cuts them from slabs; `GossipShare.frameBuffer`).
 */
export type FrameAllocator = (size: number) => Uint8Array

const ownBuffer: FrameAllocator = (size) => new Uint8Array(size)

/** Bytes a head of argument `n` takes. */
function headSize(n: number): number {
  return n < 24 ? 1 : n < 0x100 ? 2 : n < 0x1_0000 ? 3 : 5
}

function writeHead(out: Uint8Array, at: number, major: number, n: number): number {
  const m = major << 5
  if (n < 24) {
    out[at] = m | n
    return at + 1
  }
  if (n < 0x100) {
    out[at] = m | 24
    out[at + 1] = n
    return at + 2
  }
  if (n < 0x1_0000) {
    out[at] = m | 25
    out[at + 1] = n >>> 8
    out[at + 2] = n & 0xff
    return at + 3
  }
  out[at] = m | 26
  out[at + 1] = n >>> 24
  out[at + 2] = (n >>> 16) & 0xff
  out[at + 3] = (n >>> 8) & 0xff
  out[at + 4] = n & 0xff
  return at + 5
}

/** The bytes of an ASCII topic, or undefined for any other text. */
function topicBytes(topic: string): Uint8Array | undefined {
  const bytes = new Uint8Array(topic.length)
  for (let i = 0; i < topic.length; i++) {
    const c = topic.charCodeAt(i)
    if (c > 0x7f) return undefined
    bytes[i] = c
  }
  return bytes
}

/**
 * Writes a gossip, ihave, iwant or graft frame whose topic is ASCII and whose numbers and
 * lengths fit 32 bits, exactly as the general encoder would.
 * @returns the bytes, or undefined when the general encoder must write it
 */
export function fastEncode(
  frame: Frame,
  controlFrame: FrameAllocator = ownBuffer,
): Uint8Array | undefined {
  switch (frame.kind) {
    case 'gossip': {
      const t = topicBytes(frame.topic)
      const { hops, envelope } = frame
      if (t === undefined || !(hops >= 0 && hops <= MAX_HOPS && Number.isInteger(hops)))
        return undefined
      const n = envelope.length
      const size = 3 + headSize(t.length) + t.length + headSize(hops) + headSize(n) + n
      const out = new Uint8Array(size)
      out[0] = 0x85
      out[1] = FRAME_VERSION
      out[2] = KIND_GOSSIP
      let at = writeHead(out, 3, 3, t.length)
      out.set(t, at)
      at = writeHead(out, at + t.length, 0, hops)
      at = writeHead(out, at, 2, n)
      out.set(envelope, at)
      return out
    }
    case 'ihave': {
      const t = topicBytes(frame.topic)
      if (t === undefined) return undefined
      const ids = frame.ids
      let size = 3 + headSize(t.length) + t.length + headSize(ids.length)
      for (const e of ids) {
        if (
          e.id.bytes.length !== ID_BYTES ||
          e.source.length !== SOURCE_BYTES ||
          !(e.hops >= 0 && e.hops <= MAX_HOPS && Number.isInteger(e.hops))
        )
          return undefined
        size += 1 + 2 + ID_BYTES + headSize(e.hops) + 2 + SOURCE_BYTES
      }
      const out = controlFrame(size)
      out[0] = 0x84
      out[1] = FRAME_VERSION
      out[2] = KIND_IHAVE
      let at = writeHead(out, 3, 3, t.length)
      out.set(t, at)
      at = writeHead(out, at + t.length, 4, ids.length)
      for (const e of ids) {
        out[at++] = 0x83
        at = writeHead(out, at, 2, ID_BYTES)
        out.set(e.id.bytes, at)
        at = writeHead(out, at + ID_BYTES, 0, e.hops)
        at = writeHead(out, at, 2, SOURCE_BYTES)
        out.set(e.source, at)
        at += SOURCE_BYTES
      }
      return out
    }
    case 'iwant':
    case 'graft': {
      const t = topicBytes(frame.topic)
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
      out[0] = sources === undefined ? 0x84 : 0x85
      out[1] = FRAME_VERSION
      out[2] = sources === undefined ? KIND_IWANT : KIND_GRAFT
      let at = writeHead(out, 3, 3, t.length)
      out.set(t, at)
      at = writeHead(out, at + t.length, 4, ids.length)
      for (const id of ids) {
        at = writeHead(out, at, 2, ID_BYTES)
        out.set(id.bytes, at)
        at += ID_BYTES
      }
      if (sources !== undefined) {
        at = writeHead(out, at, 4, sources.length)
        for (const s of sources) {
          at = writeHead(out, at, 2, SOURCE_BYTES)
          out.set(s, at)
          at += SOURCE_BYTES
        }
      }
      return out
    }
    default:
      return undefined
  }
}
