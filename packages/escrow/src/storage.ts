/**
 * Where trade logs persist: any store of the `@peerkit/storage` contract. A session
 * opens its trade's log (named by the trade id) for itself alone, appends each record
 * and resolves only once the store made it durable. `createMemoryStore` is re-exported
 * here; the file store is `createFileStore` from `@peerkit/escrow/node` (or
 * `@peerkit/storage/node`), SQLite is `@peerkit/storage-sqlite`.
 *
 * @example
 * const store = createMemoryStore()
 * const me = await createSession({ definition: tradeEscrow, signer, store, terms, now })
 */
export {
  createMemoryDisk,
  createMemoryStore,
  type Log,
  type LogStore,
  type MemoryDisk,
  type MemoryStore,
} from '@peerkit/storage'
