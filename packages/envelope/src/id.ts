/**
 * Envelope ids. The id is the content id of the body bytes — what was said, by whom, when —
 * not of the whole envelope, so countersignatures do not change it: gossip deduplicates a
 * statement once however many signatures it gathers, and a replay guard keyed by the id
 * refuses the same statement re-wrapped with extra signatures.
 *
 * @example
 * envelopeId(bytes).toString() // 'bafirei…', the same on every peer
 */
import type { ContentId } from '@peerkit/codec'
import { assertBytes, assertObject, limitOption } from './assert'
import { bodyId } from './body-id'
import {
  DEFAULT_MAX_ENVELOPE_BYTES,
  DEFAULT_MAX_PAYLOAD_DEPTH,
  DEFAULT_MAX_PAYLOAD_ITEMS,
  DEFAULT_MAX_SIGNATURES,
} from './constants'
import { InvalidArgumentError } from './errors'
import { parseEnvelope, parseOuter } from './wire'

/** Limits of `envelopeId`, and how much of the envelope it checks. */
export interface EnvelopeIdOptions {
  maxBytes?: number | undefined
  maxDepth?: number | undefined
  maxItems?: number | undefined
  maxSignatures?: number | undefined
  /**
   * Whether the body is read and checked (default true). With `false` only the outer layer
   * is (version, a body byte string, the signatures' shape) and the body is hashed unread:
   * the id of a valid envelope is the same, malformed bodies get an id too. For dropping
   * duplicates before `open`, which checks everything, at the cost of one hash.
   */
  checkBody?: boolean | undefined
}

/**
 * The id of an envelope: the sha2-256 content id of its canonical body bytes. The form of
 * the envelope is checked (as `open` would), its signatures and times are not.
 * @param bytes - an envelope
 * @param options - the limits of `open` (defaults 64 KiB, depth 32, 4,096 payload items, 16 signatures), and
 *   `checkBody: false` to hash the body without reading it
 * @returns the content id of the body
 * @throws {MalformedEnvelopeError | UnsupportedVersionError | LimitExceededError} for bytes
 *   that are not a readable envelope
 * @example
 * if (seen.has(envelopeId(bytes).toString())) return
 */
export function envelopeId(bytes: Uint8Array, options: EnvelopeIdOptions = {}): ContentId {
  assertBytes(bytes, 'bytes')
  assertObject(options, 'options')
  const { checkBody = true } = options
  if (typeof checkBody !== 'boolean') {
    throw new InvalidArgumentError('options.checkBody', 'options.checkBody must be a boolean')
  }
  const limits = {
    maxBytes: limitOption(options.maxBytes, 'options.maxBytes', DEFAULT_MAX_ENVELOPE_BYTES),
    maxDepth: limitOption(options.maxDepth, 'options.maxDepth', DEFAULT_MAX_PAYLOAD_DEPTH),
    maxItems: limitOption(options.maxItems, 'options.maxItems', DEFAULT_MAX_PAYLOAD_ITEMS),
    maxSignatures: limitOption(
      options.maxSignatures,
      'options.maxSignatures',
      DEFAULT_MAX_SIGNATURES,
    ),
    useMaps: false,
  }
  const parsed = checkBody ? parseEnvelope(bytes, limits) : parseOuter(bytes, limits)
  return bodyId(parsed.body)
}
