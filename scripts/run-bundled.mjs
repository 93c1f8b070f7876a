/**
 * Runs a TypeScript entry point from source, bundled first with esbuild, for the long runs
 * (`pnpm sim`, `pnpm scenarios`). `tsx` keeps every function's name by wrapping it at
 * creation, which costs about 10% in code that creates closures on hot paths; a plain
 * bundle of the same sources does not. The bundle lands in `node_modules/.cache/peerkit/`.
 *
 * The scripts also give V8 a 64 MB young generation (`--max-semi-space-size=64`): a run
 * with thousands of routers keeps many frames in flight, and with the default size they
 * survive a scavenge and are promoted before they die, which the 10,000-node run pays for
 * in collections (about 18% of its wall time).
 *
 * Usage: node scripts/run-bundled.mjs <entry.ts> [args…]
 */
import { rmSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { basename, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { build, stop } from 'esbuild'

const [entry, ...args] = process.argv.slice(2)
if (entry === undefined) {
  console.error('usage: node scripts/run-bundled.mjs <entry.ts> [args…]')
  process.exit(2)
}
const root = resolve(import.meta.dirname, '..')
const cache = join(root, 'node_modules', '.cache', 'peerkit')
await mkdir(cache, { recursive: true })
const outfile = join(cache, `${basename(entry).replace(/\.ts$/, '')}-${process.pid}.mjs`)
await build({
  entryPoints: [resolve(entry)],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  tsconfig: join(root, 'tsconfig.json'),
  logLevel: 'warning',
  // CommonJS dependencies bundled into ESM need a require
  banner: {
    js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
  },
})
// the bundler's service process is not needed during the run
await stop()
process.argv = [process.argv[0], outfile, ...args]
// the bundle is also the entry of the worker threads a large simulation is split across,
// so it stays until the process ends
process.on('exit', () => rmSync(outfile, { force: true }))
await import(pathToFileURL(outfile).href)
