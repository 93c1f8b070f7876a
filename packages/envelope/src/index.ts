/**
 * @peerkit/envelope: signed statements that cannot be replayed, re-purposed or misread.
 * An envelope is canonical CBOR carrying a domain, the signer's key, a timestamp, an
 * optional expiry, nonce and sequence number, and a payload, signed over the exact body
 * bytes; opening checks domain, time window, replay guard and signatures.
 *
 * @example
 * import { seal, open, createReplayGuard } from '@peerkit/envelope'
 * const bytes = await seal(signer, { domain: 'peerkit/gossip/1', payload: { text: 'hi' }, timestamp: now })
 * const { signer: from, payload } = open(bytes, { domain: 'peerkit/gossip/1', now, maxSkewMs: 30_000,
 *   maxAgeMs: 600_000, replayGuard: createReplayGuard() })
 */
export {
  BODY_KEYS,
  DEFAULT_CACHE_MAX_ENTRIES,
  DEFAULT_GUARD_MAX_ENTRIES,
  DEFAULT_GUARD_MAX_SIGNERS,
  DEFAULT_MAX_ENVELOPE_BYTES,
  DEFAULT_MAX_PAYLOAD_DEPTH,
  DEFAULT_MAX_PAYLOAD_ITEMS,
  DEFAULT_MAX_SIGNATURES,
  ENVELOPE_VERSION,
  MAX_DOMAIN_LENGTH,
  MAX_NONCE_LENGTH,
  MAX_SEQUENCE,
  SIGNATURE_CONTEXT,
} from './constants'
export {
  BadSignatureError,
  EnvelopeError,
  type EnvelopeErrorName,
  type ErrorByName,
  ExpiredError,
  type ExpiredReason,
  InsufficientSignaturesError,
  InvalidArgumentError,
  InvalidStateError,
  isEnvelopeError,
  LimitExceededError,
  MalformedEnvelopeError,
  NotYetValidError,
  ReplayError,
  type ReplayReason,
  UnsupportedVersionError,
  WrongDomainError,
} from './errors'
export { type EnvelopeIdOptions, envelopeId } from './id'
export {
  type OpenedEnvelope,
  type OpenedMultiEnvelope,
  type OpenMultiOptions,
  type OpenOptions,
  open,
  openMulti,
} from './open'
export {
  createReplayGuard,
  guardStateMaxBytes,
  type ReplayClaim,
  type ReplayGuard,
  type ReplayGuardOptions,
  type RestoreReplayGuardOptions,
  replayGuardFromBytes,
} from './replay-guard'
export { type CountersignOptions, countersign, type SealInput, seal } from './seal'
export {
  createVerifyCache,
  type VerifyCache,
  type VerifyCacheOptions,
  verifyCacheKey,
} from './verify-cache'
