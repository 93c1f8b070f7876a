/**
 * Tiny argument checks used at the edge of the public functions. Each names the argument
 * it checks, and throws `InvalidArgumentError`. They guard callers' mistakes; bad bytes
 * from peers are reported by the wire parser with its own errors.
 *
 * @example
 * assertSafeInteger(options.now, 'options.now', 0)
 */
import { isBytes } from '@peerkit/codec'
import { InvalidArgumentError } from './errors'

/** Throws unless `value` is a `Uint8Array` (from any realm), of `length` when given. */
export function assertBytes(
  value: unknown,
  argument: string,
  length?: number,
): asserts value is Uint8Array {
  if (!isBytes(value)) throw new InvalidArgumentError(argument, `${argument} must be a Uint8Array`)
  if (length !== undefined && value.length !== length) {
    throw new InvalidArgumentError(
      argument,
      `${argument} must be ${length} bytes, not ${value.length}`,
    )
  }
}

/** Throws unless `value` is a safe integer of at least `min`. */
export function assertSafeInteger(
  value: unknown,
  argument: string,
  min: number,
): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new InvalidArgumentError(argument, `${argument} must be an integer >= ${min}`)
  }
}

/** Throws unless `value` is a safe integer of at least `min`, or `Infinity`. */
export function assertWindow(value: unknown, argument: string): asserts value is number {
  if (value === Number.POSITIVE_INFINITY) return
  assertSafeInteger(value, argument, 0)
}

/** Throws unless `value` is a non-null object. */
export function assertObject(value: unknown, argument: string): asserts value is object {
  if (typeof value !== 'object' || value === null) {
    throw new InvalidArgumentError(argument, `${argument} must be an object`)
  }
}

/** The value of an optional positive-integer option, or its default. */
export function limitOption(value: unknown, argument: string, fallback: number): number {
  if (value === undefined) return fallback
  assertSafeInteger(value, argument, 1)
  return value
}

/**
 * Whether `domain` is a valid domain: 1 to `max` printable ASCII characters (no spaces,
 * no control characters), so it compares the same way in every runtime.
 */
export function isDomain(domain: unknown, max: number): domain is string {
  if (typeof domain !== 'string' || domain.length === 0 || domain.length > max) return false
  for (let i = 0; i < domain.length; i++) {
    const c = domain.charCodeAt(i)
    if (c < 0x21 || c > 0x7e) return false
  }
  return true
}
