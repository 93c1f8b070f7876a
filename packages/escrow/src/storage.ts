/**
 * Where trade logs persist: a `LogStore` keeps, per trade, an append-only list of
 * records (the terms, each accepted step with the time it was accepted, each
 * acknowledgement). A record is committed once `append` resolves; a crash at any
 * point leaves every committed record readable and nothing half-written.
 * `createMemoryStore` is the in-memory implementation; `createFileStore` (from
 * `@peerkit/escrow/node`) writes checksummed records to files.
 *
 * @example
 * const store = createMemoryStore()
 * await store.append('trade-1', record)
 * await store.read('trade-1') // [record]
 */
import { assertBytes } from './assert'
import { MAX_RECORD_BYTES } from './constants'
import { InvalidArgumentError } from './errors'

/** Append-only record logs, one per trade. */
export interface LogStore {
  /** Appends one record; it is committed (survives a crash) once the promise resolves. */
  append(log: string, record: Uint8Array): Promise<void>
  /** Every committed record of a log, in order; empty for an unknown log. */
  read(log: string): Promise<Uint8Array[]>
  /** The names of the logs that hold records. */
  list(): Promise<string[]>
}

const LOG_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}$/

/** Throws unless `name` is a log name that is safe as a file name on every system. */
export function assertLogName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !LOG_NAME.test(name)) {
    throw new InvalidArgumentError(
      'log must be 1 to 200 letters, digits, ".", "_" or "-", not starting with "."',
    )
  }
}

/** Throws unless `record` is bytes within the record limit. */
export function assertRecord(record: unknown): asserts record is Uint8Array {
  assertBytes(record, 'record', MAX_RECORD_BYTES)
}

/** An in-memory log store: for tests, simulations and short-lived peers. */
export interface MemoryStore extends LogStore {
  /** How many records were appended, over all logs. */
  readonly writes: number
}

/**
 * Creates an in-memory log store. Records are copied in and out, so callers cannot
 * change committed data.
 * @returns the store
 * @example const store = createMemoryStore()
 */
export function createMemoryStore(): MemoryStore {
  const logs = new Map<string, Uint8Array[]>()
  let writes = 0
  return {
    get writes() {
      return writes
    },
    async append(log, record) {
      assertLogName(log)
      assertRecord(record)
      let list = logs.get(log)
      if (list === undefined) {
        list = []
        logs.set(log, list)
      }
      list.push(record.slice())
      writes++
    },
    async read(log) {
      assertLogName(log)
      return (logs.get(log) ?? []).map((r) => r.slice())
    },
    async list() {
      return [...logs.keys()]
    },
  }
}
