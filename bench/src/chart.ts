/**
 * `pnpm bench:chart [-- --in FILE --out FILE]`: draws every ratio of a bench run that has a
 * target as an SVG bar chart (docs/benchmarks.svg from bench/results/latest.json by default).
 * Each bar is the ratio over its target, oriented so that longer is better: `value / target`
 * for a floor (`>=`), `target / value` for a ceiling (`<=`); the line at 1 is the target.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs } from './args'
import type { Target } from './scenario'
import { targetOf } from './targets'

/** One bar: a ratio and its target. */
export interface ChartRow {
  readonly id: string
  readonly value: number
  readonly target: Target
}

const ROW = 22
const LABEL = 290
const WIDTH = 760
const BAR = WIDTH - LABEL - 150
const SCALE_MAX = 2

const escapeXml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

/**
 * How far a ratio is from its target, longer being better (1 = exactly on target).
 * @example
 * headroom(0.25, { op: '<=', value: 0.5 }) // 2
 */
export function headroom(value: number, target: Target): number {
  if (target.op === '<=' || target.op === '<') return value === 0 ? SCALE_MAX : target.value / value
  return value / target.value
}

/**
 * The SVG of the rows.
 * @param rows - ratios with targets
 * @param title - the chart's title
 * @returns SVG text
 * @example
 * renderRatioChart([{ id: 'codec.encode/cborg', value: 2, target: { op: '>=', value: 0.9 } }], 'run')
 */
export function renderRatioChart(rows: readonly ChartRow[], title: string): string {
  const height = 50 + rows.length * ROW + 20
  const x1 = LABEL + BAR / SCALE_MAX
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
    `<text x="10" y="38" fill="#555">bar: ratio over its target, longer is better; the line is the target</text>`,
  ]
  rows.forEach((row, index) => {
    const y = 50 + index * ROW
    const share = headroom(row.value, row.target)
    const met = share >= 1
    const length = Math.max(1, (Math.min(share, SCALE_MAX) / SCALE_MAX) * BAR)
    parts.push(
      `<text x="${LABEL - 8}" y="${y + 14}" text-anchor="end">${escapeXml(row.id)}</text>`,
      `<rect x="${LABEL}" y="${y + 3}" width="${length.toFixed(1)}" height="${ROW - 8}" fill="${met ? '#3a7' : '#d54'}"/>`,
      `<text x="${LABEL + BAR + 8}" y="${y + 14}">${escapeXml(`${row.value.toFixed(3)} (${row.target.op} ${row.target.value})`)}</text>`,
    )
  })
  parts.push(
    `<line x1="${x1}" x2="${x1}" y1="46" y2="${height - 16}" stroke="#222" stroke-dasharray="4 3"/>`,
    '</svg>',
    '',
  )
  return parts.join('\n')
}

/**
 * The rows of a bench report: each ratio with a target, in the report's order.
 * @example
 * rowsOf({ ratios: { 'codec.encode/cborg': 2 } }).length // 1
 */
export function rowsOf(report: { ratios: Record<string, number> }): ChartRow[] {
  const rows: ChartRow[] = []
  for (const [id, value] of Object.entries(report.ratios)) {
    const target = targetOf(id)
    if (target !== undefined && Number.isFinite(value)) rows.push({ id, value, target })
  }
  return rows
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = parseArgs(process.argv.slice(2))
  const input =
    typeof args.in === 'string'
      ? args.in
      : fileURLToPath(new URL('../results/latest.json', import.meta.url))
  const output =
    typeof args.out === 'string'
      ? args.out
      : fileURLToPath(new URL('../../docs/benchmarks.svg', import.meta.url))
  const report = JSON.parse(readFileSync(input, 'utf8')) as {
    node: string
    ratios: Record<string, number>
  }
  const rows = rowsOf(report)
  writeFileSync(
    output,
    renderRatioChart(rows, `pnpm bench, Node ${report.node}: ${rows.length} ratios`),
  )
  console.log(`wrote ${output} (${rows.length} ratios)`)
}
