import fc from 'fast-check'
import { toString as uint8arraysText } from 'uint8arrays/to-string'
import { describe, expect, it } from 'vitest'
import { base32Text } from '../src/content-id'
import {
  contentId,
  contentIdFromBytes,
  contentIdFromString,
  contentIdText,
  encode,
  toHex,
} from '../src/index'
import { valueArbitrary } from './helpers'

const named = (name: string) => expect.objectContaining({ name })

describe('content ids', () => {
  it("property: its base32 is uint8arrays' base32, byte for byte, for any length", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        expect(base32Text(bytes)).toBe(uint8arraysText(bytes, 'base32'))
      }),
      { numRuns: 500 },
    )
  })

  it('names sha2-256 and hashes the canonical bytes (known answer)', () => {
    // sha2-256 of the empty array 0x80
    const id = contentId([])
    expect(id.hashName).toBe('sha2-256')
    expect(toHex(id.digest)).toBe(
      '76be8b528d0075f7aae98d6fa57a6d3c83ae480a8469e668d7b0af968995ac71',
    )
    expect(toHex(id.bytes.subarray(0, 4))).toBe('01511220')
    expect(id.toString()).toMatch(/^bafirei[a-z2-7]{52}$/)
  })

  it('is the same for a value and for its encoding', () => {
    fc.assert(
      fc.property(valueArbitrary(), (x) => {
        // a Uint8Array argument is taken as encoded bytes, by definition
        fc.pre(!(x instanceof Uint8Array))
        expect(contentId(x).equals(contentId(encode(x)))).toBe(true)
      }),
      { numRuns: 200 },
    )
  })

  it('round-trips through text and bytes', () => {
    fc.assert(
      fc.property(valueArbitrary(), (x) => {
        const id = contentId(x)
        expect(contentIdFromString(id.toString()).equals(id)).toBe(true)
        expect(contentIdFromBytes(id.bytes).toString()).toBe(id.toString())
        expect(contentIdText(id.bytes)).toBe(id.toString())
      }),
      { numRuns: 200 },
    )
  })

  it('rejects every other text with InvalidContentIdError', () => {
    const good = contentId({ a: 1 }).toString()
    for (const bad of [
      '',
      good.slice(0, -1),
      `${good}a`,
      good.toUpperCase(),
      `z${good.slice(1)}`,
      `${good.slice(0, 10)}1${good.slice(11)}`, // '1' is not base32
      `${good.slice(0, -1)}${good.at(-1) === 'a' ? 'b' : 'a'}`.replace(/.$/, '7'), // stray trailing bits
      42 as unknown as string,
    ]) {
      expect(() => contentIdFromString(bad), String(bad)).toThrowError(
        named('InvalidContentIdError'),
      )
    }
  })

  it('rejects other versions, codecs and hashes', () => {
    const id = contentId([1])
    for (const [at, byte] of [
      [0, 0],
      [1, 0x71],
      [2, 0x13],
      [3, 31],
    ] as const) {
      const b = id.bytes.slice()
      b[at] = byte
      expect(() => contentIdFromBytes(b)).toThrowError(named('InvalidContentIdError'))
      expect(() => contentIdText(b)).toThrowError(named('InvalidContentIdError'))
    }
    expect(() => contentIdFromBytes(id.bytes.subarray(1))).toThrowError(
      named('InvalidContentIdError'),
    )
  })
})
