import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { computeGlobalTrust, createLocalTrust, isReputationError } from '../src/index'

function thrownName(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (error) {
    return isReputationError(error) ? error.name : `foreign:${String(error)}`
  }
  return undefined
}

describe('createLocalTrust', () => {
  it('weighs ratings and outcomes, and clips negative evidence to no trust', () => {
    const local = createLocalTrust({ ratingWeight: 2, outcomeWeight: 0.5 })
    local.addRating({ rater: 'a', ratee: 'b', score: 1 })
    local.addOutcome('a', 'b', 'good')
    local.addRating({ rater: 'a', ratee: 'c', score: -1 })
    local.addRating({ rater: 'b', ratee: 'c', score: 0 })
    expect(local.evidence('a', 'b')).toBe(2.5)
    expect(local.evidence('a', 'c')).toBe(-2)
    expect(local.peers()).toEqual(['a', 'b', 'c'])
    const { matrix, peers, index } = local.toMatrix()
    expect(peers).toEqual(['a', 'b', 'c'])
    expect(index.get('b')).toBe(1)
    expect([...matrix.rowOffsets]).toEqual([0, 1, 1, 1])
    expect([...matrix.columns]).toEqual([1])
    expect([...matrix.values]).toEqual([2.5])
  })

  it('gives each row its evidence total, part of the unrewarded evidence withheld', () => {
    const half = createLocalTrust({ withheldShare: 0.5 })
    const none = createLocalTrust({ withheldShare: 0 })
    const all = createLocalTrust({ withheldShare: 1 })
    for (const local of [half, none, all]) {
      local.addRating({ rater: 'a', ratee: 'b', score: 1 })
      local.addRating({ rater: 'a', ratee: 'c', score: -1 })
      local.addRating({ rater: 'a', ratee: 'd', score: 0 })
      local.addRating({ rater: 'b', ratee: 'a', score: 1 })
    }
    // a: 1 point of positive evidence out of 3 ratings
    expect([...half.toMatrix().rowTotals]).toEqual([2, 1, 0, 0])
    expect([...none.toMatrix().rowTotals]).toEqual([1, 1, 0, 0])
    expect([...all.toMatrix().rowTotals]).toEqual([3, 1, 0, 0])
    expect(thrownName(() => createLocalTrust({ withheldShare: 1.5 }))).toBe('InvalidParamsError')
  })

  it('builds the matrix over a given peer list, leaving out others', () => {
    const local = createLocalTrust()
    local.addRating({ rater: 'a', ratee: 'b', score: 1 })
    local.addRating({ rater: 'x', ratee: 'b', score: 1 })
    const { matrix } = local.toMatrix(['b', 'a', 'z'])
    expect(matrix.size).toBe(3)
    expect([...matrix.rowOffsets]).toEqual([0, 0, 1, 1])
    expect([...matrix.columns]).toEqual([0])
    expect(thrownName(() => local.toMatrix(['a', 'a']))).toBe('InvalidArgumentError')
  })

  it('refuses self trust, bad scores, bad outcomes and bad weights', () => {
    const local = createLocalTrust()
    expect(thrownName(() => local.addRating({ rater: 'a', ratee: 'a', score: 1 }))).toBe(
      'InvalidArgumentError',
    )
    expect(thrownName(() => local.addRating({ rater: 'a', ratee: 'b', score: 2 }))).toBe(
      'InvalidArgumentError',
    )
    expect(thrownName(() => local.addRating({ rater: '', ratee: 'b', score: 1 }))).toBe(
      'InvalidArgumentError',
    )
    expect(thrownName(() => local.addOutcome('a', 'b', 'meh' as never))).toBe(
      'InvalidArgumentError',
    )
    expect(local.peers()).toEqual([])
    expect(thrownName(() => createLocalTrust({ ratingWeight: -1 }))).toBe('InvalidParamsError')
    expect(thrownName(() => createLocalTrust({ outcomeWeight: Number.NaN }))).toBe(
      'InvalidParamsError',
    )
  })

  it('lets no single rater push a peer below what the others give it (property)', () => {
    // honest peers rate each other; one slanderer rates the victim -1 as often as it likes
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat({ max: 5 }), fc.nat({ max: 5 })), { minLength: 5, maxLength: 40 }),
        fc.nat({ max: 50 }),
        (pairs, slanders) => {
          const build = (withSlander: boolean) => {
            const local = createLocalTrust()
            for (const [i, j] of pairs)
              if (i !== j) local.addRating({ rater: `h${i}`, ratee: `h${j}`, score: 1 })
            local.addRating({ rater: 's', ratee: 'h0', score: 1 })
            local.addRating({ rater: 'h0', ratee: 's', score: 1 })
            if (withSlander)
              for (let k = 0; k < slanders; k++)
                local.addRating({ rater: 's', ratee: 'h0', score: -1 })
            return local.toMatrix(['h0', 'h1', 'h2', 'h3', 'h4', 'h5', 's'])
          }
          const plain = build(false)
          const slandered = build(true)
          // every other rater's row is untouched
          for (let i = 0; i < 6; i++) {
            const a = plain.matrix
            const b = slandered.matrix
            expect([...b.columns.subarray(b.rowOffsets[i]!, b.rowOffsets[i + 1]!)]).toEqual([
              ...a.columns.subarray(a.rowOffsets[i]!, a.rowOffsets[i + 1]!),
            ])
          }
          const t = computeGlobalTrust(slandered.matrix, { preTrusted: [1, 2] })
          expect(t.trust.every((v) => v >= 0)).toBe(true)
        },
      ),
    )
  })
})
