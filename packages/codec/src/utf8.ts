/**
 * Strict UTF-8 reading of a byte range (RFC 3629: shortest forms only, no surrogates,
 * nothing above U+10FFFF), shared by the decoder and the cursor.
 *
 * @example
 * strictUtf8(bytes, 0, bytes.length) // the text, or undefined when it is not well formed
 */

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** Ranges up to this length are decoded here; longer ones by the platform's strict decoder. */
const SHORT_TEXT_MAX = 32

/**
 * Strict UTF-8 of the short range [from, end), or undefined when it is not well formed.
 */
function shortUtf8(b: Uint8Array, from: number, end: number): string | undefined {
  let s = ''
  let i = from
  while (i < end) {
    const c = b[i]!
    if (c < 0x80) {
      s += String.fromCharCode(c)
      i++
    } else if (c >= 0xc2 && c <= 0xdf) {
      if (i + 1 >= end) return undefined
      const c1 = b[i + 1]!
      if ((c1 & 0xc0) !== 0x80) return undefined
      s += String.fromCharCode(((c & 0x1f) << 6) | (c1 & 0x3f))
      i += 2
    } else if (c >= 0xe0 && c <= 0xef) {
      if (i + 2 >= end) return undefined
      const c1 = b[i + 1]!
      const c2 = b[i + 2]!
      if ((c1 & 0xc0) !== 0x80 || (c2 & 0xc0) !== 0x80) return undefined
      const cp = ((c & 0x0f) << 12) | ((c1 & 0x3f) << 6) | (c2 & 0x3f)
      if (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff)) return undefined
      s += String.fromCharCode(cp)
      i += 3
    } else if (c >= 0xf0 && c <= 0xf4) {
      if (i + 3 >= end) return undefined
      const c1 = b[i + 1]!
      const c2 = b[i + 2]!
      const c3 = b[i + 3]!
      if ((c1 & 0xc0) !== 0x80 || (c2 & 0xc0) !== 0x80 || (c3 & 0xc0) !== 0x80) return undefined
      const cp = ((c & 0x07) << 18) | ((c1 & 0x3f) << 12) | ((c2 & 0x3f) << 6) | (c3 & 0x3f)
      if (cp < 0x1_0000 || cp > 0x10_ffff) return undefined
      s += String.fromCharCode(0xd800 + ((cp - 0x1_0000) >> 10), 0xdc00 + ((cp - 0x1_0000) & 0x3ff))
      i += 4
    } else return undefined
  }
  return s
}

/**
 * The text of the range [from, end) of `b`, read as strict UTF-8.
 * @returns the text, or undefined when the range is not well-formed UTF-8
 */
export function strictUtf8(b: Uint8Array, from: number, end: number): string | undefined {
  if (end - from <= SHORT_TEXT_MAX) return shortUtf8(b, from, end)
  try {
    return fatalUtf8.decode(b.subarray(from, end))
  } catch {
    return undefined
  }
}

/**
 * Whether the range [from, end) of `b` is strict UTF-8, building no string for ASCII.
 */
export function isStrictUtf8(b: Uint8Array, from: number, end: number): boolean {
  for (let i = from; i < end; i++) {
    if (b[i]! >= 0x80) return strictUtf8(b, i, end) !== undefined
  }
  return true
}
