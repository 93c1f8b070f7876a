/**
 * @peerkit/storage: one small contract for durable, append-only logs (`LogStore`,
 * `Log`), the in-memory store, and the typed errors every store shares. The file store
 * is at `@peerkit/storage/node`, the compliance suite for implementers at
 * `@peerkit/storage/compliance`, SQLite in `@peerkit/storage-sqlite`.
 *
 * @example
 * const store = createMemoryStore()
 * const log = await store.open('ledger')
 * await log.append([new Uint8Array([1, 2, 3])])
 * const { records } = await readLog(log)
 */
export { assertLogName, assertRecords } from './assert'
export * from './constants'
export * from './errors'
export {
  createMemoryDisk,
  createMemoryStore,
  type MemoryDisk,
  type MemoryStore,
  type MemoryStoreOptions,
} from './memory'
export { type LogContents, readLog } from './read'
export type { Log, LogEntry, LogStore } from './types'
