/**
 * Typed errors of @peerkit/storage. One class per failure, each with a stable `name`
 * equal to its class name; match on `name` (or `isStorageError`), never on the message.
 * Every store of the contract (memory, file, SQLite, IndexedDB) throws these same classes.
 *
 * @example
 * try { await log.append([record]) } catch (error) {
 *   if (isStorageError(error) && error.name === 'NoSpaceError') alertOperator()
 * }
 */

/** Base class of every error thrown by a store of the @peerkit/storage contract. */
export class StorageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
  }
  override readonly name: string = 'StorageError'
}

/** A function argument is not of the expected type or range. */
export class InvalidArgumentError extends StorageError {
  override readonly name = 'InvalidArgumentError' as const
}

/**
 * The stored log is damaged before its last append: loading stops here rather than
 * return an earlier state, and nothing after `offset` is ever cut off.
 */
export class CorruptLogError extends StorageError {
  override readonly name = 'CorruptLogError' as const
  /** The log's name. */
  readonly log: string
  /** Where the damage starts: a byte offset in a file, a record position in a database. */
  readonly offset: number
  constructor(log: string, offset: number, message: string, options?: { cause?: unknown }) {
    super(`log '${log}' is corrupt at ${offset}: ${message}`, options)
    this.log = log
    this.offset = offset
  }
}

/** The stored log is in a format version this code does not read. */
export class UnsupportedVersionError extends StorageError {
  override readonly name = 'UnsupportedVersionError' as const
}

/** A record (or snapshot, or one append) is larger than the store's limit. */
export class RecordTooLargeError extends StorageError {
  override readonly name = 'RecordTooLargeError' as const
}

/** A log is larger than the store's limit for one log. */
export class LogTooLargeError extends StorageError {
  override readonly name = 'LogTooLargeError' as const
}

/** Another writer (in this process or another) holds the log open. */
export class LogLockedError extends StorageError {
  override readonly name = 'LogLockedError' as const
}

/** The log or the store was closed. */
export class LogClosedError extends StorageError {
  override readonly name = 'LogClosedError' as const
}

/**
 * An earlier write failed and could not be undone on disk: this handle refuses further
 * work; open the log again (the partial write is then recognised and cut off).
 */
export class LogFailedError extends StorageError {
  override readonly name = 'LogFailedError' as const
}

/** The device is full (ENOSPC) or the quota is spent (EDQUOT): nothing was committed. */
export class NoSpaceError extends StorageError {
  override readonly name = 'NoSpaceError' as const
}

/** The file would exceed the largest file the system allows this process (EFBIG): nothing was committed. */
export class FileTooLargeError extends StorageError {
  override readonly name = 'FileTooLargeError' as const
}

/** The system wrote fewer bytes than asked and then no more: nothing was committed. */
export class ShortWriteError extends StorageError {
  override readonly name = 'ShortWriteError' as const
}

/** Any other failure of the storage medium (EIO, EROFS, ...): nothing was committed. */
export class StorageIoError extends StorageError {
  override readonly name = 'StorageIoError' as const
  /** The system's error code, when it gave one. */
  readonly code: string | undefined
  constructor(message: string, code: string | undefined, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
  }
}

const NAMES = new Set([
  'StorageError',
  'InvalidArgumentError',
  'CorruptLogError',
  'UnsupportedVersionError',
  'RecordTooLargeError',
  'LogTooLargeError',
  'LogLockedError',
  'LogClosedError',
  'LogFailedError',
  'NoSpaceError',
  'FileTooLargeError',
  'ShortWriteError',
  'StorageIoError',
])

/**
 * True for an error thrown by a store of this contract (by name, so it holds across
 * duplicate installs of the package).
 * @example if (isStorageError(error) && error.name === 'LogLockedError') retryLater()
 */
export function isStorageError(error: unknown): error is StorageError {
  return error instanceof Error && NAMES.has(error.name)
}
