/**
 * @peerkit/codec: the one canonical encoding of every value peerkit signs, hashes or
 * compares (RFC 8949 deterministic CBOR, strict and bounded), and content ids.
 *
 * @example
 * import { encode, decode, contentId } from '@peerkit/codec'
 * const bytes = encode({ hello: 'world', n: 1 })
 * decode(bytes) // { hello: 'world', n: 1 }
 * contentId(bytes).toString() // 'bafirei…'
 */
export { compareBytes, concatBytes, equalBytes, fromHex, isBytes, toHex } from './bytes'
export {
  CBOR_CODEC,
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_DEPTH,
  DEFAULT_MAX_ITEMS,
  DEFAULT_MAX_TOTAL_ITEMS,
  MAX_DEPTH_CEILING,
  MAX_INTEGER,
  MIN_INTEGER,
  SHA2_256,
} from './constants'
export {
  type ContentId,
  contentId,
  contentIdFromBytes,
  contentIdFromString,
  contentIdText,
} from './content-id'
export {
  byteKey,
  Cursor,
  MAJOR_ARRAY,
  MAJOR_BYTES,
  MAJOR_MAP,
  MAJOR_NEGATIVE,
  MAJOR_TEXT,
  MAJOR_UNSIGNED,
  type SkipLimits,
} from './cursor'
export { type DecodeOptions, decode } from './decode'
export { type EncodeOptions, encode } from './encode'
export {
  CodecError,
  type CodecErrorName,
  InvalidContentIdError,
  isCodecError,
  LimitExceededError,
  MalformedError,
  NonCanonicalError,
  TrailingBytesError,
  UnsupportedTypeError,
} from './errors'
export { headSize, writeHead } from './head'
export type { MapValue, Value } from './value'
