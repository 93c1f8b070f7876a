/**
 * Strict, bounded decoding of canonical CBOR. Only the one canonical encoding of a value
 * of the profile is accepted, so `encode(decode(b))` equals `b` for every accepted `b`.
 * Limits are checked before work is spent, and nothing but a `CodecError` escapes.
 *
 * @example
 * import { decode } from '@peerkit/codec'
 * const value = decode(bytes, { maxBytes: 64 * 1024, maxDepth: 8 })
 */

import { isBytes } from './bytes'
import { DEFAULT_MAX_BYTES, DEFAULT_MAX_ITEMS, DEFAULT_MAX_TOTAL_ITEMS } from './constants'
import {
  Cursor,
  compareRanges,
  MAJOR_ARRAY,
  MAJOR_BYTES,
  MAJOR_MAP,
  MAJOR_TEXT,
  MAX_NEGATIVE_ARGUMENT,
} from './cursor'
import { depthLimit } from './encode'
import {
  isCodecError,
  LimitExceededError,
  MalformedError,
  NonCanonicalError,
  TrailingBytesError,
  UnsupportedTypeError,
} from './errors'
import { simpleValue } from './simple'
import { strictUtf8 } from './utf8'
import type { Value } from './value'

export interface DecodeOptions {
  /** Largest input accepted, checked before anything is read (default 1 MiB). */
  maxBytes?: number
  /** Deepest nesting of arrays and maps (default 32, at most 512). */
  maxDepth?: number
  /** Most items in one array or map (default 65,536). */
  maxItems?: number
  /** Most items in all arrays and maps together (default 262,144). */
  maxTotalItems?: number
  /** Decode maps as `Map` instead of plain objects (default false). */
  useMaps?: boolean
}

/** Byte strings up to this length may share a chunk (see `readBytes`). */
const SHARED_BYTES_MAX = 64
/** Exact copies are made for this many short byte strings of one input before chunks are used. */
const SHARED_BYTES_AFTER = 64
/** Size of one shared chunk: the most a short byte string can keep alive. */
const SHARED_CHUNK = 4096

/** One decoding: a cursor over the input with the counts and chunks of this input. */
class Reader extends Cursor {
  items = 0
  /** Short byte strings read so far. */
  shortBytes = 0
  /** The one empty byte string of this input (frozen: it has no bytes to change). */
  empty: Uint8Array | undefined
  chunk: Uint8Array | undefined
  chunkPos = 0
  constructor(
    buf: Uint8Array,
    readonly maxDepth: number,
    readonly maxItems: number,
    readonly maxTotalItems: number,
    readonly useMaps: boolean,
  ) {
    super(buf)
  }
}

/**
 * Whether a length in the initial byte itself (`info` below 24) fits in what remains, each
 * unit taking at least `unitBytes`: the common case, decided without a call
 * (`lengthArgument` decides every other one, with its errors).
 */
function shortLength(r: Reader, info: number, unitBytes: 1 | 2): boolean {
  return info < 24 && info * unitBytes <= r.end - r.pos
}

function countItems(r: Reader, n: number, start: number): void {
  if (n > r.maxItems) throw new LimitExceededError('maxItems', `container of ${n} items`, start)
  r.items += n
  if (r.items > r.maxTotalItems) {
    throw new LimitExceededError('maxTotalItems', `more than ${r.maxTotalItems} items`, start)
  }
}

/**
 * A byte string of `n` bytes at `r.pos`. Every value owns its bytes (the input is never
 * aliased). The first short ones of an input are exact copies; once an input proves dense
 * in short byte strings, they are copied side by side into shared 4 KiB chunks, so an item
 * costs a view rather than a buffer of its own. Empty byte strings are one frozen instance.
 */
function readBytes(r: Reader, n: number): Uint8Array {
  if (n === 0) {
    if (r.empty === undefined) r.empty = Object.freeze(new Uint8Array(0))
    return r.empty
  }
  const from = r.pos
  r.pos += n
  if (n > SHARED_BYTES_MAX || ++r.shortBytes <= SHARED_BYTES_AFTER)
    return r.bytes.slice(from, from + n)
  let chunk = r.chunk
  if (chunk === undefined || r.chunkPos + n > chunk.length) {
    chunk = new Uint8Array(SHARED_CHUNK)
    r.chunk = chunk
    r.chunkPos = 0
  }
  const at = r.chunkPos
  const b = r.bytes
  for (let i = 0; i < n; i++) chunk[at + i] = b[from + i]!
  r.chunkPos = at + n
  return chunk.subarray(at, at + n)
}

function readText(r: Reader, n: number, start: number): string {
  const end = r.pos + n
  const s = strictUtf8(r.bytes, r.pos, end)
  if (s === undefined) throw new MalformedError('invalid UTF-8 in a text string', start)
  r.pos = end
  return s
}

function readValue(r: Reader, depth: number): Value {
  const start = r.pos
  r.need(1)
  const ib = r.bytes[r.pos++]!
  const major = ib >> 5
  const info = ib & 0x1f
  switch (major) {
    case 0:
      return r.argument(info, start)
    case 1: {
      const n = r.argument(info, start)
      if (typeof n === 'number') {
        // -1 - n is safe while n <= 2^53 - 2
        return n < Number.MAX_SAFE_INTEGER ? -1 - n : -1n - BigInt(n)
      }
      // -1 - n must not fall below -2^63, the least a signed 64-bit integer holds
      if (n > MAX_NEGATIVE_ARGUMENT) throw new UnsupportedTypeError('integer below -2^63', start)
      return -1n - n
    }
    case 2: {
      return readBytes(
        r,
        shortLength(r, info, 1) ? info : r.lengthArgument(info, start, MAJOR_BYTES),
      )
    }
    case 3: {
      const n = shortLength(r, info, 1) ? info : r.lengthArgument(info, start, MAJOR_TEXT)
      return readText(r, n, start)
    }
    case 4: {
      const n = shortLength(r, info, 1) ? info : r.lengthArgument(info, start, MAJOR_ARRAY)
      if (depth >= r.maxDepth)
        throw new LimitExceededError('maxDepth', `nesting deeper than ${r.maxDepth}`, start)
      countItems(r, n, start)
      if (n === 0) return []
      const out: Value[] = new Array(n)
      for (let i = 0; i < n; i++) out[i] = readValue(r, depth + 1)
      return out
    }
    case 5: {
      // every entry takes at least two bytes
      const n = shortLength(r, info, 2) ? info : r.lengthArgument(info, start, MAJOR_MAP)
      if (depth >= r.maxDepth)
        throw new LimitExceededError('maxDepth', `nesting deeper than ${r.maxDepth}`, start)
      countItems(r, n, start)
      if (n === 0) return r.useMaps ? new Map<string, Value>() : {}
      return readMap(r, n, depth + 1)
    }
    case 6:
      throw new UnsupportedTypeError('tags are outside the profile', start)
    default:
      if (info === 24) r.need(1)
      return simpleValue(info, r.bytes[r.pos], start)
  }
}

function readMap(r: Reader, n: number, depth: number): Value {
  const b = r.bytes
  const map = r.useMaps ? new Map<string, Value>() : undefined
  const obj: Record<string, Value> = {}
  let prevStart = -1
  let prevEnd = -1
  for (let i = 0; i < n; i++) {
    const keyStart = r.pos
    r.need(1)
    const ib = b[r.pos++]!
    if (ib >> 5 !== 3) {
      if (ib >> 5 === 7 && (ib & 0x1f) === 31)
        throw new MalformedError('break outside an indefinite-length item', keyStart)
      throw new UnsupportedTypeError('map keys must be text strings', keyStart)
    }
    const len = r.lengthArgument(ib & 0x1f, keyStart, MAJOR_TEXT)
    const key = readText(r, len, keyStart)
    const keyEnd = r.pos
    if (prevStart >= 0) {
      const order = compareRanges(b, prevStart, prevEnd, keyStart, keyEnd)
      if (order === 0) throw new NonCanonicalError('duplicate map key', keyStart)
      if (order > 0) throw new NonCanonicalError('map keys out of canonical order', keyStart)
    }
    prevStart = keyStart
    prevEnd = keyEnd
    const value = readValue(r, depth)
    if (map !== undefined) map.set(key, value)
    else if (key === '__proto__') {
      // an own data property, never the prototype setter
      Object.defineProperty(obj, key, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      })
    } else obj[key] = value
  }
  return map ?? obj
}

function positiveLimit(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError(`${name} must be a non-negative integer`)
  return value
}

/**
 * Decodes canonical CBOR, strictly.
 * @param bytes - the encoded value
 * @param options - limits (`maxBytes`, `maxDepth`, `maxItems`, `maxTotalItems`) and `useMaps`
 * @returns the value; integers are numbers when safe, bigints otherwise
 * @throws {LimitExceededError} when a limit is exceeded
 * @throws {NonCanonicalError} for valid CBOR that is not canonical (non-shortest
 *   arguments, indefinite lengths, unsorted or duplicate map keys)
 * @throws {UnsupportedTypeError} for items outside the profile (floats, undefined,
 *   simple values, tags, non-text map keys)
 * @throws {MalformedError} for truncated or ill-formed input and invalid UTF-8
 * @throws {TrailingBytesError} when bytes follow the item
 * @example
 * decode(new Uint8Array([0x82, 0x01, 0x02])) // [1, 2]
 */
export function decode(bytes: Uint8Array, options?: DecodeOptions): Value {
  if (!isBytes(bytes)) throw new UnsupportedTypeError('decode expects a Uint8Array')
  const maxBytes = positiveLimit(options?.maxBytes, DEFAULT_MAX_BYTES, 'maxBytes')
  if (bytes.length > maxBytes) {
    throw new LimitExceededError('maxBytes', `input of ${bytes.length} bytes exceeds ${maxBytes}`)
  }
  const r = new Reader(
    bytes,
    depthLimit(options?.maxDepth),
    positiveLimit(options?.maxItems, DEFAULT_MAX_ITEMS, 'maxItems'),
    positiveLimit(options?.maxTotalItems, DEFAULT_MAX_TOTAL_ITEMS, 'maxTotalItems'),
    options?.useMaps === true,
  )
  let value: Value
  try {
    value = readValue(r, 0)
  } catch (error) {
    if (isCodecError(error)) throw error
    // defence in depth: no other error may escape a decoder
    throw new MalformedError(`undecodable input: ${(error as Error)?.name ?? 'error'}`, r.pos)
  }
  if (r.pos !== bytes.length)
    throw new TrailingBytesError(`${bytes.length - r.pos} bytes after the item`, r.pos)
  return value
}
