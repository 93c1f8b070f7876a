/**
 * Unsigned LEB128 varints as multiformats use them (minimal encoding only).
 *
 * @example
 * readVarint(Uint8Array.of(0xed, 0x01), 0) // { value: 0xed, next: 2 }
 */

/** Reads a minimal varint of at most 4 bytes at `offset`; undefined when malformed. */
export function readVarint(
  bytes: Uint8Array,
  offset: number,
): { value: number; next: number } | undefined {
  let value = 0
  for (let i = 0; i < 4; i++) {
    const byte = bytes[offset + i]
    if (byte === undefined) return undefined
    value += (byte & 0x7f) * 2 ** (7 * i)
    if ((byte & 0x80) === 0) {
      // a trailing zero byte means a longer encoding than needed
      if (i > 0 && byte === 0) return undefined
      return { value, next: offset + i + 1 }
    }
  }
  return undefined
}
