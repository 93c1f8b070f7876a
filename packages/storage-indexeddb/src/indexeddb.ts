/**
 * The IndexedDB store (browsers): every log of the store lives in one database, a row per
 * log (its bounds, size and snapshot) and a row per record keyed by log and position. An
 * append is one `readwrite` transaction with `durability: 'strict'` (all its records or
 * none, flushed before it completes), and so is a compaction. Each record is stored with
 * its CRC-32 seeded with its position, so damaged or moved data is reported as
 * `CorruptLogError` naming the record, never read as an earlier state. The writer of a log
 * holds a Web Lock (`navigator.locks`) named after the database and the log, which refuses
 * a second writer from this store, another store, or another tab.
 *
 * @example
 * const store = await openIndexedDbStore('my-app-logs')
 * const log = await store.open('trade-1')
 * await log.append([record])
 */
import {
  assertLogName,
  assertRecords,
  CorruptLogError,
  DEFAULT_LIMITS,
  InvalidArgumentError,
  isStorageError,
  type Log,
  LogClosedError,
  type LogEntry,
  LogLockedError,
  type LogStore,
  LogTooLargeError,
  NoSpaceError,
  RecordTooLargeError,
  StorageIoError,
  type StoreLimits,
  UnsupportedVersionError,
} from '@peerkit/storage'
import { createCrc32 } from './checksum'
import {
  DEFAULT_DATABASE_NAME,
  INDEXEDDB_FORMAT_VERSION,
  LOCK_PREFIX,
  READ_BATCH,
} from './constants'

/** The part of the Web Locks API a store uses (`navigator.locks`). */
export interface LockManagerLike {
  request(
    name: string,
    options: { ifAvailable: true; mode: 'exclusive' },
    callback: (lock: unknown) => Promise<void>,
  ): Promise<void>
}

/** Options of `openIndexedDbStore`. */
export interface IndexedDbStoreOptions {
  /** Limits (default `DEFAULT_LIMITS` of @peerkit/storage). */
  readonly limits?: Partial<StoreLimits>
  /** The IndexedDB factory (default `globalThis.indexedDB`). */
  readonly indexedDB?: IDBFactory
  /** The lock manager that marks writers (default `navigator.locks`). */
  readonly locks?: LockManagerLike
}

/** An IndexedDB store, with its database name. */
export interface IndexedDbStore extends LogStore {
  readonly database: string
}

/** The row of one log in the `logs` object store. */
interface LogRow {
  name: string
  /** Position of the first record kept (records before it are in the snapshot). */
  base: number
  /** Position the next record gets. */
  next: number
  /** Bytes stored for the log: the snapshot and the records kept. */
  bytes: number
  snapshot: Uint8Array | null
  snapshotSum: number | null
}

/** The row of one record in the `records` object store (key: [log, position]). */
interface RecordRow {
  sum: number
  bytes: Uint8Array
}

const LOGS = 'logs'
const RECORDS = 'records'

/** The typed error for a failed IndexedDB request or transaction. */
function dbError(error: unknown, what: string): Error {
  if (isStorageError(error)) return error
  const name = (error as { name?: unknown } | null)?.name
  if (name === 'QuotaExceededError')
    return new NoSpaceError(`${what}: the origin's storage quota is full`, { cause: error })
  if (name === 'VersionError')
    return new UnsupportedVersionError(`${what}: the database is of a later version`)
  return new StorageIoError(`${what} failed`, typeof name === 'string' ? name : undefined, {
    cause: error,
  })
}

function requestDone<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result)
    request.onerror = () => reject(request.error)
  })
}

function transactionDone(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve()
    tx.onerror = () => reject(tx.error)
    tx.onabort = () => reject(tx.error ?? new DOMException('transaction aborted', 'AbortError'))
  })
}

/** The exact bytes of a view, in a buffer of their own (a clone stores the whole buffer). */
function own(bytes: Uint8Array): Uint8Array {
  return bytes.slice()
}

function limitsOf(given: Partial<StoreLimits> | undefined): StoreLimits {
  const limits = { ...DEFAULT_LIMITS, ...given }
  for (const [key, value] of Object.entries(limits)) {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0)
      throw new InvalidArgumentError(`limits.${key} must be a positive safe integer`)
  }
  return Object.freeze(limits)
}

/** Throws unless `snapshot` is bytes within the limit and `through` a count in `[0, held]`. */
function assertCompaction(
  snapshot: unknown,
  through: unknown,
  held: number,
  limits: StoreLimits,
): asserts snapshot is Uint8Array {
  if (!(snapshot instanceof Uint8Array))
    throw new InvalidArgumentError('snapshot must be a Uint8Array')
  if (snapshot.length > limits.maxSnapshotBytes)
    throw new RecordTooLargeError(`a snapshot is over ${limits.maxSnapshotBytes} bytes`)
  if (
    typeof through !== 'number' ||
    !Number.isSafeInteger(through) ||
    through < 0 ||
    through > held
  )
    throw new InvalidArgumentError(`through must be an integer from 0 to ${held}`)
}

function isRecordRow(value: unknown): value is RecordRow {
  const row = value as RecordRow | undefined
  return typeof row?.sum === 'number' && row.bytes instanceof Uint8Array
}

/**
 * Opens (creating if missing) the IndexedDB database `database` as a log store.
 * @param database - the database name (default `DEFAULT_DATABASE_NAME`)
 * @param options - limits, and the IndexedDB factory and lock manager to use
 * @returns the store
 * @throws {InvalidArgumentError} when the name is empty or IndexedDB or Web Locks are missing
 * @throws {UnsupportedVersionError} when the database is of a later version
 * @example const store = await openIndexedDbStore('my-app-logs')
 */
export async function openIndexedDbStore(
  database: string = DEFAULT_DATABASE_NAME,
  options: IndexedDbStoreOptions = {},
): Promise<IndexedDbStore> {
  if (typeof database !== 'string' || database.length === 0)
    throw new InvalidArgumentError('database must be a non-empty string')
  const limits = limitsOf(options.limits)
  const factory = options.indexedDB ?? globalThis.indexedDB
  if (factory === undefined) throw new InvalidArgumentError('IndexedDB is not available here')
  const maybeLocks =
    options.locks ?? (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks
  if (maybeLocks === undefined) throw new InvalidArgumentError('Web Locks are not available here')
  const locks: LockManagerLike = maybeLocks
  const crc = createCrc32()
  const sumOf = (seq: number, bytes: Uint8Array) => crc.of(bytes, seq % 0x1_0000_0000)

  let db: IDBDatabase
  try {
    const request = factory.open(database, INDEXEDDB_FORMAT_VERSION)
    request.onupgradeneeded = (event) => {
      // only from nothing: a later version is refused by open itself (VersionError)
      if (event.oldVersion !== 0) return
      const created = request.result
      created.createObjectStore(LOGS, { keyPath: 'name' })
      created.createObjectStore(RECORDS)
    }
    db = await requestDone(request)
  } catch (error) {
    throw dbError(error, `opening database '${database}'`)
  }
  // another tab upgrading the database: let it, this store then fails its next call
  db.onversionchange = () => db.close()

  const open = new Set<Log>()
  let closed = false

  async function inTransaction<T>(
    mode: IDBTransactionMode,
    what: string,
    body: (logs: IDBObjectStore, records: IDBObjectStore) => Promise<T>,
  ): Promise<T> {
    let tx: IDBTransaction
    try {
      tx = db.transaction([LOGS, RECORDS], mode, { durability: 'strict' })
    } catch (error) {
      throw dbError(error, what)
    }
    const done = transactionDone(tx)
    try {
      const result = await body(tx.objectStore(LOGS), tx.objectStore(RECORDS))
      await done
      return result
    } catch (error) {
      try {
        tx.abort()
      } catch {
        // already finished or aborted
      }
      await done.catch(() => {})
      throw dbError(error, what)
    }
  }

  const rowOf = async (logs: IDBObjectStore, name: string): Promise<LogRow> => {
    const row = (await requestDone(logs.get(name))) as LogRow | undefined
    if (row === undefined) throw new CorruptLogError(name, 0, 'the log row is missing')
    return row
  }

  async function openLog(name: string): Promise<Log> {
    // hold the log's lock until close: the request's callback waits on `released`
    let release: () => void = () => {}
    const released = new Promise<void>((resolve) => (release = resolve))
    let held: () => void = () => {}
    let refused: () => void = () => {}
    const granted = new Promise<boolean>((resolve) => {
      held = () => resolve(true)
      refused = () => resolve(false)
    })
    const lockDone = locks
      .request(
        `${LOCK_PREFIX}/${database}/${name}`,
        { ifAvailable: true, mode: 'exclusive' },
        async (lock) => {
          if (lock === null) return refused()
          held()
          await released
        },
      )
      .catch(() => refused())
    if (!(await granted)) throw new LogLockedError(`log '${name}' is open elsewhere`)
    try {
      await inTransaction('readwrite', `opening log '${name}'`, async (logs) => {
        const row = (await requestDone(logs.get(name))) as LogRow | undefined
        if (row !== undefined) return
        const fresh: LogRow = {
          name,
          base: 0,
          next: 0,
          bytes: 0,
          snapshot: null,
          snapshotSum: null,
        }
        await requestDone(logs.put(fresh))
      })
    } catch (error) {
      release()
      await lockDone
      throw error
    }

    let isOpen = true
    let verified = false
    const check = () => {
      if (!isOpen || closed) throw new LogClosedError(`log '${name}' is closed`)
    }

    /** Reads batches of checked entries, one transaction per batch. */
    async function* scan(): AsyncGenerator<LogEntry[]> {
      const first = await inTransaction('readonly', `reading log '${name}'`, async (logs) =>
        rowOf(logs, name),
      )
      const { base, next, bytes } = first
      if (bytes > limits.maxLogBytes)
        throw new LogTooLargeError(`log '${name}' is ${bytes} bytes, over ${limits.maxLogBytes}`)
      if (first.snapshot !== null) {
        if (first.snapshot.length > limits.maxSnapshotBytes)
          throw new RecordTooLargeError(`log '${name}' holds a snapshot over the limit`)
        if (sumOf(base, first.snapshot) !== first.snapshotSum)
          throw new CorruptLogError(name, 0, 'the snapshot fails its checksum')
        yield [{ kind: 'snapshot', bytes: first.snapshot }]
      }
      let seq = base
      while (seq < next) {
        const last = Math.min(next, seq + READ_BATCH) - 1
        const rows = await inTransaction('readonly', `reading log '${name}'`, (_, records) =>
          requestDone(records.getAll(IDBKeyRange.bound([name, seq], [name, last]))),
        )
        if (rows.length !== last - seq + 1)
          throw new CorruptLogError(name, seq - base, 'records are missing')
        const out: LogEntry[] = []
        for (const row of rows) {
          if (!isRecordRow(row))
            throw new CorruptLogError(name, seq - base, 'a record is malformed')
          if (row.bytes.length > limits.maxRecordBytes)
            throw new RecordTooLargeError(
              `log '${name}' holds ${row.bytes.length} bytes at ${seq - base}`,
            )
          if (sumOf(seq, row.bytes) !== row.sum)
            throw new CorruptLogError(name, seq - base, 'a record fails its checksum')
          out.push({ kind: 'record', bytes: row.bytes })
          seq++
        }
        yield out
      }
      verified = true
    }

    /** A damaged log takes no more writes: it is read through once per open first. */
    async function verify(): Promise<void> {
      if (!verified) for await (const _ of scan()) void _
    }

    const log: Log = {
      name,
      async *read() {
        check()
        yield* scan()
      },
      async append(records) {
        check()
        assertRecords(records, limits)
        await verify()
        const copies = records.map(own)
        await inTransaction('readwrite', `appending to '${name}'`, async (logs, store) => {
          const row = await rowOf(logs, name)
          let total = row.bytes
          for (const r of copies) total += r.length
          if (total > limits.maxLogBytes)
            throw new LogTooLargeError(`log '${name}' would be over ${limits.maxLogBytes} bytes`)
          const writes: Array<Promise<unknown>> = []
          let seq = row.next
          for (const bytes of copies) {
            const value: RecordRow = { sum: sumOf(seq, bytes), bytes }
            writes.push(requestDone(store.put(value, [name, seq])))
            seq++
          }
          writes.push(requestDone(logs.put({ ...row, next: seq, bytes: total })))
          await Promise.all(writes)
        })
      },
      async compact(snapshot, through) {
        check()
        await verify()
        await inTransaction('readwrite', `compacting '${name}'`, async (logs, store) => {
          const row = await rowOf(logs, name)
          assertCompaction(snapshot, through, row.next - row.base, limits)
          const cut = row.base + through
          const kept = (await requestDone(
            store.getAll(IDBKeyRange.bound([name, cut], [name, Math.max(cut, row.next - 1)])),
          )) as RecordRow[]
          const keptBytes = cut < row.next ? kept.reduce((n, r) => n + r.bytes.length, 0) : 0
          const copy = own(snapshot)
          const writes: Array<Promise<unknown>> = []
          if (through > 0)
            writes.push(
              requestDone(store.delete(IDBKeyRange.bound([name, row.base], [name, cut - 1]))),
            )
          writes.push(
            requestDone(
              logs.put({
                ...row,
                base: cut,
                bytes: keptBytes + copy.length,
                snapshot: copy,
                snapshotSum: sumOf(cut, copy),
              }),
            ),
          )
          await Promise.all(writes)
        })
      },
      async close() {
        if (!isOpen) return
        isOpen = false
        open.delete(log)
        release()
        await lockDone
      },
    }
    open.add(log)
    return log
  }

  return {
    database,
    limits,
    async open(name) {
      if (closed) throw new LogClosedError('the store is closed')
      assertLogName(name)
      return openLog(name)
    },
    async list() {
      if (closed) throw new LogClosedError('the store is closed')
      const keys = await inTransaction('readonly', 'listing logs', (logs) =>
        requestDone(logs.getAllKeys()),
      )
      return keys.map(String)
    },
    async close() {
      if (closed) return
      for (const log of [...open]) await log.close()
      closed = true
      db.close()
    },
  }
}

/**
 * Deletes the database `database` and every log in it (for tests, and for an application
 * that resets its data). Fails while a store is open over it in another tab.
 * @param database - the database name
 * @param factory - the IndexedDB factory (default `globalThis.indexedDB`)
 * @throws {StorageIoError} when the deletion is blocked or fails
 * @example await deleteIndexedDbStore('my-app-logs')
 */
export async function deleteIndexedDbStore(
  database: string,
  factory: IDBFactory = globalThis.indexedDB,
): Promise<void> {
  const request = factory.deleteDatabase(database)
  await new Promise<void>((resolve, reject) => {
    request.onsuccess = () => resolve()
    request.onerror = () => reject(dbError(request.error, `deleting database '${database}'`))
    request.onblocked = () =>
      reject(new StorageIoError(`deleting database '${database}' is blocked`, 'blocked'))
  })
}
