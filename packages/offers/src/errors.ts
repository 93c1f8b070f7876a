/**
 * Typed errors of @peerkit/offers. One class per failure, each with a stable `name` equal
 * to its class name; match on `name` (or `isOffersError`), never on the message. A book
 * that refuses an offer returns one of the `OfferRejection` classes and changes nothing.
 *
 * @example
 * const r = book.add(bytes, now)
 * if (r.status === 'rejected' && r.error.name === 'ForgedOfferError') report(sender)
 */

/** Base class of every error thrown or returned by @peerkit/offers. */
export class OffersError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
  }
  override readonly name: string = 'OffersError'
}

/** A function argument is not of the expected type or range. */
export class InvalidArgumentError extends OffersError {
  override readonly name = 'InvalidArgumentError' as const
}
/** The offer envelope is larger than the book reads. */
export class OfferTooLargeError extends OffersError {
  override readonly name = 'OfferTooLargeError' as const
}
/** The bytes are not an offer envelope, or its payload is not a well-formed offer or cancel. */
export class MalformedOfferError extends OffersError {
  override readonly name = 'MalformedOfferError' as const
}
/** The offer's signature does not verify. */
export class ForgedOfferError extends OffersError {
  override readonly name = 'ForgedOfferError' as const
}
/** The offer's expiry has passed. */
export class ExpiredOfferError extends OffersError {
  override readonly name = 'ExpiredOfferError' as const
}
/** The offer is dated further ahead than the clock skew allows. */
export class NotYetValidOfferError extends OffersError {
  override readonly name = 'NotYetValidOfferError' as const
}
/** The offer lives longer than the book allows (an offer with no expiry is malformed). */
export class OfferLifetimeError extends OffersError {
  override readonly name = 'OfferLifetimeError' as const
}
/** A newer version of this offer is already held: the offer is a replay or out of date. */
export class StaleOfferError extends OffersError {
  override readonly name = 'StaleOfferError' as const
}
/** Another envelope with the same sequence number is held for this offer: the maker equivocated. */
export class ConflictingOfferError extends OffersError {
  override readonly name = 'ConflictingOfferError' as const
}
/** The maker cancelled this offer; a cancel is final. */
export class CancelledOfferError extends OffersError {
  override readonly name = 'CancelledOfferError' as const
}
/** The maker already holds as many offers (or cancels) in the book as one maker may. */
export class MakerLimitError extends OffersError {
  override readonly name = 'MakerLimitError' as const
}
/** The maker made more updates in the window than the book takes. */
export class MakerRateError extends OffersError {
  override readonly name = 'MakerRateError' as const
}
/** The book is full and the offer's maker already holds its fair share. */
export class BookFullError extends OffersError {
  override readonly name = 'BookFullError' as const
}
/** The book's admission policy refuses this maker (graylisted, below the trust floor). */
export class RefusedMakerError extends OffersError {
  override readonly name = 'RefusedMakerError' as const
}
/** A catch-up frame is malformed, of an unknown version, or over its limits. */
export class MalformedCatchUpError extends OffersError {
  override readonly name = 'MalformedCatchUpError' as const
}
/** Escrow terms offered to take an offer do not match it. */
export class TermsMismatchError extends OffersError {
  override readonly name = 'TermsMismatchError' as const
}
/** The offer to take is not (or no longer) in the book. */
export class UnknownOfferError extends OffersError {
  override readonly name = 'UnknownOfferError' as const
}

/** A market protocol frame is malformed, of an unknown version, or over its limits. */
export class MalformedMarketFrameError extends OffersError {
  override readonly name = 'MalformedMarketFrameError' as const
}
/** The maker declined to take the trade, or never answered. */
export class TakeDeclinedError extends OffersError {
  override readonly name = 'TakeDeclinedError' as const
}
/**
 * A step that only a deadline allows (expire, reclaim, settle, lapse) was not taken: the
 * other party has not yet shown that it holds this log and nothing after it, so it may
 * still have a step in flight that the deadline step would fork.
 */
export class OutOfSyncError extends OffersError {
  override readonly name = 'OutOfSyncError' as const
}
/**
 * A settlement authority was asked to attest a trade it cannot vouch for: the trade has
 * not ended, its outcome moved nothing, or the authority is one of its parties.
 */
export class NotAttestableError extends OffersError {
  override readonly name = 'NotAttestableError' as const
}
/** A receipt does not open with both parties' signatures, or does not match the trade's log. */
export class ReceiptMismatchError extends OffersError {
  override readonly name = 'ReceiptMismatchError' as const
}
/** The market was closed. */
export class MarketClosedError extends OffersError {
  override readonly name = 'MarketClosedError' as const
}

/** Why a book refused an offer. */
export type OfferRejection =
  | OfferTooLargeError
  | MalformedOfferError
  | ForgedOfferError
  | ExpiredOfferError
  | NotYetValidOfferError
  | OfferLifetimeError
  | StaleOfferError
  | ConflictingOfferError
  | CancelledOfferError
  | MakerLimitError
  | MakerRateError
  | BookFullError
  | RefusedMakerError

/** Every error name of this package. */
export type OffersErrorName =
  | 'OffersError'
  | OfferRejection['name']
  | 'InvalidArgumentError'
  | 'MalformedCatchUpError'
  | 'TermsMismatchError'
  | 'UnknownOfferError'
  | 'MalformedMarketFrameError'
  | 'TakeDeclinedError'
  | 'OutOfSyncError'
  | 'MarketClosedError'
  | 'NotAttestableError'
  | 'ReceiptMismatchError'

const NAMES: ReadonlySet<string> = new Set<OffersErrorName>([
  'OffersError',
  'InvalidArgumentError',
  'OfferTooLargeError',
  'MalformedOfferError',
  'ForgedOfferError',
  'ExpiredOfferError',
  'NotYetValidOfferError',
  'OfferLifetimeError',
  'StaleOfferError',
  'ConflictingOfferError',
  'CancelledOfferError',
  'MakerLimitError',
  'MakerRateError',
  'BookFullError',
  'RefusedMakerError',
  'MalformedCatchUpError',
  'TermsMismatchError',
  'UnknownOfferError',
  'MalformedMarketFrameError',
  'TakeDeclinedError',
  'OutOfSyncError',
  'MarketClosedError',
  'NotAttestableError',
  'ReceiptMismatchError',
])

/**
 * Whether `error` is an error of this package (by `name`, so it holds across duplicate installs).
 * @example if (isOffersError(e) && e.name === 'StaleOfferError') ignore()
 */
export function isOffersError(error: unknown): error is OffersError {
  return (
    error instanceof Error &&
    NAMES.has(error.name) &&
    (error as { isOffersError?: unknown }).isOffersError === true
  )
}

Object.defineProperty(OffersError.prototype, 'isOffersError', { value: true })
