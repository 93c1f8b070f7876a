/**
 * The storage compliance suite against the memory store and the file store.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createMemoryDisk, createMemoryStore } from '@peerkit/storage'
import { storageCompliance } from '@peerkit/storage/compliance'
import { createFileStore, FILE_HEADER_BYTES, FRAME_HEADER_BYTES } from '@peerkit/storage/node'

storageCompliance({
  name: 'memory store',
  async setup() {
    const disk = createMemoryDisk()
    return { open: async (options) => createMemoryStore({ disk, ...options }) }
  },
  async teardown() {},
})

const dirs = new Map<object, string>()

/** Offset of record `index` in a file of single-record appends. */
async function recordOffset(path: string, index: number): Promise<number> {
  const bytes = await readFile(path)
  let at = FILE_HEADER_BYTES
  for (let i = 0; i < index; i++) at += FRAME_HEADER_BYTES + bytes.readUInt32BE(at + 1)
  return at
}

storageCompliance({
  name: 'file store',
  async setup() {
    const dir = await mkdtemp(join(tmpdir(), 'peerkit-storage-'))
    const path = (name: string) => join(dir, `${name}.log`)
    const context = {
      open: (options?: object) => createFileStore(dir, options),
      image: {
        read: async (name: string) => new Uint8Array(await readFile(path(name))),
        write: (name: string, bytes: Uint8Array) => writeFile(path(name), bytes),
      },
      async damage(name: string, index: number) {
        const bytes = await readFile(path(name))
        const at = (await recordOffset(path(name), index)) + FRAME_HEADER_BYTES + 1
        bytes[at]! ^= 0x04
        await writeFile(path(name), bytes)
      },
    }
    dirs.set(context, dir)
    return context
  },
  async teardown(context) {
    await rm(dirs.get(context)!, { recursive: true, force: true })
  },
})
