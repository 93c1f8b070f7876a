/** Payload values as JSON for output: bytes as `{ "$bytes": base64url }`, big integers as text. */
import type { Value } from '@peerkit/codec'
import { toString as bytesToText } from 'uint8arrays/to-string'
import { UsageError } from './errors'

/**
 * A codec value in a form `JSON.stringify` takes.
 * @param value - a decoded payload
 * @returns the same value with bytes and big integers made JSON-safe
 * @example
 * jsonSafe(new Uint8Array([1])) // { $bytes: 'AQ' }
 */
export function jsonSafe(value: Value): unknown {
  if (value instanceof Uint8Array) return { $bytes: bytesToText(value, 'base64url') }
  if (typeof value === 'bigint') return value.toString()
  if (Array.isArray(value)) return value.map(jsonSafe)
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [k, jsonSafe(v)]))
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonSafe(v)]))
  return value
}

/**
 * One line of JSON.
 * @param value - what to print
 * @returns its JSON text and a newline
 * @example
 * jsonLine({ ok: true }) // '{"ok":true}\n'
 */
export function jsonLine(value: unknown): string {
  return `${JSON.stringify(value)}\n`
}

/**
 * Parses JSON text into a codec value: integers only (the codec has no floats), so a number
 * with a fraction or out of the safe range is a usage error rather than a silent rounding.
 * @param text - JSON text
 * @returns the value
 * @throws UsageError for invalid JSON or a number the codec cannot carry exactly
 * @example
 * valueFromJson('{"n":1}') // { n: 1 }
 */
export function valueFromJson(text: string): Value {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new UsageError(`the input is not JSON: ${(error as Error).message}`)
  }
  const check = (v: unknown): void => {
    if (typeof v === 'number' && !Number.isSafeInteger(v))
      throw new UsageError(`JSON number ${v} is not a safe integer: send it as text`)
    if (Array.isArray(v)) v.forEach(check)
    else if (typeof v === 'object' && v !== null) Object.values(v).forEach(check)
  }
  check(value)
  return value as Value
}
