/**
 * The one module that touches @peerkit/envelope: sealing, countersigning and opening
 * the terms and step envelopes, and turning envelope errors into escrow rejections.
 * Everything else in the package works on already-opened values.
 *
 * @example
 * const bytes = await sealEnvelope(signer, STEP_DOMAIN, payload, now)
 * const opened = openEnvelope(bytes, STEP_DOMAIN, trade.signers, 1, now, DEFAULT_MAX_SKEW_MS)
 */
import type { Value } from '@peerkit/codec'
import { countersign, open, openMulti, seal } from '@peerkit/envelope'
import type { PeerId, Signer } from '@peerkit/identity'
import {
  ForgedStepError,
  MalformedStepError,
  type StepRejection,
  TooEarlyError,
  TooLateError,
  WrongSignerError,
} from './errors'

/** An envelope after its signatures were checked. */
export interface OpenedEnvelopeView {
  /** Id bytes of the envelope (its content id). */
  readonly id: Uint8Array
  /** Peers whose signatures verified, the sealer first. */
  readonly signers: readonly PeerId[]
  readonly timestamp: number
  readonly payload: Value
}

/** Envelope error names, mapped to the escrow rejection they become. */
function rejectionFor(error: unknown): StepRejection {
  const name = error instanceof Error ? error.name : ''
  const message = error instanceof Error ? error.message : String(error)
  switch (name) {
    case 'BadSignatureError':
      return new ForgedStepError(`a signature does not verify: ${message}`, { cause: error })
    case 'NotYetValidError':
      return new TooEarlyError(`the step is dated ahead of this clock: ${message}`, {
        cause: error,
      })
    case 'ExpiredError':
      return new TooLateError(`the step expired: ${message}`, { cause: error })
    case 'ThresholdError':
    case 'UnknownSignerError':
    case 'InsufficientSignaturesError':
      return new WrongSignerError(`the step is not signed as required: ${message}`, {
        cause: error,
      })
    default:
      return new MalformedStepError(`not a valid envelope: ${message}`, { cause: error })
  }
}

/** Throws the escrow rejection matching an envelope error. */
function rethrowAsRejection(error: unknown): never {
  throw rejectionFor(error)
}

/**
 * Seals a payload under a domain.
 * @throws whatever `seal` throws for a bad argument
 */
export function sealEnvelope(
  signer: Signer,
  domain: string,
  payload: Value,
  timestamp: number,
): Promise<Uint8Array> {
  return seal(signer, { domain, payload, timestamp })
}

/** Adds `signer`'s countersignature to an envelope. */
export function cosignEnvelope(bytes: Uint8Array, signer: Signer): Promise<Uint8Array> {
  return countersign(bytes, signer)
}

/**
 * Opens an envelope that at least `threshold` of `signers` signed, with no age limit
 * (deadlines are evaluated by the machine, not by the envelope).
 * @throws {StepRejection} mapped from the envelope's own error
 */
export function openEnvelope(
  bytes: Uint8Array,
  domain: string,
  signers: readonly PeerId[],
  threshold: number,
  now: number,
  maxSkewMs: number,
): OpenedEnvelopeView {
  try {
    const opened = openMulti(bytes, {
      domain,
      now,
      maxSkewMs,
      maxAgeMs: Number.POSITIVE_INFINITY,
      signers,
      threshold,
    })
    return {
      id: opened.id.bytes,
      signers: opened.signers,
      timestamp: opened.timestamp,
      payload: opened.payload,
    }
  } catch (error) {
    rethrowAsRejection(error)
  }
}

/**
 * Opens an envelope checking only its first signature: used to read who the terms
 * name before checking that every one of them signed.
 * @throws {StepRejection} mapped from the envelope's own error
 */
export function openFirst(
  bytes: Uint8Array,
  domain: string,
  now: number,
  maxSkewMs: number,
): OpenedEnvelopeView {
  try {
    const opened = open(bytes, { domain, now, maxSkewMs, maxAgeMs: Number.POSITIVE_INFINITY })
    return {
      id: opened.id.bytes,
      signers: [opened.signer],
      timestamp: opened.timestamp,
      payload: opened.payload,
    }
  } catch (error) {
    rethrowAsRejection(error)
  }
}
