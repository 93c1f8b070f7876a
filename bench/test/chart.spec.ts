import { describe, expect, it } from 'vitest'
import { headroom, renderRatioChart, rowsOf } from '../src/chart'
import { BENCH_TARGETS, targetOf } from '../src/targets'

describe('the benchmark chart', () => {
  it('orients every bar so that longer is better: floors divide by the target, ceilings into it', () => {
    expect(headroom(1.8, { op: '>=', value: 0.9 })).toBeCloseTo(2)
    expect(headroom(0.25, { op: '<=', value: 0.5 })).toBeCloseTo(2)
    expect(headroom(1.14, { op: '<=', value: 1.0 })).toBeLessThan(1)
  })

  it('draws only ratios with a target, per-size variants under their base target', () => {
    const rows = rowsOf({
      ratios: {
        'codec.encode/cborg': 1.9,
        'codec.encode/cbor-x': 0.5,
        'libp2p.p99/gossipsub.32': 1.14,
      },
    })
    expect(rows.map((r) => r.id)).toEqual(['codec.encode/cborg', 'libp2p.p99/gossipsub.32'])
    expect(targetOf('libp2p.p99/gossipsub.32')).toBe(BENCH_TARGETS['libp2p.p99/gossipsub'])
    const svg = renderRatioChart(rows, 'a <run>')
    expect(svg).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/)
    expect(svg).toContain('a &lt;run&gt;')
    // one bar met (green), one missed (red)
    expect(svg.match(/fill="#3a7"/g)).toHaveLength(1)
    expect(svg.match(/fill="#d54"/g)).toHaveLength(1)
    expect(svg).toContain('1.140 (&lt;= 1)')
  })
})
