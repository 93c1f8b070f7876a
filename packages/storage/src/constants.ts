/**
 * Named defaults and limits of @peerkit/storage. Every store checks them before any
 * work is spent: a record, an append, a snapshot or a log above its limit is refused
 * with a typed error, on write and on read.
 *
 * @example
 * import { DEFAULT_LIMITS } from '@peerkit/storage'
 * DEFAULT_LIMITS.maxRecordBytes // 1048576
 */

/** The limits one store applies to every log it holds. */
export interface StoreLimits {
  /** Largest record, in bytes. */
  readonly maxRecordBytes: number
  /** Largest append (the records of one call together, each counting 16 bytes more than its length). */
  readonly maxAppendBytes: number
  /** Largest snapshot, in bytes. */
  readonly maxSnapshotBytes: number
  /** Largest log (everything stored for one name), in bytes. */
  readonly maxLogBytes: number
}

/** Default limits: 1 MiB records, 4 MiB appends, 64 MiB snapshots, 1 GiB logs. */
export const DEFAULT_LIMITS: StoreLimits = Object.freeze({
  maxRecordBytes: 1024 * 1024,
  maxAppendBytes: 4 * 1024 * 1024,
  maxSnapshotBytes: 64 * 1024 * 1024,
  maxLogBytes: 1024 * 1024 * 1024,
})

/** Longest log name, in characters. */
export const MAX_LOG_NAME_LENGTH = 200
