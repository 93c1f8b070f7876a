/**
 * The SQLite store under real faults: a writer killed with SIGKILL in the middle of its
 * transactions (appends and compactions), a second writer in another process, and a full file system (a small
 * tmpfs) mid-append.
 */
import { execFileSync, spawn } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readLog } from '@peerkit/storage'
import Database from 'better-sqlite3'
import { build } from 'esbuild'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSqliteStore } from '../src/index'

let dir: string
let writer: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'peerkit-sqlite-faults-'))
  // bundled inside the package, so the child finds better-sqlite3 in its node_modules
  const cache = new URL('../node_modules/.cache/', import.meta.url).pathname
  mkdirSync(cache, { recursive: true })
  writer = join(await mkdtemp(join(cache, 'writer-')), 'writer.mjs')
  await build({
    entryPoints: [new URL('./fixtures/writer.ts', import.meta.url).pathname],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: writer,
    external: ['better-sqlite3'],
    logLevel: 'silent',
  })
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
  await rm(join(writer, '..'), { recursive: true, force: true })
})

describe('sqlite store faults', () => {
  it('a writer killed mid-transaction reloads to whole appends holding every acknowledged one', async () => {
    const path = join(dir, 'killed.db')
    let held = 0
    for (let round = 0; round < 5; round++) {
      const child = spawn(process.execPath, [writer, path, 'killed', '300'])
      let seen = 0
      let errors = ''
      child.stderr.on('data', (chunk: Buffer) => {
        errors += chunk.toString()
      })
      await new Promise<void>((resolve) => {
        child.stdout.on('data', (chunk: Buffer) => {
          seen += chunk
            .toString()
            .split('\n')
            .filter((l) => l.startsWith('ok')).length
          if (seen >= 2 + round && child.exitCode === null) child.kill('SIGKILL')
        })
        child.on('exit', () => resolve())
      })
      expect(errors).toBe('')
      const store = createSqliteStore(path)
      const log = await store.open('killed')
      const { records } = await readLog(log)
      await store.close()
      // whole appends only (two records each), and at least every one acknowledged
      expect(records.length % 2).toBe(0)
      expect(records.length / 2).toBeGreaterThanOrEqual(held + seen)
      held = records.length / 2
    }
  })

  it('a writer killed while it appends and compacts reloads to a snapshot and a gapless tail, every acknowledged record held', async () => {
    const path = join(dir, 'compacting.db')
    let acknowledged = 0
    let compactions = 0
    for (let round = 0; round < 6; round++) {
      const child = spawn(process.execPath, [writer, path, 'log', '3', 'compact'])
      let highest = 0
      let errors = ''
      child.stderr.on('data', (chunk: Buffer) => {
        errors += chunk.toString()
      })
      await new Promise<void>((resolve) => {
        let text = ''
        child.stdout.on('data', (chunk: Buffer) => {
          text += chunk.toString()
          const lines = text.split('\n')
          text = lines.pop()!
          for (const line of lines) {
            const [what, n] = line.split(' ')
            if (what === 'ok') highest = Math.max(highest, Number(n))
            if (what === 'compacted') compactions++
          }
          if (highest >= acknowledged + 2 + ((round * 5) % 7) && child.exitCode === null)
            child.kill('SIGKILL')
        })
        child.on('exit', () => resolve())
      })
      expect(errors).toBe('')
      const store = createSqliteStore(path)
      const log = await store.open('log')
      const { snapshot, records } = await readLog(log)
      await store.close()
      const folded = snapshot === undefined ? 0 : Buffer.from(snapshot).readUInt32BE(0)
      expect(records.map((r) => Buffer.from(r).readUInt32BE(0))).toEqual(
        records.map((_, i) => folded + i),
      )
      expect(folded + records.length).toBeGreaterThanOrEqual(highest)
      acknowledged = folded + records.length
    }
    expect(compactions).toBeGreaterThan(0)
  })

  it('a writer that cannot get the database past the busy timeout is refused as a held log, and opens once it is free', async () => {
    const path = join(dir, 'busy.db')
    const first = createSqliteStore(path)
    await (await first.open('busy')).append([new Uint8Array([7])])
    await first.close()
    // another connection keeps the write lock, as a process appending without pause does
    const other = new Database(path)
    other.exec('BEGIN IMMEDIATE')
    const store = createSqliteStore(path, { busyTimeoutMs: 50 })
    await expect(store.open('busy')).rejects.toMatchObject({ name: 'LogLockedError' })
    other.exec('COMMIT')
    other.close()
    const log = await store.open('busy')
    expect((await readLog(log)).records).toHaveLength(1)
    await store.close()
  })

  it('a second writer in another process is refused while the first lives; its hold is taken over once it died', async () => {
    const path = join(dir, 'held.db')
    const child = spawn(process.execPath, [writer, path, 'held', '100'])
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()))
    const store = createSqliteStore(path)
    await expect(store.open('held')).rejects.toMatchObject({ name: 'LogLockedError' })
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()))
    child.kill('SIGKILL')
    await exited
    const log = await store.open('held')
    const before = (await readLog(log)).records.length
    expect(before).toBeGreaterThan(0)
    await log.append([new Uint8Array([1])])
    expect((await readLog(log)).records.length).toBe(before + 1)
    await store.close()
  })

  it('a full file system rejects the append with NoSpaceError and keeps every committed one', async () => {
    const mount = join(dir, 'tmpfs')
    mkdirSync(mount)
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mount], { stdio: 'ignore' })
    } catch {
      return // not permitted here
    }
    try {
      const store = createSqliteStore(join(mount, 'full.db'))
      const log = await store.open('full')
      let oks = 0
      let failure: string | undefined
      for (let i = 0; i < 1000 && failure === undefined; i++) {
        try {
          await log.append([new Uint8Array(2000).fill(i % 250)])
          oks++
        } catch (error) {
          failure = (error as Error).name
        }
      }
      expect(failure).toBe('NoSpaceError')
      expect((await readLog(log)).records.length).toBe(oks)
      // releasing the log is a write too: on a full disk it may be refused, typed
      await store.close().catch((error: Error) => expect(error.name).toBe('NoSpaceError'))
      const check = new Database(join(mount, 'full.db'), { readonly: true })
      expect(check.prepare('SELECT count(*) AS n FROM records').get()).toEqual({ n: oks })
      check.close()
    } finally {
      execFileSync('umount', ['-l', mount])
    }
  })
})
