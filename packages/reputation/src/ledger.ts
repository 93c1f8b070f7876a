/**
 * The rating ledger: accepts a rating only if it is backed by a real trade — the rater
 * signed it, it carries that trade's receipt signed by both parties, the rater was one
 * party and the ratee the other — and only the first rating by a rater for a trade.
 * Everything else is refused with a typed error and leaves the ledger as it was.
 *
 * @example
 * const ledger = createRatingLedger()
 * const accepted = ledger.accept(ratingBytes, now)
 * localTrust.addRating(accepted)
 */
import { equalBytes, toHex } from '@peerkit/codec'
import { isEnvelopeError, open, type VerifyCache } from '@peerkit/envelope'
import { type PeerId, peerIdFromBytes } from '@peerkit/identity'
import { assertBytes, assertTime, isBytes, isRecord } from './assert'
import {
  DEFAULT_MAX_SKEW_MS,
  DEFAULT_RATING_MAX_AGE_MS,
  DEFAULT_RECEIPT_MAX_AGE_MS,
  MAX_COMMENT_LENGTH,
  MAX_RATING_BYTES,
  MAX_TRADE_ID_BYTES,
  RATING_DOMAIN,
  RATING_SCORES,
  RATING_VERSION,
} from './constants'
import {
  DuplicateRatingError,
  InvalidParamsError,
  InvalidRatingError,
  MalformedRatingError,
  MissingReceiptError,
  SelfRatingError,
  TradeMismatchError,
  WrongRateeError,
} from './errors'
import { openReceiptFor } from './receipt'
import type { PeerKey } from './scorer'

/** A rating the ledger accepted. */
export interface AcceptedRating {
  /** The rating envelope's id (content id text). */
  readonly id: string
  /** The rater (`PeerId` text). */
  readonly rater: PeerKey
  /** The ratee (`PeerId` text). */
  readonly ratee: PeerKey
  /** The trade, as hex of its content id bytes. */
  readonly trade: string
  readonly score: -1 | 0 | 1
  readonly comment: string | undefined
  /** When the rating was made (ms). */
  readonly timestamp: number
  /** The receipt's outcome word (`released`, `refunded`, …). */
  readonly outcome: string
  /** When the trade ended (ms). */
  readonly tradeAt: number
}

/** Options of `createRatingLedger`. */
export interface RatingLedgerOptions {
  /** How far ahead of `now` a rating or receipt may be timestamped (ms). */
  readonly maxSkewMs?: number
  /** Oldest rating accepted (ms). */
  readonly ratingMaxAgeMs?: number
  /** Oldest receipt a rating may carry (ms). */
  readonly receiptMaxAgeMs?: number
  /** A verify cache shared with other openers (`@peerkit/envelope`). */
  readonly cache?: VerifyCache
}

/** Accepted ratings, at most one per rater and trade. */
export interface RatingLedger {
  /**
   * Checks a rating and, if it is acceptable, records it.
   * @throws InvalidArgumentError (bad bytes or time), InvalidRatingError, MalformedRatingError,
   *   MissingReceiptError, InvalidReceiptError, TradeMismatchError, NotAPartyError,
   *   WrongRateeError, SelfRatingError, DuplicateRatingError
   */
  accept(bytes: Uint8Array, now: number): AcceptedRating
  /** Whether `rater` has an accepted rating for `trade` (hex of its id bytes). */
  has(trade: string, rater: PeerKey): boolean
  /** Accepted ratings, in the order accepted. */
  ratings(): AcceptedRating[]
  readonly size: number
}

const PAYLOAD_KEYS = new Set(['v', 'trade', 'ratee', 'score', 'receipt', 'comment'])

function windowOption(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !(value >= 0)) {
    throw new InvalidParamsError(name, `${name} must be a number of ms >= 0 (Infinity allowed)`)
  }
  return value
}

function parsePayload(payload: unknown): {
  trade: Uint8Array
  ratee: PeerId
  score: -1 | 0 | 1
  receipt: Uint8Array
  comment: string | undefined
} {
  if (!isRecord(payload)) throw new MalformedRatingError('the payload is not a map')
  for (const key of Object.keys(payload)) {
    if (!PAYLOAD_KEYS.has(key)) throw new MalformedRatingError(`unexpected key "${key}"`)
  }
  if (payload.v !== RATING_VERSION)
    throw new MalformedRatingError(`unsupported version ${String(payload.v)}`)
  const { trade, ratee, score, receipt, comment } = payload
  if (!isBytes(trade) || trade.length === 0 || trade.length > MAX_TRADE_ID_BYTES) {
    throw new MalformedRatingError(`trade must be 1 to ${MAX_TRADE_ID_BYTES} bytes`)
  }
  if (!isBytes(ratee)) throw new MalformedRatingError('ratee must be peer id bytes')
  let rateeId: PeerId
  try {
    rateeId = peerIdFromBytes(ratee)
  } catch {
    throw new MalformedRatingError('ratee is not a peer id')
  }
  if (!(RATING_SCORES as readonly unknown[]).includes(score)) {
    throw new MalformedRatingError(`score must be one of ${RATING_SCORES.join(', ')}`)
  }
  if (
    comment !== undefined &&
    (typeof comment !== 'string' || comment.length > MAX_COMMENT_LENGTH)
  ) {
    throw new MalformedRatingError(
      `comment must be a string of at most ${MAX_COMMENT_LENGTH} characters`,
    )
  }
  if (receipt === undefined) throw new MissingReceiptError()
  if (!isBytes(receipt) || receipt.length === 0)
    throw new MissingReceiptError('the receipt is not envelope bytes')
  return { trade, ratee: rateeId, score: score as -1 | 0 | 1, receipt, comment }
}

/**
 * Creates an empty rating ledger.
 * @param options - time windows and an optional verify cache
 * @returns the ledger
 * @throws InvalidParamsError for a negative or non-numeric window
 * @example
 * const ledger = createRatingLedger({ ratingMaxAgeMs: 7 * 24 * 3_600_000 })
 * try { ledger.accept(bytes, now) } catch (e) { if (isReputationError(e)) drop(bytes) }
 */
export function createRatingLedger(options: RatingLedgerOptions = {}): RatingLedger {
  if (!isRecord(options)) throw new InvalidParamsError('options', 'options must be an object')
  const maxSkewMs = windowOption(options.maxSkewMs, 'maxSkewMs', DEFAULT_MAX_SKEW_MS)
  const ratingMaxAgeMs = windowOption(
    options.ratingMaxAgeMs,
    'ratingMaxAgeMs',
    DEFAULT_RATING_MAX_AGE_MS,
  )
  const receiptMaxAgeMs = windowOption(
    options.receiptMaxAgeMs,
    'receiptMaxAgeMs',
    DEFAULT_RECEIPT_MAX_AGE_MS,
  )
  const cache = (options as RatingLedgerOptions).cache
  /** Accepted ratings by `trade hex / rater`. */
  const accepted = new Map<string, AcceptedRating>()

  return {
    get size() {
      return accepted.size
    },

    has(trade, rater) {
      return accepted.has(`${trade}/${rater}`)
    },

    ratings() {
      return [...accepted.values()]
    },

    accept(bytes, now) {
      assertBytes(bytes, 'bytes')
      assertTime(now, 'now')
      let opened: ReturnType<typeof open>
      try {
        opened = open(bytes, {
          domain: RATING_DOMAIN,
          now,
          maxSkewMs,
          maxAgeMs: ratingMaxAgeMs,
          cache,
          maxBytes: MAX_RATING_BYTES,
        })
      } catch (error) {
        if (isEnvelopeError(error) && error.name !== 'InvalidArgumentError') {
          throw new InvalidRatingError(`the rating does not open (${error.name})`, { cause: error })
        }
        throw error
      }
      const rater = opened.signer
      const payload = parsePayload(opened.payload)
      if (payload.ratee.equals(rater)) throw new SelfRatingError()
      const tradeHex = toHex(payload.trade)
      const key = `${tradeHex}/${rater.toString()}`
      // cheap refusals first: a replayed rating costs no receipt verification
      if (accepted.has(key)) throw new DuplicateRatingError()
      const receipt = openReceiptFor(payload.receipt, rater, {
        now,
        maxSkewMs,
        maxAgeMs: receiptMaxAgeMs,
        cache,
      })
      if (!equalBytes(receipt.trade, payload.trade)) throw new TradeMismatchError()
      if (!receipt.other.equals(payload.ratee)) throw new WrongRateeError()
      if (opened.timestamp < receipt.at) {
        throw new InvalidRatingError('the rating is dated before the trade ended')
      }
      const rating: AcceptedRating = Object.freeze({
        id: opened.id.toString(),
        rater: rater.toString(),
        ratee: payload.ratee.toString(),
        trade: tradeHex,
        score: payload.score,
        comment: payload.comment,
        timestamp: opened.timestamp,
        outcome: receipt.outcome,
        tradeAt: receipt.at,
      })
      accepted.set(key, rating)
      return rating
    },
  }
}
