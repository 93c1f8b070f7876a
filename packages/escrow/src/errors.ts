/**
 * Typed errors of @peerkit/escrow. One class per failure, each with a stable `name`
 * equal to its class name; match on `name` (or `isEscrowError`), never on the message.
 * A rejected step comes back from `apply` as one of the `StepRejection` classes.
 *
 * @example
 * const r = apply(state, bytes, now)
 * if (!r.ok && r.error.name === 'TooLateError') console.log('the deadline passed')
 */

/** Base class of every error thrown or returned by @peerkit/escrow. */
export class EscrowError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
  }
  override readonly name: string = 'EscrowError'
}

/** The machine definition given to `defineEscrow` is not well formed. */
export class InvalidDefinitionError extends EscrowError {
  override readonly name = 'InvalidDefinitionError' as const
}
/** A transition of the definition leaves a terminal state. */
export class TransitionFromTerminalError extends EscrowError {
  override readonly name = 'TransitionFromTerminalError' as const
}
/** A state of the definition cannot be reached from the initial state. */
export class UnreachableStateError extends EscrowError {
  override readonly name = 'UnreachableStateError' as const
}
/** A transition names a deadline that the terms do not declare. */
export class UnknownDeadlineError extends EscrowError {
  override readonly name = 'UnknownDeadlineError' as const
}

/** A function argument is not of the expected type or range. */
export class InvalidArgumentError extends EscrowError {
  override readonly name = 'InvalidArgumentError' as const
}
/** Terms are malformed, do not fit the machine, or are not signed by every party. */
export class InvalidTermsError extends EscrowError {
  override readonly name = 'InvalidTermsError' as const
}

/** The step is not a well-formed step envelope of this protocol version. */
export class MalformedStepError extends EscrowError {
  override readonly name = 'MalformedStepError' as const
}
/** A signature on the step does not verify. */
export class ForgedStepError extends EscrowError {
  override readonly name = 'ForgedStepError' as const
}
/** The step belongs to another trade (a step replayed from elsewhere). */
export class ReplayedStepError extends EscrowError {
  override readonly name = 'ReplayedStepError' as const
}
/** The step's signer is not the peer the terms name for the role it claims. */
export class WrongSignerError extends EscrowError {
  override readonly name = 'WrongSignerError' as const
}
/** The step is signed by a role that may not take this transition. */
export class WrongRoleError extends EscrowError {
  override readonly name = 'WrongRoleError' as const
}
/** The step names a transition the machine does not define. */
export class UnknownActionError extends EscrowError {
  override readonly name = 'UnknownActionError' as const
}
/** The transition is not allowed from the current state. */
export class TransitionNotAllowedError extends EscrowError {
  override readonly name = 'TransitionNotAllowedError' as const
}
/** The step's payload fails the transition's guard. */
export class GuardRejectedError extends EscrowError {
  override readonly name = 'GuardRejectedError' as const
}
/** The step does not link to the current head of the log. */
export class BrokenLinkError extends EscrowError {
  override readonly name = 'BrokenLinkError' as const
}
/** The step is for a later position than the log has reached: earlier steps are missing. */
export class StepGapError extends EscrowError {
  override readonly name = 'StepGapError' as const
  /** The position the early step claims. */
  readonly seq: number
  constructor(message: string, seq: number, options?: { cause?: unknown }) {
    super(message, options)
    this.seq = seq
  }
}
/** A different step already holds this position in the log (the log was forked). */
export class ForkError extends EscrowError {
  override readonly name = 'ForkError' as const
}
/** The transition may only happen after a deadline that has not passed yet. */
export class TooEarlyError extends EscrowError {
  override readonly name = 'TooEarlyError' as const
}
/** The transition may only happen before a deadline that has passed. */
export class TooLateError extends EscrowError {
  override readonly name = 'TooLateError' as const
}

/** An account holds less than an operation needs. */
export class InsufficientFundsError extends EscrowError {
  override readonly name = 'InsufficientFundsError' as const
}
/** A vault operation names a lock that does not exist. */
export class UnknownLockError extends EscrowError {
  override readonly name = 'UnknownLockError' as const
}
/** A lock with this id already exists with other contents. */
export class LockExistsError extends EscrowError {
  override readonly name = 'LockExistsError' as const
}
/** A payout would take more from a lock than it holds. */
export class OverdrawnLockError extends EscrowError {
  override readonly name = 'OverdrawnLockError' as const
}
/** An idempotency key was reused for a different operation. */
export class IdempotencyConflictError extends EscrowError {
  override readonly name = 'IdempotencyConflictError' as const
}

/** A stored log is damaged beyond its last committed record or does not replay. */
export class CorruptLogError extends EscrowError {
  override readonly name = 'CorruptLogError' as const
}
/** A receipt was asked for a trade that has not reached a terminal state. */
export class NotTerminalError extends EscrowError {
  override readonly name = 'NotTerminalError' as const
}
/** The local signer holds no role that may take the requested action. */
export class NotMyRoleError extends EscrowError {
  override readonly name = 'NotMyRoleError' as const
}
/** An acknowledgement frame is malformed or names another trade. */
export class InvalidAckError extends EscrowError {
  override readonly name = 'InvalidAckError' as const
}

/** Two signed steps shown as an equivocation are valid but compatible: one log can hold both. */
export class NotEquivocationError extends EscrowError {
  override readonly name = 'NotEquivocationError' as const
}

/** Every error a step can be rejected with by `apply`. */
export type StepRejection =
  | MalformedStepError
  | ForgedStepError
  | ReplayedStepError
  | WrongSignerError
  | WrongRoleError
  | UnknownActionError
  | TransitionNotAllowedError
  | GuardRejectedError
  | BrokenLinkError
  | StepGapError
  | ForkError
  | TooEarlyError
  | TooLateError

/**
 * Whether a value is an error of this package, optionally of one class by name.
 * @param value - anything caught or returned
 * @param name - the class name to match, for example `'TooLateError'`
 * @returns true when `value` is an escrow error (named `name` if given)
 * @example if (isEscrowError(e, 'ForkError')) resync()
 */
export function isEscrowError(value: unknown, name?: string): value is EscrowError {
  if (!(value instanceof Error)) return false
  // match by name as well as by class, so duplicate installs still agree
  if (!(value instanceof EscrowError) && !ESCROW_ERROR_NAMES.has(value.name)) return false
  return name === undefined || value.name === name
}

const ESCROW_ERROR_NAMES = new Set([
  'EscrowError',
  'InvalidDefinitionError',
  'TransitionFromTerminalError',
  'UnreachableStateError',
  'UnknownDeadlineError',
  'InvalidArgumentError',
  'InvalidTermsError',
  'MalformedStepError',
  'ForgedStepError',
  'ReplayedStepError',
  'WrongSignerError',
  'WrongRoleError',
  'UnknownActionError',
  'TransitionNotAllowedError',
  'GuardRejectedError',
  'BrokenLinkError',
  'StepGapError',
  'ForkError',
  'TooEarlyError',
  'TooLateError',
  'InsufficientFundsError',
  'UnknownLockError',
  'LockExistsError',
  'OverdrawnLockError',
  'IdempotencyConflictError',
  'CorruptLogError',
  'NotTerminalError',
  'NotMyRoleError',
  'InvalidAckError',
  'NotEquivocationError',
])
