/**
 * Typed errors of @peerkit/reputation. One class per failure, each with a stable `name`
 * equal to its class name; match on `name` (or `isReputationError`), never on the message.
 * Every function that throws one leaves the state it was given exactly as it was.
 *
 * @example
 * try { ledger.accept(bytes, now) } catch (e) {
 *   if (isReputationError(e, 'DuplicateRatingError')) drop(bytes)
 * }
 */

/** Names of every error this package throws. */
export type ReputationErrorName =
  | 'InvalidArgumentError'
  | 'InvalidParamsError'
  | 'PeerTableFullError'
  | 'InvalidMatrixError'
  | 'InvalidRatingError'
  | 'MalformedRatingError'
  | 'MissingReceiptError'
  | 'InvalidReceiptError'
  | 'TradeMismatchError'
  | 'NotAPartyError'
  | 'WrongRateeError'
  | 'SelfRatingError'
  | 'DuplicateRatingError'
  | 'UnattestedReceiptError'
  | 'NothingMovedError'
  | 'StaleRatingError'

/** Marks this package's errors, so a guard tells them from other packages' same-named ones. */
const brand = Symbol.for('@peerkit/reputation/error')

/** Base class of every error thrown by @peerkit/reputation. */
export class ReputationError extends Error {
  override readonly name: ReputationErrorName
  readonly [brand] = true
  constructor(name: ReputationErrorName, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = name
  }
}

/** A function argument has the wrong type or is out of range; `argument` names it. */
export class InvalidArgumentError extends ReputationError {
  override readonly name = 'InvalidArgumentError' as const
  /** Name of the offending argument. */
  readonly argument: string
  constructor(argument: string, message = `invalid argument "${argument}"`) {
    super('InvalidArgumentError', message)
    this.argument = argument
  }
}

/** Scorer or global-trust parameters are out of range or inconsistent; `param` names one. */
export class InvalidParamsError extends ReputationError {
  override readonly name = 'InvalidParamsError' as const
  /** Dotted path of the offending parameter, e.g. `thresholds.graylist`. */
  readonly param: string
  constructor(param: string, message = `invalid parameter "${param}"`) {
    super('InvalidParamsError', message)
    this.param = param
  }
}

/** The scorer tracks `maxPeers` peers and none of them may be forgotten early. */
export class PeerTableFullError extends ReputationError {
  override readonly name = 'PeerTableFullError' as const
  constructor(message = 'the peer table is full') {
    super('PeerTableFullError', message)
  }
}

/** A local-trust matrix is not a well-formed CSR matrix of non-negative finite values. */
export class InvalidMatrixError extends ReputationError {
  override readonly name = 'InvalidMatrixError' as const
  constructor(message = 'invalid local-trust matrix') {
    super('InvalidMatrixError', message)
  }
}

/** The rating envelope does not open: forged signature, wrong domain, expired, malformed. */
export class InvalidRatingError extends ReputationError {
  override readonly name = 'InvalidRatingError' as const
  constructor(message = 'the rating envelope does not open', options?: { cause?: unknown }) {
    super('InvalidRatingError', message, options)
  }
}

/** The rating opens but its payload is not a version-1 rating. */
export class MalformedRatingError extends ReputationError {
  override readonly name = 'MalformedRatingError' as const
  constructor(message = 'malformed rating payload') {
    super('MalformedRatingError', message)
  }
}

/** The rating carries no receipt of the trade it names. */
export class MissingReceiptError extends ReputationError {
  override readonly name = 'MissingReceiptError' as const
  constructor(message = 'the rating carries no trade receipt') {
    super('MissingReceiptError', message)
  }
}

/**
 * The receipt does not open as an escrow receipt signed by both parties (forged, signed by
 * one party only, wrong domain, expired) or its payload is not a version-1 receipt.
 */
export class InvalidReceiptError extends ReputationError {
  override readonly name = 'InvalidReceiptError' as const
  constructor(message = 'invalid trade receipt', options?: { cause?: unknown }) {
    super('InvalidReceiptError', message, options)
  }
}

/** The rating names one trade and carries the receipt of another. */
export class TradeMismatchError extends ReputationError {
  override readonly name = 'TradeMismatchError' as const
  constructor(message = 'the receipt is for another trade') {
    super('TradeMismatchError', message)
  }
}

/** The rater (the rating's signer) is not a party of the trade. */
export class NotAPartyError extends ReputationError {
  override readonly name = 'NotAPartyError' as const
  constructor(message = 'the rater is not a party of the trade') {
    super('NotAPartyError', message)
  }
}

/** The ratee is not the other party of the trade. */
export class WrongRateeError extends ReputationError {
  override readonly name = 'WrongRateeError' as const
  constructor(message = 'the ratee is not the other party of the trade') {
    super('WrongRateeError', message)
  }
}

/** The rating rates its own signer (or the receipt names one peer as both parties). */
export class SelfRatingError extends ReputationError {
  override readonly name = 'SelfRatingError' as const
  constructor(message = 'a peer cannot rate itself') {
    super('SelfRatingError', message)
  }
}

/** This rater already has an accepted rating for this trade. */
export class DuplicateRatingError extends ReputationError {
  override readonly name = 'DuplicateRatingError' as const
  constructor(message = 'this rater already rated this trade') {
    super('DuplicateRatingError', message)
  }
}

/**
 * No settlement authority the ledger's policy trusts countersigned the receipt (or the only
 * such signature is a party's own): nobody but the two parties vouches that the trade settled.
 */
export class UnattestedReceiptError extends ReputationError {
  override readonly name = 'UnattestedReceiptError' as const
  constructor(message = 'no trusted settlement authority attested the receipt') {
    super('UnattestedReceiptError', message)
  }
}

/** The receipt's outcome is not one the policy counts: the trade moved no value. */
export class NothingMovedError extends ReputationError {
  override readonly name = 'NothingMovedError' as const
  constructor(message = 'the trade moved nothing: its outcome earns no rating') {
    super('NothingMovedError', message)
  }
}

/**
 * The rating is no newer than what the ledger already evicted to stay within its bounds
 * (or than everything a full rater keeps): accepting it would undo an eviction.
 */
export class StaleRatingError extends ReputationError {
  override readonly name = 'StaleRatingError' as const
  constructor(message = 'the rating is older than what the ledger evicts') {
    super('StaleRatingError', message)
  }
}

const names = new Set<string>([
  'InvalidArgumentError',
  'InvalidParamsError',
  'PeerTableFullError',
  'InvalidMatrixError',
  'InvalidRatingError',
  'MalformedRatingError',
  'MissingReceiptError',
  'InvalidReceiptError',
  'TradeMismatchError',
  'NotAPartyError',
  'WrongRateeError',
  'SelfRatingError',
  'DuplicateRatingError',
  'UnattestedReceiptError',
  'NothingMovedError',
  'StaleRatingError',
])

/**
 * True when `error` is an error of this package (of the given name, if one is given).
 * Works across duplicate installs: it checks the `name` and a registered-symbol brand, not
 * the class.
 * @param error - anything caught
 * @param name - optionally, the one error name to accept
 * @returns whether it is such an error
 * @example
 * if (isReputationError(e, 'NotAPartyError')) blame(sender)
 */
export function isReputationError<N extends ReputationErrorName>(
  error: unknown,
  name?: N,
): error is ReputationError & { name: N } {
  if (typeof error !== 'object' || error === null) return false
  const n = (error as { name?: unknown }).name
  if (typeof n !== 'string' || !names.has(n)) return false
  if ((error as { [brand]?: unknown })[brand] !== true) return false
  return name === undefined || n === name
}
