/**
 * The errors of @peerkit/storage-indexeddb are those of the storage contract: the same
 * failure has the same `name` in every store.
 *
 * @example
 * import { isStorageError } from '@peerkit/storage-indexeddb'
 * if (isStorageError(error) && error.name === 'LogLockedError') retryLater()
 */
export {
  CorruptLogError,
  InvalidArgumentError,
  isStorageError,
  LogClosedError,
  LogLockedError,
  LogTooLargeError,
  NoSpaceError,
  RecordTooLargeError,
  StorageError,
  StorageIoError,
  UnsupportedVersionError,
} from '@peerkit/storage'
