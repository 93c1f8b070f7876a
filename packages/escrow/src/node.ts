/**
 * `@peerkit/escrow/node`: a file log store for Node. Each trade's log is one file of
 * framed records — `[length: u32 BE][crc32: u32 BE][record]` — appended and flushed
 * to disk (`fdatasync`) before `append` resolves. Reading stops at the first frame that
 * is incomplete or fails its checksum (a write torn by a crash), and the next append
 * cuts that tail off first, so a crash at any byte reloads to the last committed record.
 *
 * @example
 * import { createFileStore } from '@peerkit/escrow/node'
 * const store = await createFileStore('./escrow-logs')
 * const me = await loadSession({ definition: tradeEscrow, signer, store, trade: id })
 */
import { mkdir, open, readdir, readFile, truncate } from 'node:fs/promises'
import { join } from 'node:path'
import { crc32 } from 'node:zlib'
import { MAX_RECORD_BYTES } from './constants'
import { InvalidArgumentError } from './errors'
import { assertLogName, assertRecord, type LogStore } from './storage'

const HEADER = 8
const SUFFIX = '.log'

/** The committed records of a log file's bytes, and how many bytes they span. */
export function parseLogFile(bytes: Uint8Array): { records: Uint8Array[]; validLength: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const records: Uint8Array[] = []
  let offset = 0
  while (offset + HEADER <= bytes.length) {
    const length = view.getUint32(offset)
    const sum = view.getUint32(offset + 4)
    const end = offset + HEADER + length
    if (length > MAX_RECORD_BYTES || end > bytes.length) break
    const record = bytes.subarray(offset + HEADER, end)
    if (crc32(record) >>> 0 !== sum) break
    records.push(new Uint8Array(record))
    offset = end
  }
  return { records, validLength: offset }
}

/** Frames one record for a log file. */
export function frameRecord(record: Uint8Array): Uint8Array {
  const frame = new Uint8Array(HEADER + record.length)
  const view = new DataView(frame.buffer)
  view.setUint32(0, record.length)
  view.setUint32(4, crc32(record) >>> 0)
  frame.set(record, HEADER)
  return frame
}

/** Options of `createFileStore`. */
export interface FileStoreOptions {
  /** Flush each append to disk before it resolves (default true; false only for benchmarks and tests). */
  readonly sync?: boolean
}

/**
 * Creates a log store that keeps one file per log in `dir` (created if missing).
 * @param dir - the directory
 * @param options - whether to flush every append
 * @returns the store
 * @throws {InvalidArgumentError} when `dir` is not a non-empty string
 * @example const store = await createFileStore('/var/lib/app/escrow')
 */
export async function createFileStore(
  dir: string,
  options: FileStoreOptions = {},
): Promise<LogStore> {
  if (typeof dir !== 'string' || dir.length === 0)
    throw new InvalidArgumentError('dir must be a non-empty string')
  const sync = options.sync ?? true
  await mkdir(dir, { recursive: true })
  // logs whose torn tail (if any) was already cut off in this process
  const checked = new Set<string>()
  const path = (log: string): string => join(dir, log + SUFFIX)

  async function readBytes(log: string): Promise<Uint8Array | undefined> {
    try {
      return await readFile(path(log))
    } catch (error) {
      if ((error as { code?: string }).code === 'ENOENT') return undefined
      throw error
    }
  }

  return {
    async append(log, record) {
      assertLogName(log)
      assertRecord(record)
      if (!checked.has(log)) {
        const bytes = await readBytes(log)
        if (bytes !== undefined) {
          const { validLength } = parseLogFile(bytes)
          if (validLength < bytes.length) await truncate(path(log), validLength)
        }
        checked.add(log)
      }
      const handle = await open(path(log), 'a')
      try {
        await handle.write(frameRecord(record))
        if (sync) await handle.datasync()
      } finally {
        await handle.close()
      }
    },
    async read(log) {
      assertLogName(log)
      const bytes = await readBytes(log)
      return bytes === undefined ? [] : parseLogFile(bytes).records
    },
    async list() {
      const names = await readdir(dir)
      return names.filter((n) => n.endsWith(SUFFIX)).map((n) => n.slice(0, -SUFFIX.length))
    },
  }
}
