/**
 * The file store (Node): one file per log in a directory, in the format of
 * `file-format.ts`. An append writes every byte (looping on short writes) at the end of
 * the committed data through a descriptor opened with O_DSYNC, so its bytes are on
 * stable storage before it resolves; a new file or a compacted one is
 * written aside, synced, renamed into place and the directory synced. Reading is
 * incremental (chunks of 1 MiB), linear in the file and holds only the valid records.
 * A write torn by a crash (a prefix of the last append, possibly followed by zeros) is
 * recognised as incomplete, not returned, and cut off by the next append; damage before
 * the last append is a `CorruptLogError` and nothing is ever cut off after it. A lock
 * file holding the writer's process id refuses a second writer (a lock left by a dead
 * process is taken over).
 *
 * @example
 * const store = await createFileStore('./logs')
 * const log = await store.open('trade-1')
 * await log.append([record])
 */

import { constants } from 'node:fs'
import type { FileHandle } from 'node:fs/promises'
import { link, mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { assertCompaction, assertLogName, assertRecords, limitsFrom } from './assert'
import { DEFAULT_LIMITS, type StoreLimits } from './constants'
import {
  CorruptLogError,
  FileTooLargeError,
  InvalidArgumentError,
  isStorageError,
  LogClosedError,
  LogFailedError,
  LogLockedError,
  LogTooLargeError,
  NoSpaceError,
  RecordTooLargeError,
  ShortWriteError,
  StorageIoError,
  UnsupportedVersionError,
} from './errors'
import {
  decodeFileHeader,
  encodeFileHeader,
  encodeFrames,
  FILE_FORMAT_VERSION,
  FILE_HEADER_BYTES,
  FRAME_HEADER_BYTES,
  frameHeaderAt,
  frameSum,
  headerCheck,
  isMarker,
  MARKER_CONTINUED,
  MARKER_SNAPSHOT,
} from './file-format'
import type { Log, LogEntry, LogStore } from './types'

const CHUNK = 1024 * 1024
const YIELD_EVERY = 4096
const LOG_SUFFIX = '.log'

/** Options of `createFileStore`. */
export interface FileStoreOptions {
  /** Limits (default `DEFAULT_LIMITS`). */
  readonly limits?: Partial<StoreLimits>
  /** Make every append and rename durable before it resolves (default true; false only for benchmarks and tests). */
  readonly sync?: boolean
}

/** What a complete scan of a log file found. */
interface ScanEnd {
  /** End of the last complete append. */
  end: number
  /** The file's size when scanned. */
  size: number
  /** Records after the snapshot. */
  records: number
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : undefined
}

/** The typed error for a failed system call. */
function ioError(error: unknown, what: string): Error {
  if (isStorageError(error)) return error
  const code = codeOf(error)
  if (code === 'ENOSPC' || code === 'EDQUOT')
    return new NoSpaceError(`${what}: no space left`, { cause: error })
  if (code === 'EFBIG') return new FileTooLargeError(`${what}: file size limit`, { cause: error })
  return new StorageIoError(`${what} failed`, code, { cause: error })
}

/** Writes all of `bytes` at `position`, looping on short writes. */
async function writeAll(handle: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  let done = 0
  while (done < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position + done)
    if (bytesWritten <= 0)
      throw new ShortWriteError(`wrote ${done} of ${bytes.length} bytes, then nothing`)
    done += bytesWritten
  }
}

/** Reads exactly `length` bytes at `position` into `out` (a new array by default). */
async function readAt(
  handle: FileHandle,
  position: number,
  length: number,
  out = new Uint8Array(length),
): Promise<Uint8Array> {
  let done = 0
  while (done < length) {
    const { bytesRead } = await handle.read(out, done, length - done, position + done)
    if (bytesRead === 0) throw new StorageIoError('the file ended early', undefined)
    done += bytesRead
  }
  return out.subarray(0, length)
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return codeOf(error) === 'EPERM'
  }
}

/**
 * Reads a log file from the start, yielding committed entries in batches, and fills
 * `end` once the whole file was read.
 */
async function* scanFile(
  handle: FileHandle,
  name: string,
  limits: StoreLimits,
  end: { value?: ScanEnd },
): AsyncGenerator<LogEntry[]> {
  const size = (await handle.stat()).size
  if (size > limits.maxLogBytes)
    throw new LogTooLargeError(`log '${name}' is ${size} bytes, over ${limits.maxLogBytes}`)
  if (size < FILE_HEADER_BYTES) throw new CorruptLogError(name, 0, 'no file header')
  const version = decodeFileHeader(await readAt(handle, 0, FILE_HEADER_BYTES))
  if (version === undefined) throw new CorruptLogError(name, 0, 'not a log file')
  if (version !== FILE_FORMAT_VERSION)
    throw new UnsupportedVersionError(`log '${name}' has format version ${version}`)

  let buffer: Uint8Array = new Uint8Array(0)
  let bufferAt = FILE_HEADER_BYTES
  let view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength)
  /** True when the buffer (bytes of the file) holds `[at, at + length)`: no trip to the event loop. */
  const holds = (at: number, length: number): boolean =>
    at >= bufferAt && at + length <= bufferAt + buffer.length
  /** Makes the buffer hold `[at, at + length)`; false when that passes the end of the file. */
  const ensure = async (at: number, length: number): Promise<boolean> => {
    if (at + length > size) return false
    if (holds(at, length)) return true
    buffer = await readAt(handle, at, Math.min(size - at, Math.max(length, CHUNK)))
    bufferAt = at
    view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength)
    return true
  }

  let at = FILE_HEADER_BYTES
  let committed = at
  let records = 0
  let append: LogEntry[] = []
  let out: LogEntry[] = []
  let failure: number | undefined
  while (at < size) {
    if (!holds(at, FRAME_HEADER_BYTES) && !(await ensure(at, FRAME_HEADER_BYTES))) {
      failure = at
      break
    }
    let o = at - bufferAt
    const marker = buffer[o]!
    const length = view.getUint32(o + 1)
    const check = view.getUint32(o + 5)
    if (!isMarker(marker) || check !== headerCheck(marker, length)) {
      failure = at
      break
    }
    const snapshot = marker === MARKER_SNAPSHOT
    if (snapshot && at !== FILE_HEADER_BYTES)
      throw new CorruptLogError(name, at, 'a snapshot after the start')
    if (length > (snapshot ? limits.maxSnapshotBytes : limits.maxRecordBytes))
      throw new RecordTooLargeError(`log '${name}' holds ${length} bytes at ${at}, over the limit`)
    const next = at + FRAME_HEADER_BYTES + length
    if (next - committed > limits.maxAppendBytes && !snapshot)
      throw new RecordTooLargeError(`log '${name}' holds an append over the limit at ${committed}`)
    if (
      !holds(at, FRAME_HEADER_BYTES + length) &&
      !(await ensure(at, FRAME_HEADER_BYTES + length))
    ) {
      failure = at
      break
    }
    o = at - bufferAt
    const bytes = buffer.subarray(o + FRAME_HEADER_BYTES, o + FRAME_HEADER_BYTES + length)
    if (frameSum(check, bytes) !== view.getUint32(o + 9)) {
      failure = at
      break
    }
    append.push({ kind: snapshot ? 'snapshot' : 'record', bytes })
    at = next
    if (marker !== MARKER_CONTINUED) {
      committed = at
      for (const entry of append) {
        out.push(entry)
        if (entry.kind === 'record') records++
      }
      append = []
      if (out.length >= YIELD_EVERY) {
        yield out
        out = []
      }
    }
  }
  if (out.length > 0) yield out
  if (failure !== undefined) await judgeTail(handle, name, limits, committed, failure, size)
  end.value = { end: committed, size, records }
}

/** True when every byte is zero (read four at a time where aligned). */
function isZero(bytes: Uint8Array): boolean {
  const head = Math.min(bytes.length, (4 - (bytes.byteOffset % 4)) % 4)
  for (let i = 0; i < head; i++) if (bytes[i] !== 0) return false
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset + head, (bytes.length - head) >>> 2)
  for (let i = 0; i < words.length; i++) if (words[i] !== 0) return false
  for (let i = head + words.length * 4; i < bytes.length; i++) if (bytes[i] !== 0) return false
  return true
}

/**
 * Decides whether bytes that do not read as a frame at `failure` are a torn last append
 * (returns) or damage (throws): a torn tail is at most one append long, and after it
 * comes nothing but zeros or the rest of that one append — no complete frame.
 */
async function judgeTail(
  handle: FileHandle,
  name: string,
  limits: StoreLimits,
  committed: number,
  failure: number,
  size: number,
): Promise<void> {
  const window = limits.maxAppendBytes
  if (size - committed <= window) {
    const tail = await readAt(handle, committed, size - committed)
    if (isZero(tail.subarray(failure - committed))) return
    for (let i = failure - committed + 1; i + FRAME_HEADER_BYTES <= tail.length; i++) {
      if (frameHeaderAt(tail, i))
        throw new CorruptLogError(name, failure, 'a damaged frame with complete frames after it')
    }
    return
  }
  // longer than any append: only zeros (space a file system gave but never filled) may
  // follow; read through one reused chunk, so a long tail costs time, not memory
  const chunk = new Uint8Array(Math.min(CHUNK, size - failure))
  for (let at = failure; at < size; at += CHUNK) {
    if (!isZero(await readAt(handle, at, Math.min(CHUNK, size - at), chunk)))
      throw new CorruptLogError(name, failure, 'a damaged frame with data after it')
  }
}

/** A file store, with the directory it keeps its logs in. */
export interface FileStore extends LogStore {
  readonly dir: string
  /** The path of a log's file. */
  pathOf(name: string): string
}

/**
 * Creates a store that keeps one file per log in `dir` (created if missing).
 * @param dir - the directory
 * @param options - limits, and whether to sync (default true)
 * @returns the store
 * @throws {InvalidArgumentError} when `dir` is not a non-empty string
 * @example const store = await createFileStore('/var/lib/app/logs')
 */
export async function createFileStore(
  dir: string,
  options: FileStoreOptions = {},
): Promise<FileStore> {
  if (typeof dir !== 'string' || dir.length === 0)
    throw new InvalidArgumentError('dir must be a non-empty string')
  const limits = limitsFrom(options.limits, DEFAULT_LIMITS)
  const sync = options.sync ?? true
  try {
    await mkdir(dir, { recursive: true })
  } catch (error) {
    throw ioError(error, `creating ${dir}`)
  }
  const logs = new Set<Log>()
  let closed = false
  const pathOf = (name: string) => join(dir, name + LOG_SUFFIX)

  async function syncDir(): Promise<void> {
    if (sync) await syncDirectory(dir)
  }

  /** Takes the lock file of `name`, written whole before it appears. */
  async function lock(name: string): Promise<string> {
    const lockPath = join(dir, `${name}.lock`)
    const aside = join(dir, `${name}.lock.${process.pid}.${Math.floor(performance.now() * 1000)}`)
    const handle = await open(aside, 'w')
    try {
      await handle.writeFile(`${process.pid}\n`)
    } finally {
      await handle.close()
    }
    try {
      for (let attempt = 0; attempt < 2; attempt++) {
        try {
          await link(aside, lockPath)
          return lockPath
        } catch (error) {
          if (codeOf(error) !== 'EEXIST') throw ioError(error, `locking ${name}`)
        }
        const pid = Number.parseInt(await readFile(lockPath, 'utf8').catch(() => ''), 10)
        if (Number.isSafeInteger(pid) && pid > 0 && isAlive(pid))
          throw new LogLockedError(`log '${name}' is open in process ${pid}`)
        // the process that held it is gone: take the lock over
        await unlink(lockPath).catch(() => undefined)
      }
      throw new LogLockedError(`log '${name}' is being opened elsewhere`)
    } finally {
      await unlink(aside).catch(() => undefined)
    }
  }

  async function create(path: string): Promise<void> {
    const aside = `${path}.tmp`
    const handle = await open(aside, 'w')
    try {
      await writeAll(handle, encodeFileHeader(), 0)
      if (sync) await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(aside, path)
    await syncDir()
  }

  /**
   * Opens a log file for appending. When syncing, with O_DSYNC: each write returns once
   * its bytes and the size that reaches them are on stable storage (an `fdatasync` in the
   * same system call), so an append costs one trip to the thread pool, not two.
   */
  const openForAppend = (path: string) =>
    open(path, sync ? constants.O_RDWR | constants.O_DSYNC : 'r+')

  async function openLog(name: string): Promise<Log> {
    const path = pathOf(name)
    const lockPath = await lock(name)
    let handle: FileHandle
    try {
      try {
        handle = await openForAppend(path)
      } catch (error) {
        if (codeOf(error) !== 'ENOENT') throw error
        await create(path)
        handle = await openForAppend(path)
      }
    } catch (error) {
      await unlink(lockPath).catch(() => undefined)
      throw ioError(error, `opening log '${name}'`)
    }
    let state: ScanEnd | undefined
    let failed = false
    let open_ = true
    let queue: Promise<unknown> = Promise.resolve()
    const serial = <T>(fn: () => Promise<T>): Promise<T> => {
      const run = queue.then(fn, fn)
      queue = run.catch(() => undefined)
      return run
    }
    const check = () => {
      if (!open_) throw new LogClosedError(`log '${name}' is closed`)
      if (failed) throw new LogFailedError(`log '${name}' failed a write: open it again`)
    }
    /** Reads the whole file once, so the end of the committed data is known. */
    const known = async (): Promise<ScanEnd> => {
      if (state !== undefined) return state
      const end: { value?: ScanEnd } = {}
      for await (const _ of scanFile(handle, name, limits, end)) void _
      state = end.value!
      return state
    }

    const log: Log = {
      name,
      async *read() {
        check()
        const end: { value?: ScanEnd } = {}
        yield* scanFile(handle, name, limits, end)
        if (state === undefined && end.value !== undefined) state = end.value
      },
      append(records) {
        return serial(async () => {
          check()
          assertRecords(records, limits)
          const s = await known()
          const bytes = encodeFrames(records)
          if (s.end + bytes.length > limits.maxLogBytes)
            throw new LogTooLargeError(`log '${name}' would be over ${limits.maxLogBytes} bytes`)
          try {
            // cut off a torn tail first, so nothing of it can follow the new append
            if (s.size !== s.end) {
              await handle.truncate(s.end)
              if (sync) await handle.datasync()
            }
            s.size = s.end
            // durable when it returns (O_DSYNC)
            await writeAll(handle, bytes, s.end)
          } catch (error) {
            // what reached the disk is unknown: cut it off, or refuse more until read again
            await handle
              .truncate(s.end)
              .then(() => (sync ? handle.datasync() : undefined))
              .catch(() => {
                failed = true
              })
            throw ioError(error, `appending to '${name}'`)
          }
          s.end += bytes.length
          s.size = s.end
          s.records += records.length
        })
      },
      compact(snapshot, through) {
        return serial(async () => {
          check()
          const s = await known()
          assertCompaction(snapshot, through, s.records, limits)
          const kept: Uint8Array[] = []
          let index = 0
          for await (const batch of scanFile(handle, name, limits, {})) {
            for (const entry of batch) {
              if (entry.kind === 'record' && index++ >= through) kept.push(entry.bytes)
            }
          }
          const parts = [encodeFileHeader(), encodeFrames([snapshot], MARKER_SNAPSHOT)]
          for (const r of kept) parts.push(encodeFrames([r]))
          const total = parts.reduce((n, p) => n + p.length, 0)
          if (total > limits.maxLogBytes)
            throw new LogTooLargeError(`log '${name}' would be over ${limits.maxLogBytes} bytes`)
          const image = new Uint8Array(total)
          let at = 0
          for (const p of parts) {
            image.set(p, at)
            at += p.length
          }
          const aside = `${path}.tmp`
          try {
            const out = await open(aside, 'w')
            try {
              await writeAll(out, image, 0)
              if (sync) await out.sync()
            } finally {
              await out.close()
            }
            await rename(aside, path)
            await syncDir()
          } catch (error) {
            await unlink(aside).catch(() => undefined)
            throw ioError(error, `compacting '${name}'`)
          }
          const previous = handle
          handle = await openForAppend(path)
          await previous.close()
          state = { end: total, size: total, records: kept.length }
        })
      },
      close() {
        return serial(async () => {
          if (!open_) return
          open_ = false
          logs.delete(log)
          await handle.close().catch(() => undefined)
          await unlink(lockPath).catch(() => undefined)
        })
      },
    }
    logs.add(log)
    return log
  }

  return {
    dir,
    limits,
    pathOf(name) {
      assertLogName(name)
      return pathOf(name)
    },
    async open(name) {
      if (closed) throw new LogClosedError('the store is closed')
      assertLogName(name)
      return openLog(name)
    },
    async list() {
      const names = await readdir(dir)
      return names.filter((n) => n.endsWith(LOG_SUFFIX)).map((n) => n.slice(0, -LOG_SUFFIX.length))
    },
    async close() {
      closed = true
      await Promise.all([...logs].map((log) => log.close()))
    },
  }
}
