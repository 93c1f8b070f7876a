/**
 * The verdict on a major-type-7 item (simple values and floats) under the profile, shared by
 * `decode` and `Cursor.skip` so that the two can never disagree: `false`, `true` and `null`
 * are the profile's; everything else is a typed error.
 */
import { MalformedError, UnsupportedTypeError } from './errors'

/**
 * The value of a major-type-7 item.
 * @param info - the head's additional information (its low five bits)
 * @param next - the byte after the head; the caller checks it is there when `info` is 24
 * @param start - the item's offset, for errors
 * @returns `false`, `true` or `null`
 * @throws UnsupportedTypeError for `undefined`, other simple values and floats;
 *   MalformedError for a two-byte simple value below 32, a stray break or reserved values
 * @example
 * simpleValue(22, undefined, 0) // null
 */
export function simpleValue(info: number, next: number | undefined, start: number): boolean | null {
  switch (info) {
    case 20:
      return false
    case 21:
      return true
    case 22:
      return null
    case 23:
      throw new UnsupportedTypeError('undefined is outside the profile', start)
    case 24:
      if ((next as number) < 32)
        throw new MalformedError('simple value in two bytes below 32', start)
      throw new UnsupportedTypeError('simple values are outside the profile', start)
    case 25:
    case 26:
    case 27:
      throw new UnsupportedTypeError('floats are outside the profile', start)
    case 31:
      throw new MalformedError('break outside an indefinite-length item', start)
    default:
      if (info < 20) throw new UnsupportedTypeError('simple values are outside the profile', start)
      throw new MalformedError('reserved additional information', start)
  }
}
