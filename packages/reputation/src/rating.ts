/**
 * Ratings: an envelope (domain `peerkit/rating/1`) by which one party of a completed trade
 * rates the other, carrying the receipt both parties signed. Payload:
 * `{ v: 1, trade: bytes, ratee: bytes (PeerId.toBytes()), score: -1 | 0 | 1, receipt: bytes,
 * comment?: string }`. The rater is the envelope's signer.
 *
 * @example
 * const rating = await sealRating(alice, { receipt, score: 1, timestamp: now })
 * ledger.accept(rating, now).ratee // bob's key
 */
import type { Value } from '@peerkit/codec'
import { seal, type VerifyCache } from '@peerkit/envelope'
import type { Signer } from '@peerkit/identity'
import { assertBytes, assertTime, isRecord } from './assert'
import {
  DEFAULT_MAX_SKEW_MS,
  DEFAULT_RECEIPT_MAX_AGE_MS,
  MAX_COMMENT_LENGTH,
  MAX_RATING_BYTES,
  MAX_RECEIPT_BYTES,
  RATING_DOMAIN,
  RATING_SCORES,
  RATING_VERSION,
} from './constants'
import { InvalidArgumentError } from './errors'
import { openReceiptFor } from './receipt'

/** What a rater says about a trade. */
export interface RatingInput {
  /** The receipt of the trade, signed by both parties. */
  readonly receipt: Uint8Array
  /** -1 (bad), 0 (neutral) or 1 (good). */
  readonly score: -1 | 0 | 1
  /** When the rating is made (ms). */
  readonly timestamp: number
  /** Optional free text, at most `MAX_COMMENT_LENGTH` characters. */
  readonly comment?: string | undefined
}

/** Options of `sealRating`. */
export interface SealRatingOptions {
  /** A verify cache (`@peerkit/envelope`): the receipt's signatures are checked once. */
  readonly cache?: VerifyCache | undefined
}

/** Throws unless `score` is one of `RATING_SCORES`. */
function assertScore(score: unknown, argument: string): asserts score is -1 | 0 | 1 {
  if (!(RATING_SCORES as readonly unknown[]).includes(score)) {
    throw new InvalidArgumentError(
      argument,
      `${argument} must be one of ${RATING_SCORES.join(', ')}`,
    )
  }
}

/**
 * Seals a rating of the other party of a completed trade. The receipt is opened first, so
 * a rating this function returns is one a ledger can accept (if it is the rater's first
 * for the trade): the ratee is the receipt's other party.
 * @param signer - the rater, a party of the trade
 * @param input - the receipt, the score, the time, an optional comment
 * @param options - an optional verify cache shared with the ledger
 * @returns the rating envelope bytes
 * @throws InvalidArgumentError for a bad score, time or comment; the receipt errors of
 *   `createRatingLedger().accept` (NotAPartyError, InvalidReceiptError, SelfRatingError)
 * @example
 * const rating = await sealRating(alice, { receipt, score: -1, timestamp: now, comment: 'never paid' })
 */
export async function sealRating(
  signer: Signer,
  input: RatingInput,
  options: SealRatingOptions = {},
): Promise<Uint8Array> {
  if (!isRecord(input)) throw new InvalidArgumentError('input', 'input must be an object')
  assertBytes(input.receipt, 'input.receipt', MAX_RECEIPT_BYTES)
  assertScore(input.score, 'input.score')
  assertTime(input.timestamp, 'input.timestamp')
  const { comment } = input
  if (
    comment !== undefined &&
    (typeof comment !== 'string' || comment.length > MAX_COMMENT_LENGTH)
  ) {
    throw new InvalidArgumentError(
      'input.comment',
      `input.comment must be a string of at most ${MAX_COMMENT_LENGTH} characters`,
    )
  }
  const receipt = openReceiptFor(input.receipt, signer.peerId, {
    now: input.timestamp,
    maxSkewMs: DEFAULT_MAX_SKEW_MS,
    maxAgeMs: DEFAULT_RECEIPT_MAX_AGE_MS,
    cache: options.cache,
  })
  const payload: Record<string, Value> = {
    v: RATING_VERSION,
    trade: receipt.trade,
    ratee: receipt.other.toBytes(),
    score: input.score,
    receipt: input.receipt,
  }
  if (comment !== undefined) payload.comment = comment
  return seal(signer, {
    domain: RATING_DOMAIN,
    payload,
    timestamp: input.timestamp,
    maxBytes: MAX_RATING_BYTES,
  })
}
