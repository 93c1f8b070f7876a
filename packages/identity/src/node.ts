/**
 * Node-only helpers of @peerkit/identity: saving and loading encrypted key files on disk.
 * Writes are atomic — a temporary file in the same directory, flushed, then renamed over the
 * target and the directory flushed — so after a crash at any point the path holds either the
 * old file or the new one, never a mix.
 *
 * @example
 * import { saveKeyFile, loadKeyFile } from '@peerkit/identity/node'
 * await saveKeyFile('peer.key', keyPair, 'correct horse')
 * const keyPair = await loadKeyFile('peer.key', 'correct horse')
 */
import { randomBytes } from 'node:crypto'
import { constants } from 'node:fs'
import { open, rename, unlink } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { assertString } from './assert'
import { MAX_KEY_FILE_BYTES } from './constants'
import { KeyFileFormatError } from './errors'
import {
  decryptKeyFile,
  type EncryptKeyFileOptions,
  encryptKeyFile,
  type Password,
} from './key-file'
import type { KeyPair } from './keys'

/** Points inside an atomic write, for tests that simulate a crash there. */
export type WriteStage = 'opened' | 'half-written' | 'written' | 'synced'

/** Options of `writeFileAtomic`. */
export interface WriteFileAtomicOptions {
  /** File mode of the new file (default 0o600: key files are private). */
  mode?: number
  /** Called at each stage of the write; a crash there must leave the old file intact. */
  onStage?: (stage: WriteStage) => void | Promise<void>
}

/**
 * Replaces the file at `path` with `data` atomically.
 * @param path - the target file
 * @param data - the new contents
 * @param options - file mode, and a stage hook for crash tests
 * @returns when the new contents are durable
 * @throws the file system's error; the temporary file is removed and the old file kept
 * @example
 * await writeFileAtomic('state.cbor', bytes)
 */
export async function writeFileAtomic(
  path: string,
  data: Uint8Array,
  options?: WriteFileAtomicOptions,
): Promise<void> {
  assertString(path, 'path')
  const directory = dirname(path)
  const temporary = join(directory, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
  const stage = options?.onStage ?? (() => {})
  const handle = await open(temporary, 'wx', options?.mode ?? 0o600)
  let renamed = false
  try {
    await stage('opened')
    const half = data.length >> 1
    await handle.write(data, 0, half, 0)
    await stage('half-written')
    await handle.write(data, half, data.length - half, half)
    await stage('written')
    await handle.sync()
    await stage('synced')
    await handle.close()
    await rename(temporary, path)
    renamed = true
  } finally {
    if (!renamed) {
      await handle.close().catch(() => {})
      await unlink(temporary).catch(() => {})
    }
  }
  await syncDirectory(directory)
}

async function syncDirectory(directory: string): Promise<void> {
  // makes the rename durable; some platforms (Windows) cannot open a directory, which is fine
  let handle: Awaited<ReturnType<typeof open>> | undefined
  try {
    handle = await open(directory, 'r')
    await handle.sync()
  } catch {
    // best effort
  } finally {
    await handle?.close().catch(() => {})
  }
}

/**
 * Encrypts a key pair and saves it atomically at `path` (mode 0o600).
 * @param path - where to save
 * @param keyPair - the key pair
 * @param password - non-empty text or bytes
 * @param options - scrypt cost (see `encryptKeyFile`) and the write stage hook
 * @returns when the file is durable
 * @throws as `encryptKeyFile`, or the file system's error
 * @example
 * await saveKeyFile('peer.key', keyPair, password)
 */
export async function saveKeyFile(
  path: string,
  keyPair: KeyPair,
  password: Password,
  options?: EncryptKeyFileOptions & Pick<WriteFileAtomicOptions, 'onStage'>,
): Promise<void> {
  const { onStage, ...encryptOptions } = options ?? {}
  const file = await encryptKeyFile(keyPair, password, encryptOptions)
  await writeFileAtomic(path, file, onStage === undefined ? {} : { onStage })
}

/**
 * Reads the raw bytes of a key file, refusing anything that is not a regular file or is
 * larger than a key file can be. The file is opened once; the checks (`fstat`) and the read
 * use that one descriptor, and at most the limit plus one byte is ever read, so a path that
 * is (or links to) a device, a FIFO or a file that grows costs nothing.
 * @param path - the file
 * @returns its bytes
 * @throws InvalidArgumentError when `path` is not a string
 * @throws KeyFileFormatError when the file is not a regular file or is too large; the file
 *   system's error otherwise
 * @example
 * readKeyFileInfo(await readKeyFileBytes('peer.key')).publicKey
 */
export async function readKeyFileBytes(path: string): Promise<Uint8Array> {
  assertString(path, 'path')
  // non-blocking, so that opening a FIFO does not wait for a writer; no effect on files
  const handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0))
  try {
    const info = await handle.stat()
    if (!info.isFile()) throw new KeyFileFormatError('key file is not a regular file')
    if (info.size > MAX_KEY_FILE_BYTES) throw new KeyFileFormatError('key file too large')
    // the size may change after fstat: read at most one byte past the limit, whatever it said
    const buffer = new Uint8Array(MAX_KEY_FILE_BYTES + 1)
    let length = 0
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length)
      if (bytesRead === 0) break
      length += bytesRead
    }
    if (length > MAX_KEY_FILE_BYTES) throw new KeyFileFormatError('key file too large')
    return buffer.slice(0, length)
  } finally {
    await handle.close().catch(() => {})
  }
}

/**
 * Loads and decrypts the key file at `path`.
 * @param path - the file
 * @param password - its password
 * @returns the key pair
 * @throws KeyFileFormatError, UnsupportedKeyFileVersionError, KeyFileDecryptionError as
 *   `decryptKeyFile`; the file system's error when it cannot be read
 * @example
 * const keyPair = await loadKeyFile('peer.key', password)
 */
export async function loadKeyFile(path: string, password: Password): Promise<KeyPair> {
  return decryptKeyFile(await readKeyFileBytes(path), password)
}
