/**
 * The summary table `pnpm sim` prints: one row per strategy, one column per figure.
 *
 * @example
 * console.log(formatSummaryTable([plumtreeResult, floodResult]))
 */
import type { GossipRunResult } from './run'

function fixed(value: number, digits: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(digits)
}

/**
 * Formats run results as a Markdown table.
 * @param results - one result per strategy
 * @returns the table text
 */
export function formatSummaryTable(results: readonly GossipRunResult[]): string {
  const adversarial = results.some((r) => r.honestNodes < r.nodes)
  const header = [
    'strategy',
    'reliability',
    'in component',
    'rmr',
    'ldh',
    'p50 ms',
    'p99 ms',
    'dup/delivery',
    'bytes/node',
    'dup deliveries',
    'wall s',
  ]
  if (adversarial) header.push('honest reliability', 'graylisted', 'spammers cut off')
  const rows = results.map((r) => {
    const row = [
      r.strategy,
      fixed(r.reliability, 4),
      fixed(r.componentReliability, 4),
      fixed(r.rmr, 3),
      fixed(r.ldh, 2),
      fixed(r.latencyP50Ms, 0),
      fixed(r.latencyP99Ms, 0),
      fixed(r.duplicatesPerDelivery, 3),
      fixed(Math.round(r.bytesPerNode), 0),
      String(r.duplicateDeliveries),
      (r.wallMs / 1000).toFixed(1),
    ]
    if (adversarial) {
      row.push(fixed(r.honestReliability, 4), String(r.graylisted), fixed(r.spammersCutOff, 3))
    }
    return row
  })
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)))
  const line = (cells: string[]): string =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`
  const rule = `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`
  return [line(header), rule, ...rows.map(line)].join('\n')
}
