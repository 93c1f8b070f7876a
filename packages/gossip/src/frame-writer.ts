/**
 * Writing frames: `encodeFrame` writes the frames every message passes through (gossip,
 * ihave, iwant, graft) directly into one buffer, and the others as `frameValue` through the
 * codec's canonical `encode`.
 *
 * @example
 * const bytes = encodeFrame({ kind: 'iwant', topic: 'news', ids })
 */
import {
  encode,
  headSize,
  MAJOR_ARRAY,
  MAJOR_BYTES,
  MAJOR_TEXT,
  MAJOR_UNSIGNED,
  type Value,
  writeHead,
} from '@peerkit/codec'
import type { PeerId } from '@peerkit/identity'
import { FRAME_VERSION } from './constants'
import {
  ARRAY_OF_3,
  type Frame,
  ID_BYTES,
  KIND_CODES,
  MAX_HOPS,
  PRUNE_CODES,
  SOURCE_BYTES,
} from './frames'

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
