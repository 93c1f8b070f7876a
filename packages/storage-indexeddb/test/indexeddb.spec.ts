/**
 * What the IndexedDB store adds to the contract, in Chromium: rows changed, moved or
 * removed behind its back are typed errors that leave the log as it was; a database of a
 * later version is refused; a second store in the same tab is a second writer; the
 * inputs a store is built from are checked.
 */
import { readLog } from '@peerkit/storage'
import { afterEach, describe, expect, it } from 'vitest'
import { deleteIndexedDbStore, INDEXEDDB_FORMAT_VERSION, openIndexedDbStore } from '../src/index'
import { editRow, openRaw } from './fixtures/raw'

const bytes = (...values: number[]) => new Uint8Array(values)
const created: string[] = []
let next = 0

function database(): string {
  const name = `store-${Date.now()}-${next++}`
  created.push(name)
  return name
}

afterEach(async () => {
  for (const name of created.splice(0)) await deleteIndexedDbStore(name)
})

async function named(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'resolved',
    (error: Error) => error.name,
  )
}

/** A closed log 'l' of three one-record appends in a fresh database. */
async function threeRecords(): Promise<string> {
  const db = database()
  const store = await openIndexedDbStore(db)
  const log = await store.open('l')
  for (const n of [1, 2, 3]) await log.append([bytes(n, n)])
  await store.close()
  return db
}

async function readAll(db: string): Promise<string> {
  const store = await openIndexedDbStore(db)
  try {
    const log = await store.open('l')
    return await readLog(log).then(
      (read) => JSON.stringify(read.records.map((r) => [...r])),
      (error: Error) => error.name,
    )
  } finally {
    await store.close()
  }
}

describe('the IndexedDB store', () => {
  it('reports records moved, removed or malformed behind its back, and takes no append', async () => {
    const cases: Array<[string, (db: string) => Promise<void>]> = [
      [
        'moved',
        async (db) => {
          // record 2 written over record 1: same bytes and checksum, wrong place
          let second: Record<string, unknown> = {}
          await editRow(db, 'records', ['l', 1], (row) => {
            second = row
            return row
          })
          await editRow(db, 'records', ['l', 0], () => second)
        },
      ],
      ['removed', (db) => editRow(db, 'records', ['l', 1], () => undefined)],
      ['malformed', (db) => editRow(db, 'records', ['l', 0], (row) => ({ ...row, bytes: 'x' }))],
      ['counted short', (db) => editRow(db, 'logs', 'l', (row) => ({ ...row, next: 5 }))],
    ]
    for (const [what, damage] of cases) {
      const db = await threeRecords()
      await damage(db)
      expect([what, await readAll(db)]).toEqual([what, 'CorruptLogError'])
      const store = await openIndexedDbStore(db)
      const log = await store.open('l')
      expect([what, await named(log.append([bytes(9)]))]).toEqual([what, 'CorruptLogError'])
      expect([what, await named(log.compact(bytes(0), 1))]).toEqual([what, 'CorruptLogError'])
      await store.close()
    }
  })

  it('reports a damaged snapshot', async () => {
    const db = await threeRecords()
    const store = await openIndexedDbStore(db)
    const log = await store.open('l')
    await log.compact(bytes(7, 7, 7), 2)
    await store.close()
    expect(await readAll(db)).toBe('[[3,3]]')
    await editRow(db, 'logs', 'l', (row) => ({ ...row, snapshot: bytes(7, 7, 6) }))
    expect(await readAll(db)).toBe('CorruptLogError')
  })

  it('refuses a log whose stored size is over the limit before reading its records', async () => {
    const db = await threeRecords()
    await editRow(db, 'logs', 'l', (row) => ({ ...row, bytes: 2 ** 40 }))
    expect(await readAll(db)).toBe('LogTooLargeError')
  })

  it('refuses a database of a later version, and leaves it alone', async () => {
    const db = database()
    const raw = indexedDB.open(db, INDEXEDDB_FORMAT_VERSION + 1)
    await new Promise((resolve) => {
      raw.onsuccess = resolve
    })
    raw.result.close()
    expect(await named(openIndexedDbStore(db))).toBe('UnsupportedVersionError')
    const again = await openRaw(db)
    expect(again.version).toBe(INDEXEDDB_FORMAT_VERSION + 1)
    again.close()
  })

  it('lets one writer hold a log across stores until it closes', async () => {
    const db = database()
    const first = await openIndexedDbStore(db)
    const second = await openIndexedDbStore(db)
    const log = await first.open('shared')
    expect(await named(second.open('shared'))).toBe('LogLockedError')
    await log.append([bytes(1)])
    await log.close()
    const taken = await second.open('shared')
    expect((await readLog(taken)).records).toEqual([bytes(1)])
    expect(await second.list()).toEqual(['shared'])
    await first.close()
    await second.close()
    expect(await named(second.open('shared'))).toBe('LogClosedError')
  })

  it('commits appends and compactions in strict-durability transactions over both stores', async () => {
    const db = database()
    const store = await openIndexedDbStore(db)
    const log = await store.open('durable')
    const seen: Array<[IDBTransactionMode, IDBTransactionDurability, string[]]> = []
    const original = IDBDatabase.prototype.transaction
    IDBDatabase.prototype.transaction = function (this: IDBDatabase, ...args) {
      const tx = original.apply(this, args)
      seen.push([tx.mode, tx.durability, Array.from(tx.objectStoreNames)])
      return tx
    } as typeof original
    try {
      await log.append([bytes(1), bytes(2)])
      await log.compact(bytes(9), 1)
    } finally {
      IDBDatabase.prototype.transaction = original
    }
    const writes = seen.filter(([mode]) => mode === 'readwrite')
    expect(writes).toHaveLength(2)
    for (const [, durability, stores] of writes) {
      expect(durability).toBe('strict')
      expect(stores).toEqual(['logs', 'records'])
    }
    expect((await readLog(log)).records).toEqual([bytes(2)])
    await store.close()
  })

  it('checks what it is built from', async () => {
    expect(await named(openIndexedDbStore(''))).toBe('InvalidArgumentError')
    expect(await named(openIndexedDbStore(database(), { limits: { maxRecordBytes: 0 } }))).toBe(
      'InvalidArgumentError',
    )
  })
})
