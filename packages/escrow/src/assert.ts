/**
 * Tiny input checks used at the edge of every public function. Each names the
 * argument it checks, so a bad call says which argument was wrong.
 *
 * @example
 * assertSafeTime(now, 'now')
 * assertBytes(stepBytes, 'stepBytes', MAX_STEP_BYTES)
 */
import { isBytes } from '@peerkit/codec'
import { InvalidArgumentError } from './errors'

export { isBytes } from '@peerkit/codec'

/** Throws unless `value` is a byte array of at most `maxLength` bytes. */
export function assertBytes(
  value: unknown,
  argument: string,
  maxLength = Infinity,
): asserts value is Uint8Array {
  if (!isBytes(value)) throw new InvalidArgumentError(`${argument} must be a Uint8Array`)
  if (value.length > maxLength) {
    throw new InvalidArgumentError(`${argument} must be at most ${maxLength} bytes`)
  }
}

/** Throws unless `value` is a non-negative safe integer (a time in ms, a count). */
export function assertSafeTime(value: unknown, argument: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new InvalidArgumentError(`${argument} must be a non-negative safe integer`)
  }
}

/** Throws unless `value` is a non-empty string of at most `maxLength` characters. */
export function assertName(
  value: unknown,
  argument: string,
  maxLength: number,
): asserts value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength) {
    throw new InvalidArgumentError(`${argument} must be a string of 1 to ${maxLength} characters`)
  }
}

/** True for a plain object (not null, not an array, not bytes, not a Map). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !isBytes(value) &&
    !(value instanceof Map)
  )
}
