/**
 * The delivery chart: for each strategy, the share of (message, receiver) pairs delivered
 * against the time since publication, as a standalone SVG document (no scripts, no
 * external resources). The output depends only on the input, so charts diff cleanly.
 *
 * @example
 * const svg = renderDeliveryChart([{ name: 'plumtree', points: result.deliveryCurve }])
 * writeFileSync('delivery.svg', svg)
 */

/** One curve: a name and [ms after publish, share in 0..1] points in time order. */
export interface ChartSeries {
  name: string
  points: ReadonlyArray<readonly [number, number]>
}

export interface ChartOptions {
  title?: string
  width?: number
  height?: number
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b']

function escapeXml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
}

/** A round step for about `target` ticks over `span`. */
function tickStep(span: number, target: number): number {
  const raw = span / target
  const power = 10 ** Math.floor(Math.log10(raw))
  for (const m of [1, 2, 5, 10]) if (m * power >= raw) return m * power
  return 10 * power
}

/**
 * Renders the delivery-over-time chart.
 * @param series - one curve per strategy
 * @param options - title and size in pixels
 * @returns the SVG document
 */
export function renderDeliveryChart(
  series: readonly ChartSeries[],
  options: ChartOptions = {},
): string {
  const width = options.width ?? 720
  const height = options.height ?? 420
  const title = options.title ?? 'Delivery over time'
  const left = 64
  const right = 160
  const top = 40
  const bottom = 56
  const plotW = width - left - right
  const plotH = height - top - bottom
  let maxX = 1
  for (const s of series) for (const [x] of s.points) if (x > maxX) maxX = x
  const step = tickStep(maxX, 6)
  maxX = Math.ceil(maxX / step) * step
  const px = (x: number): string => (left + (x / maxX) * plotW).toFixed(1)
  const py = (y: number): string => (top + (1 - Math.max(0, Math.min(1, y))) * plotH).toFixed(1)
  const parts: string[] = []
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${left}" y="24" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
  )
  for (let y = 0; y <= 1.0001; y += 0.25) {
    parts.push(
      `<line x1="${left}" y1="${py(y)}" x2="${left + plotW}" y2="${py(y)}" stroke="#e0e0e0"/>`,
      `<text x="${left - 8}" y="${py(y)}" text-anchor="end" dominant-baseline="middle">${Math.round(y * 100)}%</text>`,
    )
  }
  for (let x = 0; x <= maxX + 1e-9; x += step) {
    parts.push(
      `<line x1="${px(x)}" y1="${top + plotH}" x2="${px(x)}" y2="${top + plotH + 5}" stroke="#333"/>`,
      `<text x="${px(x)}" y="${top + plotH + 18}" text-anchor="middle">${Math.round(x)}</text>`,
    )
  }
  parts.push(
    `<line x1="${left}" y1="${top + plotH}" x2="${left + plotW}" y2="${top + plotH}" stroke="#333"/>`,
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotH}" stroke="#333"/>`,
    `<text x="${left + plotW / 2}" y="${height - 14}" text-anchor="middle">ms after publish</text>`,
    `<text x="16" y="${top + plotH / 2}" text-anchor="middle" transform="rotate(-90 16 ${top + plotH / 2})">receivers reached</text>`,
  )
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length]!
    const path = s.points.map(([x, y], j) => `${j === 0 ? 'M' : 'L'}${px(x)},${py(y)}`).join(' ')
    if (path.length > 0) {
      parts.push(`<path d="${path}" fill="none" stroke="${color}" stroke-width="2"/>`)
    }
    const ly = top + 10 + i * 20
    parts.push(
      `<line x1="${left + plotW + 16}" y1="${ly}" x2="${left + plotW + 40}" y2="${ly}" stroke="${color}" stroke-width="3"/>`,
      `<text x="${left + plotW + 46}" y="${ly}" dominant-baseline="middle">${escapeXml(s.name)}</text>`,
    )
  })
  parts.push('</svg>')
  return `${parts.join('\n')}\n`
}
