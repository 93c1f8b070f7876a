/**
 * Typed errors of @peerkit/envelope. Each failure has its own class with a stable `name`
 * equal to the class name; match on `name` (or use `isEnvelopeError`), never on message
 * text. Every error `open` throws leaves the replay guard and the verify cache unchanged.
 *
 * @example
 * try { open(bytes, rules) } catch (e) {
 *   if (isEnvelopeError(e, 'ReplayError')) return // seen before: drop quietly
 *   if (isEnvelopeError(e)) penalize(peer, e.name)
 * }
 */

/** Names of the errors this package throws. */
export type EnvelopeErrorName =
  | 'MalformedEnvelopeError'
  | 'UnsupportedVersionError'
  | 'LimitExceededError'
  | 'WrongDomainError'
  | 'NotYetValidError'
  | 'ExpiredError'
  | 'ReplayError'
  | 'BadSignatureError'
  | 'InsufficientSignaturesError'
  | 'InvalidArgumentError'
  | 'InvalidStateError'

/** The base of every error this package throws. */
export class EnvelopeError extends Error {
  override readonly name: EnvelopeErrorName

  constructor(name: EnvelopeErrorName, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = name
  }
}

/** The bytes are not an envelope: not canonical CBOR, the wrong shape, or a bad field. */
export class MalformedEnvelopeError extends EnvelopeError {
  constructor(message = 'malformed envelope', options?: { cause?: unknown }) {
    super('MalformedEnvelopeError', message, options)
  }
}

/** The envelope names a wire version this package does not read. */
export class UnsupportedVersionError extends EnvelopeError {
  /** The version found, when it could be read. */
  readonly version: number | bigint | undefined
  constructor(
    version: number | bigint | undefined,
    message = `unsupported envelope version ${String(version)}`,
  ) {
    super('UnsupportedVersionError', message)
    this.version = version
  }
}

/** A size, depth or count limit was exceeded; the rest of the input was not read. */
export class LimitExceededError extends EnvelopeError {
  /** Which limit: `maxBytes`, `maxDepth`, `maxItems`, `maxTotalItems` or `maxSignatures`. */
  readonly limit: string
  constructor(limit: string, message = `limit ${limit} exceeded`, options?: { cause?: unknown }) {
    super('LimitExceededError', message, options)
    this.limit = limit
  }
}

/** The envelope was sealed for another domain than the one being opened. */
export class WrongDomainError extends EnvelopeError {
  readonly expected: string
  readonly actual: string
  constructor(expected: string, actual: string) {
    super(
      'WrongDomainError',
      `envelope is for domain ${JSON.stringify(actual)}, not ${JSON.stringify(expected)}`,
    )
    this.expected = expected
    this.actual = actual
  }
}

/** The envelope's timestamp is further in the future than the allowed clock skew. */
export class NotYetValidError extends EnvelopeError {
  readonly timestamp: number
  readonly now: number
  constructor(timestamp: number, now: number) {
    super(
      'NotYetValidError',
      `envelope timestamp ${timestamp} is beyond the allowed skew at ${now}`,
    )
    this.timestamp = timestamp
    this.now = now
  }
}

/** Why an envelope is no longer valid. */
export type ExpiredReason = 'expires-at' | 'max-age'

/** The envelope's own expiry has passed, or it is older than the allowed age. */
export class ExpiredError extends EnvelopeError {
  /** `expires-at`: `now >= expiresAt`; `max-age`: `now - timestamp > maxAgeMs`. */
  readonly reason: ExpiredReason
  constructor(
    reason: ExpiredReason,
    message = reason === 'expires-at' ? 'envelope has expired' : 'envelope is too old',
  ) {
    super('ExpiredError', message)
    this.reason = reason
  }
}

/** Why a replay guard refused an envelope. */
export type ReplayReason = 'duplicate' | 'below-floor' | 'sequence' | 'sequence-missing'

/**
 * The replay guard refused the envelope: its body was accepted before (`duplicate`), it is
 * older than what the guard can still vouch for (`below-floor`, see the README), or its
 * sequence number is not above the last one accepted from its signer (`sequence`,
 * `sequence-missing`).
 */
export class ReplayError extends EnvelopeError {
  readonly reason: ReplayReason
  constructor(reason: ReplayReason, message = `replay refused (${reason})`) {
    super('ReplayError', message)
    this.reason = reason
  }
}

/** A signature on the envelope does not verify. */
export class BadSignatureError extends EnvelopeError {
  /** Which signature failed: 0 is the signer's, 1… are the countersignatures in wire order. */
  readonly index: number
  constructor(
    index: number,
    message = index === 0 ? 'bad signature' : `bad countersignature ${index}`,
  ) {
    super('BadSignatureError', message)
    this.index = index
  }
}

/** `openMulti` found fewer valid signatures from the listed peers than the threshold. */
export class InsufficientSignaturesError extends EnvelopeError {
  readonly found: number
  readonly threshold: number
  constructor(found: number, threshold: number) {
    super(
      'InsufficientSignaturesError',
      `${found} of the required ${threshold} signatures from listed peers`,
    )
    this.found = found
    this.threshold = threshold
  }
}

/** A caller passed a bad argument (a programming error, not bad input from a peer). */
export class InvalidArgumentError extends EnvelopeError {
  /** The argument's name, e.g. `options.domain`. */
  readonly argument: string
  constructor(argument: string, message = `invalid ${argument}`, options?: { cause?: unknown }) {
    super('InvalidArgumentError', message, options)
    this.argument = argument
  }
}

/** Saved replay-guard state that cannot be restored: corrupt, truncated or another format. */
export class InvalidStateError extends EnvelopeError {
  constructor(message = 'invalid saved replay-guard state', options?: { cause?: unknown }) {
    super('InvalidStateError', message, options)
  }
}

const names = new Set<string>([
  'MalformedEnvelopeError',
  'UnsupportedVersionError',
  'LimitExceededError',
  'WrongDomainError',
  'NotYetValidError',
  'ExpiredError',
  'ReplayError',
  'BadSignatureError',
  'InsufficientSignaturesError',
  'InvalidArgumentError',
  'InvalidStateError',
])

/**
 * True when `error` is an error of this package (of the given name, if one is given).
 * Checks the `name`, not the class, so it works across duplicate installs.
 * @param error - anything caught
 * @param name - optionally, the one error name to accept
 * @returns whether it is such an envelope error
 * @example
 * if (isEnvelopeError(e, 'ExpiredError')) console.log(e.reason)
 */
export function isEnvelopeError<N extends EnvelopeErrorName = EnvelopeErrorName>(
  error: unknown,
  name?: N,
): error is ErrorByName[N] {
  if (typeof error !== 'object' || error === null) return false
  const n = (error as { name?: unknown }).name
  if (typeof n !== 'string' || !names.has(n)) return false
  return name === undefined || n === name
}

/** The error class of each name, for `isEnvelopeError`'s narrowing. */
export interface ErrorByName {
  MalformedEnvelopeError: MalformedEnvelopeError
  UnsupportedVersionError: UnsupportedVersionError
  LimitExceededError: LimitExceededError
  WrongDomainError: WrongDomainError
  NotYetValidError: NotYetValidError
  ExpiredError: ExpiredError
  ReplayError: ReplayError
  BadSignatureError: BadSignatureError
  InsufficientSignaturesError: InsufficientSignaturesError
  InvalidArgumentError: InvalidArgumentError
  InvalidStateError: InvalidStateError
}
