/**
 * Tiny input checks used at the edge of every public function. Each names the argument
 * it checks, so a bad call says which argument was wrong.
 *
 * @example
 * assertTime(now, 'now')
 * assertPeerKey(peer, 'peer')
 */
import { isBytes } from '@peerkit/codec'
import { MAX_PEER_KEY_LENGTH } from './constants'
import { InvalidArgumentError, InvalidParamsError } from './errors'

export { isBytes } from '@peerkit/codec'

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

/** Throws unless `value` is a time: a non-negative safe integer of milliseconds. */
export function assertTime(value: unknown, argument: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new InvalidArgumentError(argument, `${argument} must be a non-negative safe integer (ms)`)
  }
}

/** Throws unless `value` is a peer key: a string of 1 to `MAX_PEER_KEY_LENGTH` characters. */
export function assertPeerKey(value: unknown, argument: string): asserts value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_PEER_KEY_LENGTH) {
    throw new InvalidArgumentError(
      argument,
      `${argument} must be a peer key of 1 to ${MAX_PEER_KEY_LENGTH} characters`,
    )
  }
}

/** Throws unless `value` is a byte array of at most `maxLength` bytes. */
export function assertBytes(
  value: unknown,
  argument: string,
  maxLength = Number.POSITIVE_INFINITY,
): asserts value is Uint8Array {
  if (!isBytes(value)) throw new InvalidArgumentError(argument, `${argument} must be a Uint8Array`)
  if (value.length > maxLength) {
    throw new InvalidArgumentError(argument, `${argument} must be at most ${maxLength} bytes`)
  }
}

/** Throws `InvalidParamsError` unless `value` is a finite number in `[min, max]`. */
export function paramNumber(value: unknown, param: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new InvalidParamsError(param, `${param} must be a finite number in [${min}, ${max}]`)
  }
  return value
}

/** Throws `InvalidParamsError` unless `value` is a safe integer in `[min, max]`. */
export function paramInteger(value: unknown, param: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new InvalidParamsError(param, `${param} must be an integer in [${min}, ${max}]`)
  }
  return value
}

/** Throws `InvalidParamsError` unless `value` is a decay factor in `(0, 1]`. */
export function paramDecay(value: unknown, param: string): number {
  if (typeof value !== 'number' || !(value > 0 && value <= 1)) {
    throw new InvalidParamsError(param, `${param} must be a decay factor in (0, 1]`)
  }
  return value
}

/** Throws `InvalidParamsError` unless `value` is undefined or a plain object. */
export function paramGroup(value: unknown, param: string): Record<string, unknown> {
  if (value === undefined) return {}
  if (!isRecord(value)) throw new InvalidParamsError(param, `${param} must be an object`)
  return value
}
