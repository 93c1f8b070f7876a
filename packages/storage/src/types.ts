/**
 * The storage contract: a store of named, append-only logs. A log holds an optional
 * snapshot followed by records. `append` commits a list of records atomically (all or
 * none survive a crash) and resolves only once they are durable; `read` gives back,
 * in order and in batches, what was committed; `compact` replaces the snapshot and a
 * prefix of the records by a new snapshot, atomically. One writer at a time: `open`
 * refuses a log that is already open anywhere.
 *
 * @example
 * const log = await store.open('trade-1')
 * await log.append([record])
 * for await (const batch of log.read()) for (const entry of batch) use(entry.bytes)
 * await log.close()
 */
import type { StoreLimits } from './constants'

/** One stored item: the snapshot (first, at most one) or a record. */
export interface LogEntry {
  readonly kind: 'snapshot' | 'record'
  readonly bytes: Uint8Array
}

/** One open, exclusively held log. */
export interface Log {
  /** The log's name. */
  readonly name: string
  /**
   * Reads the committed contents from the start, in batches: the snapshot first (if
   * any), then the records in append order. An incomplete last append (a write torn by
   * a crash) is not returned; damage before it throws `CorruptLogError` when reached.
   * @throws {CorruptLogError} when stored data before the last append is damaged
   * @throws {RecordTooLargeError | LogTooLargeError} when stored data is beyond the limits
   */
  read(): AsyncIterable<readonly LogEntry[]>
  /**
   * Appends records atomically; once the promise resolves they survive a crash.
   * A rejected append committed nothing.
   * @throws {RecordTooLargeError} when a record or the append is beyond the limits
   * @throws {NoSpaceError | FileTooLargeError | ShortWriteError | StorageIoError} when the medium fails
   */
  append(records: readonly Uint8Array[]): Promise<void>
  /**
   * Replaces the snapshot and the first `through` records by `snapshot`, atomically:
   * after a crash the log reads either as before or as after.
   * @throws {InvalidArgumentError} when `through` is beyond the records held
   */
  compact(snapshot: Uint8Array, through: number): Promise<void>
  /** Releases the log for other writers. Idempotent. */
  close(): Promise<void>
}

/** A store of named logs. */
export interface LogStore {
  /** The limits this store applies. */
  readonly limits: StoreLimits
  /**
   * Opens (creating if missing) the log `name` for this caller alone.
   * @throws {InvalidArgumentError} when the name is not 1 to 200 of `[A-Za-z0-9._-]`, not starting with "."
   * @throws {LogLockedError} when the log is open elsewhere
   */
  open(name: string): Promise<Log>
  /** The names of the logs that exist. */
  list(): Promise<string[]>
  /** Closes every log opened through this store and the store itself. Idempotent. */
  close(): Promise<void>
}
