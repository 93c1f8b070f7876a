import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { CliIo } from '../src/io'
import { run } from '../src/run'

/** The outcome of one command line run in-process. */
export interface Ran {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
  readonly bytes: Uint8Array
}

/** Runs `peerkit …argv` in-process with the given standard input and environment. */
export async function peerkit(
  argv: string[],
  options: { stdin?: string | Uint8Array | undefined; env?: Record<string, string> } = {},
): Promise<Ran> {
  const out: Uint8Array[] = []
  let stderr = ''
  const input = options.stdin
  const io: CliIo = {
    stdout: {
      write: (chunk) =>
        out.push(typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk),
    },
    stderr: { write: (text) => (stderr += text) },
    stdin: (async function* () {
      if (input !== undefined) yield input
    })(),
    env: options.env ?? {},
  }
  const code = await run(argv, io)
  const bytes = Buffer.concat(out)
  return { code, stdout: new TextDecoder().decode(bytes), stderr, bytes }
}

/** A fresh temporary directory, removed by the returned function. */
export function tempDir(): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), 'peerkit-cli-'))
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) }
}

/** The password and a low scrypt cost, so tests write key files quickly. */
export const ENV = { PEERKIT_PASSWORD: 'correct horse battery staple' }
export const FAST = ['--scrypt-cost', '10']
