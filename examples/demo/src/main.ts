/**
 * The flagship demo: a small peer-to-peer marketplace built from every peerkit package,
 * in one process. Alice sells bitcoin, Bob buys, Carol arbitrates, five relays carry the
 * gossip, and one of them, Mallory, cheats. Keys come from fixed seeds and time from a
 * simulated clock, so every run prints the same story.
 *
 * Run it with `pnpm story`. Every claim the story makes is checked as it runs; if one
 * fails, the program says which and exits with a non-zero code.
 */
import { pathToFileURL } from 'node:url'
import { bytesChapter, identityChapter } from './basics'
import { createClock } from './cast'
import { gossipChapter } from './gossip'
import { escrowChapter, openMarket } from './market'
import { createReport, type Log } from './report'
import { trustChapter } from './trust'

/** How a run of the story went. */
export interface DemoResult {
  readonly ok: boolean
  readonly checks: number
  /** Labels of the checks that failed. */
  readonly failures: readonly string[]
}

/** Tells the whole story, printing each line with `log`. */
export async function main(log: Log = console.log): Promise<DemoResult> {
  const report = createReport(log)
  const clock = createClock()
  log('peerkit: a small peer-to-peer marketplace, told in one process')
  log('══════════════════════════════════════════════════════════════')

  await identityChapter(report)
  bytesChapter(report)
  const gossip = await gossipChapter(report, clock)
  const market = openMarket(clock)
  const { receipt } = await escrowChapter(report, market, gossip.offer)
  await trustChapter(report, market, receipt, gossip)
  await gossip.net.stop()

  const { failures, checks } = report
  log('')
  if (failures.length === 0) {
    log(`All ${checks} checks passed.`)
  } else {
    log(`${failures.length} of ${checks} checks FAILED: ${failures.join('; ')}`)
  }
  return { ok: failures.length === 0, checks, failures }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const result = await main()
    if (!result.ok) process.exitCode = 1
  } catch (error) {
    console.error(error)
    process.exitCode = 1
  }
}
