/**
 * The SQLite store (Node, better-sqlite3): every log of the store lives in one database
 * file in WAL mode with `synchronous = FULL`, so a committed transaction is on disk
 * when it returns. An append is one transaction (all its records or none), and so is a
 * compaction. Each record is stored with its CRC-32 (seeded with its position), so
 * damage to the file is reported as `CorruptLogError` naming the record's position,
 * never read as an earlier state. The writer of a log is recorded in the database
 * (process id and a token), which refuses a second writer from any connection.
 *
 * @example
 * const store = createSqliteStore('./logs.db')
 * const log = await store.open('trade-1')
 * await log.append([record])
 */
import { randomUUID } from 'node:crypto'
import { crc32 } from 'node:zlib'
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
import Database from 'better-sqlite3'
import { DEFAULT_BUSY_TIMEOUT_MS, READ_BATCH, SQLITE_FORMAT_VERSION } from './constants'

/** Options of `createSqliteStore`. */
export interface SqliteStoreOptions {
  /** Limits (default `DEFAULT_LIMITS` of @peerkit/storage). */
  readonly limits?: Partial<StoreLimits>
  /** How long to wait for another connection's write, in ms (default 5000). */
  readonly busyTimeoutMs?: number
}

interface Row {
  seq: number
  sum: number
  n: number
  bytes: Uint8Array | null
}

function sumOf(seq: number, bytes: Uint8Array): number {
  const seed = seq % 0x1_0000_0000
  // zlib gives 0 for an empty buffer without storage behind it, instead of the seed
  return bytes.length === 0 ? seed : crc32(bytes, seed) >>> 0
}

function view(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

/** The exact bytes of `bytes` as a Buffer (a view's own range, not its whole backing store). */
function blob(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM'
  }
}

/** The typed error for a failed database call. */
function dbError(error: unknown, what: string): Error {
  if (isStorageError(error)) return error
  const code = (error as { code?: unknown }).code
  const text = typeof code === 'string' ? code : undefined
  if (text === 'SQLITE_FULL')
    return new NoSpaceError(`${what}: database or disk is full`, { cause: error })
  if (text === 'SQLITE_TOOBIG') return new RecordTooLargeError(`${what}: too big`, { cause: error })
  if (text === 'SQLITE_CORRUPT' || text === 'SQLITE_NOTADB')
    return new CorruptLogError('*', 0, `${what}: the database file is damaged`, { cause: error })
  return new StorageIoError(`${what} failed`, text, { cause: error })
}

function limitsOf(given: Partial<StoreLimits> | undefined): StoreLimits {
  const limits = { ...DEFAULT_LIMITS, ...given }
  for (const [key, value] of Object.entries(limits)) {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0)
      throw new InvalidArgumentError(`limits.${key} must be a positive safe integer`)
  }
  return Object.freeze(limits)
}

/** An SQLite store, with its database path. */
export interface SqliteStore extends LogStore {
  readonly path: string
}

/**
 * Opens (creating if missing) an SQLite database at `path` as a log store.
 * @param path - the database file
 * @param options - limits and the busy timeout
 * @returns the store
 * @throws {InvalidArgumentError} when `path` is not a non-empty string
 * @throws {UnsupportedVersionError} when the database holds tables of another version
 * @example const store = createSqliteStore('/var/lib/app/logs.db')
 */
export function createSqliteStore(path: string, options: SqliteStoreOptions = {}): SqliteStore {
  if (typeof path !== 'string' || path.length === 0)
    throw new InvalidArgumentError('path must be a non-empty string')
  const limits = limitsOf(options.limits)
  let db: Database.Database
  try {
    db = new Database(path)
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS}`)
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = FULL')
  } catch (error) {
    throw dbError(error, `opening ${path}`)
  }
  const version = db.pragma('user_version', { simple: true }) as number
  if (version === 0) {
    db.transaction(() => {
      db.exec(`
        CREATE TABLE IF NOT EXISTS logs (
          name TEXT PRIMARY KEY,
          base INTEGER NOT NULL,
          next INTEGER NOT NULL,
          bytes INTEGER NOT NULL,
          snapshot BLOB,
          snapshot_sum INTEGER,
          holder TEXT
        );
        CREATE TABLE IF NOT EXISTS records (
          log TEXT NOT NULL,
          seq INTEGER NOT NULL,
          sum INTEGER NOT NULL,
          bytes BLOB NOT NULL,
          PRIMARY KEY (log, seq)
        ) WITHOUT ROWID;
      `)
      db.pragma(`user_version = ${SQLITE_FORMAT_VERSION}`)
    }).immediate()
  } else if (version !== SQLITE_FORMAT_VERSION) {
    db.close()
    throw new UnsupportedVersionError(`database ${path} has format version ${version}`)
  }

  const statements = {
    log: db.prepare<[string], { base: number; next: number; bytes: number; holder: string | null }>(
      'SELECT base, next, bytes, holder FROM logs WHERE name = ?',
    ),
    create: db.prepare<[string, string]>(
      'INSERT INTO logs (name, base, next, bytes, holder) VALUES (?, 0, 0, 0, ?)',
    ),
    hold: db.prepare<[string | null, string]>('UPDATE logs SET holder = ? WHERE name = ?'),
    release: db.prepare<[string, string]>(
      'UPDATE logs SET holder = NULL WHERE name = ? AND holder = ?',
    ),
    snapshot: db.prepare<
      [number, string],
      { n: number; sum: number | null; snapshot: Uint8Array | null }
    >(
      'SELECT length(snapshot) AS n, snapshot_sum AS sum, CASE WHEN length(snapshot) <= ? THEN snapshot END AS snapshot FROM logs WHERE name = ?',
    ),
    page: db.prepare<[number, string, number], Row>(
      'SELECT seq, sum, length(bytes) AS n, CASE WHEN length(bytes) <= ? THEN bytes END AS bytes FROM records WHERE log = ? AND seq >= ? ORDER BY seq LIMIT ' +
        READ_BATCH,
    ),
    insert: db.prepare<[string, number, number, Uint8Array]>(
      'INSERT INTO records (log, seq, sum, bytes) VALUES (?, ?, ?, ?)',
    ),
    grow: db.prepare<[number, number, string]>(
      'UPDATE logs SET next = ?, bytes = ? WHERE name = ?',
    ),
    drop: db.prepare<[string, number]>('DELETE FROM records WHERE log = ? AND seq < ?'),
    compact: db.prepare<[number, number, Uint8Array, number, string]>(
      'UPDATE logs SET base = ?, bytes = ?, snapshot = ?, snapshot_sum = ? WHERE name = ?',
    ),
    kept: db.prepare<[string, number], { n: number | null }>(
      'SELECT sum(length(bytes)) AS n FROM records WHERE log = ? AND seq >= ?',
    ),
    names: db.prepare<[], { name: string }>('SELECT name FROM logs ORDER BY name'),
  }
  const open = new Set<Log>()
  let closed = false

  function openLog(name: string): Log {
    const holder = `${process.pid}:${randomUUID()}`
    try {
      db.transaction(() => {
        const row = statements.log.get(name)
        if (row === undefined) {
          statements.create.run(name, holder)
          return
        }
        if (row.holder !== null) {
          const pid = Number.parseInt(row.holder, 10)
          if (Number.isSafeInteger(pid) && pid > 0 && isAlive(pid))
            throw new LogLockedError(`log '${name}' is open in process ${pid}`)
        }
        statements.hold.run(holder, name)
      }).immediate()
    } catch (error) {
      // another process kept the database's write lock past the busy timeout: it is writing,
      // so this writer must wait its turn, as for a log another process holds
      if ((error as { code?: unknown }).code === 'SQLITE_BUSY') {
        throw new LogLockedError(
          `log '${name}': the database stayed busy (another process writes)`,
          {
            cause: error,
          },
        )
      }
      throw dbError(error, `opening log '${name}'`)
    }
    let isOpen = true
    let verified = false
    const check = () => {
      if (!isOpen || closed) throw new LogClosedError(`log '${name}' is closed`)
    }
    const state = () => statements.log.get(name)!
    // made once per log: better-sqlite3 builds a transaction's wrappers when it is made
    const appendTransaction = db.transaction((records: readonly Uint8Array[]) => {
      const { next, bytes } = state()
      let total = bytes
      for (const r of records) total += r.length
      if (total > limits.maxLogBytes)
        throw new LogTooLargeError(`log '${name}' would be over ${limits.maxLogBytes} bytes`)
      let seq = next
      for (const r of records) {
        statements.insert.run(name, seq, sumOf(seq, r), blob(r))
        seq++
      }
      statements.grow.run(seq, total, name)
    })

    /** Reads pages of checked entries. */
    async function* scan(): AsyncGenerator<LogEntry[]> {
      const { base, next, bytes } = state()
      if (bytes > limits.maxLogBytes)
        throw new LogTooLargeError(`log '${name}' is ${bytes} bytes, over ${limits.maxLogBytes}`)
      const snap = statements.snapshot.get(limits.maxSnapshotBytes, name)!
      if (snap.n !== null) {
        if (snap.snapshot === null)
          throw new RecordTooLargeError(`log '${name}' holds a snapshot over the limit`)
        if (sumOf(base, snap.snapshot) !== snap.sum)
          throw new CorruptLogError(name, 0, 'the snapshot fails its checksum')
        yield [{ kind: 'snapshot', bytes: view(snap.snapshot) }]
      }
      let seq = base
      while (seq < next) {
        const rows = statements.page.all(limits.maxRecordBytes, name, seq)
        const out: LogEntry[] = []
        for (const row of rows) {
          if (row.seq !== seq) throw new CorruptLogError(name, seq - base, 'a record is missing')
          if (row.bytes === null)
            throw new RecordTooLargeError(`log '${name}' holds ${row.n} bytes at ${seq - base}`)
          if (sumOf(seq, row.bytes) !== row.sum)
            throw new CorruptLogError(name, seq - base, 'a record fails its checksum')
          out.push({ kind: 'record', bytes: view(row.bytes) })
          seq++
        }
        if (rows.length === 0) throw new CorruptLogError(name, seq - base, 'records are missing')
        yield out
      }
      verified = true
    }

    const log: Log = {
      name,
      async *read() {
        check()
        try {
          yield* scan()
        } catch (error) {
          throw dbError(error, `reading log '${name}'`)
        }
      },
      async append(records) {
        check()
        assertRecords(records, limits)
        // a damaged log takes no more appends: check it once per open
        if (!verified) for await (const _ of log.read()) void _
        try {
          appendTransaction.immediate(records)
        } catch (error) {
          throw dbError(error, `appending to '${name}'`)
        }
      },
      async compact(snapshot, through) {
        check()
        if (!verified) for await (const _ of log.read()) void _
        try {
          db.transaction(() => {
            const { base, next } = state()
            if (!(snapshot instanceof Uint8Array))
              throw new InvalidArgumentError('snapshot must be a Uint8Array')
            if (snapshot.length > limits.maxSnapshotBytes)
              throw new RecordTooLargeError(`a snapshot is over ${limits.maxSnapshotBytes} bytes`)
            if (!Number.isSafeInteger(through) || through < 0 || through > next - base)
              throw new InvalidArgumentError(`through must be an integer from 0 to ${next - base}`)
            const cut = base + through
            statements.drop.run(name, cut)
            const kept = statements.kept.get(name, cut)!.n ?? 0
            statements.compact.run(
              cut,
              kept + snapshot.length,
              blob(snapshot),
              sumOf(cut, snapshot),
              name,
            )
          }).immediate()
        } catch (error) {
          throw dbError(error, `compacting '${name}'`)
        }
      },
      async close() {
        if (!isOpen) return
        isOpen = false
        open.delete(log)
        try {
          if (!closed) statements.release.run(name, holder)
        } catch (error) {
          throw dbError(error, `releasing log '${name}'`)
        }
      },
    }
    open.add(log)
    return log
  }

  return {
    path,
    limits,
    async open(name) {
      if (closed) throw new LogClosedError('the store is closed')
      assertLogName(name)
      return openLog(name)
    },
    async list() {
      return statements.names.all().map((r) => r.name)
    },
    async close() {
      if (closed) return
      let failure: unknown
      for (const log of [...open])
        await log.close().catch((error: unknown) => {
          failure ??= error
        })
      closed = true
      db.close()
      if (failure !== undefined) throw failure
    },
  }
}
