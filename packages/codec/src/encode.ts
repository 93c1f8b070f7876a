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
import type { Value } from './value'

export interface EncodeOptions {
  /** Deepest nesting of arrays and maps to accept (default 32, at most 512). */
  maxDepth?: number
}

/** One encoding in progress: a growable output buffer and the path of open containers. */
class Writer {
  buf: Uint8Array
  view: DataView
  pos = 0
  readonly path: object[] = []

  constructor(size: number) {
    this.buf = new Uint8Array(size)
    this.view = new DataView(this.buf.buffer)
  }

  ensure(extra: number): void {
    const need = this.pos + extra
    if (need <= this.buf.length) return
    let size = this.buf.length * 2
    while (size < need) size *= 2
    const next = new Uint8Array(size)
    next.set(this.buf.subarray(0, this.pos))
    this.buf = next
    this.view = new DataView(next.buffer)
  }

  /** Writes a head (major type and argument) in its shortest form. */
  head(major: number, arg: number): void {
    this.ensure(9)
    const m = major << 5
    if (arg < 24) {
      this.buf[this.pos++] = m | arg
    } else if (arg < 0x100) {
      this.buf[this.pos++] = m | 24
      this.buf[this.pos++] = arg
    } else if (arg < 0x1_0000) {
      this.buf[this.pos++] = m | 25
      this.view.setUint16(this.pos, arg)
      this.pos += 2
    } else if (arg < 0x1_0000_0000) {
      this.buf[this.pos++] = m | 26
      this.view.setUint32(this.pos, arg)
      this.pos += 4
    } else {
      this.buf[this.pos++] = m | 27
      this.view.setUint32(this.pos, Math.floor(arg / 0x1_0000_0000))
      this.view.setUint32(this.pos + 4, arg >>> 0)
      this.pos += 8
    }
  }

  headBig(major: number, arg: bigint): void {
    if (arg <= 0x1f_ffff_ffff_ffffn) {
      this.head(major, Number(arg))
      return
    }
    this.ensure(9)
    this.buf[this.pos++] = (major << 5) | 27
    this.view.setBigUint64(this.pos, arg)
    this.pos += 8
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
export function utf8(text: string): Uint8Array {
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

/** Encoded map keys, cached: peerkit maps reuse a few short keys over and over. */
const keyCache = new Map<string, Uint8Array>()
const KEY_CACHE_MAX = 4096

function encodedKey(key: string): Uint8Array {
  let k = keyCache.get(key)
  if (k === undefined) {
    const b = utf8(key)
    const w = new Writer(b.length + 9)
    w.head(3, b.length)
    w.bytes(b)
    k = w.buf.slice(0, w.pos)
    if (keyCache.size >= KEY_CACHE_MAX) keyCache.clear()
    keyCache.set(key, k)
  }
  return k
}

/** Canonical order of encoded keys: bytewise, which for text keys is length first. */
function compareKeys(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!
    if (d !== 0) return d
  }
  return a.length - b.length
}

type Entry = [Uint8Array, unknown]
const byKey = (x: Entry, y: Entry): number => compareKeys(x[0], y[0])

function writeEntries(w: Writer, entries: Entry[], depth: number, maxDepth: number): void {
  // keys of one object or Map are distinct strings, so their encodings are distinct too
  entries.sort(byKey)
  w.head(5, entries.length)
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!
    w.bytes(e[0])
    writeValue(w, e[1], depth, maxDepth)
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
          entries.push([encodedKey(k), v])
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
        entries[i] = [encodedKey(k), (value as Record<string, unknown>)[k]]
      }
      writeEntries(w, entries, d, maxDepth)
      w.path.pop()
      return
    }
    default:
      throw new UnsupportedTypeError(`${typeName(value)} is outside the profile`)
  }
}

let scratch: Writer | undefined = new Writer(1024)

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
  // reuse one scratch buffer; a re-entrant call (from a getter) gets its own
  const w = scratch ?? new Writer(256)
  scratch = undefined
  try {
    writeValue(w, value, 0, maxDepth)
    return w.buf.slice(0, w.pos)
  } finally {
    w.pos = 0
    w.path.length = 0
    if (w.buf.length <= 1 << 16) scratch = w
    else scratch = new Writer(1024)
  }
}
