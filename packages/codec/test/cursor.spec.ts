/**
 * The cursor: field-by-field reads agree with cborg's decoder (an independent
 * implementation) on what cborg encodes, `skip` gives `decode`'s verdict on every input,
 * limits are typed errors that cost nothing past them, and cursors share no state.
 */
import { decode as cborgDecode, encode as cborgEncode, rfc8949EncodeOptions } from 'cborg'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  Cursor,
  decode,
  encode,
  equalBytes,
  isCodecError,
  type LimitExceededError,
  MAJOR_ARRAY,
  MAJOR_BYTES,
  MAJOR_MAP,
  MAJOR_TEXT,
  MAJOR_UNSIGNED,
  type Value,
} from '../src/index'
import { valueArbitrary } from './helpers'

const runs = Number(process.env.PEERKIT_FC_RUNS ?? 300)

const defaults = { maxDepth: 32, maxItems: 8_192, maxTotalItems: 65_536 }

/** `ok` and where reading stopped, or the error's name. */
function outcome(run: () => number): string {
  try {
    return `ok ${run()}`
  } catch (error) {
    if (!isCodecError(error)) throw error
    return error.name
  }
}

/** Elements and entries of every array and map of a value, counted as the codec counts them. */
function itemsOf(value: Value): number {
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + itemsOf(v), value.length)
  if (value instanceof Uint8Array || value === null || typeof value !== 'object') return 0
  const entries = value instanceof Map ? [...value.values()] : Object.values(value)
  return entries.reduce((n: number, v) => n + itemsOf(v), entries.length)
}

type Field =
  | { kind: 'bytes'; value: Uint8Array }
  | { kind: 'text'; value: string }
  | { kind: 'uint'; value: number | bigint }

const fieldArbitrary: fc.Arbitrary<Field> = fc.oneof(
  fc.uint8Array({ maxLength: 300 }).map((value): Field => ({ kind: 'bytes', value })),
  fc.string({ unit: 'binary', maxLength: 80 }).map((value): Field => ({ kind: 'text', value })),
  fc.maxSafeInteger().map((value): Field => ({ kind: 'uint', value: Math.abs(value) })),
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((value): Field => ({ kind: 'uint', value })),
)

/** Values of the profile with strings long enough to need every head width up to three bytes. */
const wideValue: fc.Arbitrary<Value> = fc.letrec<{ value: Value }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.uint8Array({ minLength: 20, maxLength: 600, size: 'max' }),
    fc.string({ unit: 'binary', minLength: 20, maxLength: 300, size: 'max' }),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }),
    fc.array(tie('value'), { maxLength: 30, size: 'max' }),
    fc.dictionary(fc.string({ unit: 'binary', maxLength: 30, size: 'max' }), tie('value'), {
      maxKeys: 30,
      noNullPrototype: true,
    }),
  ),
})).value

describe('reads against cborg', () => {
  it('reads an array of byte strings, text and unsigned integers that cborg encodes as cborg decodes it', () => {
    fc.assert(
      fc.property(fc.array(fieldArbitrary, { maxLength: 40 }), (fields) => {
        const bytes = cborgEncode(
          fields.map((f) => f.value),
          rfc8949EncodeOptions,
        )
        const expected = cborgDecode(bytes, { useBigInt: true } as never) as unknown[]
        const c = new Cursor(bytes)
        expect(c.head(MAJOR_ARRAY)).toBe(expected.length)
        for (let i = 0; i < fields.length; i++) {
          const f = fields[i]!
          const want = expected[i]
          if (f.kind === 'bytes') expect(equalBytes(c.byteString(), want as Uint8Array)).toBe(true)
          else if (f.kind === 'text') expect(c.text()).toBe(want)
          else expect(BigInt(c.uint())).toBe(BigInt(want as number | bigint))
        }
        c.expectEnd()
      }),
      { numRuns: runs },
    )
  })

  it('tryHead and head agree with cborg on the length of every string, array and map head', () => {
    fc.assert(
      fc.property(valueArbitrary(true), (x) => {
        const bytes = cborgEncode(x, rfc8949EncodeOptions)
        const major = bytes[0]! >> 5
        const expected = cborgDecode(bytes, { useMaps: true, useBigInt: true } as never) as unknown
        const c = new Cursor(bytes)
        const d = new Cursor(bytes)
        if (major === MAJOR_BYTES || major === MAJOR_TEXT || major === MAJOR_ARRAY) {
          const length =
            major === MAJOR_TEXT
              ? new TextEncoder().encode(expected as string).length
              : (expected as { length: number }).length
          expect(c.head(major)).toBe(length)
          if (length < 2 ** 32) expect(d.tryHead(major)).toBe(length)
          expect(d.pos).toBe(c.pos)
        } else if (major === MAJOR_MAP) {
          expect(c.head(major)).toBe((expected as Map<string, unknown>).size)
        }
      }),
      { numRuns: runs },
    )
  })

  it('skips every value cborg encodes, to its end, counting its items', () => {
    fc.assert(
      fc.property(fc.oneof(valueArbitrary(true), wideValue), (x) => {
        const bytes = cborgEncode(x, rfc8949EncodeOptions)
        const c = new Cursor(bytes)
        expect(c.skip(defaults)).toBe(itemsOf(x))
        expect(c.pos).toBe(bytes.length)
      }),
      { numRuns: runs },
    )
  })
})

describe('skip gives the decoder verdict', () => {
  /** decode's verdict on `bytes` under `limits`, in the form `outcome` gives. */
  function decoded(bytes: Uint8Array, limits = defaults): string {
    return outcome(() => {
      decode(bytes, limits)
      return bytes.length
    })
  }
  function skipped(bytes: Uint8Array, limits = defaults): string {
    return outcome(() => {
      const c = new Cursor(bytes)
      c.skip(limits)
      c.expectEnd()
      return c.pos
    })
  }

  it('on single-byte mutations of valid encodings', () => {
    fc.assert(
      fc.property(valueArbitrary(), fc.nat(), fc.integer({ min: 0, max: 255 }), (x, at, byte) => {
        const bytes = encode(x)
        bytes[at % bytes.length] = byte
        expect(skipped(bytes)).toBe(decoded(bytes))
      }),
      { numRuns: runs * 3 },
    )
  })

  it('on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), (bytes) => {
        expect(skipped(bytes)).toBe(decoded(bytes))
      }),
      { numRuns: runs * 3 },
    )
  })

  it('on truncations and under small limits', () => {
    fc.assert(
      fc.property(
        valueArbitrary(),
        fc.nat(),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 6 }),
        (x, cut, maxDepth, maxItems) => {
          const full = encode(x)
          const bytes = full.subarray(0, 1 + (cut % full.length))
          const limits = { maxDepth, maxItems, maxTotalItems: maxItems * 2 }
          expect(skipped(bytes, limits)).toBe(decoded(bytes, limits))
        },
      ),
      { numRuns: runs * 3 },
    )
  })

  it('on strings and containers of every head width', () => {
    for (const n of [0, 23, 24, 255, 256, 65_535, 65_536]) {
      for (const value of [new Uint8Array(n), 'a'.repeat(n), Array.from({ length: n }, () => 0)]) {
        const bytes = encode([value, 1])
        const c = new Cursor(bytes)
        expect(c.skip({ maxDepth: 4, maxItems: 70_000, maxTotalItems: 70_000 })).toBe(
          Array.isArray(value) ? n + 2 : 2,
        )
        expect(c.pos).toBe(bytes.length)
      }
    }
  })

  it('on the edge cases the decoder names', () => {
    const cases = [
      '1817', // non-shortest
      '5f', // indefinite byte string
      'c0', // a tag
      'f97e00', // a float
      'f7', // undefined
      'f818', // simple value below 32 in two bytes
      'ff', // a stray break
      '62c328', // invalid UTF-8
      'a2616201616101', // keys out of order
      'a2616101616101', // duplicate key
      'a10101', // a non-text key
      '3bffffffffffffffff', // below -2^63
      '9bffffffffffffffff', // a length beyond the input
      '1c', // reserved additional information
    ]
    for (const hex of cases) {
      const bytes = Uint8Array.from(hex.match(/../g)!.map((h) => Number.parseInt(h, 16)))
      const verdict = decoded(bytes)
      expect(verdict, hex).not.toMatch(/^ok/)
      expect(skipped(bytes), hex).toBe(verdict)
    }
  })
})

describe('limits', () => {
  it('refuses a byte string or text over maxLength with a typed error and reads nothing of it', () => {
    const bytes = encode(['abcdef', new Uint8Array(10)])
    const c = new Cursor(bytes, 1)
    let error: unknown
    try {
      c.text(5)
    } catch (e) {
      error = e
    }
    expect(isCodecError(error, 'LimitExceededError') && (error as LimitExceededError).limit).toBe(
      'maxLength',
    )
    expect(c.pos).toBe(1)
    expect(c.text(6)).toBe('abcdef')
    expect(() => c.byteString(9)).toThrow(expect.objectContaining({ name: 'LimitExceededError' }))
    expect(c.byteString(10)).toHaveLength(10)
  })

  it('refuses a length beyond the input from its head alone', () => {
    // an array head claiming 2^32 - 1 items, then nothing
    const bytes = Uint8Array.from([0x9a, 0xff, 0xff, 0xff, 0xff])
    expect(() => new Cursor(bytes).head(MAJOR_ARRAY)).toThrow(
      expect.objectContaining({ name: 'MalformedError' }),
    )
    expect(new Cursor(bytes).tryHead(MAJOR_ARRAY)).toBe(-1)
  })

  it('stops a dense item at maxTotalItems without walking the rest', () => {
    // 62,000 empty byte strings: the walk stops at the head of the array that crosses the bound
    const dense = encode(
      Array.from({ length: 62 }, () => Array.from({ length: 1000 }, () => new Uint8Array(0))),
    )
    const c = new Cursor(dense)
    let error: unknown
    try {
      c.skip({ maxDepth: 4, maxItems: 1000, maxTotalItems: 4096 })
    } catch (e) {
      error = e
    }
    expect(isCodecError(error, 'LimitExceededError') && (error as LimitExceededError).limit).toBe(
      'maxTotalItems',
    )
    expect(c.pos).toBeLessThan(5 * 1003)
  })

  it('refuses a range outside the input', () => {
    expect(() => new Cursor(new Uint8Array(4), 2, 5)).toThrow(RangeError)
    expect(() => new Cursor(new Uint8Array(4), 3, 2)).toThrow(RangeError)
  })

  it('reads only inside its range', () => {
    const bytes = encode([new Uint8Array(3), 7])
    const c = new Cursor(bytes, 1, 4)
    expect(() => c.byteString()).toThrow(expect.objectContaining({ name: 'MalformedError' }))
    expect(new Cursor(bytes, 1, 5).byteString()).toHaveLength(3)
  })
})

describe('no shared state', () => {
  it('interleaved and nested cursors over the same input read independently', () => {
    const bytes = encode([[1, 2, 3], 'x', new Uint8Array([9])])
    const outer = new Cursor(bytes)
    const inner = new Cursor(bytes)
    expect(outer.head(MAJOR_ARRAY)).toBe(3)
    expect(inner.head(MAJOR_ARRAY)).toBe(3)
    expect(outer.head(MAJOR_ARRAY)).toBe(3)
    // a walk in the middle of another read, over the same bytes, changes nothing of it
    const nested = new Cursor(bytes)
    expect(nested.skip(defaults)).toBe(6)
    expect(outer.head(MAJOR_UNSIGNED)).toBe(1)
    expect(inner.skip(defaults)).toBe(3)
    expect(inner.text()).toBe('x')
    expect(outer.uint()).toBe(2)
  })

  it('a skip that failed leaves a later skip on the same cursor counting from zero', () => {
    const c = new Cursor(encode([[1, 2, 3, 4, 5], [1]]), 1)
    expect(() => c.skip({ maxDepth: 4, maxItems: 4, maxTotalItems: 10 })).toThrow()
    c.pos = 7
    expect(c.skip({ maxDepth: 4, maxItems: 4, maxTotalItems: 1 })).toBe(1)
  })
})
