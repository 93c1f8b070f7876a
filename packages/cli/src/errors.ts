/**
 * Typed errors of the `peerkit` command. Each carries the exit code the process ends with;
 * errors of the libraries it calls (a bad signature, a corrupt key file) keep their own names
 * and end the process with `EXIT_FAILURE`.
 */
import { EXIT_FAILURE, EXIT_USAGE } from './constants'

/** Base class of the command's own errors. */
export class CliError extends Error {
  /** The process exit code this error ends with. */
  readonly exitCode: number
  constructor(message: string, exitCode: number) {
    super(message)
    this.exitCode = exitCode
  }
}

/** The command line cannot be run: an unknown command or flag, a missing or bad value. */
export class UsageError extends CliError {
  override readonly name = 'UsageError'
  constructor(message: string) {
    super(message, EXIT_USAGE)
  }
}

/** No password for the identity's key files: `PEERKIT_PASSWORD` is unset or empty. */
export class MissingPasswordError extends CliError {
  override readonly name = 'MissingPasswordError'
  constructor(variable: string) {
    super(`set ${variable} to the password of the identity's key files`, EXIT_USAGE)
  }
}

/** Why an identity directory cannot be used. */
export type IdentityDirReason = 'missing' | 'exists' | 'not-a-directory' | 'bad-chain' | 'bad-key'

/** The identity directory is missing, already exists, or its files do not fit together. */
export class IdentityDirError extends CliError {
  override readonly name = 'IdentityDirError'
  readonly reason: IdentityDirReason
  constructor(reason: IdentityDirReason, message: string) {
    super(message, EXIT_FAILURE)
    this.reason = reason
  }
}

/** An input is larger than the command reads. */
export class InputTooLargeError extends CliError {
  override readonly name = 'InputTooLargeError'
  constructor(what: string, limit: number) {
    super(`${what} is larger than ${limit} bytes`, EXIT_FAILURE)
  }
}

/** The envelope verified but its signer is not the one required by `--signer`. */
export class UnexpectedSignerError extends CliError {
  override readonly name = 'UnexpectedSignerError'
  constructor(expected: string, actual: string) {
    super(`signed by ${actual}, not ${expected}`, EXIT_FAILURE)
  }
}

/**
 * True for the command's own errors.
 * @example
 * isCliError(new UsageError('no command')) // true
 */
export function isCliError(error: unknown): error is CliError {
  return error instanceof CliError
}
