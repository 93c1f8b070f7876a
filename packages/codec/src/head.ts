/**
 * Writing CBOR heads (a major type and its argument, in the shortest form) into a buffer
 * the caller sized: the one head writer of the encoder and of wire code that lays out a
 * known shape directly.
 *
 * @example
 * const out = new Uint8Array(headSize(300) + 300)
 * const at = writeHead(out, 0, MAJOR_BYTES, 300) // 3: the bytes start here
 */

/**
 * Bytes the head of argument `n` takes.
 * @param n - the argument (a safe integer, at least 0)
 * @returns 1, 2, 3, 5 or 9
 */
export function headSize(n: number): number {
  return n < 24 ? 1 : n < 0x100 ? 2 : n < 0x1_0000 ? 3 : n < 0x1_0000_0000 ? 5 : 9
}

/**
 * Writes the head of major type `major` and argument `n` at `out[at]`, in its shortest form.
 * @param out - the buffer (at least `headSize(n)` bytes from `at`)
 * @param at - where the head starts
 * @param major - the major type (0 to 7)
 * @param n - the argument (a safe integer, at least 0)
 * @returns the position after the head
 */
export function writeHead(out: Uint8Array, at: number, major: number, n: number): number {
  const m = major << 5
  if (n < 24) {
    out[at] = m | n
    return at + 1
  }
  if (n < 0x100) {
    out[at] = m | 24
    out[at + 1] = n
    return at + 2
  }
  if (n < 0x1_0000) {
    out[at] = m | 25
    out[at + 1] = n >>> 8
    out[at + 2] = n & 0xff
    return at + 3
  }
  if (n < 0x1_0000_0000) {
    out[at] = m | 26
    return writeUint32(out, at + 1, n)
  }
  out[at] = m | 27
  return writeUint32(out, writeUint32(out, at + 1, Math.floor(n / 0x1_0000_0000)), n >>> 0)
}

/**
 * Writes `v` (below 2^32) big-endian at `p`.
 * @returns the position after it
 */
export function writeUint32(b: Uint8Array, p: number, v: number): number {
  b[p] = v >>> 24
  b[p + 1] = (v >>> 16) & 0xff
  b[p + 2] = (v >>> 8) & 0xff
  b[p + 3] = v & 0xff
  return p + 4
}
