/**
 * The wire format. An envelope is the canonical CBOR array
 * `[version, body, signature, countersignatures]`:
 *
 * - `version`: the unsigned integer 1;
 * - `body`: a byte string holding the canonical CBOR of the body map (see `BODY_KEYS`);
 * - `signature`: 64 bytes, the body signer's Ed25519 signature;
 * - `countersignatures`: an array of `[publicKey, signature]` pairs (32 and 64 bytes),
 *   sorted by public key, without duplicates and without the body signer; often empty.
 *
 * Every signature covers `SIGNATURE_CONTEXT ‖ 0x00 ‖ body`: the exact body bytes received,
 * so opening never re-encodes anything.
 *
 * @example
 * const parsed = parseEnvelope(bytes, defaultParseLimits)
 * parsed.fields.domain // 'peerkit/gossip/1'
 */
import {
  Cursor,
  compareBytes,
  decode,
  encode,
  equalBytes,
  isBytes,
  isCodecError,
  MAJOR_ARRAY,
  MAJOR_BYTES,
  MAJOR_MAP,
  MAJOR_TEXT,
  MAJOR_UNSIGNED,
  type Value,
} from '@peerkit/codec'
import { isDomain } from './assert'
import {
  BODY_KEYS,
  DEFAULT_MAX_ENVELOPE_BYTES,
  DEFAULT_MAX_PAYLOAD_DEPTH,
  DEFAULT_MAX_PAYLOAD_ITEMS,
  DEFAULT_MAX_SIGNATURES,
  ENVELOPE_VERSION,
  MAX_DOMAIN_LENGTH,
  MAX_NONCE_LENGTH,
  PUBLIC_KEY_LENGTH,
  SIGNATURE_CONTEXT,
  SIGNATURE_LENGTH,
} from './constants'
import {
  EnvelopeError,
  LimitExceededError,
  MalformedEnvelopeError,
  UnsupportedVersionError,
} from './errors'

/** One signature on an envelope, with the key that made it. */
export interface SignatureEntry {
  readonly publicKey: Uint8Array
  readonly signature: Uint8Array
}

/** The fields of a body, checked; the payload is located and checked, not yet decoded. */
export interface BodyFields {
  readonly domain: string
  readonly signer: Uint8Array
  readonly timestamp: number
  readonly expiresAt: number | undefined
  readonly nonce: Uint8Array | undefined
  readonly sequence: number | bigint | undefined
  /** Where the payload's bytes start in the body. */
  readonly payloadStart: number
  /** Where they end. */
  readonly payloadEnd: number
}

/** What a body is encoded from. */
export interface BodyInput extends Omit<BodyFields, 'payloadStart' | 'payloadEnd'> {
  readonly payload: Value
}

/**
 * A parsed envelope: the exact body bytes, its fields, and every signature (signer's first).
 * The body and the signatures may be views into the input, valid while the input does not
 * change: they serve the call that parsed them, and what outlives it is copied (the fields'
 * byte strings are copies, and a payload decodes into values of its own).
 */
export interface ParsedEnvelope {
  /** The body bytes, exactly as received. */
  readonly body: Uint8Array
  readonly fields: BodyFields
  /** Signatures, signer's first; keys and signatures may be views into the input. */
  readonly signatures: SignatureEntry[]
}

/** The outer layer of an envelope: body and signatures, before the body is decoded. */
export interface Frame {
  readonly body: Uint8Array
  readonly signature: Uint8Array
  readonly countersignatures: readonly SignatureEntry[]
}

/** Limits applied while parsing. */
export interface ParseLimits {
  readonly maxBytes: number
  /** Deepest nesting inside the payload. */
  readonly maxDepth: number
  /** Most elements and entries in all arrays and maps of the payload together. */
  readonly maxItems: number
  readonly maxSignatures: number
  readonly useMaps: boolean
  /** The domain the caller expects, already checked: a body naming it needs no second check. */
  readonly domain?: string | undefined
}

export const defaultParseLimits: ParseLimits = {
  maxBytes: DEFAULT_MAX_ENVELOPE_BYTES,
  maxDepth: DEFAULT_MAX_PAYLOAD_DEPTH,
  maxItems: DEFAULT_MAX_PAYLOAD_ITEMS,
  maxSignatures: DEFAULT_MAX_SIGNATURES,
  useMaps: false,
}

const encoder = new TextEncoder()

/** The bytes in front of the body in every signed message. */
const SIGNING_PREFIX: Uint8Array = (() => {
  const context = encoder.encode(SIGNATURE_CONTEXT)
  const out = new Uint8Array(context.length + 1)
  out.set(context)
  return out
})()

/**
 * The message a signature covers: `SIGNING_PREFIX ‖ body`.
 * @param body - the exact body bytes
 * @returns a new buffer
 */
export function signingMessage(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(SIGNING_PREFIX.length + body.length)
  out.set(SIGNING_PREFIX)
  out.set(body, SIGNING_PREFIX.length)
  return out
}

function malformed(message: string, cause?: unknown): MalformedEnvelopeError {
  return new MalformedEnvelopeError(message, cause === undefined ? undefined : { cause })
}

/** Which limit a codec `LimitExceededError` reports. */
function codecLimit(error: unknown): string {
  const limit = (error as { limit?: unknown }).limit
  return typeof limit === 'string' ? limit : 'maxBytes'
}

/** Maps a codec failure to this package's errors. */
function fromCodecError(error: unknown, where: string, limitName?: string): Error {
  if (isCodecError(error, 'LimitExceededError')) {
    return new LimitExceededError(limitName ?? codecLimit(error), `${where}: ${error.message}`, {
      cause: error,
    })
  }
  if (isCodecError(error)) return malformed(`${where}: ${error.message}`, error)
  return malformed(`${where}: undecodable`, error)
}

/**
 * Reads the version from the first bytes, before any decoding is spent, so that a future
 * version is reported as such even when the rest of it is unreadable here.
 */
function checkVersion(bytes: Uint8Array): void {
  if (bytes.length < 2) throw malformed('truncated envelope')
  const c = new Cursor(bytes)
  if (c.peekMajor() !== MAJOR_ARRAY) throw malformed('an envelope is a CBOR array')
  // the version follows a one-byte array head; any other head is the decoder's to refuse
  c.pos = 1
  if (c.peekMajor() !== MAJOR_UNSIGNED)
    throw malformed('the envelope version is not an unsigned integer')
  let version: number | bigint
  try {
    version = c.uint()
  } catch (error) {
    throw malformed('the envelope version is unreadable', error)
  }
  if (version !== ENVELOPE_VERSION) throw new UnsupportedVersionError(version)
}

function isSafeUint(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
}

/** The one-letter keys of a body, as their byte: canonical order is the bytes' order. */
const KEY_DOMAIN = BODY_KEYS.domain.charCodeAt(0)
const KEY_EXPIRES_AT = BODY_KEYS.expiresAt.charCodeAt(0)
const KEY_SIGNER = BODY_KEYS.signer.charCodeAt(0)
const KEY_NONCE = BODY_KEYS.nonce.charCodeAt(0)
const KEY_PAYLOAD = BODY_KEYS.payload.charCodeAt(0)
const KEY_SEQUENCE = BODY_KEYS.sequence.charCodeAt(0)
const KEY_TIMESTAMP = BODY_KEYS.timestamp.charCodeAt(0)

/** Reads one body key: a one-letter text string naming a field, or malformed. */
function readKey(c: Cursor): number {
  const at = c.pos
  if (c.tryHead(MAJOR_TEXT) === 1) {
    const key = c.bytes[c.pos]!
    if (
      key === KEY_DOMAIN ||
      key === KEY_EXPIRES_AT ||
      key === KEY_SIGNER ||
      key === KEY_NONCE ||
      key === KEY_PAYLOAD ||
      key === KEY_SEQUENCE ||
      key === KEY_TIMESTAMP
    ) {
      c.pos++
      return key
    }
    c.pos = at
  }
  if (c.peekMajor() !== MAJOR_TEXT) throw malformed('body keys are text strings')
  throw malformed(`unknown body field ${JSON.stringify(c.text())}`)
}

/** The value of a field that must have major type `major`; anything else is malformed. */
function requireMajor(c: Cursor, major: number, what: string): void {
  if (c.peekMajor() !== major) throw malformed(what)
}

/**
 * Reads and checks a body's bytes with a cursor. The payload is walked, not decoded: its
 * form and its depth and item limits are checked, building nothing, so a payload is only
 * decoded once its signatures verified (see `decodePayload`).
 * @throws {MalformedEnvelopeError} for anything but a canonical, well-formed body
 * @throws {LimitExceededError} when the payload nests deeper than `maxDepth` or holds more
 *   than `maxItems` items
 */
export function parseBody(body: Uint8Array, limits: ParseLimits): BodyFields {
  try {
    return readBody(new Cursor(body), limits)
  } catch (error) {
    if (error instanceof EnvelopeError) throw error
    throw fromCodecError(error, 'body')
  }
}

function readBody(c: Cursor, limits: ParseLimits): BodyFields {
  // more entries than fields fail at the first repeated or unknown key, after eight at most
  const count = c.head(MAJOR_MAP)
  let previous = -1
  let domain: string | undefined
  let signer: Uint8Array | undefined
  let timestamp: number | undefined
  let expiresAt: number | bigint | undefined
  let nonce: Uint8Array | undefined
  let sequence: number | bigint | undefined
  let payloadStart = -1
  let payloadEnd = -1
  for (let i = 0; i < count; i++) {
    const key = readKey(c)
    if (key === previous) throw malformed('a body field repeats')
    if (key < previous) throw malformed('body fields out of canonical order')
    previous = key
    switch (key) {
      case KEY_DOMAIN: {
        requireMajor(c, MAJOR_TEXT, 'the domain is missing or invalid')
        const value = c.text()
        if (value !== limits.domain && !isDomain(value, MAX_DOMAIN_LENGTH))
          throw malformed('the domain is missing or invalid')
        domain = value
        break
      }
      case KEY_SIGNER:
        requireMajor(c, MAJOR_BYTES, 'the signer key is missing or invalid')
        signer = c.byteString()
        if (signer.length !== PUBLIC_KEY_LENGTH)
          throw malformed('the signer key is missing or invalid')
        // a copy: the replay guard's claim and the result hold it past the input's lifetime
        signer = signer.slice()
        break
      case KEY_TIMESTAMP: {
        requireMajor(c, MAJOR_UNSIGNED, 'the timestamp is missing or invalid')
        const value = c.uint()
        if (!isSafeUint(value)) throw malformed('the timestamp is missing or invalid')
        timestamp = value
        break
      }
      case KEY_EXPIRES_AT:
        requireMajor(c, MAJOR_UNSIGNED, 'the expiry is invalid')
        expiresAt = c.uint()
        break
      case KEY_NONCE:
        requireMajor(c, MAJOR_BYTES, 'the nonce is invalid')
        nonce = c.byteString()
        if (nonce.length === 0 || nonce.length > MAX_NONCE_LENGTH)
          throw malformed('the nonce is invalid')
        nonce = nonce.slice()
        break
      case KEY_SEQUENCE:
        requireMajor(c, MAJOR_UNSIGNED, 'the sequence number is invalid')
        sequence = c.uint()
        break
      default:
        payloadStart = c.pos
        walkPayload(c, limits)
        payloadEnd = c.pos
    }
  }
  c.expectEnd()
  if (domain === undefined) throw malformed('the domain is missing or invalid')
  if (signer === undefined) throw malformed('the signer key is missing or invalid')
  if (timestamp === undefined) throw malformed('the timestamp is missing or invalid')
  if (expiresAt !== undefined && (!isSafeUint(expiresAt) || expiresAt <= timestamp))
    throw malformed('the expiry is invalid')
  if (payloadStart < 0) throw malformed('the payload is missing')
  return {
    domain,
    signer,
    timestamp,
    expiresAt,
    nonce,
    sequence,
    payloadStart,
    payloadEnd,
  }
}

/** Walks the payload under its limits; a limit is this package's `LimitExceededError`. */
function walkPayload(c: Cursor, limits: ParseLimits): void {
  try {
    c.skip({
      maxDepth: limits.maxDepth,
      maxItems: limits.maxItems,
      maxTotalItems: limits.maxItems,
    })
  } catch (error) {
    if (isCodecError(error, 'LimitExceededError')) {
      const limit = codecLimit(error) === 'maxDepth' ? 'maxDepth' : 'maxItems'
      throw new LimitExceededError(limit, `payload: ${error.message}`, { cause: error })
    }
    throw error
  }
}

/**
 * Decodes the payload of a parsed body into values. The walk in `parseBody` accepted it
 * under the same limits, so this does not fail on a body that `parseBody` returned.
 * @param body - the body bytes
 * @param fields - what `parseBody` read from them
 * @param limits - the limits `parseBody` applied
 */
export function decodePayload(body: Uint8Array, fields: BodyFields, limits: ParseLimits): Value {
  try {
    return decode(body.subarray(fields.payloadStart, fields.payloadEnd), {
      maxBytes: limits.maxBytes,
      maxDepth: limits.maxDepth,
      maxItems: limits.maxItems,
      maxTotalItems: limits.maxItems,
      useMaps: limits.useMaps,
    })
  } catch (error) {
    throw fromCodecError(error, 'payload')
  }
}

function frameOf(
  body: Uint8Array,
  signature: Uint8Array,
  countersignatures: readonly SignatureEntry[],
): Frame {
  return { body, signature, countersignatures }
}

/** The countersignatures of most envelopes (never written to). */
const noCountersignatures: readonly SignatureEntry[] = Object.freeze([])

/** Bytes of one countersignature: `[key, signature]` with their heads. */
const COUNTERSIGNATURE_BYTES = 1 + 2 + PUBLIC_KEY_LENGTH + 2 + SIGNATURE_LENGTH

/**
 * Reads the outer layer of the common, exactly canonical shape with the cursor's
 * non-throwing reads, without the general decoder. Returns undefined for anything else,
 * which then goes through the general decoder: that path defines what is accepted, and this
 * one accepts only a subset of it, with the same result (a property test holds the two
 * together).
 */
function fastFrame(bytes: Uint8Array, maxSignatures: number): Frame | undefined {
  const c = new Cursor(bytes)
  if (c.tryHead(MAJOR_ARRAY) !== 4 || c.tryHead(MAJOR_UNSIGNED) !== ENVELOPE_VERSION)
    return undefined
  const bodyLength = c.tryHead(MAJOR_BYTES)
  if (bodyLength < 0) return undefined
  const bodyStart = c.pos
  c.pos += bodyLength
  if (c.tryHead(MAJOR_BYTES) !== SIGNATURE_LENGTH) return undefined
  const signature = bytes.subarray(c.pos, c.pos + SIGNATURE_LENGTH)
  c.pos += SIGNATURE_LENGTH
  const count = c.tryHead(MAJOR_ARRAY)
  if (count < 0 || count + 1 > maxSignatures) return undefined
  if (c.remaining !== count * COUNTERSIGNATURE_BYTES) return undefined
  if (count === 0) {
    return frameOf(
      bytes.subarray(bodyStart, bodyStart + bodyLength),
      signature,
      noCountersignatures,
    )
  }
  const countersignatures: SignatureEntry[] = []
  for (let i = 0; i < count; i++) {
    if (c.tryHead(MAJOR_ARRAY) !== 2 || c.tryHead(MAJOR_BYTES) !== PUBLIC_KEY_LENGTH)
      return undefined
    const publicKey = bytes.subarray(c.pos, c.pos + PUBLIC_KEY_LENGTH)
    c.pos += PUBLIC_KEY_LENGTH
    if (c.tryHead(MAJOR_BYTES) !== SIGNATURE_LENGTH) return undefined
    countersignatures.push({
      publicKey,
      signature: bytes.subarray(c.pos, c.pos + SIGNATURE_LENGTH),
    })
    c.pos += SIGNATURE_LENGTH
  }
  return frameOf(bytes.subarray(bodyStart, bodyStart + bodyLength), signature, countersignatures)
}

/** Reads the outer layer with the general decoder: the definition of what is accepted. */
function decodedFrame(bytes: Uint8Array, limits: ParseLimits): Frame {
  checkVersion(bytes)
  let outer: Value
  try {
    outer = decode(bytes, {
      maxBytes: limits.maxBytes,
      // [version, body, signature, [[key, signature], …]]
      maxDepth: 3,
      maxItems: Math.max(4, limits.maxSignatures - 1),
      maxTotalItems: 4 + 3 * limits.maxSignatures,
    })
  } catch (error) {
    // an envelope has a fixed shape: too deep is malformed; too many items is too many signatures
    if (isCodecError(error, 'LimitExceededError') && codecLimit(error) === 'maxDepth') {
      throw malformed('an envelope nests at most three levels', error)
    }
    throw fromCodecError(error, 'envelope', 'maxSignatures')
  }
  if (!Array.isArray(outer) || outer.length !== 4)
    throw malformed('an envelope is an array of four items')
  if (outer[0] !== ENVELOPE_VERSION) throw new UnsupportedVersionError(outer[0] as number)
  const body = outer[1]
  if (!isBytes(body)) throw malformed('the body is not a byte string')
  const signature = outer[2]
  if (!isBytes(signature) || signature.length !== SIGNATURE_LENGTH)
    throw malformed('the signature is not 64 bytes')
  const counter = outer[3]
  if (!Array.isArray(counter)) throw malformed('the countersignatures are not an array')
  if (counter.length + 1 > limits.maxSignatures) {
    throw new LimitExceededError(
      'maxSignatures',
      `${counter.length + 1} signatures exceed ${limits.maxSignatures}`,
    )
  }
  const countersignatures: SignatureEntry[] = []
  for (const item of counter) {
    if (!Array.isArray(item) || item.length !== 2)
      throw malformed('a countersignature is a [key, signature] pair')
    const [publicKey, sig] = item
    if (!isBytes(publicKey) || publicKey.length !== PUBLIC_KEY_LENGTH)
      throw malformed('a countersigner key is not 32 bytes')
    if (!isBytes(sig) || sig.length !== SIGNATURE_LENGTH)
      throw malformed('a countersignature is not 64 bytes')
    countersignatures.push({ publicKey, signature: sig })
  }
  return frameOf(body, signature, countersignatures)
}

/** How `parseEnvelope` may work. */
export interface ParseMode {
  /** Skip the fast path (for tests holding the two paths together). */
  readonly general?: boolean
}

/**
 * Reads an envelope's outer layer only: version, body bytes (unread) and signatures' shape.
 * @param bytes - the envelope as received
 * @param limits - size, depth and signature-count limits
 * @param mode - `general`
 * @returns the body bytes and the signatures (views into `bytes` on the common shape)
 * @throws {LimitExceededError} for input over a limit (checked before it is read)
 * @throws {UnsupportedVersionError} for another wire version
 * @throws {MalformedEnvelopeError} for an outer layer that is not canonical
 */
export function parseOuter(bytes: Uint8Array, limits: ParseLimits, mode: ParseMode = {}): Frame {
  if (bytes.length > limits.maxBytes) {
    throw new LimitExceededError(
      'maxBytes',
      `envelope of ${bytes.length} bytes exceeds ${limits.maxBytes}`,
    )
  }
  return (
    (mode.general === true ? undefined : fastFrame(bytes, limits.maxSignatures)) ??
    decodedFrame(bytes, limits)
  )
}

/**
 * Parses an envelope and checks its form (not its signatures, domain or times).
 * @param bytes - the envelope as received
 * @param limits - size, depth and signature-count limits
 * @param mode - `general`
 * @returns the body bytes, the body's fields and the signatures, signer's first
 * @throws {LimitExceededError} for input over a limit (checked before it is read)
 * @throws {UnsupportedVersionError} for another wire version
 * @throws {MalformedEnvelopeError} for anything else that is not a canonical envelope
 */
export function parseEnvelope(
  bytes: Uint8Array,
  limits: ParseLimits,
  mode: ParseMode = {},
): ParsedEnvelope {
  const frame = parseOuter(bytes, limits, mode)
  const fields = parseBody(frame.body, limits)
  const signatures: SignatureEntry[] = [{ publicKey: fields.signer, signature: frame.signature }]
  let previous: Uint8Array | undefined
  for (const entry of frame.countersignatures) {
    if (previous !== undefined && compareBytes(previous, entry.publicKey) >= 0) {
      throw malformed('countersignatures are not sorted by key, or repeat a key')
    }
    if (equalBytes(entry.publicKey, fields.signer)) throw malformed('the signer also countersigned')
    previous = entry.publicKey
    signatures.push(entry)
  }
  return { body: frame.body, fields, signatures }
}

/**
 * Encodes an envelope from body bytes and signatures (signer's first, then countersignatures
 * in any order: they are sorted here).
 */
export function encodeEnvelope(
  body: Uint8Array,
  signatures: readonly SignatureEntry[],
): Uint8Array {
  const [first, ...rest] = signatures
  if (first === undefined) throw new Error('an envelope needs a signature')
  if (rest.length === 0) return encodeSingle(body, first.signature)
  const counter = [...rest]
    .sort((a, b) => compareBytes(a.publicKey, b.publicKey))
    .map((entry): Value => [entry.publicKey, entry.signature])
  return encode([ENVELOPE_VERSION, body, first.signature, counter])
}

/**
 * `[1, body, signature, []]` written directly: the same bytes the general encoder gives (a
 * test holds the two together across every length form), without building the array.
 */
function encodeSingle(body: Uint8Array, signature: Uint8Array): Uint8Array {
  const n = body.length
  const headLength = n < 24 ? 1 : n < 0x100 ? 2 : n < 0x1_0000 ? 3 : n < 0x1_0000_0000 ? 5 : 0
  if (headLength === 0) return encode([ENVELOPE_VERSION, body, signature, []])
  const out = new Uint8Array(2 + headLength + n + 2 + SIGNATURE_LENGTH + 1)
  out[0] = 0x84
  out[1] = ENVELOPE_VERSION
  let pos = 2
  if (headLength === 1) out[pos++] = 0x40 | n
  else if (headLength === 2) {
    out[pos++] = 0x58
    out[pos++] = n
  } else if (headLength === 3) {
    out[pos++] = 0x59
    out[pos++] = n >>> 8
    out[pos++] = n & 0xff
  } else {
    out[pos++] = 0x5a
    out[pos++] = n >>> 24
    out[pos++] = (n >>> 16) & 0xff
    out[pos++] = (n >>> 8) & 0xff
    out[pos++] = n & 0xff
  }
  out.set(body, pos)
  pos += n
  out[pos++] = 0x58
  out[pos++] = SIGNATURE_LENGTH
  out.set(signature, pos)
  out[pos + SIGNATURE_LENGTH] = 0x80
  return out
}

/** Encodes a body map from its fields (already checked by the caller). */
export function encodeBody(fields: BodyInput, maxDepth: number): Uint8Array {
  const map: Record<string, Value> = {
    [BODY_KEYS.domain]: fields.domain,
    [BODY_KEYS.signer]: fields.signer,
    [BODY_KEYS.timestamp]: fields.timestamp,
    [BODY_KEYS.payload]: fields.payload,
  }
  if (fields.expiresAt !== undefined) map[BODY_KEYS.expiresAt] = fields.expiresAt
  if (fields.nonce !== undefined) map[BODY_KEYS.nonce] = fields.nonce
  if (fields.sequence !== undefined) map[BODY_KEYS.sequence] = fields.sequence
  return encode(map, { maxDepth: maxDepth + 1 })
}
