/**
 * The storage compliance suite against the SQLite store, with damage done to a record's
 * bytes in the database file behind the store's back.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { storageCompliance } from '@peerkit/storage/compliance'
import Database from 'better-sqlite3'
import { createSqliteStore } from '../src/index'

const dirs = new Map<object, string>()

storageCompliance({
  name: 'sqlite store',
  async setup() {
    const dir = await mkdtemp(join(tmpdir(), 'peerkit-sqlite-'))
    const path = join(dir, 'logs.db')
    const context = {
      open: async (options?: object) => createSqliteStore(path, options),
      async damage(name: string, index: number) {
        const db = new Database(path)
        const { base } = db.prepare('SELECT base FROM logs WHERE name = ?').get(name) as {
          base: number
        }
        const row = db
          .prepare('SELECT bytes FROM records WHERE log = ? AND seq = ?')
          .get(name, base + index) as { bytes: Buffer }
        row.bytes[1]! ^= 0x04
        db.prepare('UPDATE records SET bytes = ? WHERE log = ? AND seq = ?').run(
          row.bytes,
          name,
          base + index,
        )
        db.close()
      },
    }
    dirs.set(context, dir)
    return context
  },
  async teardown(context) {
    await rm(dirs.get(context)!, { recursive: true, force: true })
  },
})
