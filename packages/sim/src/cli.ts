/**
 * `pnpm sim`: runs one scenario for one or more strategies with the same seed, prints a
 * progress line on long runs and a summary table, and writes the metrics as JSON and a
 * delivery chart as SVG. Runs of 5,000 nodes and more are split across the machine's cores
 * (`--workers`); this script is also the workers' entry.
 *
 * @example
 * pnpm sim -- --nodes 10000 --messages 100 --strategy plumtree --json out.json
 * pnpm sim -- --nodes 1000 --strategy plumtree,mesh,flood --svg delivery.svg
 */
import { writeFileSync } from 'node:fs'
import { parseSimArgs, SIM_USAGE, type SimArgs } from './args'
import { isSimError } from './errors'
import { type GossipRunResult, runGossip } from './run'
import { strategyFromName } from './strategies/index'
import { renderDeliveryChart } from './svg'
import { formatSummaryTable } from './table'
import { autoWorkers, createSimThreads, type SimThreads, serveSimWorker } from './threads'

/** The metrics JSON of a run: the flat figures plus what was run. */
function jsonOf(result: GossipRunResult, adversarial: boolean): Record<string, unknown> {
  const {
    deliveryCurve,
    graylisted,
    honestReliability,
    spammersCutOff,
    spammersReported,
    ...rest
  } = result
  const out: Record<string, unknown> = { ...rest }
  if (adversarial) {
    out.graylisted = graylisted
    out.honestReliability = honestReliability
    out.spammersCutOff = spammersCutOff
    out.spammersReported = spammersReported
  }
  out.deliveryCurve = deliveryCurve
  return out
}

async function main(args: SimArgs, threads: SimThreads): Promise<void> {
  const results: GossipRunResult[] = []
  const workers = args.workers ?? autoWorkers(args.nodes)
  const here = workers > 1 ? ' here' : ''
  for (const name of args.strategies) {
    let lastLine = performance.now()
    const started = lastLine
    const result = await runGossip({
      strategy: strategyFromName(name),
      nodes: args.nodes,
      messages: args.messages,
      seed: args.seed,
      crash: args.crash,
      sybil: args.sybil,
      loss: args.loss,
      workers,
      threads,
      onProgress: ({ now, end, events }) => {
        const wall = performance.now()
        if (args.quiet || wall - lastLine < 2_000) return
        lastLine = wall
        const share = Math.min(100, (100 * now) / end).toFixed(0)
        process.stderr.write(
          `  ${name}: ${share}% of ${(end / 1000).toFixed(0)} s simulated, ${(events / 1e6).toFixed(1)} M events${here}, ${((wall - started) / 1000).toFixed(0)} s elapsed\n`,
        )
      },
    })
    results.push(result)
    if (!args.quiet) {
      process.stderr.write(
        `  ${name}: done in ${(result.wallMs / 1000).toFixed(1)} s (${(result.events / 1e6).toFixed(2)} M events${workers > 1 ? ` on ${workers} threads` : ''})\n`,
      )
    }
  }
  const adversarial = args.sybil > 0
  console.log(
    `\n${args.nodes} nodes, ${args.messages} messages, seed ${args.seed}` +
      (args.crash > 0 ? `, crash ${args.crash}` : '') +
      (args.sybil > 0 ? `, sybil ${args.sybil}` : '') +
      (args.loss > 0 ? `, loss ${args.loss}` : '') +
      '\n',
  )
  console.log(formatSummaryTable(results))
  if (args.json !== undefined) {
    const body =
      results.length === 1
        ? jsonOf(results[0]!, adversarial)
        : Object.fromEntries(results.map((r) => [r.strategy, jsonOf(r, adversarial)]))
    writeFileSync(args.json, `${JSON.stringify(body, null, 2)}\n`)
    console.log(`\nwrote ${args.json}`)
  }
  if (args.svg !== undefined) {
    const svg = renderDeliveryChart(
      results.map((r) => ({ name: r.strategy, points: r.deliveryCurve })),
      {
        title: `Delivery over time: ${args.nodes} nodes, ${args.messages} messages, seed ${args.seed}`,
      },
    )
    writeFileSync(args.svg, svg)
    console.log(`wrote ${args.svg}`)
  }
}

async function entry(): Promise<void> {
  // a worker of a split run serves its part and is done
  if (await serveSimWorker()) return
  let args: SimArgs
  try {
    args = parseSimArgs(process.argv.slice(2))
  } catch (error) {
    if (isSimError(error)) {
      console.error(`${error.name}: ${error.message}\n\n${SIM_USAGE}`)
      process.exit(2)
    }
    throw error
  }
  if (args.help) console.log(SIM_USAGE)
  else await main(args, createSimThreads({ entry: new URL(import.meta.url) }))
}

await entry()
