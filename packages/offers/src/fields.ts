/**
 * Readers for decoded payloads: each returns the field in the expected shape or
 * `undefined`, so a parser turns any mismatch into one typed rejection.
 *
 * @example
 * const amount = amountField(payload, 'amount')   // bigint | undefined
 */
import { isBytes, type Value } from '@peerkit/codec'

/** A plain decoded map, or undefined. */
export function recordOf(value: unknown): Record<string, Value> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || isBytes(value))
    return undefined
  if (value instanceof Map) return undefined
  return value as Record<string, Value>
}

/** Own property of a map (never one inherited from a prototype). */
export function field(record: Record<string, Value>, key: string): Value | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined
}

/** A string of 1 to `max` characters. */
export function textField(
  record: Record<string, Value>,
  key: string,
  max: number,
): string | undefined {
  const v = field(record, key)
  return typeof v === 'string' && v.length > 0 && v.length <= max ? v : undefined
}

/** A non-negative integer up to `max` (a safe number or a bigint), as a bigint. */
export function amountField(
  record: Record<string, Value>,
  key: string,
  max: bigint,
): bigint | undefined {
  const v = field(record, key)
  let n: bigint | undefined
  if (typeof v === 'bigint') n = v
  else if (typeof v === 'number' && Number.isSafeInteger(v)) n = BigInt(v)
  return n !== undefined && n >= 0n && n <= max ? n : undefined
}

/** A positive safe integer. */
export function positiveIntField(record: Record<string, Value>, key: string): number | undefined {
  const v = field(record, key)
  return typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? v : undefined
}

/** Byte string of 1 to `max` bytes. */
export function bytesField(
  record: Record<string, Value>,
  key: string,
  max: number,
): Uint8Array | undefined {
  const v = field(record, key)
  return isBytes(v) && v.length > 0 && v.length <= max ? v : undefined
}

/** Whether `record` has no key outside `allowed`. */
export function onlyKeys(record: Record<string, Value>, allowed: readonly string[]): boolean {
  for (const key of Object.keys(record)) if (!allowed.includes(key)) return false
  return true
}
