/**
 * RFC 8949 Appendix A: every example inside the profile decodes to its value and encodes
 * back to the same bytes; every example outside it is rejected with the named error.
 */
import { describe, expect, it } from 'vitest'
import { decode, encode, fromHex, toHex, type Value } from '../src/index'
import appendixA from './vectors/rfc8949-appendix-a.json' with { type: 'json' }

function fromExtendedJson(v: unknown): Value {
  if (Array.isArray(v)) return v.map(fromExtendedJson)
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>
    if ('$bigint' in o) return BigInt(o.$bigint as string)
    if ('$bytes' in o) return fromHex(o.$bytes as string)
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, fromExtendedJson(x)]))
  }
  return v as Value
}

describe('RFC 8949 Appendix A', () => {
  const inside = appendixA.vectors.filter((v) => 'value' in v)
  const outside = appendixA.vectors.filter((v) => 'error' in v)

  it('has the examples transcribed', () => {
    expect(appendixA.vectors.length).toBe(81)
    // -2^64 is outside the profile's [-2^63, 2^64 - 1]
    expect(inside.length).toBe(35)
  })

  it.each(inside.map((v) => [v.diagnostic, v] as const))('%s decodes and re-encodes', (_d, v) => {
    const value = fromExtendedJson((v as { value: unknown }).value)
    const bytes = fromHex(v.hex)
    expect(decode(bytes)).toEqual(value)
    expect(toHex(encode(value))).toBe(v.hex)
  })

  it.each(outside.map((v) => [v.diagnostic, v] as const))('%s is rejected', (_d, v) => {
    expect(() => decode(fromHex(v.hex))).toThrowError(
      expect.objectContaining({ name: (v as { error: string }).error }),
    )
  })
})
