/**
 * Content ids: the hash of canonical bytes, with the hash function named in the id.
 * An id is a CIDv1 (version 1, multicodec `cbor` 0x51, a sha2-256 multihash); its text
 * form is multibase base32 (`b…`), the form IPFS tools print.
 *
 * @example
 * const id = contentId({ kind: 'offer', amount: 5 })
 * id.toString()                                  // 'bafireib…'
 * contentIdFromString(id.toString()).equals(id)  // true
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { fromString } from 'uint8arrays/from-string'
import { equalBytes, isBytes } from './bytes'
import { CBOR_CODEC, CID_VERSION, SHA2_256 } from './constants'
import { encode } from './encode'
import { InvalidContentIdError } from './errors'
import type { Value } from './value'

/** A content id: which hash, of what, and the digest. */
export interface ContentId {
  /** The binary id: version, codec, and multihash (hash code, length, digest). */
  readonly bytes: Uint8Array
  /** The hash function's code (0x12 for sha2-256). */
  readonly hashCode: number
  /** The hash function's name. */
  readonly hashName: string
  readonly digest: Uint8Array
  /** Multibase base32 text form (`b…`); computed once. */
  toString(): string
  equals(other: ContentId): boolean
}

const PREFIX = new Uint8Array([CID_VERSION, CBOR_CODEC, SHA2_256, 32])
const BASE32 = new TextEncoder().encode('abcdefghijklmnopqrstuvwxyz234567')

/**
 * Lower-case RFC 4648 base32 without padding, the multibase `b` alphabet: the same text as
 * uint8arrays' `toString(bytes, 'base32')` (a property test compares the two), written out
 * because every delivered gossip message names itself this way and the generic encoder
 * allocates several times more.
 */
export function base32Text(bytes: Uint8Array): string {
  const codes = new Uint8Array(Math.ceil((bytes.length * 8) / 5))
  let n = 0
  let buffer = 0
  let bits = 0
  for (let i = 0; i < bytes.length; i++) {
    buffer = ((buffer << 8) | bytes[i]!) & 0xfff
    bits += 8
    while (bits >= 5) {
      bits -= 5
      codes[n++] = BASE32[(buffer >> bits) & 31]!
    }
  }
  if (bits > 0) codes[n++] = BASE32[(buffer << (5 - bits)) & 31]!
  return String.fromCharCode.apply(null, codes as unknown as number[])
}
const hashNames: Record<number, string> = { [SHA2_256]: 'sha2-256' }

function makeId(bytes: Uint8Array, text?: string): ContentId {
  let cached = text
  return {
    bytes,
    hashCode: SHA2_256,
    hashName: hashNames[SHA2_256]!,
    digest: bytes.subarray(PREFIX.length),
    toString() {
      cached ??= `b${base32Text(bytes)}`
      return cached
    },
    equals(other: ContentId) {
      return equalBytes(bytes, other.bytes)
    },
  }
}

/**
 * The content id of a value, or of bytes that are already its canonical encoding.
 * @param input - a value of the profile, or encoded bytes (a `Uint8Array` is always
 *   taken as encoded bytes; to name a byte-string value, pass `encode(thatValue)`)
 * @returns the sha2-256 content id
 * @throws {UnsupportedTypeError} when a value is outside the profile
 * @example contentId(encode(value)).equals(contentId(value)) // true
 */
export function contentId(input: Value | Uint8Array): ContentId {
  const bytes = isBytes(input) ? input : encode(input)
  const out = new Uint8Array(PREFIX.length + 32)
  out.set(PREFIX)
  out.set(sha256(bytes), PREFIX.length)
  return makeId(out)
}

/**
 * A content id from its binary form.
 * @throws {InvalidContentIdError} when the bytes are not a peerkit content id
 */
export function contentIdFromBytes(bytes: Uint8Array): ContentId {
  checkIdBytes(bytes)
  return makeId(bytes.slice())
}

/**
 * The text form of a content id given in binary: `contentIdFromBytes(bytes).toString()`
 * without building the id (for code that names many ids and keeps only the text).
 * @param bytes - the 36 bytes of a content id
 * @returns its text (`bafirei…`)
 * @throws {InvalidContentIdError} when the bytes are not a peerkit content id
 * @example contentIdText(contentId(value).bytes) === contentId(value).toString() // true
 */
export function contentIdText(bytes: Uint8Array): string {
  checkIdBytes(bytes)
  return `b${base32Text(bytes)}`
}

function checkIdBytes(bytes: Uint8Array): void {
  if (!isBytes(bytes) || bytes.length !== PREFIX.length + 32) {
    throw new InvalidContentIdError('a content id is 36 bytes')
  }
  if (bytes[0] !== CID_VERSION) throw new InvalidContentIdError('unsupported content id version')
  if (bytes[1] !== CBOR_CODEC) throw new InvalidContentIdError('content id does not name cbor')
  if (bytes[2] !== SHA2_256) throw new InvalidContentIdError('unsupported hash function')
  if (bytes[3] !== 32) throw new InvalidContentIdError('wrong digest length')
}

/**
 * A content id from its text form.
 * @throws {InvalidContentIdError} for any other text: another multibase, bad characters,
 *   non-canonical base32, another version, codec or hash
 * @example contentIdFromString('bafirei…')
 */
export function contentIdFromString(text: string): ContentId {
  if (typeof text !== 'string' || text.length !== 59 || text[0] !== 'b') {
    throw new InvalidContentIdError('expected 59 characters of multibase base32 starting with "b"')
  }
  let bytes: Uint8Array
  try {
    bytes = fromString(text.slice(1), 'base32')
  } catch {
    throw new InvalidContentIdError('not base32')
  }
  const id = contentIdFromBytes(bytes)
  // one text per id: reject other spellings (upper case, stray trailing bits)
  if (id.toString() !== text) throw new InvalidContentIdError('not the canonical text form')
  return id
}
