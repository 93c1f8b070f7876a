/**
 * Typed errors of @peerkit/sim. Each class has a stable `name`; match on it (or use
 * `isSimError`), never on message text.
 *
 * @example
 * try { parseSimArgs(['--nodes', 'x']) } catch (e) { if (isSimError(e, 'InvalidArgumentError')) … }
 */

export type SimErrorName =
  | 'InvalidArgumentError'
  | 'UnknownFlagError'
  | 'UnknownStrategyError'
  | 'InvalidOptionError'
  | 'PartFailedError'

/** Base class of every error the simulator throws on purpose. */
export class SimError extends Error {
  override name: SimErrorName = 'InvalidOptionError'
}

/** A CLI flag has a value of the wrong kind or out of range. */
export class InvalidArgumentError extends SimError {
  override name = 'InvalidArgumentError' as const
  constructor(
    readonly flag: string,
    message = `invalid value for --${flag}`,
  ) {
    super(message)
  }
}

/** A CLI flag the simulator does not know. */
export class UnknownFlagError extends SimError {
  override name = 'UnknownFlagError' as const
  constructor(
    readonly flag: string,
    message = `unknown flag --${flag}`,
  ) {
    super(message)
  }
}

/** A strategy name that is not `plumtree`, `mesh` or `flood` (or a registered one). */
export class UnknownStrategyError extends SimError {
  override name = 'UnknownStrategyError' as const
  constructor(
    readonly strategy: string,
    message = `unknown strategy "${strategy}"`,
  ) {
    super(message)
  }
}

/** A simulator or run option is out of range or inconsistent. */
export class InvalidOptionError extends SimError {
  override name = 'InvalidOptionError' as const
  constructor(
    readonly option: string,
    message = `invalid option "${option}"`,
  ) {
    super(message)
  }
}

/** A part of a split run failed or fell silent, so the run cannot finish. */
export class PartFailedError extends SimError {
  override name = 'PartFailedError' as const
}

/**
 * Tells whether a value is a simulator error, optionally of one name.
 * @param error - anything caught
 * @param name - the error name to match
 * @returns true when `error` is a `SimError` (of that name)
 */
export function isSimError<N extends SimErrorName>(
  error: unknown,
  name?: N,
): error is SimError & { name: N } {
  if (error === null || typeof error !== 'object') return false
  const found = (error as { name?: unknown }).name
  const names: readonly string[] = [
    'InvalidArgumentError',
    'UnknownFlagError',
    'UnknownStrategyError',
    'InvalidOptionError',
    'PartFailedError',
  ]
  if (typeof found !== 'string' || !names.includes(found)) return false
  return name === undefined || found === name
}
