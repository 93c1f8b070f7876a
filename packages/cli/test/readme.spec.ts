/**
 * The README's shell example, run as written by bash with `peerkit` being this package's
 * entry, in a fresh directory: the note verifies before and after the key rotation.
 */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterAll, expect, test } from 'vitest'
import { tempDir } from './helpers'

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
const main = fileURLToPath(new URL('../src/main.ts', import.meta.url))
const tsconfig = fileURLToPath(new URL('../../../tsconfig.json', import.meta.url))
const tsx = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url))
const dir = tempDir()
afterAll(() => dir.remove())

test('the README example runs in bash and the note verifies after the rotation', () => {
  const block = /## Example\n\n```sh\n([\s\S]*?)```/.exec(readme)?.[1]
  expect(block).toBeDefined()
  const script = `set -euo pipefail\npeerkit() { "${tsx}" --tsconfig "${tsconfig}" "${main}" "$@"; }\n${block}`
  const out = execFileSync('bash', ['-c', script], {
    cwd: dir.path,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
  })
  const identity = /^identity {2}(z6Mk\S+)$/m.exec(out)?.[1]
  expect(identity).toBeDefined()
  expect(out).toMatch(/^libp2p {4}12D3KooW\S+$/m)
  expect(out).toMatch(/^payload {3}meet at noon$/m)
  expect(out).toMatch(/^current {3}z6Mk\S+ \(step 1\)$/m)
  const report = JSON.parse(out.trim().split('\n').at(-1) as string)
  // signed by the root key before the rotation: the envelope still names it
  expect(report).toMatchObject({ valid: true, signer: identity, payload: 'meet at noon' })
}, 120_000)
