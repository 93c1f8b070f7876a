/**
 * `@peerkit/storage/node`: the file store for Node, and the file format's pieces for
 * tools that inspect log files.
 *
 * @example
 * import { createFileStore } from '@peerkit/storage/node'
 * const store = await createFileStore('./logs')
 */
export { createFileStore, type FileStore, type FileStoreOptions } from './file'
export {
  encodeFileHeader,
  encodeFrames,
  FILE_FORMAT_VERSION,
  FILE_HEADER_BYTES,
  FRAME_HEADER_BYTES,
  MARKER_CONTINUED,
  MARKER_LAST,
  MARKER_SNAPSHOT,
} from './file-format'
