/**
 * Trade receipts as reputation reads them: an `@peerkit/escrow` receipt envelope (domain
 * `peerkit/escrow/receipt/1`) whose payload names the trade, its two parties in role
 * order, the outcome and the end time, signed by one party and countersigned by the other.
 * This package reads receipts; it never imports escrow.
 *
 * @example
 * const receipt = openReceiptFor(bytes, rater, { now, maxSkewMs, maxAgeMs })
 * receipt.other.equals(ratee) // the rater's counterparty
 */
import type { Value } from '@peerkit/codec'
import { equalBytes } from '@peerkit/codec'
import { isEnvelopeError, openMulti, type VerifyCache } from '@peerkit/envelope'
import { type PeerId, peerIdFromBytes } from '@peerkit/identity'
import { isBytes, isRecord } from './assert'
import { MAX_RECEIPT_BYTES, MAX_TRADE_ID_BYTES, RECEIPT_DOMAIN, RECEIPT_VERSION } from './constants'
import { InvalidReceiptError, NotAPartyError, SelfRatingError } from './errors'

/** Longest outcome word accepted. */
const MAX_OUTCOME_LENGTH = 64

/** A receipt that opened, seen from one of its parties. */
export interface OpenedReceipt {
  /** Content id bytes of the trade's terms envelope. */
  readonly trade: Uint8Array
  /** The two parties, in the terms' role order. */
  readonly parties: readonly [PeerId, PeerId]
  /** The other party (not the one the receipt was opened for). */
  readonly other: PeerId
  readonly outcome: string
  /** When the trade ended (ms). */
  readonly at: number
  /** Everyone who signed the receipt (both parties, and any further countersigner). */
  readonly signers: readonly PeerId[]
}

/** The rules a receipt is opened under. */
export interface ReceiptRules {
  readonly now: number
  readonly maxSkewMs: number
  readonly maxAgeMs: number
  readonly cache?: VerifyCache | undefined
}

function malformed(message: string): InvalidReceiptError {
  return new InvalidReceiptError(`malformed receipt payload: ${message}`)
}

function partyOf(value: Value | undefined, position: number): PeerId {
  if (!isBytes(value)) throw malformed(`parties[${position}] must be bytes`)
  try {
    return peerIdFromBytes(value)
  } catch (error) {
    throw new InvalidReceiptError(`parties[${position}] is not a peer id`, { cause: error })
  }
}

/**
 * Opens a receipt for one of its parties: every signature on it must verify, `party` must
 * have signed it and be named in it, and the other named party must have signed it too.
 * @param bytes - the receipt envelope
 * @param party - the peer the receipt is opened for (a rater)
 * @param rules - clock and time window (and an optional verify cache)
 * @returns the receipt's contents and the other party
 * @throws NotAPartyError when `party` did not sign it or is not named in it;
 *   SelfRatingError when it names one peer as both parties; InvalidReceiptError when it
 *   does not open, is malformed, or the other party did not sign it
 * @example
 * openReceiptFor(receipt, alice.peerId, { now, maxSkewMs: 300_000, maxAgeMs: Infinity })
 */
export function openReceiptFor(
  bytes: Uint8Array,
  party: PeerId,
  rules: ReceiptRules,
): OpenedReceipt {
  let opened: ReturnType<typeof openMulti>
  try {
    opened = openMulti(bytes, {
      domain: RECEIPT_DOMAIN,
      now: rules.now,
      maxSkewMs: rules.maxSkewMs,
      maxAgeMs: rules.maxAgeMs,
      cache: rules.cache,
      maxBytes: MAX_RECEIPT_BYTES,
      signers: [party],
      threshold: 1,
    })
  } catch (error) {
    if (isEnvelopeError(error, 'InsufficientSignaturesError')) {
      throw new NotAPartyError('the rater did not sign the receipt')
    }
    if (isEnvelopeError(error))
      throw new InvalidReceiptError('the receipt does not open', { cause: error })
    throw error
  }
  const payload = opened.payload
  if (!isRecord(payload)) throw malformed('not a map')
  const keys = Object.keys(payload).sort().join(',')
  if (keys !== 'at,outcome,parties,trade,v') throw malformed(`unexpected keys ${keys}`)
  if (payload.v !== RECEIPT_VERSION) throw malformed(`version ${String(payload.v)}`)
  const { trade, parties, outcome, at } = payload
  if (!isBytes(trade) || trade.length === 0 || trade.length > MAX_TRADE_ID_BYTES) {
    throw malformed(`trade must be 1 to ${MAX_TRADE_ID_BYTES} bytes`)
  }
  if (!Array.isArray(parties) || parties.length !== 2)
    throw malformed('parties must be two peer ids')
  const first = partyOf(parties[0], 0)
  const second = partyOf(parties[1], 1)
  if (typeof outcome !== 'string' || outcome.length === 0 || outcome.length > MAX_OUTCOME_LENGTH) {
    throw malformed(`outcome must be a string of 1 to ${MAX_OUTCOME_LENGTH} characters`)
  }
  if (typeof at !== 'number' || !Number.isSafeInteger(at) || at < 0)
    throw malformed('at must be a time')
  if (first.equals(second)) throw new SelfRatingError('the receipt names one peer as both parties')
  const other = first.equals(party) ? second : second.equals(party) ? first : undefined
  if (other === undefined) throw new NotAPartyError('the rater is not named in the receipt')
  const signedByOther = opened.signers.some((signer) =>
    equalBytes(signer.publicKey, other.publicKey),
  )
  if (!signedByOther)
    throw new InvalidReceiptError('the receipt is not countersigned by the other party')
  return { trade, parties: [first, second], other, outcome, at, signers: opened.signers }
}
