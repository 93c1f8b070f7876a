/**
 * Named defaults of @peerkit/storage-sqlite.
 *
 * @example
 * import { SQLITE_FORMAT_VERSION } from '@peerkit/storage-sqlite'
 */

/** Version of the tables this store keeps (in `PRAGMA user_version`). */
export const SQLITE_FORMAT_VERSION = 1
/** Records read per query while reading a log. */
export const READ_BATCH = 4096
/** How long to wait for another connection's write transaction, in ms. */
export const DEFAULT_BUSY_TIMEOUT_MS = 5000
