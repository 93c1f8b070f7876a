/**
 * `pnpm bench [-- --suite a,b] [--quick] [--json FILE]`: runs the benchmark suites in
 * `bench/suites/*.ts` (each default-exports a `Suite`), prints a table and the ratios,
 * and writes `bench/results/latest.json`.
 */
import { readdirSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from './args'
import { createContext, formatOps, type RunOutput, type Suite } from './harness'
import { meets } from './scenario'
import { targetOf } from './targets'

const args = parseArgs(process.argv.slice(2))
const wanted = typeof args.suite === 'string' ? args.suite.split(',') : undefined
const quick = args.quick === true
const suitesDir = fileURLToPath(new URL('../suites/', import.meta.url))
const files = readdirSync(suitesDir)
  .filter((f) => f.endsWith('.ts'))
  .sort()

const out: RunOutput = { results: [], ratios: {}, figures: {} }
let ran = 0
for (const file of files) {
  const name = file.replace(/\.ts$/, '')
  if (wanted !== undefined && !wanted.includes(name)) continue
  const suite = (await import(pathToFileURL(suitesDir + file).href)).default as Suite
  console.log(`\n# suite ${suite.name}`)
  const start = performance.now()
  await suite.run(createContext(suite.name, quick, out))
  console.log(`  (${((performance.now() - start) / 1000).toFixed(1)} s)`)
  ran++
}
if (ran === 0) {
  console.error(`no suite matched ${wanted?.join(',')}; have: ${files.join(', ')}`)
  process.exit(1)
}

console.log('\n| suite | case | subject | ops/s |\n|---|---|---|---:|')
for (const r of out.results)
  console.log(`| ${r.suite} | ${r.case} | ${r.subject} | ${formatOps(r.opsPerSec)} |`)
console.log('\n| ratio | value | target | met |\n|---|---:|---:|---|')
for (const [id, v] of Object.entries(out.ratios)) {
  const target = targetOf(id)
  const met = target === undefined ? '' : meets(v, target) ? 'yes' : 'no'
  console.log(
    `| ${id} | ${v.toFixed(3)} | ${target === undefined ? '' : `${target.op} ${target.value}`} | ${met} |`,
  )
}
if (Object.keys(out.figures).length > 0) {
  console.log('\n| figure | value |\n|---|---:|')
  for (const [id, v] of Object.entries(out.figures)) console.log(`| ${id} | ${v} |`)
}

const report = { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', ...out }
const target =
  typeof args.json === 'string'
    ? args.json
    : fileURLToPath(new URL('../results/latest.json', import.meta.url))
writeFileSync(target, `${JSON.stringify(report, null, 2)}\n`)
console.log(`\nwrote ${target}`)
