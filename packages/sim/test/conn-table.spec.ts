/**
 * The connection table answers exactly as a map keyed by (node, peer) would, through
 * growth, deletions and reuse of deleted slots.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createConnTable } from '../src/conn-table'

const RUNS = Number(process.env.PEERKIT_FC_RUNS ?? 100)

describe('connection table', () => {
  it('property: agrees with a map under any sequence of sets and deletes', () => {
    const op = fc.record({
      set: fc.boolean(),
      node: fc.nat(40),
      peer: fc.nat(40),
      id: fc.integer({ min: 1, max: 1_000_000 }),
    })
    fc.assert(
      fc.property(fc.array(op, { maxLength: 600 }), (ops) => {
        const table = createConnTable(16)
        const model = new Map<string, number>()
        for (const { set, node, peer, id } of ops) {
          if (set) {
            table.set(node, peer, id)
            model.set(`${node},${peer}`, id)
          } else {
            table.delete(node, peer)
            model.delete(`${node},${peer}`)
          }
          expect(table.size).toBe(model.size)
        }
        for (let node = 0; node <= 40; node++)
          for (let peer = 0; peer <= 40; peer++)
            expect(table.get(node, peer)).toBe(model.get(`${node},${peer}`) ?? 0)
      }),
      { numRuns: RUNS },
    )
  })

  it('keeps directions apart and grows past its first capacity', () => {
    const table = createConnTable(16)
    for (let i = 0; i < 5_000; i++) table.set(i, i + 1, i + 1)
    expect(table.size).toBe(5_000)
    expect(table.get(10, 11)).toBe(11)
    expect(table.get(11, 10)).toBe(0)
    for (let i = 0; i < 5_000; i += 2) table.delete(i, i + 1)
    expect(table.size).toBe(2_500)
    expect(table.get(10, 11)).toBe(0)
    expect(table.get(11, 12)).toBe(12)
  })
})
