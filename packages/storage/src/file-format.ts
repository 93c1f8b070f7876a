/**
 * The log file format. A file starts with an 8-byte header, `PKLOG\0` and the format
 * version (u16, big-endian), followed by frames:
 *
 *     marker u8 | length u32 | check u32 | sum u32 | contents (length bytes)
 *
 * `marker` is never zero: `0xC1` a record with more records of the same append after
 * it, `0xC2` the last record of an append, `0xC3` the snapshot (only right after the
 * header). `check` is a 32-bit mix of marker and length, so a damaged length is caught
 * before it is trusted; `sum` is the CRC-32 of the contents seeded with `check`, so it
 * covers marker, length and contents. Numbers are big-endian.
 *
 * @example
 * const bytes = encodeFrames([record], MARKER_LAST)
 * const header = encodeFileHeader()
 */
import { crc32 } from 'node:zlib'

/** Bytes of the file header. */
export const FILE_HEADER_BYTES = 8
/** Version of the log file format. */
export const FILE_FORMAT_VERSION = 1
/** Bytes before a frame's contents. */
export const FRAME_HEADER_BYTES = 13
/** A record followed by more records of the same append. */
export const MARKER_CONTINUED = 0xc1
/** The last (or only) record of an append. */
export const MARKER_LAST = 0xc2
/** The snapshot, right after the file header. */
export const MARKER_SNAPSHOT = 0xc3

const MAGIC = [0x50, 0x4b, 0x4c, 0x4f, 0x47, 0x00] // "PKLOG\0"

/** The file header of the current version. */
export function encodeFileHeader(): Uint8Array {
  const header = new Uint8Array(FILE_HEADER_BYTES)
  header.set(MAGIC)
  header[6] = FILE_FORMAT_VERSION >>> 8
  header[7] = FILE_FORMAT_VERSION & 0xff
  return header
}

/**
 * Reads a file header.
 * @returns the version, or undefined when the bytes are not a log file header
 */
export function decodeFileHeader(bytes: Uint8Array): number | undefined {
  if (bytes.length < FILE_HEADER_BYTES) return undefined
  for (let i = 0; i < MAGIC.length; i++) if (bytes[i] !== MAGIC[i]) return undefined
  return (bytes[6]! << 8) | bytes[7]!
}

/** True for a byte that starts a frame. */
export function isMarker(byte: number | undefined): boolean {
  return byte === MARKER_CONTINUED || byte === MARKER_LAST || byte === MARKER_SNAPSHOT
}

/** The check word of a frame header: a 32-bit mix (murmur3's finaliser) of marker and length. */
export function headerCheck(marker: number, length: number): number {
  let h = (Math.imul(length, 0x9e3779b1) ^ (marker * 0x01000193)) >>> 0
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/** The sum of a frame: CRC-32 of its contents, seeded with the header's check word. */
export function frameSum(check: number, contents: Uint8Array): number {
  // zlib gives 0 for an empty buffer without storage behind it, instead of the seed
  return contents.length === 0 ? check : crc32(contents, check) >>> 0
}

function writeFrame(into: Uint8Array, at: number, marker: number, contents: Uint8Array): number {
  const view = new DataView(into.buffer, into.byteOffset, into.byteLength)
  const check = headerCheck(marker, contents.length)
  into[at] = marker
  view.setUint32(at + 1, contents.length)
  view.setUint32(at + 5, check)
  view.setUint32(at + 9, frameSum(check, contents))
  into.set(contents, at + FRAME_HEADER_BYTES)
  return at + FRAME_HEADER_BYTES + contents.length
}

/**
 * Frames the records of one append: every record but the last is marked as continued,
 * so a reader takes the append whole or not at all.
 * @param records - the records, at least one
 * @param last - the marker of the last frame (`MARKER_LAST`, or `MARKER_SNAPSHOT` for a snapshot)
 */
export function encodeFrames(records: readonly Uint8Array[], last = MARKER_LAST): Uint8Array {
  let total = 0
  for (const r of records) total += FRAME_HEADER_BYTES + r.length
  const out = new Uint8Array(total)
  let at = 0
  for (let i = 0; i < records.length; i++)
    at = writeFrame(out, at, i === records.length - 1 ? last : MARKER_CONTINUED, records[i]!)
  return out
}

/**
 * True when a complete, well-formed frame header whose frame fits in `bytes` starts at
 * `at`: the test for "is there a later frame" that tells damage from a torn tail.
 */
export function frameHeaderAt(bytes: Uint8Array, at: number): boolean {
  if (at + FRAME_HEADER_BYTES > bytes.length || !isMarker(bytes[at])) return false
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const length = view.getUint32(at + 1)
  return (
    view.getUint32(at + 5) === headerCheck(bytes[at]!, length) &&
    at + FRAME_HEADER_BYTES + length <= bytes.length
  )
}
