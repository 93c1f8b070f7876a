import { execFileSync, spawn } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { keyPairFromSeed } from '../src/index'
import {
  loadKeyFile,
  readKeyFileBytes,
  saveKeyFile,
  type WriteStage,
  writeFileAtomic,
} from '../src/node'

const oldKeyPair = keyPairFromSeed(new Uint8Array(32).fill(0x11))
const newKeyPair = keyPairFromSeed(new Uint8Array(32).fill(0x42))
const packageDir = fileURLToPath(new URL('..', import.meta.url))
const tsxLoader = createRequire(new URL('../../../package.json', import.meta.url)).resolve('tsx')
let dir: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'peerkit-identity-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** Runs the crash writer until it reports `stage`, then kills it with SIGKILL. */
function crashDuringSave(path: string, stage: WriteStage): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', tsxLoader, 'test/fixtures/crash-writer.ts', path, stage],
      { cwd: packageDir, stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let out = ''
    let err = ''
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      if (out.includes(stage)) child.kill('SIGKILL')
    })
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString()
    })
    child.on('error', reject)
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(out.trim())
      else reject(new Error(`writer exited with ${code}: ${out} ${err}`))
    })
  })
}

describe('key files on disk', () => {
  it('saves and loads, private to the owner', async () => {
    const path = join(dir, 'a.key')
    await saveKeyFile(path, oldKeyPair, 'pw', { logN: 10 })
    expect(await loadKeyFile(path, 'pw')).toEqual(oldKeyPair)
    expect((await stat(path)).mode & 0o777).toBe(0o600)
    expect(await readdir(dir)).toEqual(['a.key'])
    await saveKeyFile(path, newKeyPair, 'pw2', { logN: 10 })
    expect(await loadKeyFile(path, 'pw2')).toEqual(newKeyPair)
  })

  it('a crash (SIGKILL) at any stage of the write leaves the old file intact', async () => {
    const stages = ['opened', 'half-written', 'written', 'synced'] as const
    // one writer process per stage, run side by side
    await Promise.all(
      stages.map(async (stage) => {
        const path = join(dir, `crash-${stage}.key`)
        await saveKeyFile(path, oldKeyPair, 'old password', { logN: 10 })
        const before = await readFile(path)
        expect(await crashDuringSave(path, stage)).toBe(stage)
        expect(await readFile(path)).toEqual(before)
        expect(await loadKeyFile(path, 'old password')).toEqual(oldKeyPair)
        // a leftover temporary file does not disturb the next save
        expect((await readdir(dir)).some((name) => name.startsWith(`.crash-${stage}.key.`))).toBe(
          true,
        )
        await saveKeyFile(path, newKeyPair, 'new password', { logN: 10 })
        expect(await loadKeyFile(path, 'new password')).toEqual(newKeyPair)
      }),
    )
  })

  it('a failure inside the write removes the temporary file and keeps the old one', async () => {
    const path = join(dir, 'fail.key')
    await writeFileAtomic(path, Uint8Array.of(1, 2, 3))
    const failing = writeFileAtomic(path, new Uint8Array(100).fill(9), {
      onStage: (stage) => {
        if (stage === 'half-written') throw new Error('disk full')
      },
    })
    await expect(failing).rejects.toThrow('disk full')
    expect(new Uint8Array(await readFile(path))).toEqual(Uint8Array.of(1, 2, 3))
    expect((await readdir(dir)).filter((name) => name.includes('fail.key'))).toEqual(['fail.key'])
  })

  it('refuses a device, a FIFO or a link to one, reading nothing from it', async () => {
    const deadline = (ms: number) =>
      new Promise((_, reject) => setTimeout(() => reject(new Error('still reading')), ms))
    const zero = join(dir, 'zero.key')
    await symlink('/dev/zero', zero)
    const fifo = join(dir, 'fifo.key')
    execFileSync('mkfifo', [fifo])
    for (const path of [zero, fifo, '/dev/zero', dir]) {
      await expect(Promise.race([readKeyFileBytes(path), deadline(2000)])).rejects.toMatchObject({
        name: 'KeyFileFormatError',
      })
      await expect(Promise.race([loadKeyFile(path, 'pw'), deadline(2000)])).rejects.toMatchObject({
        name: 'KeyFileFormatError',
      })
    }
    // a link to a regular key file is read like the file
    await saveKeyFile(join(dir, 'real.key'), oldKeyPair, 'pw', { logN: 10 })
    await symlink(join(dir, 'real.key'), join(dir, 'link.key'))
    expect((await loadKeyFile(join(dir, 'link.key'), 'pw')).publicKey).toEqual(oldKeyPair.publicKey)
  })

  it('refuses bad paths with a typed error', async () => {
    await expect(readKeyFileBytes(7 as never)).rejects.toMatchObject({
      name: 'InvalidArgumentError',
    })
    await expect(loadKeyFile(null as never, 'pw')).rejects.toMatchObject({
      name: 'InvalidArgumentError',
    })
  })

  it('refuses oversized files before reading them', async () => {
    const path = join(dir, 'huge.key')
    await writeFile(path, new Uint8Array(10_000))
    await expect(readKeyFileBytes(path)).rejects.toMatchObject({ name: 'KeyFileFormatError' })
    await expect(loadKeyFile(path, 'pw')).rejects.toMatchObject({ name: 'KeyFileFormatError' })
    await expect(loadKeyFile(join(dir, 'missing.key'), 'pw')).rejects.toMatchObject({
      code: 'ENOENT',
    })
  })
})
