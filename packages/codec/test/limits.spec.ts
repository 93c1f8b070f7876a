/**
 * Limits and hostile input: every limit is enforced with a typed error before the work it
 * guards, deep nesting never reaches the engine's stack, and no key reaches a prototype.
 */
import { describe, expect, it } from 'vitest'
import { decode, encode, fromHex, LimitExceededError, MAX_INTEGER, MIN_INTEGER } from '../src/index'

const named = (name: string) => expect.objectContaining({ name })

function nested(depth: number): Uint8Array {
  const b = new Uint8Array(depth + 1).fill(0x81)
  b[depth] = 0x00
  return b
}

describe('decode limits', () => {
  it('rejects input over maxBytes before reading it', () => {
    expect(() => decode(new Uint8Array(2 * 1024 * 1024))).toThrowError(named('LimitExceededError'))
    expect(() => decode(encode('abcdef'), { maxBytes: 3 })).toThrowError(
      named('LimitExceededError'),
    )
    expect(decode(encode('abcdef'), { maxBytes: 7 })).toBe('abcdef')
  })

  it('enforces maxDepth exactly, the top-level container being depth 1', () => {
    expect(decode(nested(32))).toBeDefined()
    expect(() => decode(nested(33))).toThrowError(named('LimitExceededError'))
    expect(() => decode(nested(3), { maxDepth: 2 })).toThrowError(named('LimitExceededError'))
    expect(decode(nested(2), { maxDepth: 2 })).toEqual([[0]])
  })

  it('turns 100,000 levels of nesting into a typed error, not a stack overflow', () => {
    const error = (() => {
      try {
        decode(nested(100_000), { maxDepth: 512 })
      } catch (e) {
        return e
      }
    })()
    expect(error).toBeInstanceOf(LimitExceededError)
    expect((error as LimitExceededError).limit).toBe('maxDepth')
  })

  it('rejects a maxDepth beyond the hard ceiling', () => {
    expect(() => decode(nested(1), { maxDepth: 100_000 })).toThrowError(RangeError)
  })

  it('enforces maxItems per container and maxTotalItems overall', () => {
    const five = encode([1, 2, 3, 4, 5])
    expect(() => decode(five, { maxItems: 4 })).toThrowError(named('LimitExceededError'))
    expect(decode(five, { maxItems: 5 })).toEqual([1, 2, 3, 4, 5])
    const twoByThree = encode([
      [1, 2, 3],
      [4, 5, 6],
    ])
    expect(() => decode(twoByThree, { maxTotalItems: 7 })).toThrowError(named('LimitExceededError'))
    expect(decode(twoByThree, { maxTotalItems: 8 })).toHaveLength(2)
  })

  it('rejects declared lengths beyond the input before allocating', () => {
    // an array, a map, bytes and text each claiming 2^32 - 1 entries in a few bytes
    for (const hex of [
      '9affffffff',
      'baffffffff',
      '5affffffff',
      '7affffffff',
      '9bffffffffffffffff',
    ]) {
      expect(() => decode(fromHex(hex))).toThrowError(named('MalformedError'))
    }
  })

  it('never lets a __proto__ key reach a prototype', () => {
    // {"__proto__": {"polluted": true}}
    const bytes = encode(JSON.parse('{"__proto__": {"polluted": true}}'))
    const value = decode(bytes) as Record<string, unknown>
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype)
    expect(Object.keys(value)).toEqual(['__proto__'])
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.hasOwn(value, '__proto__')).toBe(true)
  })

  it('rejects non-canonical forms with NonCanonicalError', () => {
    for (const hex of [
      '1817', // 23 in two bytes
      '190017', // in three
      '1a00000017',
      '1b0000000000000017',
      '3817', // -24 in two bytes
      '5800', // empty bytes with a one-byte length
      '7800',
      '9800',
      'b800',
      'a2616201616101', // {"b": 1, "a": 1}: unsorted
      'a2616101616102', // duplicate key
      'a2626161016162', // {"aa": 1, "b": ...}: longer key first
    ]) {
      expect(() => decode(fromHex(hex)), hex).toThrowError(named('NonCanonicalError'))
    }
  })

  it('rejects malformed input with MalformedError', () => {
    for (const hex of [
      '', // nothing
      '1c', // reserved additional information
      'ff', // stray break
      '62c328', // invalid UTF-8
      '63eda080', // an encoded surrogate
      '62c0af', // overlong
      'f800', // two-byte simple below 32
      '8201', // truncated array
    ]) {
      expect(() => decode(fromHex(hex)), hex).toThrowError(named('MalformedError'))
    }
  })

  it('keeps a byte order mark in text', () => {
    expect(decode(fromHex('63efbbbf'))).toBe('\ufeff')
    expect(encode('\ufeff')).toEqual(fromHex('63efbbbf'))
  })

  it('rejects a non-Uint8Array input with a codec error', () => {
    expect(() => decode('a1' as unknown as Uint8Array)).toThrowError(named('UnsupportedTypeError'))
  })

  it('decodes a subarray view at its own offset', () => {
    const whole = new Uint8Array([0xff, 0x82, 0x01, 0x02, 0xff])
    expect(decode(whole.subarray(1, 4))).toEqual([1, 2])
  })
})

describe('encode rejects values outside the profile', () => {
  const cyclic: Record<string, unknown> = {}
  cyclic.self = cyclic
  const sparse = new Array(3)
  sparse[0] = 1
  sparse[2] = 3
  class Point {
    x = 1
  }
  const cases: [string, unknown][] = [
    ['a float', 1.5],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-0', -0],
    ['an unsafe integer', 2 ** 53],
    ['undefined', undefined],
    ['undefined in an object', { a: undefined }],
    ['a function', () => 1],
    ['a symbol', Symbol('s')],
    ['a symbol key', { [Symbol('s')]: 1 }],
    ['a cycle', cyclic],
    ['a class instance', new Point()],
    ['a Date', new Date(0)],
    ['a Set', new Set([1])],
    ['a non-text Map key', new Map([[1, 1]])],
    ['a sparse array', sparse],
    ['a lone surrogate', '\ud800'],
    ['a lone surrogate key', { '\udc00': 1 }],
    ['a bigint beyond 64 bits', 2n ** 64n],
    ['a negative bigint beyond 64 bits', -(2n ** 64n) - 1n],
    ['-2^64, beyond a signed 64-bit integer', -(2n ** 64n)],
    ['-2^63 - 1, beyond a signed 64-bit integer', -(2n ** 63n) - 1n],
    ['an Int8Array', new Int8Array(1)],
  ]
  it.each(cases)('%s', (_what, value) => {
    expect(() => encode(value as never)).toThrowError(named('UnsupportedTypeError'))
  })

  it('enforces maxDepth on encode too', () => {
    let deep: unknown = 0
    for (let i = 0; i < 40; i++) deep = [deep]
    expect(() => encode(deep as never)).toThrowError(named('LimitExceededError'))
    expect(encode(deep as never, { maxDepth: 40 }).length).toBe(41)
  })

  it('accepts the 64-bit extremes, [-2^63, 2^64 - 1]', () => {
    expect(decode(encode(2n ** 64n - 1n))).toBe(2n ** 64n - 1n)
    expect(decode(encode(-(2n ** 63n)))).toBe(-(2n ** 63n))
    expect(MIN_INTEGER).toBe(-(2n ** 63n))
    expect(MAX_INTEGER).toBe(2n ** 64n - 1n)
    expect(decode(encode(Number.MIN_SAFE_INTEGER))).toBe(Number.MIN_SAFE_INTEGER)
    expect(decode(encode(-(2n ** 53n)))).toBe(-(2n ** 53n))
  })

  it('survives a getter that encodes re-entrantly', () => {
    const value = {
      get inner() {
        return encode([1, 2, 3])
      },
    }
    expect(decode(encode(value as never))).toEqual({ inner: encode([1, 2, 3]) })
  })
})

describe('integers beyond 64 bits', () => {
  it('rejects negative integers below -2^63 with a typed error', () => {
    // 0x3b + 8-byte argument n encodes -1 - n
    expect(() => decode(fromHex('3bffffffffffffffff'))).toThrowError(named('UnsupportedTypeError')) // -2^64
    expect(() => decode(fromHex('3b8000000000000000'))).toThrowError(named('UnsupportedTypeError')) // -2^63 - 1
    expect(decode(fromHex('3b7fffffffffffffff'))).toBe(-(2n ** 63n))
    expect(decode(fromHex('1bffffffffffffffff'))).toBe(2n ** 64n - 1n)
  })
})

describe('declared lengths', () => {
  it('a length one byte beyond the input is MalformedError, whatever the width of its head', () => {
    // the bound is what remains after the head: a two-byte head must not count itself
    for (const hex of ['5820', '7820', '9820', 'b820', '590100', '815820']) {
      const head = fromHex(hex)
      const declared = hex.startsWith('81') ? 32 : hex.startsWith('59') ? 256 : 32
      const input = new Uint8Array(head.length + declared - 1)
      input.set(head)
      expect(() => decode(input), hex).toThrowError(named('MalformedError'))
    }
  })
})
