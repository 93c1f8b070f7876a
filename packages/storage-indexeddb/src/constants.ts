/**
 * Named defaults of @peerkit/storage-indexeddb.
 *
 * @example
 * import { DEFAULT_DATABASE_NAME } from '@peerkit/storage-indexeddb'
 */

/** The database a store opens when given no name. */
export const DEFAULT_DATABASE_NAME = 'peerkit-logs'
/**
 * Version of the object stores this store keeps (the IndexedDB database version). A
 * database of a later version is refused, never downgraded.
 */
export const INDEXEDDB_FORMAT_VERSION = 1
/** Records read per transaction while reading a log. */
export const READ_BATCH = 1024
/** Prefix of the Web Lock that marks a log's writer (followed by database and log name). */
export const LOCK_PREFIX = 'peerkit-storage'
