import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  assertCsrMatrix,
  type CsrMatrix,
  computeGlobalTrust,
  csrFromTriples,
  isReputationError,
  relativeTrust,
} from '../src/index'
import { denseGlobalTrust } from './fixtures/dense'

function thrownName(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (error) {
    return isReputationError(error) ? error.name : `foreign:${String(error)}`
  }
  return undefined
}

const triple = (size: number) =>
  fc.tuple(fc.nat({ max: size - 1 }), fc.nat({ max: size - 1 }), fc.integer({ min: -2, max: 5 }))

const graph = fc.integer({ min: 1, max: 8 }).chain((size) =>
  fc.record({
    size: fc.constant(size),
    entries: fc.array(triple(size), { maxLength: 30 }),
    preTrusted: fc.array(fc.nat({ max: size - 1 }), { maxLength: 3 }),
    alpha: fc.double({ min: 0.05, max: 1, noNaN: true }),
  }),
)

function build(size: number, entries: ReadonlyArray<readonly [number, number, number]>): CsrMatrix {
  return csrFromTriples(
    size,
    entries.map((e) => e[0]),
    entries.map((e) => e[1]),
    entries.map((e) => e[2]),
  )
}

describe('csrFromTriples', () => {
  it('sums cells, drops non-positive cells, sorts each row', () => {
    const m = csrFromTriples(3, [2, 0, 0, 0, 1], [0, 2, 1, 2, 1], [1, 1, 4, 2, -3])
    expect([...m.rowOffsets]).toEqual([0, 2, 2, 3])
    expect([...m.columns]).toEqual([1, 2, 0])
    expect([...m.values]).toEqual([4, 3, 1])
    assertCsrMatrix(m)
  })

  it('agrees with dense accumulation (property)', () => {
    fc.assert(
      fc.property(graph, ({ size, entries }) => {
        const m = build(size, entries)
        const dense = Array.from({ length: size }, () => new Array<number>(size).fill(0))
        for (const [i, j, v] of entries) dense[i]![j]! += v
        const fromCsr = Array.from({ length: size }, () => new Array<number>(size).fill(0))
        for (let i = 0; i < size; i++) {
          for (let k = m.rowOffsets[i]!; k < m.rowOffsets[i + 1]!; k++)
            fromCsr[i]![m.columns[k]!] = m.values[k]!
        }
        expect(fromCsr).toEqual(dense.map((row) => row.map((v) => Math.max(v, 0))))
      }),
    )
  })

  it('refuses triples out of range or of different lengths', () => {
    expect(thrownName(() => csrFromTriples(2, [2], [0], [1]))).toBe('InvalidArgumentError')
    expect(thrownName(() => csrFromTriples(2, [0], [-1], [1]))).toBe('InvalidArgumentError')
    expect(thrownName(() => csrFromTriples(2, [0], [1], [Number.NaN]))).toBe('InvalidArgumentError')
    expect(thrownName(() => csrFromTriples(2, [0, 1], [1], [1]))).toBe('InvalidArgumentError')
    expect(thrownName(() => csrFromTriples(-1, [], [], []))).toBe('InvalidArgumentError')
  })
})

describe('computeGlobalTrust', () => {
  it('matches a dense linear solve (property)', () => {
    fc.assert(
      fc.property(graph, ({ size, entries, preTrusted, alpha }) => {
        const result = computeGlobalTrust(build(size, entries), {
          preTrusted,
          alpha,
          tolerance: 1e-13,
        })
        expect(result.converged).toBe(true)
        const expected = denseGlobalTrust(size, entries, preTrusted, alpha)
        result.trust.forEach((v, j) => {
          expect(v).toBeGreaterThanOrEqual(0)
          expect(v).toBeCloseTo(expected[j]!, 9)
        })
        expect(result.trust.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12)
      }),
      { numRuns: 200 },
    )
  })

  it('matches the dense solve with row totals: withheld trust goes to the restart set (property)', () => {
    fc.assert(
      fc.property(
        graph.chain((g) =>
          fc.record({
            g: fc.constant(g),
            totals: fc.array(fc.integer({ min: 0, max: 20 }), {
              minLength: g.size,
              maxLength: g.size,
            }),
          }),
        ),
        ({ g, totals }) => {
          const { size, entries, preTrusted, alpha } = g
          const result = computeGlobalTrust(build(size, entries), {
            preTrusted,
            alpha,
            tolerance: 1e-13,
            rowTotals: Float64Array.from(totals),
          })
          const expected = denseGlobalTrust(size, entries, preTrusted, alpha, totals)
          for (const [j, v] of result.trust.entries()) expect(v).toBeCloseTo(expected[j]!, 9)
        },
      ),
      { numRuns: 150 },
    )
  })

  it('reaches the same vector from a warm start, in fewer iterations', () => {
    const size = 300
    const rows: number[] = []
    const cols: number[] = []
    const vals: number[] = []
    let x = 7
    const next = () => {
      x = (x * 1103515245 + 12345) % 2 ** 31
      return x
    }
    for (let k = 0; k < 3_000; k++) {
      rows.push(next() % size)
      cols.push(next() % size)
      vals.push(1 + (next() % 3))
    }
    const options = { preTrusted: [0, 1, 2], alpha: 0.15, tolerance: 1e-10 }
    const before = computeGlobalTrust(csrFromTriples(size, rows, cols, vals), options)
    rows.push(5)
    cols.push(9)
    vals.push(1)
    const after = csrFromTriples(size, rows, cols, vals)
    const cold = computeGlobalTrust(after, options)
    const warm = computeGlobalTrust(after, { ...options, initial: before.trust })
    expect(warm.converged).toBe(true)
    expect(warm.iterations).toBeLessThan(cold.iterations)
    let diff = 0
    for (let j = 0; j < size; j++) diff += Math.abs(warm.trust[j]! - cold.trust[j]!)
    expect(diff).toBeLessThan(1e-8)
  })

  it('gives a group no trust unless trust flows into it from the pre-trusted peers', () => {
    // peers 0-3 honest and linked to each other; peers 4-7 rate only each other
    const edges: Array<[number, number, number]> = []
    for (let i = 0; i < 4; i++) edges.push([i, (i + 1) % 4, 1])
    for (let i = 4; i < 8; i++) for (let j = 4; j < 8; j++) if (i !== j) edges.push([i, j, 10])
    const m = build(8, edges)
    const guarded = computeGlobalTrust(m, { preTrusted: [0], alpha: 0.1 })
    expect(guarded.trust.slice(4).reduce((a, b) => a + b, 0)).toBeLessThan(1e-9)
    // without pre-trusted peers, the restart feeds everyone and the group keeps its half
    const open = computeGlobalTrust(m, { alpha: 0.1 })
    expect(open.trust.slice(4).reduce((a, b) => a + b, 0)).toBeCloseTo(0.5, 6)
  })

  it('returns the restart distribution when alpha is 1, and stops at maxIterations', () => {
    const m = build(4, [
      [0, 1, 1],
      [1, 2, 1],
    ])
    expect([...computeGlobalTrust(m, { preTrusted: [3], alpha: 1 }).trust]).toEqual([0, 0, 0, 1])
    const capped = computeGlobalTrust(m, {
      preTrusted: [0],
      alpha: 0.01,
      tolerance: 1e-15,
      maxIterations: 2,
    })
    expect(capped.iterations).toBe(2)
    expect(capped.converged).toBe(false)
    expect(computeGlobalTrust(csrFromTriples(0, [], [], [])).trust.length).toBe(0)
  })

  it('gives relative trust: 1 for an average peer', () => {
    const result = computeGlobalTrust(build(4, []), {})
    expect(relativeTrust(result, 2)).toBeCloseTo(1, 12)
    expect(thrownName(() => relativeTrust(result, 4))).toBe('InvalidArgumentError')
  })

  it('refuses malformed matrices and leaves them untouched', () => {
    const good = build(3, [
      [0, 1, 1],
      [1, 2, 2],
    ])
    const copy = (over: Partial<CsrMatrix>): CsrMatrix => ({
      size: good.size,
      rowOffsets: good.rowOffsets.slice(),
      columns: good.columns.slice(),
      values: good.values.slice(),
      ...over,
    })
    const bad: CsrMatrix[] = [
      copy({ size: 2 }),
      copy({ size: -1 }),
      copy({ rowOffsets: new Uint32Array([0, 1, 0, 2]) }),
      copy({ rowOffsets: new Uint32Array([1, 1, 2, 2]) }),
      copy({ columns: new Uint32Array([1, 3]) }),
      copy({ values: new Float64Array([1, -1]) }),
      copy({ values: new Float64Array([1, Number.POSITIVE_INFINITY]) }),
      copy({ values: new Float64Array([1]) }),
      copy({ columns: [1, 2] as unknown as Uint32Array }),
      null as unknown as CsrMatrix,
    ]
    for (const m of bad)
      expect(thrownName(() => computeGlobalTrust(m, {}))).toBe('InvalidMatrixError')
    const snapshot = JSON.stringify([...good.rowOffsets, ...good.columns, ...good.values])
    computeGlobalTrust(good, { preTrusted: [0] })
    expect(JSON.stringify([...good.rowOffsets, ...good.columns, ...good.values])).toBe(snapshot)
  })

  it('refuses options out of range', () => {
    const m = build(3, [[0, 1, 1]])
    expect(thrownName(() => computeGlobalTrust(m, { alpha: 1.5 }))).toBe('InvalidParamsError')
    expect(thrownName(() => computeGlobalTrust(m, { alpha: Number.NaN }))).toBe(
      'InvalidParamsError',
    )
    expect(thrownName(() => computeGlobalTrust(m, { tolerance: 0 }))).toBe('InvalidParamsError')
    expect(thrownName(() => computeGlobalTrust(m, { maxIterations: 0 }))).toBe('InvalidParamsError')
    expect(thrownName(() => computeGlobalTrust(m, { preTrusted: [3] }))).toBe(
      'InvalidArgumentError',
    )
    expect(thrownName(() => computeGlobalTrust(m, { preTrusted: [0.5] }))).toBe(
      'InvalidArgumentError',
    )
    expect(thrownName(() => computeGlobalTrust(m, { initial: new Float64Array(2) }))).toBe(
      'InvalidArgumentError',
    )
    expect(thrownName(() => computeGlobalTrust(m, { initial: new Float64Array(3) }))).toBe(
      'InvalidArgumentError',
    )
    expect(thrownName(() => computeGlobalTrust(m, { initial: new Float64Array([1, -1, 1]) }))).toBe(
      'InvalidArgumentError',
    )
    expect(thrownName(() => computeGlobalTrust(m, { rowTotals: new Float64Array(2) }))).toBe(
      'InvalidArgumentError',
    )
    expect(
      thrownName(() => computeGlobalTrust(m, { rowTotals: new Float64Array([0, Number.NaN, 0]) })),
    ).toBe('InvalidArgumentError')
  })
})
