/**
 * Sealing and countersigning: the only places envelope bytes are made.
 *
 * @example
 * const bytes = await seal(signer, { domain: 'peerkit/gossip/1', payload: { text: 'hi' }, timestamp: now })
 * const both = await countersign(bytes, otherSigner)
 */
import { equalBytes, isCodecError, type Value } from '@peerkit/codec'
import type { Signer } from '@peerkit/identity'
import { assertBytes, assertObject, assertSafeInteger, isDomain, limitOption } from './assert'
import { bodyDigestKey } from './body-id'
import {
  DEFAULT_MAX_ENVELOPE_BYTES,
  DEFAULT_MAX_PAYLOAD_DEPTH,
  DEFAULT_MAX_PAYLOAD_ITEMS,
  DEFAULT_MAX_SIGNATURES,
  MAX_DOMAIN_LENGTH,
  MAX_NONCE_LENGTH,
  MAX_SEQUENCE,
  PUBLIC_KEY_LENGTH,
  SIGNATURE_LENGTH,
} from './constants'
import { InvalidArgumentError, LimitExceededError } from './errors'
import { verifySignatures } from './verify'
import type { VerifyCache } from './verify-cache'
import {
  encodeBody,
  encodeEnvelope,
  parseBody,
  parseEnvelope,
  type SignatureEntry,
  signingMessage,
} from './wire'

/** What to seal. */
export interface SealInput {
  /** Printable ASCII, 1–128 characters, naming protocol and version (`peerkit/gossip/1`). */
  domain: string
  /** Any @peerkit/codec value. */
  payload: Value
  /** Integer milliseconds since the Unix epoch, from the caller's clock. */
  timestamp: number
  /** Optional: the first instant (ms) at which the envelope is no longer valid; > `timestamp`. */
  expiresAt?: number | undefined
  /** Optional: 1–64 bytes that make otherwise identical statements distinct. */
  nonce?: Uint8Array | undefined
  /** Optional: a sequence number (0 … 2^64 − 1) for replay guards with `requireSequence`. */
  sequence?: number | bigint | undefined
  /** Largest envelope to produce (default 64 KiB, what `open` accepts by default). */
  maxBytes?: number | undefined
  /** Deepest nesting inside the payload (default 32). */
  maxDepth?: number | undefined
  /** Most elements and entries in the payload's arrays and maps together (default 4,096). */
  maxItems?: number | undefined
}

function assertSigner(signer: unknown): asserts signer is Signer {
  assertObject(signer, 'signer')
  assertBytes((signer as { publicKey?: unknown }).publicKey, 'signer.publicKey', PUBLIC_KEY_LENGTH)
  if (typeof (signer as { sign?: unknown }).sign !== 'function') {
    throw new InvalidArgumentError('signer.sign', 'signer.sign must be a function')
  }
}

async function signBody(signer: Signer, body: Uint8Array): Promise<Uint8Array> {
  const signature = await signer.sign(signingMessage(body))
  assertBytes(signature, 'signer.sign() result', SIGNATURE_LENGTH)
  return Uint8Array.from(signature)
}

function checkSize(bytes: Uint8Array, maxBytes: number): Uint8Array {
  if (bytes.length > maxBytes) {
    throw new LimitExceededError(
      'maxBytes',
      `envelope of ${bytes.length} bytes exceeds ${maxBytes}`,
    )
  }
  return bytes
}

/**
 * Seals a payload: encodes the body canonically and signs it.
 * @param signer - signs for the peer named in the envelope (its `publicKey` goes in the body)
 * @param input - `domain`, `payload`, `timestamp`, and optionally `expiresAt`, `nonce`,
 *   `sequence`, `maxBytes`, `maxDepth`, `maxItems`
 * @returns the envelope bytes
 * @throws {InvalidArgumentError} for a bad domain, time, nonce, sequence, signer, or a payload
 *   outside the codec's profile (floats, undefined, cycles…)
 * @throws {LimitExceededError} when the payload nests deeper than `maxDepth`, holds more
 *   than `maxItems` items, or the envelope would exceed `maxBytes`
 * @example
 * const bytes = await seal(signer, { domain: 'peerkit/gossip/1', payload: { text: 'hi' }, timestamp: Date.now() })
 */
export async function seal(signer: Signer, input: SealInput): Promise<Uint8Array> {
  assertSigner(signer)
  assertObject(input, 'input')
  const { domain, payload, timestamp, expiresAt, nonce, sequence } = input
  if (!isDomain(domain, MAX_DOMAIN_LENGTH)) {
    throw new InvalidArgumentError(
      'input.domain',
      `input.domain must be 1-${MAX_DOMAIN_LENGTH} printable ASCII characters`,
    )
  }
  assertSafeInteger(timestamp, 'input.timestamp', 0)
  if (expiresAt !== undefined) {
    assertSafeInteger(expiresAt, 'input.expiresAt', 0)
    if (expiresAt <= timestamp)
      throw new InvalidArgumentError(
        'input.expiresAt',
        'input.expiresAt must be after input.timestamp',
      )
  }
  if (nonce !== undefined) {
    assertBytes(nonce, 'input.nonce')
    if (nonce.length === 0 || nonce.length > MAX_NONCE_LENGTH) {
      throw new InvalidArgumentError(
        'input.nonce',
        `input.nonce must be 1-${MAX_NONCE_LENGTH} bytes`,
      )
    }
  }
  if (sequence !== undefined) {
    const ok =
      typeof sequence === 'bigint'
        ? sequence >= 0n && sequence <= MAX_SEQUENCE
        : Number.isSafeInteger(sequence) && sequence >= 0
    if (!ok)
      throw new InvalidArgumentError(
        'input.sequence',
        'input.sequence must be an integer in 0 … 2^64 − 1',
      )
  }
  if (payload === undefined)
    throw new InvalidArgumentError('input.payload', 'input.payload is required')
  const maxBytes = limitOption(input.maxBytes, 'input.maxBytes', DEFAULT_MAX_ENVELOPE_BYTES)
  const maxDepth = limitOption(input.maxDepth, 'input.maxDepth', DEFAULT_MAX_PAYLOAD_DEPTH)
  let body: Uint8Array
  try {
    body = encodeBody(
      {
        domain,
        signer: Uint8Array.from(signer.publicKey),
        timestamp,
        expiresAt,
        nonce,
        // a small bigint is written as the same integer as a number; keep one form
        sequence:
          typeof sequence === 'bigint' && sequence <= BigInt(Number.MAX_SAFE_INTEGER)
            ? Number(sequence)
            : sequence,
        payload,
      },
      maxDepth,
    )
  } catch (error) {
    if (isCodecError(error, 'LimitExceededError')) {
      throw new LimitExceededError('maxDepth', `input.payload nests deeper than ${maxDepth}`, {
        cause: error,
      })
    }
    if (isCodecError(error)) {
      throw new InvalidArgumentError(
        'input.payload',
        `input.payload cannot be encoded: ${error.message}`,
        { cause: error },
      )
    }
    throw error
  }
  // fail fast, before signing, when even the body is too large
  checkSize(body, maxBytes)
  // what the payload holds is counted on its bytes, as `open` counts it
  parseBody(body, {
    maxBytes,
    maxDepth,
    maxItems: limitOption(input.maxItems, 'input.maxItems', DEFAULT_MAX_PAYLOAD_ITEMS),
    maxSignatures: DEFAULT_MAX_SIGNATURES,
    useMaps: false,
    domain,
  })
  const signature = await signBody(signer, body)
  return checkSize(encodeEnvelope(body, [{ publicKey: signer.publicKey, signature }]), maxBytes)
}

/** Options of `countersign`. */
export interface CountersignOptions {
  /** Largest envelope read or produced (default 64 KiB). */
  maxBytes?: number | undefined
  /** Deepest nesting inside the payload (default 32). */
  maxDepth?: number | undefined
  /** Most elements and entries in the payload's arrays and maps together (default 4,096). */
  maxItems?: number | undefined
  /** Most signatures on the result (default 16). */
  maxSignatures?: number | undefined
  /** A verify cache to consult while checking the signatures already there. */
  cache?: VerifyCache | undefined
}

/**
 * Adds `signer`'s signature over the same body. The existing signatures are verified first,
 * so a signer never endorses a forgery. Countersigning twice with the same key returns the
 * bytes unchanged. The body, and so the envelope id, stay the same.
 * @param bytes - an envelope
 * @param signer - the countersigner
 * @param options - limits, and a verify cache
 * @returns the envelope with one more signature (countersignatures are kept sorted by key)
 * @throws {MalformedEnvelopeError | UnsupportedVersionError | LimitExceededError} for bytes
 *   that are not a readable envelope, or when the result would exceed a limit
 * @throws {BadSignatureError} when a signature already on the envelope does not verify
 * @throws {InvalidArgumentError} for a bad signer or option
 * @example
 * const terms = await seal(alice, { domain: 'peerkit/escrow/terms/1', payload, timestamp })
 * const agreed = await countersign(terms, bob)
 */
export async function countersign(
  bytes: Uint8Array,
  signer: Signer,
  options: CountersignOptions = {},
): Promise<Uint8Array> {
  assertBytes(bytes, 'bytes')
  assertSigner(signer)
  assertObject(options, 'options')
  // the parse keeps views into the input: copy it, as signing waits and the caller may reuse it
  const input = bytes.slice()
  const maxBytes = limitOption(options.maxBytes, 'options.maxBytes', DEFAULT_MAX_ENVELOPE_BYTES)
  const maxSignatures = limitOption(
    options.maxSignatures,
    'options.maxSignatures',
    DEFAULT_MAX_SIGNATURES,
  )
  const parsed = parseEnvelope(input, {
    maxBytes,
    maxDepth: limitOption(options.maxDepth, 'options.maxDepth', DEFAULT_MAX_PAYLOAD_DEPTH),
    maxItems: limitOption(options.maxItems, 'options.maxItems', DEFAULT_MAX_PAYLOAD_ITEMS),
    maxSignatures,
    useMaps: false,
  })
  const keys = verifySignatures(parsed, bodyDigestKey(parsed.body), options.cache)
  const publicKey = Uint8Array.from(signer.publicKey)
  for (const entry of parsed.signatures) {
    if (equalBytes(entry.publicKey, publicKey)) {
      return input
    }
  }
  if (parsed.signatures.length + 1 > maxSignatures) {
    throw new LimitExceededError(
      'maxSignatures',
      `a countersignature would exceed ${maxSignatures} signatures`,
    )
  }
  const signature = await signBody(signer, parsed.body)
  const signatures: SignatureEntry[] = [...parsed.signatures, { publicKey, signature }]
  const out = checkSize(encodeEnvelope(parsed.body, signatures), maxBytes)
  if (options.cache !== undefined && keys !== undefined)
    for (const key of keys) options.cache.add(key)
  return out
}
