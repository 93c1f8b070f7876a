/**
 * Tiny argument checks used at the package edge. They name the argument in their error and do
 * not rely on `instanceof Uint8Array` alone (a Uint8Array from another realm passes).
 *
 * @example
 * assertBytes(publicKey, 'publicKey', 32)
 */
import { isBytes } from '@peerkit/codec'
import { InvalidArgumentError } from './errors'

export { isBytes } from '@peerkit/codec'

/** Throws `InvalidArgumentError` unless `value` is bytes (of `length`, when given). */
export function assertBytes(
  value: unknown,
  argument: string,
  length?: number,
): asserts value is Uint8Array {
  if (!isBytes(value))
    throw new InvalidArgumentError(argument, `"${argument}" must be a Uint8Array`)
  if (length !== undefined && value.length !== length) {
    throw new InvalidArgumentError(
      argument,
      `"${argument}" must be ${length} bytes, got ${value.length}`,
    )
  }
}

/** Throws `InvalidArgumentError` unless `value` is a string. */
export function assertString(value: unknown, argument: string): asserts value is string {
  if (typeof value !== 'string') {
    throw new InvalidArgumentError(argument, `"${argument}" must be a string`)
  }
}
