/**
 * @peerkit/storage-indexeddb: the @peerkit/storage log contract over IndexedDB, for
 * browsers: one transaction per append and per compaction with strict durability, a
 * checksum on every record, and a Web Lock per log so one writer holds it across tabs.
 *
 * @example
 * import { openIndexedDbStore } from '@peerkit/storage-indexeddb'
 * const store = await openIndexedDbStore('my-app-logs')
 * const log = await store.open('ledger')
 * await log.append([new Uint8Array([1])])
 */
export * from './constants'
export * from './errors'
export {
  deleteIndexedDbStore,
  type IndexedDbStore,
  type IndexedDbStoreOptions,
  type LockManagerLike,
  openIndexedDbStore,
} from './indexeddb'
