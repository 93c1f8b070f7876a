/**
 * Storage suite: durable appends and whole-log loads on a real file in `os.tmpdir()`,
 * each against the bare system calls doing the same work in the same run.
 *
 * - `storage.append/raw-fsync`: the file store's `append` of one 256-byte record (it
 *   resolves once durable: one write through an O_DSYNC descriptor) against a loop of
 *   `fs.writeSync` + `fs.fsyncSync` of the very bytes the store writes for it (frame
 *   header and record); the same loop through `FileHandle` (libuv's thread pool, where
 *   the store's write runs too) is measured for scale.
 * - `storage.append-sqlite/raw-fsync`: the SQLite store's `append` (one transaction, WAL,
 *   `synchronous = FULL`) against the same raw loop.
 * - `storage.load/raw-read`: reading a 100,000-record log through the file store against
 *   reading the same file raw and checking every frame's CRC-32.
 */
import { closeSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs'
import { mkdtemp, open, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { crc32 } from 'node:zlib'
import type { Log } from '@peerkit/storage'
import { createSqliteStore } from '@peerkit/storage-sqlite'
// the file store is the package's `./node` subpath; the bench reads it from source
import {
  createFileStore,
  encodeFrames,
  FILE_HEADER_BYTES,
  FRAME_HEADER_BYTES,
} from '../../packages/storage/src/node'
import type { Suite } from '../src/harness'

const RECORD_BYTES = 256

function recordOf(i: number, size = RECORD_BYTES): Uint8Array {
  const r = new Uint8Array(size)
  for (let j = 0; j < size; j++) r[j] = (i * 31 + j * 7) & 0xff
  return r
}

/** Counts the records of a log read through the contract. */
async function countRecords(log: Log): Promise<number> {
  let n = 0
  for await (const batch of log.read()) n += batch.length
  return n
}

/** The raw baseline of a load: read the file, walk its frames, check every CRC-32. */
function rawLoad(path: string): number {
  const bytes = readFileSync(path)
  let at = FILE_HEADER_BYTES
  let n = 0
  while (at + FRAME_HEADER_BYTES <= bytes.length) {
    const length = bytes.readUInt32BE(at + 1)
    const check = bytes.readUInt32BE(at + 5)
    const body = bytes.subarray(at + FRAME_HEADER_BYTES, at + FRAME_HEADER_BYTES + length)
    if (crc32(body, check) >>> 0 !== bytes.readUInt32BE(at + 9)) throw new Error('bad frame')
    at += FRAME_HEADER_BYTES + length
    n++
  }
  return n
}

/**
 * Runs each subject `turns` times, one call each in rotating order, after a warm-up;
 * returns ops/s from each subject's median latency.
 */
async function takeTurns(
  subjects: Record<string, () => unknown>,
  turns: number,
): Promise<Record<string, number>> {
  const names = Object.keys(subjects)
  const times: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]))
  for (let turn = -20; turn < turns; turn++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + turn + 20) % names.length]!
      const start = performance.now()
      await subjects[name]!()
      if (turn >= 0) times[name]!.push(performance.now() - start)
    }
  }
  const ops: Record<string, number> = {}
  for (const name of names) {
    const sorted = times[name]!.sort((a, b) => a - b)
    ops[name] = 1000 / sorted[sorted.length >> 1]!
  }
  return ops
}

const suite: Suite = {
  name: 'storage',
  async run(ctx) {
    const dir = await mkdtemp(join(tmpdir(), 'peerkit-storage-bench-'))
    try {
      // appends: one record per append, each durable before the next starts
      const files = await createFileStore(join(dir, 'files'))
      const fileLog = await files.open('append')
      const sqlite = createSqliteStore(join(dir, 'logs.db'))
      const sqliteLog = await sqlite.open('append')
      const pool = Array.from({ length: 64 }, (_, i) => recordOf(i))
      const framed = pool.map((r) => encodeFrames([r]))
      const raw = openSync(join(dir, 'raw.log'), 'w')
      const rawAsync = await open(join(dir, 'raw-async.log'), 'w')
      let rawAt = 0
      let rawAsyncAt = 0
      let v = 0
      let f = 0
      let s = 0
      let w = 0
      ctx.log(`  appends of one ${RECORD_BYTES}-byte record (${framed[0]!.length} bytes framed)`)
      // fsync latency on a shared virtual disk swings by 10x from one moment to the next, so
      // the subjects take turns one append at a time and the median latency of each is kept
      const subjects: Record<string, () => unknown> = {
        'file store': () => fileLog.append([pool[f++ % pool.length]!]),
        'sqlite store': () => sqliteLog.append([pool[s++ % pool.length]!]),
        'raw write+fsync': () => {
          const bytes = framed[w++ % framed.length]!
          let done = 0
          while (done < bytes.length)
            done += writeSync(raw, bytes, done, bytes.length - done, rawAt + done)
          rawAt += bytes.length
          fsyncSync(raw)
        },
        // the same through FileHandle: two trips to libuv's thread pool (the store takes one)
        'raw write+fsync (async)': async () => {
          const bytes = framed[v++ % framed.length]!
          let done = 0
          while (done < bytes.length)
            done += (await rawAsync.write(bytes, done, bytes.length - done, rawAsyncAt + done))
              .bytesWritten
          rawAsyncAt += bytes.length
          await rawAsync.sync()
        },
      }
      const appended = await takeTurns(subjects, ctx.quick ? 100 : 1500)
      for (const [name, ops] of Object.entries(appended))
        ctx.record('durable append (1 record)', name, ops)
      closeSync(raw)
      await rawAsync.close()
      await files.close()
      await sqlite.close()
      ctx.ratio('storage.append/raw-fsync', appended['file store']! / appended['raw write+fsync']!)
      ctx.ratio(
        'storage.append/raw-fsync-async',
        appended['file store']! / appended['raw write+fsync (async)']!,
      )
      ctx.ratio(
        'storage.append-sqlite/raw-fsync',
        appended['sqlite store']! / appended['raw write+fsync']!,
      )

      // loads: a 100,000-record log written in appends of 100 (unsynced: only reading is timed)
      const total = ctx.quick ? 20_000 : 100_000
      const loads = await createFileStore(join(dir, 'load'), { sync: false })
      const writer = await loads.open('load')
      for (let i = 0; i < total; i += 100)
        await writer.append(Array.from({ length: 100 }, (_, j) => pool[(i + j) % pool.length]!))
      await writer.close()
      const path = loads.pathOf('load')
      const reader = await loads.open('load')
      if ((await countRecords(reader)) !== total || rawLoad(path) !== total)
        throw new Error('the load read the wrong number of records')
      ctx.log(`  load of ${total} records, ${readFileSync(path).length} bytes`)
      const loaded = await ctx.measure(
        `load ${total}-record log`,
        {
          'file store': () => countRecords(reader),
          'raw read+crc32': () => rawLoad(path),
        },
        ctx.quick ? { rounds: 3, roundMs: 300 } : { rounds: 7, roundMs: 600 },
      )
      await reader.close()
      await loads.close()
      ctx.ratio('storage.load/raw-read', loaded['file store']! / loaded['raw read+crc32']!)
      ctx.figure(`storage.load-${total}.ms`, Math.round(1000 / loaded['file store']!))
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  },
}

export default suite
