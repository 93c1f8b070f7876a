/**
 * `pnpm check:packages`: what a user installing a peerkit package from the registry gets.
 * For every public package under `packages/` (built first with `pnpm build`):
 * - `publint` finds mistakes in `package.json` (exports, files, types);
 * - `@arethetypeswrong/cli --profile esm-only` checks the types resolve for ESM users;
 * - a size report: each entry point bundled for the browser with its dependencies,
 *   minified and gzipped, against the budgets in `scripts/size-budgets.json`.
 * Exits non-zero on any failure and prints one table.
 *
 * Usage: node scripts/check-packages.mjs [--only name,name] [--skip-build] [--size-only]
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'

const root = resolve(import.meta.dirname, '..')
const argv = process.argv.slice(2)
const flag = (name) => argv.includes(name)
const onlyIndex = argv.indexOf('--only')
const only = onlyIndex >= 0 ? new Set(argv[onlyIndex + 1]?.split(',')) : undefined
const budgets = JSON.parse(readFileSync(join(root, 'scripts', 'size-budgets.json'), 'utf8'))

const packages = readdirSync(join(root, 'packages'))
  .map((dir) => ({ dir: join(root, 'packages', dir), short: dir }))
  .filter(({ dir }) => existsSync(join(dir, 'package.json')))
  .map((p) => ({ ...p, json: JSON.parse(readFileSync(join(p.dir, 'package.json'), 'utf8')) }))
  .filter(({ json, short }) => json.private !== true && (only === undefined || only.has(short)))

const run = (cmd, args, cwd) => {
  try {
    return { ok: true, out: execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: 'pipe' }) }
  } catch (error) {
    return { ok: false, out: `${error.stdout ?? ''}${error.stderr ?? ''}` }
  }
}

if (!flag('--skip-build')) {
  const filter = packages.flatMap(({ json }) => ['--filter', json.name])
  const built = run('pnpm', ['-r', ...filter, 'run', 'build'], root)
  if (!built.ok) {
    console.error(built.out)
    console.error('build failed')
    process.exit(1)
  }
}

/** Bundles one entry for the browser with its dependencies; returns minified and gzipped bytes. */
async function measure(pkgDir, entry) {
  const result = await build({
    entryPoints: [join(pkgDir, entry)],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
    // Node built-ins reached only behind runtime checks stay out of a browser bundle.
    external: ['node:*'],
  })
  const bytes = result.outputFiles[0].contents
  return { min: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length }
}

const rows = []
let failed = 0
for (const { dir, short, json } of packages) {
  const row = { name: json.name, publint: '-', attw: '-', size: '' }
  if (!flag('--size-only')) {
    const lint = run('pnpm', ['exec', 'publint', '--strict'], dir)
    row.publint = lint.ok ? 'ok' : 'FAIL'
    if (!lint.ok) console.error(`publint ${json.name}:\n${lint.out}`)
    const types = run('pnpm', ['exec', 'attw', '--pack', '.', '--profile', 'esm-only'], dir)
    row.attw = types.ok ? 'ok' : 'FAIL'
    if (!types.ok) console.error(`attw ${json.name}:\n${types.out}`)
    if (!lint.ok || !types.ok) failed++
  }
  const budget = budgets[short]
  if (budget !== undefined) {
    const { min, gzip } = await measure(dir, 'src/index.ts')
    const over = gzip > budget
    row.size = `${(min / 1024).toFixed(1)} KiB min, ${(gzip / 1024).toFixed(1)} KiB gz (budget ${(budget / 1024).toFixed(0)} KiB)${over ? ' OVER' : ''}`
    if (over) failed++
  }
  rows.push(row)
}

const combined = budgets['identity+envelope']
if (combined !== undefined && (only === undefined || only.has('envelope'))) {
  const { min, gzip } = await measure(join(root, 'packages', 'envelope'), 'src/index.ts')
  const over = gzip > combined
  if (over) failed++
  rows.push({
    name: 'identity + envelope (one bundle)',
    publint: '',
    attw: '',
    size: `${(min / 1024).toFixed(1)} KiB min, ${(gzip / 1024).toFixed(1)} KiB gz (budget ${(combined / 1024).toFixed(0)} KiB)${over ? ' OVER' : ''}`,
  })
}

console.log(
  '\n| package | publint | attw | browser bundle (with dependencies) |\n|---|---|---|---|',
)
for (const r of rows) console.log(`| ${r.name} | ${r.publint} | ${r.attw} | ${r.size} |`)
console.log(failed === 0 ? '\nall packages ok' : `\n${failed} package check(s) failed`)
process.exit(failed === 0 ? 0 : 1)
