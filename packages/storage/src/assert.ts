/**
 * Input checks shared by every store of the contract, so each refuses the same inputs
 * with the same typed error.
 *
 * @example
 * assertLogName(name)
 * assertRecords(records, store.limits)
 */
import { isBytes } from '@peerkit/codec'
import { MAX_LOG_NAME_LENGTH, type StoreLimits } from './constants'
import { InvalidArgumentError, RecordTooLargeError } from './errors'

const LOG_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/

/**
 * Throws unless `name` is a log name that is safe as a file name on every system:
 * 1 to 200 letters, digits, ".", "_" or "-", not starting with ".".
 * @throws {InvalidArgumentError}
 */
export function assertLogName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.length > MAX_LOG_NAME_LENGTH || !LOG_NAME.test(name)) {
    throw new InvalidArgumentError(
      'log name must be 1 to 200 letters, digits, ".", "_" or "-", not starting with "."',
    )
  }
}

/** What each record of an append counts toward `maxAppendBytes` beyond its own bytes. */
const RECORD_OVERHEAD_BYTES = 16

/**
 * Throws unless `records` is a non-empty array of byte arrays within the limits.
 * @returns what the append counts toward `maxAppendBytes`
 * @throws {InvalidArgumentError | RecordTooLargeError}
 */
export function assertRecords(records: unknown, limits: StoreLimits): number {
  if (!Array.isArray(records) || records.length === 0)
    throw new InvalidArgumentError('records must be a non-empty array of Uint8Array')
  let total = 0
  for (const record of records) {
    if (!isBytes(record)) throw new InvalidArgumentError('records must be Uint8Array')
    if (record.length > limits.maxRecordBytes)
      throw new RecordTooLargeError(`a record is over ${limits.maxRecordBytes} bytes`)
    total += record.length + RECORD_OVERHEAD_BYTES
  }
  if (total > limits.maxAppendBytes)
    throw new RecordTooLargeError(`an append is over ${limits.maxAppendBytes} bytes`)
  return total
}

/**
 * Throws unless `snapshot` is bytes within the limit and `through` a count in `[0, held]`.
 * @throws {InvalidArgumentError | RecordTooLargeError}
 */
export function assertCompaction(
  snapshot: unknown,
  through: unknown,
  held: number,
  limits: StoreLimits,
): asserts snapshot is Uint8Array {
  if (!isBytes(snapshot)) throw new InvalidArgumentError('snapshot must be a Uint8Array')
  if (snapshot.length > limits.maxSnapshotBytes)
    throw new RecordTooLargeError(`a snapshot is over ${limits.maxSnapshotBytes} bytes`)
  if (
    typeof through !== 'number' ||
    !Number.isSafeInteger(through) ||
    through < 0 ||
    through > held
  )
    throw new InvalidArgumentError(`through must be an integer from 0 to ${held}`)
}

/**
 * Checks and completes limits given as options.
 * @throws {InvalidArgumentError} when a limit is not a positive safe integer
 */
export function limitsFrom(
  given: Partial<StoreLimits> | undefined,
  defaults: StoreLimits,
): StoreLimits {
  const limits = { ...defaults, ...given }
  for (const [key, value] of Object.entries(limits)) {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0)
      throw new InvalidArgumentError(`limits.${key} must be a positive safe integer`)
  }
  return Object.freeze(limits)
}
