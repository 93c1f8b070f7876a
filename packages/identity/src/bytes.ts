/**
 * Small byte helpers used inside the package: constant-time equality, hex, little-endian
 * integers. (General byte helpers come from @peerkit/codec.)
 *
 * @example
 * bytesToBigIntLE(Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 0)) // 1n
 */

/** Parses lower- or upper-case hex; returns undefined on any bad character or odd length. */
export function bytesOfHex(text: string): Uint8Array | undefined {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) return undefined
  const out = new Uint8Array(text.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(text.slice(2 * i, 2 * i + 2), 16)
  return out
}

/** Byte-wise equality in time independent of where the bytes differ (keys and MACs). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!
  return diff === 0
}

/** Reads `bytes` (any length that is a multiple of 8) as a little-endian unsigned integer. */
export function bytesToBigIntLE(bytes: Uint8Array): bigint {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let out = 0n
  for (let i = bytes.length - 8; i >= 0; i -= 8) out = (out << 64n) | view.getBigUint64(i, true)
  return out
}

/** Writes `value` (0 <= value < 2^256) as 32 little-endian bytes. */
export function bigIntToBytes32LE(value: bigint): Uint8Array {
  const out = new Uint8Array(32)
  const view = new DataView(out.buffer)
  let rest = value
  for (let i = 0; i < 32; i += 8) {
    view.setBigUint64(i, rest & 0xffffffffffffffffn, true)
    rest >>= 64n
  }
  return out
}
