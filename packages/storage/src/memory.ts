/**
 * The in-memory store: logs live in a `MemoryDisk`, a plain object the caller keeps, so
 * a second store over the same disk sees what the first committed, as a restarted
 * process would. Records are copied in and out, so callers cannot change committed data.
 *
 * @example
 * const disk = createMemoryDisk()
 * const store = createMemoryStore({ disk })
 * const log = await store.open('trade-1')
 * await log.append([new Uint8Array([1])])
 */
import { assertCompaction, assertLogName, assertRecords, limitsFrom } from './assert'
import { DEFAULT_LIMITS, type StoreLimits } from './constants'
import { LogClosedError, LogLockedError, LogTooLargeError, RecordTooLargeError } from './errors'
import type { Log, LogEntry, LogStore } from './types'

interface MemoryLog {
  snapshot: Uint8Array | undefined
  records: Uint8Array[]
  bytes: number
}

/** Where memory stores keep their logs; share one between stores to model a restart. */
export interface MemoryDisk {
  readonly logs: Map<string, MemoryLog>
  /** Names of the logs some store holds open. */
  readonly held: Set<string>
}

/**
 * Creates an empty memory disk.
 * @example const disk = createMemoryDisk()
 */
export function createMemoryDisk(): MemoryDisk {
  return { logs: new Map(), held: new Set() }
}

/** Options of `createMemoryStore`. */
export interface MemoryStoreOptions {
  /** Where the logs live (default: a new disk of this store's own). */
  readonly disk?: MemoryDisk
  /** Limits (default `DEFAULT_LIMITS`). */
  readonly limits?: Partial<StoreLimits>
}

/** A memory store, with a count of appends for tests. */
export interface MemoryStore extends LogStore {
  /** Appends committed through this store. */
  readonly writes: number
}

const BATCH = 1024

/**
 * Creates an in-memory store: for tests, simulations and short-lived peers.
 * @param options - the disk to use and the limits
 * @returns the store
 * @example const store = createMemoryStore()
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  const disk = options.disk ?? createMemoryDisk()
  const limits = limitsFrom(options.limits, DEFAULT_LIMITS)
  const mine = new Map<string, () => void>()
  let writes = 0
  let closed = false

  function openLog(name: string): Log {
    let open = true
    const check = () => {
      if (!open) throw new LogClosedError(`log '${name}' is closed`)
    }
    const stored = (): MemoryLog => {
      let log = disk.logs.get(name)
      if (log === undefined) {
        log = { snapshot: undefined, records: [], bytes: 0 }
        disk.logs.set(name, log)
      }
      return log
    }
    stored()
    mine.set(name, () => {
      open = false
    })
    return {
      name,
      async *read() {
        check()
        const log = stored()
        const records = log.records.slice()
        // the same limits as on a medium: a log kept by a store with larger limits is refused
        if (log.bytes > limits.maxLogBytes)
          throw new LogTooLargeError(`log '${name}' is over ${limits.maxLogBytes} bytes`)
        if (log.snapshot !== undefined && log.snapshot.length > limits.maxSnapshotBytes)
          throw new RecordTooLargeError(`log '${name}' holds a snapshot over the limit`)
        for (const r of records) {
          if (r.length > limits.maxRecordBytes)
            throw new RecordTooLargeError(`log '${name}' holds a record over the limit`)
        }
        if (log.snapshot !== undefined) yield [{ kind: 'snapshot', bytes: log.snapshot.slice() }]
        for (let i = 0; i < records.length; i += BATCH) {
          const batch: LogEntry[] = []
          for (const r of records.slice(i, i + BATCH))
            batch.push({ kind: 'record', bytes: r.slice() })
          yield batch
        }
      },
      async append(records) {
        check()
        assertRecords(records, limits)
        const total = records.reduce((n, r) => n + r.length, 0)
        const log = stored()
        if (log.bytes + total > limits.maxLogBytes)
          throw new LogTooLargeError(`log '${name}' would be over ${limits.maxLogBytes} bytes`)
        for (const r of records) log.records.push(r.slice())
        log.bytes += total
        writes++
      },
      async compact(snapshot, through) {
        check()
        const log = stored()
        assertCompaction(snapshot, through, log.records.length, limits)
        const kept = log.records.slice(through)
        log.snapshot = snapshot.slice()
        log.records = kept
        log.bytes = snapshot.length + kept.reduce((n, r) => n + r.length, 0)
      },
      async close() {
        if (!open) return
        open = false
        mine.delete(name)
        disk.held.delete(name)
      },
    }
  }

  return {
    limits,
    get writes() {
      return writes
    },
    async open(name) {
      if (closed) throw new LogClosedError('the store is closed')
      assertLogName(name)
      if (disk.held.has(name)) throw new LogLockedError(`log '${name}' is open elsewhere`)
      disk.held.add(name)
      return openLog(name)
    },
    async list() {
      return [...disk.logs.keys()]
    },
    async close() {
      closed = true
      for (const [name, release] of mine) {
        release()
        disk.held.delete(name)
      }
      mine.clear()
    },
  }
}
