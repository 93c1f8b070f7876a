/**
 * @peerkit/storage-sqlite: the @peerkit/storage log contract over SQLite
 * (better-sqlite3), for Node: WAL mode, one transaction per append and per compaction,
 * a checksum on every record.
 *
 * @example
 * import { createSqliteStore } from '@peerkit/storage-sqlite'
 * const store = createSqliteStore('./logs.db')
 * const log = await store.open('ledger')
 * await log.append([new Uint8Array([1])])
 */
export * from './constants'
export * from './errors'
export { createSqliteStore, type SqliteStore, type SqliteStoreOptions } from './sqlite'
