/** Reading files with a bound: one descriptor, a regular file, at most `limit` bytes read. */
import { constants } from 'node:fs'
import { open } from 'node:fs/promises'
import { InputTooLargeError, UsageError } from './errors'

/**
 * Reads a regular file, refusing devices, FIFOs and anything over `limit` bytes; the size is
 * checked on the open descriptor and the read stops one byte past the limit whatever the file
 * grows to.
 * @param path - the file
 * @param limit - the most bytes accepted
 * @returns the bytes
 * @throws UsageError when the path is not a regular file
 * @throws InputTooLargeError past the limit; the file system's error when it cannot be read
 * @example
 * const bytes = await readFileBounded('msg.env', 131072)
 */
export async function readFileBounded(path: string, limit: number): Promise<Uint8Array> {
  const handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0))
  try {
    const info = await handle.stat()
    if (!info.isFile()) throw new UsageError(`${path} is not a regular file`)
    if (info.size > limit) throw new InputTooLargeError(path, limit)
    const buffer = new Uint8Array(limit + 1)
    let length = 0
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length)
      if (bytesRead === 0) break
      length += bytesRead
    }
    if (length > limit) throw new InputTooLargeError(path, limit)
    return buffer.slice(0, length)
  } finally {
    await handle.close().catch(() => {})
  }
}
