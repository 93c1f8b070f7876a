/**
 * The `sim` command (`pnpm sim`, `peerkit sim`): runs one scenario for one or more strategies
 * with the same seed, prints a progress line on long runs and a summary table, and writes the
 * metrics as JSON and a delivery chart as SVG. Runs of 5,000 nodes and more are split across
 * the machine's cores (`--workers`) on the threads given. Node only (it writes files).
 *
 * @example
 * process.exitCode = await simCommand(process.argv.slice(2), process, createSimThreads())
 */
import { writeFileSync } from 'node:fs'
import { parseSimArgs, SIM_USAGE, type SimArgs } from './args'
import { isSimError } from './errors'
import type { SimThreads } from './parallel'
import { type GossipRunResult, runGossip } from './run'
import { strategyFromName } from './strategies/index'
import { renderDeliveryChart } from './svg'
import { formatSummaryTable } from './table'
import { autoWorkers } from './threads'

/** Where the command writes: results to `stdout`, progress and errors to `stderr`. */
export interface SimCommandIo {
  readonly stdout: { write(text: string): unknown }
  readonly stderr: { write(text: string): unknown }
}

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

async function runArgs(args: SimArgs, io: SimCommandIo, threads: SimThreads): Promise<void> {
  const say = (text: string): void => {
    io.stdout.write(`${text}\n`)
  }
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
      ...(args.publishers === undefined ? {} : { publishers: args.publishers }),
      workers,
      threads,
      onProgress: ({ now, end, events }) => {
        const wall = performance.now()
        if (args.quiet || wall - lastLine < 2_000) return
        lastLine = wall
        const share = Math.min(100, (100 * now) / end).toFixed(0)
        io.stderr.write(
          `  ${name}: ${share}% of ${(end / 1000).toFixed(0)} s simulated, ${(events / 1e6).toFixed(1)} M events${here}, ${((wall - started) / 1000).toFixed(0)} s elapsed\n`,
        )
      },
    })
    results.push(result)
    if (!args.quiet) {
      io.stderr.write(
        `  ${name}: done in ${(result.wallMs / 1000).toFixed(1)} s (${(result.events / 1e6).toFixed(2)} M events${workers > 1 ? ` on ${workers} threads` : ''})\n`,
      )
    }
  }
  const adversarial = args.sybil > 0
  say(
    `\n${args.nodes} nodes, ${args.messages} messages, seed ${args.seed}` +
      (args.crash > 0 ? `, crash ${args.crash}` : '') +
      (args.sybil > 0 ? `, sybil ${args.sybil}` : '') +
      (args.loss > 0 ? `, loss ${args.loss}` : '') +
      (args.publishers === undefined ? '' : `, ${args.publishers} publishers`) +
      '\n',
  )
  say(formatSummaryTable(results))
  if (args.json !== undefined) {
    const body =
      results.length === 1
        ? jsonOf(results[0]!, adversarial)
        : Object.fromEntries(results.map((r) => [r.strategy, jsonOf(r, adversarial)]))
    writeFileSync(args.json, `${JSON.stringify(body, null, 2)}\n`)
    say(`\nwrote ${args.json}`)
  }
  if (args.svg !== undefined) {
    const svg = renderDeliveryChart(
      results.map((r) => ({ name: r.strategy, points: r.deliveryCurve })),
      {
        title: `Delivery over time: ${args.nodes} nodes, ${args.messages} messages, seed ${args.seed}`,
      },
    )
    writeFileSync(args.svg, svg)
    say(`wrote ${args.svg}`)
  }
}

/**
 * Runs the sim command line.
 * @param argv - the flags (see `SIM_USAGE`)
 * @param io - output streams
 * @param threads - worker threads for split runs
 * @returns the exit code: 0 done, 2 a bad command line
 * @example
 * await simCommand(['--nodes', '200', '--messages', '10'], process, createSimThreads())
 */
export async function simCommand(
  argv: readonly string[],
  io: SimCommandIo,
  threads: SimThreads,
): Promise<number> {
  let args: SimArgs
  try {
    args = parseSimArgs([...argv])
  } catch (error) {
    if (!isSimError(error)) throw error
    io.stderr.write(`${error.name}: ${error.message}\n\n${SIM_USAGE}\n`)
    return 2
  }
  if (args.help) io.stdout.write(`${SIM_USAGE}\n`)
  else await runArgs(args, io, threads)
  return 0
}
export { SIM_USAGE } from './args'
