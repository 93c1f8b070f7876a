/**
 * `pnpm scenarios [-- --seed S] [--json FILE] [--only a,b]`: runs every scenario group of
 * `bench/scenarios/` (listed below, so that a bundle of this entry holds them), prints each figure beside its target, writes `{ "<id>": number }`
 * to `--json`, and exits non-zero when a target is missed. It is also the entry of the
 * worker threads a large simulation is split across.
 */
import { writeFileSync } from 'node:fs'
import { serveSimWorker } from '@peerkit/sim/threads'
import gossipGroups from '../scenarios/gossip'
import marketGroups from '../scenarios/market'
import reputationGroups from '../scenarios/reputation'
import { parseArgs } from './args'
import { meets, type ScenarioGroup } from './scenario'

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2))
  const seed = typeof args.seed === 'string' ? Number.parseInt(args.seed, 10) : 1
  if (!Number.isSafeInteger(seed))
    throw new Error(`--seed must be an integer, got ${String(args.seed)}`)
  const only = typeof args.only === 'string' ? args.only.split(',') : undefined
  const groupsByFile: ScenarioGroup[][] = [gossipGroups, reputationGroups, marketGroups]

  const figures: Record<string, number> = {}
  const rows: string[] = []
  let missed = 0
  for (const groups of groupsByFile) {
    for (const group of groups) {
      if (only !== undefined && !only.includes(group.name)) continue
      console.log(`\n# ${group.name}: ${group.description} (seed ${seed})`)
      const start = performance.now()
      const result = await group.run({ seed, log: (line) => console.log(`  ${line}`) })
      console.log(`  (${((performance.now() - start) / 1000).toFixed(1)} s)`)
      for (const [id, target] of Object.entries(group.targets)) {
        const value = result[id]
        if (value === undefined) {
          rows.push(
            `| ${id} | (missing) | ${target ? `${target.op} ${target.value}` : ''} | MISSING |`,
          )
          missed++
          continue
        }
        figures[id] = value
        const ok = target === null || meets(value, target)
        if (!ok) missed++
        const shown = Number.isInteger(value) ? String(value) : value.toFixed(4)
        rows.push(
          `| ${id} | ${shown} | ${target ? `${target.op} ${target.value}` : '-'} | ${ok ? 'ok' : 'MISSED'} |`,
        )
      }
    }
  }

  console.log('\n| figure | value | target | |\n|---|---:|---|---|')
  for (const row of rows) console.log(row)
  if (typeof args.json === 'string') {
    writeFileSync(args.json, `${JSON.stringify(figures, null, 2)}\n`)
    console.log(`\nwrote ${args.json}`)
  }
  console.log(missed === 0 ? '\nall targets met' : `\n${missed} target(s) missed`)
  process.exit(missed === 0 ? 0 : 1)
}

// a worker of a split simulation serves its part and is done
if (!(await serveSimWorker())) await main()
