/**
 * Readers for decoded payloads: each returns the field in the expected shape or
 * `undefined`, so a parser can turn any shape mismatch into one typed rejection.
 *
 * @example
 * const seq = intField(payload, 'seq')   // number | undefined
 */
import type { Value } from '@peerkit/codec'
import { isBytes, isRecord } from './assert'

/** The entries of a decoded map (a plain object or a `Map`), or undefined. */
export function mapOf(value: unknown): Record<string, Value> | undefined {
  if (value instanceof Map) {
    const out: Record<string, Value> = Object.create(null)
    for (const [k, v] of value) {
      if (typeof k !== 'string') return undefined
      out[k] = v as Value
    }
    return out
  }
  return isRecord(value) ? (value as Record<string, Value>) : undefined
}

/** Own property of a map-shaped value (never one inherited from a prototype). */
export function field(record: Record<string, Value>, key: string): Value | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined
}

/** A non-negative safe integer field. */
export function intField(record: Record<string, Value>, key: string): number | undefined {
  const v = field(record, key)
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined
}

/** A string field of at most `max` characters. */
export function stringField(
  record: Record<string, Value>,
  key: string,
  max: number,
): string | undefined {
  const v = field(record, key)
  return typeof v === 'string' && v.length <= max ? v : undefined
}

/** A byte-string field. */
export function bytesField(record: Record<string, Value>, key: string): Uint8Array | undefined {
  const v = field(record, key)
  return isBytes(v) ? v : undefined
}

/** An amount: a non-negative integer (a safe-integer number or a bigint), as a bigint. */
export function amountOf(value: Value | undefined): bigint | undefined {
  if (typeof value === 'bigint') return value >= 0n ? value : undefined
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value)
  return undefined
}
