/**
 * The head writer writes what `encode` writes, and the cursor's fixed-shape reads
 * (`boolean`, `tryBytes`) and `byteKey` agree with `decode`.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  byteKey,
  Cursor,
  decode,
  encode,
  headSize,
  isCodecError,
  MAJOR_ARRAY,
  MAJOR_NEGATIVE,
  MAJOR_TEXT,
  MAJOR_UNSIGNED,
  writeHead,
} from '../src/index'

const runs = Number(process.env.PEERKIT_FC_RUNS ?? 300)

const argument = fc.oneof(
  fc.nat(30),
  fc.constantFrom(23, 24, 255, 256, 65_535, 65_536, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1),
  fc.maxSafeNat(),
)

describe('writeHead', () => {
  it('property: writes the head encode writes, in headSize bytes', () => {
    fc.assert(
      fc.property(argument, (n) => {
        const out = new Uint8Array(headSize(n))
        expect(writeHead(out, 0, MAJOR_UNSIGNED, n)).toBe(out.length)
        expect(out).toEqual(encode(n))
        const negative = new Uint8Array(headSize(n))
        writeHead(negative, 0, MAJOR_NEGATIVE, n)
        expect(decode(negative)).toBe(n === 2 ** 53 - 1 ? -(2n ** 53n) : -1 - n)
      }),
      { numRuns: runs },
    )
  })

  it('writes at an offset and names the major type', () => {
    const out = new Uint8Array(4).fill(0xaa)
    expect(writeHead(out, 1, MAJOR_ARRAY, 300)).toBe(4)
    expect([...out]).toEqual([0xaa, 0x99, 0x01, 0x2c])
  })
})

describe('Cursor.boolean', () => {
  it('reads false and true, and throws MalformedError for anything else', () => {
    const c = new Cursor(encode([false, true]), 1)
    expect(c.boolean()).toBe(false)
    expect(c.boolean()).toBe(true)
    expect(c.atEnd()).toBe(true)
    for (const other of [encode(null), encode(0), encode(''), new Uint8Array(0)]) {
      const d = new Cursor(other)
      expect(() => d.boolean()).toThrowError(expect.objectContaining({ name: 'MalformedError' }))
      expect(d.pos).toBe(0)
    }
  })
})

describe('Cursor.tryBytes', () => {
  it('property: takes a byte string of exactly the length asked, or reads nothing', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(300), (value, length) => {
        const bytes = encode(value)
        const c = new Cursor(bytes)
        const at = c.tryBytes(length)
        if (value.length === length) {
          expect(bytes.subarray(at, at + length)).toEqual(value)
          expect(c.atEnd()).toBe(true)
        } else {
          expect(at).toBe(-1)
          expect(c.pos).toBe(0)
        }
      }),
      { numRuns: runs },
    )
  })

  it('reads nothing for another type, a non-canonical head or a truncated string', () => {
    const inputs = [
      encode('ab'),
      new Uint8Array([0x58, 0x02, 1, 2]), // length 2 in a one-byte argument
      new Uint8Array([0x42, 1]),
      new Uint8Array([MAJOR_TEXT << 5]),
    ]
    for (const input of inputs) {
      const c = new Cursor(input)
      expect(c.tryBytes(2)).toBe(-1)
      expect(c.pos).toBe(0)
      // the strict read has a typed error for each
      let name = 'none'
      try {
        new Cursor(input).byteString(2)
      } catch (error) {
        if (isCodecError(error)) name = error.name
      }
      expect(['MalformedError', 'NonCanonicalError']).toContain(name)
    }
  })
})

describe('byteKey', () => {
  it('property: one character per byte, for digests and for any other length', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 80 })),
        fc.nat(8),
        (value, offset) => {
          const b = new Uint8Array(offset + value.length)
          b.set(value, offset)
          const key = byteKey(b, offset, value.length)
          expect(Array.from(key, (ch) => ch.charCodeAt(0))).toEqual([...value])
        },
      ),
      { numRuns: runs },
    )
  })

  it('takes keys longer than one call can take arguments', () => {
    const long = new Uint8Array(200_000).map((_, i) => i & 0xff)
    const key = byteKey(long, 0, long.length)
    expect(key.length).toBe(long.length)
    expect(key.charCodeAt(199_999)).toBe(199_999 & 0xff)
  })
})

it('the byte strings the cursor reads start where decode found them', () => {
  const bytes = encode([new Uint8Array([7, 8, 9])])
  const c = new Cursor(bytes)
  c.head(MAJOR_ARRAY)
  const at = c.tryBytes(3)
  expect(bytes.subarray(at, at + 3)).toEqual((decode(bytes) as Uint8Array[])[0])
})
