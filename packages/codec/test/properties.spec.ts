/**
 * Properties of the codec: round trips, canonical acceptance, and that arbitrary or
 * mutated bytes either decode canonically or raise a codec error, never anything else.
 */
import { encode as cborgEncode, rfc8949EncodeOptions } from 'cborg'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decode, encode, equalBytes, isCodecError } from '../src/index'
import { normalize, valueArbitrary } from './helpers'

const runs = Number(process.env.PEERKIT_FC_RUNS ?? 300)

/** Decodes, and when that succeeds, checks the bytes were the canonical encoding. */
function decodesCanonicallyOrThrowsCodecError(bytes: Uint8Array): void {
  let value: ReturnType<typeof decode>
  try {
    value = decode(bytes)
  } catch (error) {
    expect(isCodecError(error), `escaped ${String(error)}`).toBe(true)
    return
  }
  expect(equalBytes(encode(value), bytes)).toBe(true)
}

describe('round trip', () => {
  it('decode(encode(x)) equals x for values with plain objects', () => {
    fc.assert(
      fc.property(valueArbitrary(), (x) => {
        expect(decode(encode(x))).toEqual(normalize(x))
      }),
      { numRuns: runs },
    )
  })

  it('decode(encode(x), { useMaps }) equals x for values with Maps', () => {
    fc.assert(
      fc.property(valueArbitrary(true), (x) => {
        expect(decode(encode(x), { useMaps: true })).toEqual(normalize(x))
      }),
      { numRuns: runs },
    )
  })

  it('encodes exactly as cborg does with its RFC 8949 options (an independent implementation)', () => {
    fc.assert(
      fc.property(valueArbitrary(true), (x) => {
        expect(equalBytes(encode(x), cborgEncode(x, rfc8949EncodeOptions))).toBe(true)
      }),
      { numRuns: runs },
    )
  })

  it('encodes a Map and the equivalent plain object identically', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ unit: 'binary', maxLength: 8 }), fc.integer()), (o) => {
        expect(equalBytes(encode(o), encode(new Map(Object.entries(o))))).toBe(true)
      }),
      { numRuns: runs },
    )
  })
})

describe('canonical acceptance', () => {
  it('encode(decode(b)) equals b for every accepted encoding', () => {
    fc.assert(
      fc.property(valueArbitrary(), (x) => {
        const b = encode(x)
        expect(equalBytes(encode(decode(b)), b)).toBe(true)
      }),
      { numRuns: runs },
    )
  })

  it('arbitrary bytes decode canonically or throw a codec error', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), decodesCanonicallyOrThrowsCodecError), {
      numRuns: runs * 10,
    })
  })

  it('single-byte mutations of valid encodings decode canonically or throw a codec error', () => {
    fc.assert(
      fc.property(valueArbitrary(), fc.nat(), fc.integer({ min: 0, max: 255 }), (x, at, byte) => {
        const b = encode(x).slice()
        b[at % b.length] = byte
        decodesCanonicallyOrThrowsCodecError(b)
      }),
      { numRuns: runs * 10 },
    )
  })

  it('truncations and extensions of valid encodings are rejected', () => {
    fc.assert(
      fc.property(
        valueArbitrary(),
        fc.nat(),
        fc.uint8Array({ minLength: 1, maxLength: 4 }),
        (x, cut, extra) => {
          const b = encode(x)
          const short = b.subarray(0, cut % b.length)
          expect(() => decode(short)).toThrowError(
            expect.objectContaining({ name: 'MalformedError' }),
          )
          const long = new Uint8Array([...b, ...extra])
          expect(() => decode(long)).toThrowError(
            expect.objectContaining({ name: 'TrailingBytesError' }),
          )
        },
      ),
      { numRuns: runs },
    )
  })
})
