/**
 * A cursor over canonical CBOR, for wire code that reads a known shape field by field
 * instead of decoding the whole input into values: heads, integers, byte strings (as views
 * of the input) and text, each checked as strictly as `decode` checks it, and `skip`, which
 * walks one whole item under depth and item limits without building anything.
 *
 * All state is the cursor's own (`pos` and its limits): cursors never share anything, so
 * any number may be in use at once, nested or not.
 *
 * @example
 * const c = new Cursor(bytes)
 * const n = c.head(MAJOR_ARRAY) // the array's length
 * const key = c.byteString(32)  // a view of the input
 * c.expectEnd()
 */
import {
  LimitExceededError,
  MalformedError,
  NonCanonicalError,
  TrailingBytesError,
  UnsupportedTypeError,
} from './errors'
import { simpleValue } from './simple'
import { isStrictUtf8, strictUtf8 } from './utf8'

/** Major type 0: unsigned integers. */
export const MAJOR_UNSIGNED = 0
/** Major type 1: negative integers. */
export const MAJOR_NEGATIVE = 1
/** Major type 2: byte strings. */
export const MAJOR_BYTES = 2
/** Major type 3: text strings. */
export const MAJOR_TEXT = 3
/** Major type 4: arrays. */
export const MAJOR_ARRAY = 4
/** Major type 5: maps. */
export const MAJOR_MAP = 5

/** Limits of `Cursor.skip`, the same as `decode`'s. */
export interface SkipLimits {
  /** Deepest nesting of arrays and maps; the item skipped is depth 1 when it is one. */
  readonly maxDepth: number
  /** Most elements or entries in one array or map. */
  readonly maxItems: number
  /** Most elements and entries in all arrays and maps of the item together. */
  readonly maxTotalItems: number
}

/** Bytes of `byteKey` passed to one `String.fromCharCode` call. */
const KEY_SLICE = 4096
/** Largest argument of a negative integer: -1 - (2^63 - 1) is -2^63. */
export const MAX_NEGATIVE_ARGUMENT = 2n ** 63n - 1n

/** A reading position in `bytes[start, end)`. */
export class Cursor {
  /** The next byte to read. */
  pos: number
  readonly bytes: Uint8Array
  /** Where reading stops: nothing at or after it is read. */
  readonly end: number
  /** Items counted by the `skip` in progress. */
  #items = 0

  /**
   * @param bytes - the input (never copied, never written)
   * @param start - where to start reading (default 0)
   * @param end - where to stop (default the end of `bytes`)
   * @throws {RangeError} when `start` and `end` do not lie within `bytes`, in order
   */
  constructor(bytes: Uint8Array, start = 0, end: number = bytes.length) {
    if (
      !Number.isSafeInteger(start) ||
      !Number.isSafeInteger(end) ||
      start < 0 ||
      start > end ||
      end > bytes.length
    ) {
      throw new RangeError('cursor range must lie within the input')
    }
    this.bytes = bytes
    this.pos = start
    this.end = end
  }

  /** Bytes left to read. */
  get remaining(): number {
    return this.end - this.pos
  }

  /** True when every byte was read. */
  atEnd(): boolean {
    return this.pos >= this.end
  }

  /** The major type of the next item, or -1 at the end; reads nothing. */
  peekMajor(): number {
    return this.pos < this.end ? this.bytes[this.pos]! >> 5 : -1
  }

  /**
   * Reads a canonical head of major type `major` whose argument fits 32 bits, without
   * throwing: for a length (byte string, text, array, map) the argument must also fit in
   * what remains. The fast way to try an expected shape.
   * @param major - the major type expected (0 to 5)
   * @returns the argument, or -1 (and nothing read) for anything else
   */
  tryHead(major: number): number {
    const b = this.bytes
    const p = this.pos
    if (p >= this.end) return -1
    const ib = b[p]!
    if (ib >> 5 !== major) return -1
    const info = ib & 0x1f
    let v: number
    let width: number
    if (info < 24) {
      v = info
      width = 1
    } else if (info === 24) {
      if (p + 2 > this.end) return -1
      v = b[p + 1]!
      if (v < 24) return -1
      width = 2
    } else if (info === 25) {
      if (p + 3 > this.end) return -1
      v = (b[p + 1]! << 8) | b[p + 2]!
      if (v < 0x100) return -1
      width = 3
    } else if (info === 26) {
      if (p + 5 > this.end) return -1
      v = b[p + 1]! * 0x100_0000 + ((b[p + 2]! << 16) | (b[p + 3]! << 8) | b[p + 4]!)
      if (v < 0x1_0000) return -1
      width = 5
    } else return -1
    if (major >= MAJOR_BYTES && v > unitsLeft(major, this.end - p - width)) return -1
    this.pos = p + width
    return v
  }

  /**
   * Reads a head of major type `major`, strictly: the shortest form, a definite length, and
   * for a length (byte string, text, array, map) no more than what remains.
   * @param major - the major type expected (0 to 5)
   * @returns the argument (at most 2^53 - 1)
   * @throws {MalformedError} at the end of the input, for another major type, a reserved
   *   additional information or a length beyond the input
   * @throws {NonCanonicalError} for a head not in its shortest form or an indefinite length
   * @throws {UnsupportedTypeError} for an argument beyond 2^53 - 1 (read those with `uint`)
   */
  head(major: number): number {
    const start = this.pos
    if (start >= this.end) throw new MalformedError('truncated input', start)
    const ib = this.bytes[start]!
    if (ib >> 5 !== major) {
      throw new MalformedError(`expected major type ${major}, found ${ib >> 5}`, start)
    }
    this.pos = start + 1
    const v = this.argument(ib & 0x1f, start)
    if (typeof v === 'bigint') {
      if (major >= MAJOR_BYTES) throw new MalformedError('length beyond the input', start)
      throw new UnsupportedTypeError('an argument beyond 2^53 - 1 (read it with uint)', start)
    }
    if (major >= MAJOR_BYTES && v > unitsLeft(major, this.end - this.pos)) {
      throw new MalformedError('length beyond the input', start)
    }
    return v
  }

  /**
   * Reads an unsigned integer (major type 0).
   * @returns a number when safe, a bigint beyond 2^53 - 1
   * @throws {MalformedError} for anything but an unsigned integer, or truncated input
   * @throws {NonCanonicalError} for a head not in its shortest form
   */
  uint(): number | bigint {
    const start = this.pos
    if (start >= this.end) throw new MalformedError('truncated input', start)
    const ib = this.bytes[start]!
    if (ib >> 5 !== MAJOR_UNSIGNED) throw new MalformedError('expected an unsigned integer', start)
    this.pos = start + 1
    return this.argument(ib & 0x1f, start)
  }

  /**
   * Reads a byte string as a view of the input (not a copy: copy it to keep it past the
   * input's lifetime).
   * @param maxLength - the longest accepted (default: any that fits the input)
   * @throws {LimitExceededError} (`limit` is `maxLength`) for a longer one, nothing read past its head
   * @throws every error of `head`
   */
  byteString(maxLength: number = Number.MAX_SAFE_INTEGER): Uint8Array {
    const start = this.pos
    const n = this.head(MAJOR_BYTES)
    if (n > maxLength) {
      this.pos = start
      throw new LimitExceededError('maxLength', `byte string of ${n} bytes`, start)
    }
    const from = this.pos
    this.pos = from + n
    return this.bytes.subarray(from, from + n)
  }

  /**
   * Reads a text string, as strict UTF-8.
   * @param maxLength - the most bytes accepted (default: any that fits the input)
   * @throws {LimitExceededError} (`limit` is `maxLength`) for a longer one
   * @throws {MalformedError} for invalid UTF-8
   * @throws every error of `head`
   */
  text(maxLength: number = Number.MAX_SAFE_INTEGER): string {
    const start = this.pos
    const n = this.head(MAJOR_TEXT)
    if (n > maxLength) {
      this.pos = start
      throw new LimitExceededError('maxLength', `text string of ${n} bytes`, start)
    }
    const from = this.pos
    const s = strictUtf8(this.bytes, from, from + n)
    if (s === undefined) {
      this.pos = start
      throw new MalformedError('invalid UTF-8 in a text string', start)
    }
    this.pos = from + n
    return s
  }

  /**
   * Reads a boolean (`false` or `true`, simple values 20 and 21).
   * @throws {MalformedError} for anything else, or at the end of the input
   */
  boolean(): boolean {
    const start = this.pos
    const ib = start < this.end ? this.bytes[start] : undefined
    if (ib !== 0xf4 && ib !== 0xf5) throw new MalformedError('expected a boolean', start)
    this.pos = start + 1
    return ib === 0xf5
  }

  /**
   * Reads the head of a byte string of exactly `length` bytes, without throwing, and moves
   * past the string: the fast way to take a fixed-size field (a key, a digest) in place.
   * @param length - the length required
   * @returns where its bytes start in `bytes`, or -1 (and nothing read) for anything else
   */
  tryBytes(length: number): number {
    const start = this.pos
    if (this.tryHead(MAJOR_BYTES) !== length) {
      this.pos = start
      return -1
    }
    const from = this.pos
    this.pos = from + length
    return from
  }

  /**
   * Requires that every byte was read.
   * @throws {TrailingBytesError} when bytes remain
   */
  expectEnd(): void {
    if (this.pos < this.end) {
      throw new TrailingBytesError(`${this.end - this.pos} bytes after the item`, this.pos)
    }
  }

  /**
   * Walks one whole item and moves past it, building nothing. It accepts exactly what
   * `decode` accepts under the same limits (heads in shortest form, the types of the
   * profile, strict UTF-8, map keys as sorted, distinct text) and throws the same errors,
   * so an item it passed decodes without error. The work is linear in the bytes walked.
   * @param limits - `maxDepth`, `maxItems`, `maxTotalItems`
   * @returns how many elements and entries the item's arrays and maps hold together
   * @throws {LimitExceededError} when a limit is exceeded (nothing past it is walked)
   * @throws every error `decode` throws for the item
   */
  skip(limits: SkipLimits): number {
    this.#items = 0
    this.#skipValue(limits, 0)
    return this.#items
  }

  /**
   * Reads the argument of a head whose initial byte, at `start`, was already read (`pos` is
   * just after it): the step under every head read, for readers that dispatch on the byte.
   * @param info - the initial byte's additional information (its low five bits)
   * @param start - where the head started (named in errors)
   * @returns the argument: a number when safe, a bigint beyond 2^53 - 1
   * @throws {NonCanonicalError} for an argument not in its shortest form or an indefinite length
   * @throws {MalformedError} for a reserved additional information or truncated input
   */
  argument(info: number, start: number): number | bigint {
    if (info < 24) return info
    const b = this.bytes
    const p = this.pos
    switch (info) {
      case 24: {
        this.need(1)
        const v = b[p]!
        this.pos = p + 1
        if (v < 24) throw new NonCanonicalError('argument not in its shortest form', start)
        return v
      }
      case 25: {
        this.need(2)
        const v = (b[p]! << 8) | b[p + 1]!
        this.pos = p + 2
        if (v < 0x100) throw new NonCanonicalError('argument not in its shortest form', start)
        return v
      }
      case 26: {
        this.need(4)
        const v = b[p]! * 0x100_0000 + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!)
        this.pos = p + 4
        if (v < 0x1_0000) throw new NonCanonicalError('argument not in its shortest form', start)
        return v
      }
      case 27: {
        this.need(8)
        const hi = b[p]! * 0x100_0000 + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!)
        const lo = b[p + 4]! * 0x100_0000 + ((b[p + 5]! << 16) | (b[p + 6]! << 8) | b[p + 7]!)
        this.pos = p + 8
        if (hi === 0) throw new NonCanonicalError('argument not in its shortest form', start)
        if (hi < 0x20_0000) return hi * 0x1_0000_0000 + lo
        return (BigInt(hi) << 32n) | BigInt(lo)
      }
      case 31:
        throw new NonCanonicalError('indefinite length', start)
      default:
        throw new MalformedError('reserved additional information', start)
    }
  }

  /**
   * Requires `n` more bytes.
   * @throws {MalformedError} when fewer remain
   */
  need(n: number): void {
    if (this.pos + n > this.end) throw new MalformedError('truncated input', this.pos)
  }

  #count(n: number, limits: SkipLimits, start: number): void {
    if (n > limits.maxItems)
      throw new LimitExceededError('maxItems', `container of ${n} items`, start)
    this.#items += n
    if (this.#items > limits.maxTotalItems) {
      throw new LimitExceededError(
        'maxTotalItems',
        `more than ${limits.maxTotalItems} items`,
        start,
      )
    }
  }

  #skipValue(limits: SkipLimits, depth: number): void {
    const start = this.pos
    this.need(1)
    const ib = this.bytes[this.pos++]!
    const major = ib >> 5
    const info = ib & 0x1f
    switch (major) {
      case MAJOR_UNSIGNED:
        this.argument(info, start)
        return
      case MAJOR_NEGATIVE: {
        const n = this.argument(info, start)
        if (typeof n === 'bigint' && n > MAX_NEGATIVE_ARGUMENT) {
          throw new UnsupportedTypeError('integer below -2^63', start)
        }
        return
      }
      case MAJOR_BYTES: {
        const n = this.lengthArgument(info, start, MAJOR_BYTES)
        this.pos += n
        return
      }
      case MAJOR_TEXT:
        this.#skipText(info, start)
        return
      case MAJOR_ARRAY: {
        const n = this.lengthArgument(info, start, MAJOR_ARRAY)
        this.#enter(limits, depth, start)
        this.#count(n, limits, start)
        for (let i = 0; i < n; i++) this.#skipValue(limits, depth + 1)
        return
      }
      case MAJOR_MAP: {
        const n = this.lengthArgument(info, start, MAJOR_MAP)
        this.#enter(limits, depth, start)
        this.#count(n, limits, start)
        this.#skipEntries(n, limits, depth + 1)
        return
      }
      case 6:
        throw new UnsupportedTypeError('tags are outside the profile', start)
      default:
        if (info === 24) this.need(1)
        simpleValue(info, this.bytes[this.pos], start)
    }
  }

  #enter(limits: SkipLimits, depth: number, start: number): void {
    if (depth >= limits.maxDepth) {
      throw new LimitExceededError('maxDepth', `nesting deeper than ${limits.maxDepth}`, start)
    }
  }

  /**
   * `argument` for a length (of a byte string, text, array or map: `major`), which must fit
   * in what remains.
   * @throws {MalformedError} for a length beyond the input
   * @throws every error of `argument`
   */
  lengthArgument(info: number, start: number, major: number): number {
    const n = this.argument(info, start)
    if (typeof n === 'bigint' || n > unitsLeft(major, this.end - this.pos)) {
      throw new MalformedError('length beyond the input', start)
    }
    return n
  }

  #skipText(info: number, start: number): void {
    const n = this.lengthArgument(info, start, MAJOR_TEXT)
    const from = this.pos
    if (!isStrictUtf8(this.bytes, from, from + n)) {
      throw new MalformedError('invalid UTF-8 in a text string', start)
    }
    this.pos = from + n
  }

  #skipEntries(n: number, limits: SkipLimits, depth: number): void {
    const b = this.bytes
    let prevStart = -1
    let prevEnd = -1
    for (let i = 0; i < n; i++) {
      const keyStart = this.pos
      this.need(1)
      const ib = b[this.pos++]!
      if (ib >> 5 !== MAJOR_TEXT) {
        if (ib >> 5 === 7 && (ib & 0x1f) === 31)
          throw new MalformedError('break outside an indefinite-length item', keyStart)
        throw new UnsupportedTypeError('map keys must be text strings', keyStart)
      }
      this.#skipText(ib & 0x1f, keyStart)
      const keyEnd = this.pos
      if (prevStart >= 0) {
        const order = compareRanges(b, prevStart, prevEnd, keyStart, keyEnd)
        if (order === 0) throw new NonCanonicalError('duplicate map key', keyStart)
        if (order > 0) throw new NonCanonicalError('map keys out of canonical order', keyStart)
      }
      prevStart = keyStart
      prevEnd = keyEnd
      this.#skipValue(limits, depth)
    }
  }
}

/** How many units of `major` (bytes, items, entries) `bytesLeft` bytes can hold at most. */
function unitsLeft(major: number, bytesLeft: number): number {
  // every map entry takes at least two bytes, every array item at least one
  return major === MAJOR_MAP ? bytesLeft >> 1 : bytesLeft
}

/** Compares the byte ranges [a0, a1) and [b0, b1) of `b` (bytewise, then shorter first). */
export function compareRanges(
  b: Uint8Array,
  a0: number,
  a1: number,
  b0: number,
  b1: number,
): number {
  const n = Math.min(a1 - a0, b1 - b0)
  for (let i = 0; i < n; i++) {
    const d = b[a0 + i]! - b[b0 + i]!
    if (d !== 0) return d
  }
  return a1 - a0 - (b1 - b0)
}

/**
 * A binary string of `bytes[start, start + length)`: one character per byte, a compact map
 * key for binary ids that is cheap to build and to hash.
 * @param bytes - the input
 * @param start - where the key's bytes start
 * @param length - how many bytes (32, a digest, is the fast case)
 * @returns the key
 * @example byteKey(digest, 0, 32).length // 32
 */
export function byteKey(bytes: Uint8Array, start: number, length: number): string {
  if (length !== 32) {
    let key = ''
    const end = start + length
    // in slices: a call takes only so many arguments
    for (let i = start; i < end; i += KEY_SLICE) {
      const slice = bytes.subarray(i, Math.min(i + KEY_SLICE, end))
      key += String.fromCharCode.apply(null, slice as unknown as number[])
    }
    return key
  }
  const b = bytes
  const d = start
  // one call with the 32 bytes as arguments: no subarray, no apply (a hot path for digests)
  return String.fromCharCode(
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
}
