/**
 * `@peerkit/storage/compliance`: the storage contract as a vitest suite, for anyone who
 * implements a store. Give it a way to set up an empty place for logs and to open stores
 * over it (each `open` a new instance, as a restarted process would); stores that keep
 * logs as byte images (files) can also hand out those images, and the suite then crashes
 * every append at every byte, fills tails with zeros and flips bits.
 *
 * @example
 * import { storageCompliance } from '@peerkit/storage/compliance'
 * storageCompliance({
 *   name: 'my store',
 *   setup: async () => ({ open: async (o) => createMyStore(dir, o) }),
 *   teardown: async () => {},
 * })
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { concatBytes, equalBytes } from '@peerkit/codec'
import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { StoreLimits } from './constants'
import { readLog } from './read'
import type { LogStore } from './types'

/** What the suite needs from a store under test. */
export interface ComplianceContext {
  /** Opens a new store instance over the place `setup` made. */
  open(options?: { readonly limits?: Partial<StoreLimits> }): Promise<LogStore>
  /** For stores of byte images: the stored bytes of a (closed) log, read and replaced. */
  readonly image?: {
    read(name: string): Promise<Uint8Array>
    write(name: string, bytes: Uint8Array): Promise<void>
  }
  /** Damages the stored form of record `index` (0-based, after the snapshot) of a closed log. */
  damage?(name: string, index: number): Promise<void>
}

/** A store implementation under test. */
export interface ComplianceTarget {
  readonly name: string
  setup(): Promise<ComplianceContext>
  teardown(context: ComplianceContext): Promise<void>
}

const bytes = (...values: number[]) => new Uint8Array(values)

/** The fold the compaction tests use: a hash chain over the records. */
function fold(head: Uint8Array, records: readonly Uint8Array[]): Uint8Array {
  let h = head
  for (const r of records) h = sha256(concatBytes(h, r))
  return h
}

async function contents(store: LogStore, name: string) {
  const log = await store.open(name)
  try {
    return await readLog(log)
  } finally {
    await log.close()
  }
}

async function rejectsNamed(promise: Promise<unknown>, name: string): Promise<Error> {
  try {
    await promise
  } catch (error) {
    expect((error as Error).name).toBe(name)
    return error as Error
  }
  throw new Error(`expected ${name}, got success`)
}

/**
 * Registers the contract's tests for `target` with vitest.
 * @param target - how to set up, open and tear down the store under test
 */
export function storageCompliance(target: ComplianceTarget): void {
  describe(`storage compliance: ${target.name}`, () => {
    let context: ComplianceContext
    beforeEach(async () => {
      context = await target.setup()
    })
    afterEach(async () => {
      await target.teardown(context)
    })

    it('reads back what was appended, in order, after a restart', async () => {
      // every run gets a log of its own: runs share the place, and generated numbers repeat
      let run = 0
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.array(fc.uint8Array({ maxLength: 300 }), { minLength: 1, maxLength: 5 }), {
            maxLength: 12,
          }),
          async (appends) => {
            const name = `order-${run++}`
            const store = await context.open()
            const log = await store.open(name)
            for (const records of appends) await log.append(records)
            const before = await readLog(log)
            await log.close()
            await store.close()
            const expected = appends.flat()
            expect(before.records).toEqual(expected)
            expect(before.snapshot).toBeUndefined()
            const again = await context.open()
            expect((await contents(again, name)).records).toEqual(expected)
            expect(await again.list()).toContain(name)
            await again.close()
          },
        ),
        { numRuns: 15 },
      )
    })

    it('copies: changing the bytes given or read changes nothing stored', async () => {
      const store = await context.open()
      const log = await store.open('copies')
      const record = bytes(1, 2, 3)
      await log.append([record])
      record[0] = 9
      const read = await readLog(log)
      read.records[0]![1] = 9
      expect((await readLog(log)).records).toEqual([bytes(1, 2, 3)])
      await log.close()
      await store.close()
    })

    it('refuses bad names, bad records and oversized appends, changing nothing', async () => {
      const store = await context.open({
        limits: { maxRecordBytes: 100, maxAppendBytes: 200 },
      })
      for (const name of ['', '.hidden', '../escape', 'a/b', 'x'.repeat(201), 7]) {
        await rejectsNamed(store.open(name as string), 'InvalidArgumentError')
      }
      const log = await store.open('limits')
      await log.append([bytes(1)])
      await rejectsNamed(log.append([]), 'InvalidArgumentError')
      await rejectsNamed(log.append(['no' as unknown as Uint8Array]), 'InvalidArgumentError')
      await rejectsNamed(log.append([new Uint8Array(101)]), 'RecordTooLargeError')
      // atomic: a bad record anywhere in an append refuses all of it
      await rejectsNamed(log.append([bytes(2), new Uint8Array(101)]), 'RecordTooLargeError')
      await rejectsNamed(
        log.append([new Uint8Array(100), new Uint8Array(100)]),
        'RecordTooLargeError',
      )
      expect((await readLog(log)).records).toEqual([bytes(1)])
      await log.close()
      await store.close()
    })

    it('refuses a second writer, in this store and in another over the same place', async () => {
      const store = await context.open()
      const other = await context.open()
      const log = await store.open('busy')
      await rejectsNamed(store.open('busy'), 'LogLockedError')
      await rejectsNamed(other.open('busy'), 'LogLockedError')
      await log.append([bytes(5)])
      await log.close()
      await rejectsNamed(log.append([bytes(6)]), 'LogClosedError')
      const again = await other.open('busy')
      expect((await readLog(again)).records).toEqual([bytes(5)])
      await store.close()
      await other.close()
      // closing the store releases its logs
      const third = await context.open()
      await (await third.open('busy')).close()
      await third.close()
    })

    it('refuses to read records beyond its limits with a typed error', async () => {
      const big = await context.open()
      const log = await big.open('bounded')
      await log.append([new Uint8Array(500), new Uint8Array(500)])
      await log.append([new Uint8Array(500)])
      await log.close()
      await big.close()
      const small = await context.open({ limits: { maxRecordBytes: 400 } })
      await rejectsNamed(contents(small, 'bounded'), 'RecordTooLargeError')
      await small.close()
      const tiny = await context.open({ limits: { maxLogBytes: 1000 } })
      await rejectsNamed(contents(tiny, 'bounded'), 'LogTooLargeError')
      await tiny.close()
    })

    it('compaction keeps the same state and head after a restart', async () => {
      const store = await context.open()
      const log = await store.open('compact')
      const records = Array.from({ length: 20 }, (_, i) => bytes(i, i * 3))
      for (let i = 0; i < 10; i++) await log.append(records.slice(2 * i, 2 * i + 2))
      const zero = new Uint8Array(32)
      const head = fold(zero, records)
      // snapshot of the first 12 records: the folded head and the count
      await log.compact(concatBytes(fold(zero, records.slice(0, 12)), bytes(12)), 12)
      await rejectsNamed(log.compact(bytes(0), 9), 'InvalidArgumentError')
      await log.append([bytes(99)])
      await log.close()
      await store.close()
      const again = await context.open()
      const read = await contents(again, 'compact')
      expect(read.snapshot).toBeDefined()
      expect(read.snapshot![32]).toBe(12)
      expect(read.records).toEqual([...records.slice(12), bytes(99)])
      expect(equalBytes(fold(read.snapshot!.subarray(0, 32), read.records.slice(0, 8)), head)).toBe(
        true,
      )
      // compacting everything, twice, leaves a snapshot alone
      const log2 = await again.open('compact')
      await log2.compact(bytes(7), 9)
      await log2.compact(bytes(8), 0)
      expect(await readLog(log2)).toEqual({ snapshot: bytes(8), records: [] })
      await log2.append([bytes(1)])
      expect(await readLog(log2)).toEqual({ snapshot: bytes(8), records: [bytes(1)] })
      await log2.close()
      await again.close()
    })

    it('reports damage before the last append as CorruptLogError and cuts nothing off', async () => {
      const damage = context.damage
      if (damage === undefined) return
      const store = await context.open()
      const log = await store.open('damaged')
      for (let i = 0; i < 6; i++) await log.append([new Uint8Array(40).fill(i + 1)])
      await log.close()
      await damage('damaged', 2)
      const before = context.image === undefined ? undefined : await context.image.read('damaged')
      const error = (await rejectsNamed(contents(store, 'damaged'), 'CorruptLogError')) as Error & {
        offset: unknown
      }
      expect(typeof error.offset).toBe('number')
      const again = await store.open('damaged')
      await rejectsNamed(again.append([bytes(1)]), 'CorruptLogError')
      await again.close()
      if (before !== undefined) expect(await context.image!.read('damaged')).toEqual(before)
      await store.close()
    })

    it('a crash at any byte of an append reloads to the appends before it', async () => {
      if (context.image === undefined) return
      const image = context.image
      const store = await context.open()
      const log = await store.open('torn')
      const first = [bytes(1, 2, 3), new Uint8Array(0)]
      await log.append(first)
      await log.append([new Uint8Array(30).fill(7)])
      await log.close()
      const committed = await image.read('torn')
      const reopened = await store.open('torn')
      const last = [bytes(9), new Uint8Array(20).fill(8), bytes(10, 11)]
      await reopened.append(last)
      await reopened.close()
      const full = await image.read('torn')
      const before = [...first, new Uint8Array(30).fill(7)]
      for (let cut = committed.length; cut <= full.length; cut++) {
        await image.write('torn', full.subarray(0, cut))
        const expected = cut === full.length ? [...before, ...last] : before
        const l = await store.open('torn')
        expect((await readLog(l)).records).toEqual(expected)
        // the torn tail is cut off by the next append, which then reads back cleanly
        await l.append([bytes(0xee)])
        expect((await readLog(l)).records).toEqual([...expected, bytes(0xee)])
        await l.close()
      }
      await store.close()
    })

    it('a zero-filled tail is an incomplete write, however long', async () => {
      if (context.image === undefined) return
      const store = await context.open()
      const log = await store.open('zeros')
      await log.append([bytes(1), bytes(2)])
      await log.append([bytes(3)])
      await log.close()
      const full = await context.image.read('zeros')
      for (const zeros of [1, 12, 13, 4096, 8 * 1024 * 1024]) {
        await context.image.write('zeros', concatBytes(full, new Uint8Array(zeros)))
        expect((await contents(store, 'zeros')).records).toEqual([bytes(1), bytes(2), bytes(3)])
      }
      // a zero-filled block before valid data is damage, not a tail
      await context.image.write('zeros', concatBytes(full, new Uint8Array(4096), full.subarray(8)))
      await rejectsNamed(contents(store, 'zeros'), 'CorruptLogError')
      await store.close()
    })

    it('any flipped bit before the last append is reported, never read as an earlier state', async () => {
      if (context.image === undefined) return
      const store = await context.open()
      const log = await store.open('flips')
      const records = [bytes(1, 2, 3, 4), new Uint8Array(10).fill(5), bytes(6)]
      for (const r of records) await log.append([r])
      await log.close()
      const full = await context.image.read('flips')
      const lastStart = full.length - (13 + 1)
      for (let at = 0; at < lastStart; at++) {
        const bad = full.slice()
        bad[at]! ^= 1 << (at % 8)
        await context.image.write('flips', bad)
        const name = await contents(store, 'flips').then(
          () => 'none',
          (error: Error) => error.name,
        )
        const expected = at === 6 || at === 7 ? 'UnsupportedVersionError' : 'CorruptLogError'
        expect([at, name]).toEqual([at, expected])
      }
      await store.close()
    })
  })
}
