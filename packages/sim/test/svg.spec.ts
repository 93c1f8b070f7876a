import { describe, expect, it } from 'vitest'
import type { GossipRunResult } from '../src/run'
import { renderDeliveryChart } from '../src/svg'
import { formatSummaryTable } from '../src/table'

describe('renderDeliveryChart', () => {
  it('draws one curve and one legend entry per strategy, deterministically, escaping names', () => {
    const series = [
      {
        name: 'plumtree',
        points: [
          [0, 0],
          [100, 0.5],
          [250, 1],
        ] as Array<[number, number]>,
      },
      {
        name: 'a<b>&"c"',
        points: [
          [0, 0],
          [80, 1],
        ] as Array<[number, number]>,
      },
    ]
    const svg = renderDeliveryChart(series, { title: 'T' })
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true)
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true)
    expect(svg.match(/<path /g)).toHaveLength(2)
    expect(svg).toContain('a&lt;b&gt;&amp;&quot;c&quot;')
    expect(svg).not.toContain('a<b>')
    expect(renderDeliveryChart(series, { title: 'T' })).toBe(svg)
    // the last point of the first curve is at the right edge, at 100%
    const firstPath = svg.match(/<path d="([^"]+)"/)![1]!
    const last = firstPath.split(' ').at(-1)!
    expect(last).toMatch(/^L\d+(\.\d)?,40\.0$/)
  })
})

describe('formatSummaryTable', () => {
  it('prints one row per strategy with the adversarial columns only when there were adversaries', () => {
    const base = {
      strategy: 'flood',
      nodes: 10,
      honestNodes: 10,
      reliability: 1,
      componentReliability: 1,
      rmr: 5.5,
      ldh: 3,
      latencyP50Ms: 100,
      latencyP99Ms: 200,
      duplicatesPerDelivery: 5.5,
      bytesPerNode: 1234.4,
      duplicateDeliveries: 0,
      wallMs: 1500,
      honestReliability: 1,
      graylisted: 0,
      spammersCutOff: 1,
    } as GossipRunResult
    const table = formatSummaryTable([base, { ...base, strategy: 'mesh', rmr: 2 }])
    const lines = table.split('\n')
    expect(lines).toHaveLength(4)
    expect(lines[2]).toContain('flood')
    expect(lines[2]).toContain('5.500')
    expect(lines[3]).toContain('mesh')
    expect(table).not.toContain('graylisted')
    expect(formatSummaryTable([{ ...base, nodes: 12 }])).toContain('graylisted')
  })
})
