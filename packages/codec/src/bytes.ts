/**
 * Byte helpers used across peerkit: checks, comparison, concatenation and hex.
 *
 * @example
 * equalBytes(fromHex('00ff'), new Uint8Array([0, 255])) // true
 */
import { compare } from 'uint8arrays/compare'
import { concat } from 'uint8arrays/concat'
import { equals } from 'uint8arrays/equals'

/**
 * True for a `Uint8Array`, including one from another realm (iframe, worker, vm).
 * @param value - anything
 * @returns whether it is a Uint8Array
 */
export function isBytes(value: unknown): value is Uint8Array {
  return (
    value instanceof Uint8Array ||
    (ArrayBuffer.isView(value) &&
      Object.prototype.toString.call(value) === '[object Uint8Array]' &&
      (value as Uint8Array).BYTES_PER_ELEMENT === 1)
  )
}

/**
 * Byte-for-byte equality.
 * @example equalBytes(a, b)
 */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return equals(a, b)
}

/**
 * Lexicographic order of two byte strings (shorter first on a shared prefix).
 * @returns a negative number, zero or a positive number
 */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return compare(a, b)
}

/**
 * Concatenates byte strings into a new one.
 * @example concatBytes(prefix, body)
 */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  return concat(parts)
}

const hexChars = '0123456789abcdef'

/**
 * Lowercase hex of bytes.
 * @example toHex(new Uint8Array([1, 255])) // '01ff'
 */
export function toHex(bytes: Uint8Array): string {
  let out = ''
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!
    out += hexChars[b >> 4]! + hexChars[b & 15]!
  }
  return out
}

/**
 * Bytes from hex (either case).
 * @throws {TypeError} on odd length or a non-hex character
 * @example fromHex('01ff') // Uint8Array [1, 255]
 */
export function fromHex(hex: string): Uint8Array {
  if (typeof hex !== 'string' || hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new TypeError('fromHex: expected an even-length hex string')
  }
  const out = new Uint8Array(hex.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16)
  return out
}
