/** Command-line parsing shared by the commands: strict flags, typed usage errors. */
import { type ParseArgsConfig, parseArgs } from 'node:util'
import { PASSWORD_ENV } from './constants'
import { MissingPasswordError, UsageError } from './errors'
import type { CliIo } from './io'

type Options = NonNullable<ParseArgsConfig['options']>

/** Parsed flags and positional arguments. */
export interface Parsed {
  readonly values: Record<string, string | boolean | (string | boolean)[] | undefined>
  readonly positionals: string[]
}

/**
 * Parses `argv` strictly: an unknown flag or a missing value is a `UsageError`.
 * @param argv - the arguments after the command name
 * @param options - the flags the command takes
 * @param positionals - how many positional arguments it takes at most
 * @returns the flags and positionals
 * @throws UsageError for anything else
 * @example
 * parseFlags(['--dir', 'x'], { dir: { type: 'string' } }).values.dir // 'x'
 */
export function parseFlags(argv: string[], options: Options, positionals = 0): Parsed {
  let parsed: Parsed
  try {
    parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: positionals > 0 })
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
  if (parsed.positionals.length > positionals)
    throw new UsageError(`unexpected argument: ${parsed.positionals[positionals]}`)
  return parsed
}

/**
 * A flag's value as a non-negative integer, or `fallback` when it is not given.
 * @param value - the flag's text
 * @param flag - its name, for the error
 * @param fallback - the value when absent
 * @returns the integer
 * @throws UsageError for anything but decimal digits
 * @example
 * integerFlag('500', '--expires-in', undefined) // 500
 */
export function integerFlag<T>(value: unknown, flag: string, fallback: T): number | T {
  if (value === undefined) return fallback
  if (typeof value !== 'string' || !/^\d{1,15}$/.test(value))
    throw new UsageError(`${flag} takes a whole number, not ${String(value)}`)
  return Number(value)
}

/**
 * The password of the identity's key files, from `PEERKIT_PASSWORD`.
 * @param io - the command's environment
 * @returns the password
 * @throws MissingPasswordError when it is unset or empty
 * @example
 * const password = passwordOf(io)
 */
export function passwordOf(io: CliIo): string {
  const password = io.env[PASSWORD_ENV]
  if (password === undefined || password.length === 0) throw new MissingPasswordError(PASSWORD_ENV)
  return password
}

/** True when `--help` or `-h` is among the arguments. */
export function wantsHelp(argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h')
}
