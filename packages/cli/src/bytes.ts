/**
 * True when two byte arrays hold the same bytes (`undefined` equals nothing).
 * @example
 * bytesEqual(new Uint8Array([1]), new Uint8Array([1])) // true
 */
export function bytesEqual(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined || b === undefined || a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
