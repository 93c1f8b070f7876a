/**
 * Canonical CBOR encoding (RFC 8949 §4.2.1 core deterministic encoding) of peerkit's
 * value profile: integers in the safe range or 64-bit bigints, byte strings, well-formed
 * text, arrays, text-keyed maps, booleans and null. Anything else is a typed error,
 * never a silent conversion.
 *
 * @example
 * import { encode } from '@peerkit/codec'
 * const bytes = encode({ kind: 'offer', amount: 5, key: new Uint8Array(32) })
 */

import { isBytes } from './bytes'
import { DEFAULT_MAX_DEPTH, MAX_DEPTH_CEILING, MAX_INTEGER, MIN_INTEGER } from './constants'
import { LimitExceededError, UnsupportedTypeError } from './errors'
import { writeHead, writeUint32 } from './head'
import type { Value } from './value'

export interface EncodeOptions {
  /** Deepest nesting of arrays and maps to accept (default 32, at most 512). */
  maxDepth?: number
}

/** One encoding in progress: a growable output buffer and the path of open containers. */
class Writer {
  buf: Uint8Array
  pos = 0
  readonly path: object[] = []

  constructor(size: number) {
    this.buf = new Uint8Array(size)
  }

  ensure(extra: number): void {
    const need = this.pos + extra
    if (need <= this.buf.length) return
    let size = this.buf.length * 2
    while (size < need) size *= 2
    const next = new Uint8Array(size)
    next.set(this.buf.subarray(0, this.pos))
    this.buf = next
  }

  /** Writes a head (major type and argument) in its shortest form. */
  head(major: number, arg: number): void {
    this.ensure(9)
    this.pos = writeHead(this.buf, this.pos, major, arg)
  }

  headBig(major: number, arg: bigint): void {
    if (arg <= 0x1f_ffff_ffff_ffffn) {
      this.head(major, Number(arg))
      return
    }
    this.ensure(9)
    const b = this.buf
    b[this.pos] = (major << 5) | 27
    let p = writeUint32(b, this.pos + 1, Number(arg >> 32n))
    p = writeUint32(b, p, Number(arg & 0xffff_ffffn))
    this.pos = p
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length)
    this.buf.set(b, this.pos)
    this.pos += b.length
  }
}

const textEncoder = new TextEncoder()

/**
 * UTF-8 of a string, or a typed error for a lone surrogate (which TextEncoder would
 * silently replace with U+FFFD).
 */
function utf8(text: string): Uint8Array {
  if (!(text as unknown as { isWellFormed(): boolean }).isWellFormed()) {
    throw new UnsupportedTypeError('text with a lone surrogate is not valid UTF-8')
  }
  return textEncoder.encode(text)
}

function writeText(w: Writer, text: string): void {
  const n = text.length
  if (n < 64) {
    // ASCII fast path: write in place, fall back at the first non-ASCII code unit
    w.ensure(n + 2)
    const start = w.pos
    if (n < 24) {
      w.buf[w.pos++] = 0x60 | n
    } else {
      w.buf[w.pos++] = 0x78
      w.buf[w.pos++] = n
    }
    let i = 0
    for (; i < n; i++) {
      const c = text.charCodeAt(i)
      if (c >= 0x80) break
      w.buf[w.pos++] = c
    }
    if (i === n) return
    w.pos = start
  }
  const b = utf8(text)
  w.head(3, b.length)
  w.bytes(b)
}

/**
 * One map entry to write. Canonical order is bytewise over the encoded keys, which for text
 * keys is shorter UTF-8 first, then bytewise UTF-8: for ASCII keys (`utf8` undefined) that is
 * length, then the order of the strings' code units.
 */
interface Entry {
  readonly key: string
  /** The key's UTF-8 when it is not ASCII. */
  readonly utf8: Uint8Array | undefined
  /** The key's length in UTF-8 bytes. */
  readonly length: number
  readonly value: unknown
}

function entryOf(key: string, value: unknown): Entry {
  for (let i = 0; i < key.length; i++) {
    if (key.charCodeAt(i) >= 0x80) {
      const b = utf8(key)
      return { key, utf8: b, length: b.length, value }
    }
  }
  return { key, utf8: undefined, length: key.length, value }
}

/** Bytewise order of two byte strings of the same length. */
function compareSameLength(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!
    if (d !== 0) return d
  }
  return 0
}

function byKey(x: Entry, y: Entry): number {
  if (x.length !== y.length) return x.length - y.length
  if (x.utf8 === undefined && y.utf8 === undefined) return x.key < y.key ? -1 : 1
  return compareSameLength(x.utf8 ?? textEncoder.encode(x.key), y.utf8 ?? textEncoder.encode(y.key))
}

function writeEntries(w: Writer, entries: Entry[], depth: number, maxDepth: number): void {
  // keys of one object or Map are distinct strings, so their encodings are distinct too
  entries.sort(byKey)
  w.head(5, entries.length)
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!
    if (e.utf8 === undefined) writeText(w, e.key)
    else {
      w.head(3, e.length)
      w.bytes(e.utf8)
    }
    writeValue(w, e.value, depth, maxDepth)
  }
}

function enter(w: Writer, container: object, depth: number, maxDepth: number): void {
  if (depth > maxDepth) throw new LimitExceededError('maxDepth', `nesting deeper than ${maxDepth}`)
  for (let i = 0; i < w.path.length; i++) {
    if (w.path[i] === container) throw new UnsupportedTypeError('cyclic structure')
  }
  w.path.push(container)
}

function typeName(value: unknown): string {
  if (value === undefined) return 'undefined'
  if (typeof value !== 'object' || value === null) return typeof value
  return Object.prototype.toString.call(value).slice(8, -1)
}

function writeValue(w: Writer, value: unknown, depth: number, maxDepth: number): void {
  switch (typeof value) {
    case 'number':
      if (!Number.isSafeInteger(value) || Object.is(value, -0)) {
        const shown = Object.is(value, -0) ? '-0' : String(value)
        throw new UnsupportedTypeError(
          `number ${shown} is not a safe integer (floats, -0, NaN and Infinity are outside the profile)`,
        )
      }
      if (value >= 0) w.head(0, value)
      else w.head(1, -1 - value)
      return
    case 'string':
      writeText(w, value)
      return
    case 'boolean':
      w.ensure(1)
      w.buf[w.pos++] = value ? 0xf5 : 0xf4
      return
    case 'bigint':
      if (value > MAX_INTEGER || value < MIN_INTEGER) {
        throw new UnsupportedTypeError('integer outside [-2^63, 2^64 - 1]')
      }
      if (value >= 0n) w.headBig(0, value)
      else w.headBig(1, -1n - value)
      return
    case 'object': {
      if (value === null) {
        w.ensure(1)
        w.buf[w.pos++] = 0xf6
        return
      }
      if (isBytes(value)) {
        w.head(2, value.length)
        w.bytes(value)
        return
      }
      const d = depth + 1
      if (Array.isArray(value)) {
        enter(w, value, d, maxDepth)
        w.head(4, value.length)
        for (let i = 0; i < value.length; i++) {
          if (!(i in value)) throw new UnsupportedTypeError('sparse array (a hole is undefined)')
          writeValue(w, value[i], d, maxDepth)
        }
        w.path.pop()
        return
      }
      if (value instanceof Map) {
        enter(w, value, d, maxDepth)
        const entries: Entry[] = []
        for (const [k, v] of value) {
          if (typeof k !== 'string')
            throw new UnsupportedTypeError(`map key of type ${typeName(k)}`)
          entries.push(entryOf(k, v))
        }
        writeEntries(w, entries, d, maxDepth)
        w.path.pop()
        return
      }
      const proto = Object.getPrototypeOf(value)
      if (proto !== Object.prototype && proto !== null) {
        throw new UnsupportedTypeError(`${typeName(value)} is not a plain object`)
      }
      if (Object.getOwnPropertySymbols(value).length > 0) {
        throw new UnsupportedTypeError('symbol keys are outside the profile')
      }
      enter(w, value, d, maxDepth)
      const keys = Object.keys(value)
      const entries: Entry[] = new Array(keys.length)
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i]!
        entries[i] = entryOf(k, (value as Record<string, unknown>)[k])
      }
      writeEntries(w, entries, d, maxDepth)
      w.path.pop()
      return
    }
    default:
      throw new UnsupportedTypeError(`${typeName(value)} is outside the profile`)
  }
}

/** First size of an encoding's buffer: most peerkit values fit, and it doubles as needed. */
const FIRST_BUFFER_BYTES = 512

/** Resolves and checks a `maxDepth` option. */
export function depthLimit(maxDepth: number | undefined): number {
  if (maxDepth === undefined) return DEFAULT_MAX_DEPTH
  if (!Number.isSafeInteger(maxDepth) || maxDepth < 1 || maxDepth > MAX_DEPTH_CEILING) {
    throw new RangeError(`maxDepth must be an integer from 1 to ${MAX_DEPTH_CEILING}`)
  }
  return maxDepth
}

/**
 * Encodes a value as canonical CBOR.
 * @param value - a value of the profile (see the package README)
 * @param options - `maxDepth` (default 32)
 * @returns the one canonical encoding of `value`
 * @throws {UnsupportedTypeError} for a float, -0, undefined, a function, a symbol, a cycle,
 *   a sparse array, a non-plain object, a non-text map key, a lone surrogate, or a bigint
 *   beyond 64 bits
 * @throws {LimitExceededError} when nesting exceeds `maxDepth`
 * @example
 * encode({ b: 1, a: [true, null] }) // a2 61 61 82 f5 f6 61 62 01
 */
export function encode(value: Value, options?: EncodeOptions): Uint8Array {
  const maxDepth = depthLimit(options?.maxDepth)
  const w = new Writer(FIRST_BUFFER_BYTES)
  writeValue(w, value, 0, maxDepth)
  return w.buf.slice(0, w.pos)
}
