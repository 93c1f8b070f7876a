/**
 * The cores under Node, Bun and Deno (installed from the npm registry as `bun` and `deno`):
 * one esbuild bundle of src/smoke.ts runs on each, and each must print the same verdicts —
 * Wycheproof Ed25519 on every backend it has, envelopes, canonical CBOR bytes, and a seeded
 * gossip simulation's figures.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const here = fileURLToPath(new URL('..', import.meta.url))
const bin = (name: string) => join(here, 'node_modules', '.bin', name)
const dir = mkdtempSync(join(tmpdir(), 'peerkit-runtimes-'))
const bundle = join(dir, 'smoke.mjs')

interface Smoke {
  runtime: string
  backends: string[]
  wycheproofWrong: Record<string, number[]>
  envelope: { signer: boolean; payload: unknown; tamper: string }
  cbor: string
  roundTrip: boolean
  gossip: { reliability: number; rmr: number; ldh: number }
}

const run = (command: string, args: string[]): Smoke => {
  const out = execFileSync(command, args, { encoding: 'utf8', timeout: 60_000 })
  return JSON.parse(out.trim().split('\n').at(-1) as string) as Smoke
}

let node: Smoke
beforeAll(async () => {
  await build({
    entryPoints: [join(here, 'src', 'smoke.ts')],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    conditions: ['import'],
    target: 'es2022',
    outfile: bundle,
    tsconfig: join(here, '..', '..', 'tsconfig.json'),
    logLevel: 'error',
    // node: built-ins are loaded only where the runtime has them
    external: ['node:*'],
  })
  node = run(process.execPath, [bundle])
}, 60_000)
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('the cores on every runtime', () => {
  it('Node gives every Wycheproof test its expected result and delivers every message', () => {
    expect(node.runtime).toBe('node')
    expect(node.backends).toEqual(expect.arrayContaining(['js', 'node']))
    for (const wrong of Object.values(node.wycheproofWrong)) expect(wrong).toEqual([])
    expect(node.envelope).toEqual({
      signer: true,
      payload: { n: 7, text: 'héllo' },
      tamper: 'BadSignatureError',
    })
    expect(node.roundTrip).toBe(true)
    expect(node.gossip.reliability).toBe(1)
  })

  for (const runtime of ['bun', 'deno'] as const) {
    it(`${runtime} gives the same verdicts, bytes and figures as Node`, () => {
      const args = runtime === 'bun' ? [bundle] : ['run', '--quiet', '--no-prompt', bundle]
      const other = run(bin(runtime), args)
      expect(other.runtime).toBe(runtime)
      expect(other.backends).toEqual(expect.arrayContaining(['js', 'webcrypto', 'node']))
      for (const [backend, wrong] of Object.entries(other.wycheproofWrong))
        expect({ backend, wrong }).toEqual({ backend, wrong: [] })
      const { runtime: _a, backends: _b, wycheproofWrong: _c, ...same } = other
      const { runtime: _d, backends: _e, wycheproofWrong: _f, ...expected } = node
      expect(same).toEqual(expected)
    })
  }
})
