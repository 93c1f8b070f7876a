/**
 * Named defaults, limits and wire constants of @peerkit/envelope.
 *
 * @example
 * import { DEFAULT_MAX_ENVELOPE_BYTES } from '@peerkit/envelope'
 * if (bytes.length > DEFAULT_MAX_ENVELOPE_BYTES) drop(bytes)
 */

/** The one wire version this package writes and reads. */
export const ENVELOPE_VERSION = 1

/**
 * What every signature covers, in front of the body bytes. It keeps an envelope signature
 * from ever being valid as a signature of anything else a peerkit key signs.
 */
export const SIGNATURE_CONTEXT = 'peerkit/envelope/1'

/** Default largest envelope `open`, `openMulti`, `countersign` and `seal` accept: 64 KiB. */
export const DEFAULT_MAX_ENVELOPE_BYTES = 64 * 1024

/** Default deepest nesting inside the payload (the payload itself is depth 1). */
export const DEFAULT_MAX_PAYLOAD_DEPTH = 32

/**
 * Default most elements and entries in all arrays and maps of a payload together. The
 * payload is walked against it before its signature is checked, and decoded only after:
 * at this bound the densest payload (empty byte strings) decodes in about a millisecond,
 * where 62,000 of them in one 62 KB message cost 15 ms at every hop. Protocols whose
 * payloads hold more raise it (`maxItems` of `open`, `openMulti` and `seal`).
 */
export const DEFAULT_MAX_PAYLOAD_ITEMS = 4_096

/** Default most signatures (the signer's and countersignatures together) on one envelope. */
export const DEFAULT_MAX_SIGNATURES = 16

/** Longest domain, in bytes (domains are printable ASCII, so also in characters). */
export const MAX_DOMAIN_LENGTH = 128

/** Longest nonce, in bytes. */
export const MAX_NONCE_LENGTH = 64

/** Largest sequence number: 2^64 − 1. */
export const MAX_SEQUENCE = 0xffff_ffff_ffff_ffffn

/** Length of an Ed25519 public key. */
export const PUBLIC_KEY_LENGTH = 32

/** Length of an Ed25519 signature. */
export const SIGNATURE_LENGTH = 64

/** Default most envelope ids a replay guard remembers (about 150 bytes of memory each). */
export const DEFAULT_GUARD_MAX_ENTRIES = 65_536

/** Default most signers whose last sequence number a replay guard remembers (about 180 bytes each). */
export const DEFAULT_GUARD_MAX_SIGNERS = 16_384

/** Default most verified signatures a verify cache remembers (about 270 bytes of memory each). */
export const DEFAULT_CACHE_MAX_ENTRIES = 8_192

/** Format version of a saved replay guard (2: the state travels with its sha2-256 checksum). */
export const GUARD_STATE_VERSION = 2

/**
 * Most bytes one saved id takes: an array head, a 32-byte digest with its head, a timestamp
 * and a forget time of at most 9 bytes each, a boolean.
 */
export const GUARD_ENTRY_MAX_BYTES = 1 + 34 + 9 + 9 + 1

/** Most bytes one saved signer record takes: as an id, plus a sequence number of at most 9 bytes. */
export const GUARD_SIGNER_MAX_BYTES = 1 + 34 + 9 + 9 + 9 + 1

/** Bytes of a saved state besides its ids and signer records (field names, heads, checksum). */
export const GUARD_STATE_OVERHEAD_BYTES = 128

/** Keys of the body map on the wire (one letter each, to keep envelopes small). */
export const BODY_KEYS = {
  domain: 'd',
  expiresAt: 'e',
  signer: 'k',
  nonce: 'n',
  payload: 'p',
  sequence: 's',
  timestamp: 't',
} as const
