/**
 * Compact string keys for byte strings (one character per byte), for `Map` lookups on the
 * hot path: cheaper to build and to hash than hex, and one-to-one with the bytes.
 *
 * @example
 * const key = byteKey(digest) // 32 characters
 * byteKeyToBytes(key)         // the digest again
 */

/** One UTF-16 code unit per byte, in the range 0–255. */
export function byteKey(bytes: Uint8Array): string {
  return String.fromCharCode.apply(null, bytes as unknown as number[])
}

/** The bytes back from a key made by `byteKey`. */
export function byteKeyToBytes(key: string): Uint8Array {
  const out = new Uint8Array(key.length)
  for (let i = 0; i < key.length; i++) out[i] = key.charCodeAt(i)
  return out
}
