/**
 * `@peerkit/escrow/node`: the file store of `@peerkit/storage/node`, for Node. Each
 * trade's log is one file of framed, checksummed records, synced to disk before an
 * append resolves; see the storage package for the format and what a crash leaves.
 *
 * @example
 * import { createFileStore } from '@peerkit/escrow/node'
 * const store = await createFileStore('./escrow-logs')
 * const me = await loadSession({ definition: tradeEscrow, signer, store, trade: id })
 */
export { createFileStore, type FileStore, type FileStoreOptions } from '@peerkit/storage/node'
