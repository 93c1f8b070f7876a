/**
 * CRC-32 (IEEE) over a record, seeded with its position in the log, so a record moved to
 * another position fails its check as surely as a damaged one. The table lives on the
 * checksum object each store creates.
 *
 * @example
 * const crc = createCrc32()
 * crc.of(new Uint8Array([1, 2, 3]), 0)
 */

/** A CRC-32 function with its table. */
export interface Crc32 {
  /**
   * @param bytes - the data
   * @param seed - the starting value (the record's position, modulo 2^32)
   * @returns the CRC-32 as an unsigned 32-bit integer
   */
  of(bytes: Uint8Array, seed: number): number
}

/** Creates a CRC-32 function (polynomial 0xEDB88320, as zlib's `crc32`). */
export function createCrc32(): Crc32 {
  const table = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    table[n] = c >>> 0
  }
  return {
    of(bytes, seed) {
      let crc = (seed ^ 0xffffffff) >>> 0
      for (let i = 0; i < bytes.length; i++) {
        crc = table[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8)
      }
      return (crc ^ 0xffffffff) >>> 0
    },
  }
}
