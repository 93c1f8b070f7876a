/**
 * Test helpers: arbitraries of the profile's values, and value normalization (a bigint in
 * the safe range is the same integer as a number, and decodes as one).
 */
import fc from 'fast-check'
import type { Value } from '../src/index'

export function normalize(value: Value): Value {
  if (typeof value === 'bigint') {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value
  }
  if (Array.isArray(value)) return value.map(normalize)
  if (value instanceof Uint8Array || value === null || typeof value !== 'object') return value
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [k, normalize(v)]))
  const out: Record<string, Value> = {}
  for (const k of Object.keys(value)) {
    Object.defineProperty(out, k, {
      value: normalize(value[k]!),
      enumerable: true,
      writable: true,
      configurable: true,
    })
  }
  return out
}

const leaf: fc.Arbitrary<Value> = fc.oneof(
  fc.maxSafeInteger(),
  fc.integer({ min: -1000, max: 1000 }),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ maxLength: 30 }),
  fc.uint8Array({ maxLength: 70 }),
  fc.boolean(),
  fc.constant(null),
)

/** Arbitrary values of the profile, as plain objects (or `Map`s when `maps` is set). */
export function valueArbitrary(maps = false): fc.Arbitrary<Value> {
  return fc.letrec<{ value: Value }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.array(tie('value'), { maxLength: 6 }),
      maps
        ? fc
            .array(fc.tuple(fc.string({ unit: 'binary', maxLength: 12 }), tie('value')), {
              maxLength: 6,
            })
            .map((e) => new Map(e))
        : fc.dictionary(fc.string({ unit: 'binary', maxLength: 12 }), tie('value'), {
            maxKeys: 6,
            noNullPrototype: true,
          }),
    ),
  })).value
}

/** Arbitrary leaves, exported for tests of single items. */
export const leafArbitrary = leaf
