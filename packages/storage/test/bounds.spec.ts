/**
 * Reading is bounded: a frame header declaring a huge length is refused before anything
 * is allocated for it, a file of zeros far larger than any append loads in linear time
 * with memory of one read chunk, and a compaction torn by a crash (its file written aside,
 * never renamed) leaves the log as it was.
 */
import {
  mkdtemp,
  open as openFile,
  readFile,
  rm,
  stat,
  truncate,
  writeFile,
} from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { headerCheck } from '../src/file-format'
import { readLog } from '../src/index'
import { createFileStore, FILE_HEADER_BYTES, FRAME_HEADER_BYTES, MARKER_LAST } from '../src/node'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'peerkit-bounds-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** A frame header declaring `length`, with the check word that length needs, and no contents. */
function headerDeclaring(length: number): Uint8Array {
  const header = new Uint8Array(FRAME_HEADER_BYTES)
  const view = new DataView(header.buffer)
  header[0] = MARKER_LAST
  view.setUint32(1, length)
  view.setUint32(5, headerCheck(MARKER_LAST, length))
  return header
}

describe('bounded reads', () => {
  it('a frame declaring 4 GiB is refused with RecordTooLargeError, nothing allocated for it', async () => {
    const store = await createFileStore(join(dir, 'huge-length'))
    const log = await store.open('h')
    await log.append([new Uint8Array([1, 2, 3])])
    await log.close()
    const path = store.pathOf('h')
    const valid = await readFile(path)
    // a header whose check word matches its length: only the limit stands in the way
    const header = headerDeclaring(0xffff_fff0)
    await writeFile(path, Buffer.concat([valid, header, new Uint8Array(64)]))
    const before = process.memoryUsage().arrayBuffers
    const again = await store.open('h')
    await expect(readLog(again)).rejects.toMatchObject({ name: 'RecordTooLargeError' })
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 * 1024 * 1024)
    // refused, not repaired: the file is as it was
    await again.close()
    expect((await stat(path)).size).toBe(valid.length + header.length + 64)
    await store.close()
  })

  it('a 256 MiB zero-filled tail loads in linear time holding one chunk, and the next append cuts it', async () => {
    const store = await createFileStore(join(dir, 'zeros'))
    const log = await store.open('z')
    await log.append([new Uint8Array([7]), new Uint8Array([8])])
    await log.close()
    const path = store.pathOf('z')
    const committed = (await stat(path)).size
    // a sparse file: what a file system can leave after a crash that grew the file
    await truncate(path, committed + 256 * 1024 * 1024)
    const before = process.memoryUsage().arrayBuffers
    let peak = 0
    const again = await store.open('z')
    const start = performance.now()
    let records = 0
    for await (const batch of again.read()) {
      records += batch.length
      peak = Math.max(peak, process.memoryUsage().arrayBuffers - before)
    }
    const ms = performance.now() - start
    peak = Math.max(peak, process.memoryUsage().arrayBuffers - before)
    expect(records).toBe(2)
    // about a second per GiB on this machine; far from the minutes of one object per zero
    expect(ms).toBeLessThan(20_000)
    expect(peak).toBeLessThan(8 * 1024 * 1024)
    await again.append([new Uint8Array([9])])
    expect((await readLog(again)).records).toEqual([
      new Uint8Array([7]),
      new Uint8Array([8]),
      new Uint8Array([9]),
    ])
    await again.close()
    expect((await stat(path)).size).toBe(committed + 13 + 1)
    await store.close()
  })

  it('a compaction torn by a crash (written aside, never renamed) leaves the log as it was', async () => {
    const store = await createFileStore(join(dir, 'torn-compaction'))
    const log = await store.open('c')
    for (let i = 0; i < 5; i++) await log.append([new Uint8Array([i])])
    await log.close()
    const path = store.pathOf('c')
    // what a compaction leaves when the process dies before its rename: a partial image
    const aside = await openFile(`${path}.tmp`, 'w')
    await aside.write(new Uint8Array(FILE_HEADER_BYTES + 5).fill(0xc3))
    await aside.close()
    const again = await store.open('c')
    expect(await readLog(again)).toEqual({
      snapshot: undefined,
      records: [0, 1, 2, 3, 4].map((i) => new Uint8Array([i])),
    })
    // the next compaction writes its image aside from scratch and replaces the log
    await again.compact(new Uint8Array([42]), 3)
    expect(await readLog(again)).toEqual({
      snapshot: new Uint8Array([42]),
      records: [new Uint8Array([3]), new Uint8Array([4])],
    })
    await again.close()
    await store.close()
  })
})
