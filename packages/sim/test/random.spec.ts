import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createEventQueue } from '../src/event-queue'
import { createRandom, sample, sampleRange, shuffleInPlace } from '../src/random'

describe('createRandom', () => {
  it('gives the same stream for the same seed and different streams for different seeds', () => {
    const a = createRandom(42)
    const b = createRandom(42)
    const c = createRandom(43)
    const xs = Array.from({ length: 100 }, () => a.next())
    expect(Array.from({ length: 100 }, () => b.next())).toEqual(xs)
    expect(Array.from({ length: 100 }, () => c.next())).not.toEqual(xs)
  })

  it('stays in [0, 1) and int(n) in [0, n), roughly uniform', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 1000 }), (seed, n) => {
        const random = createRandom(seed)
        for (let i = 0; i < 50; i++) {
          const x = random.next()
          expect(x).toBeGreaterThanOrEqual(0)
          expect(x).toBeLessThan(1)
          const k = random.int(n)
          expect(Number.isInteger(k) && k >= 0 && k < n).toBe(true)
        }
      }),
    )
    const random = createRandom(7)
    const buckets = new Array(10).fill(0)
    for (let i = 0; i < 100_000; i++) buckets[random.int(10)]++
    for (const count of buckets) expect(Math.abs(count - 10_000)).toBeLessThan(500)
  })

  it('forks are deterministic and independent of the parent’s position', () => {
    const a = createRandom(5)
    a.next()
    const forkA = a.fork(3)
    const forkB = createRandom(5).fork(3)
    expect(forkA.next()).toBe(forkB.next())
    expect(createRandom(5).fork(4).next()).not.toBe(createRandom(5).fork(3).next())
  })

  it('sample picks distinct items; shuffle keeps the multiset', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer(), { maxLength: 50 }),
        fc.nat(60),
        fc.integer(),
        (xs, k, seed) => {
          const picked = sample(xs, k, createRandom(seed))
          expect(picked.length).toBe(Math.min(k, xs.length))
          const indices = new Set(picked.map((x) => xs.indexOf(x)))
          expect(indices.has(-1)).toBe(false)
          const shuffled = shuffleInPlace(xs.slice(), createRandom(seed))
          expect(shuffled.slice().sort()).toEqual(xs.slice().sort())
        },
      ),
    )
  })

  it('sampleRange picks what sample picks from the same range and stream', () => {
    fc.assert(
      fc.property(fc.nat(200), fc.nat(30), fc.integer(), (n, k, seed) => {
        const range = Array.from({ length: n }, (_, i) => i)
        expect(sampleRange(n, k, createRandom(seed))).toEqual(sample(range, k, createRandom(seed)))
      }),
    )
  })
})

describe('createEventQueue', () => {
  it('pops in (time, order key) order', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.integer({ min: 0, max: 20 }), fc.boolean(), fc.integer({ min: 0, max: 9 })),
          { maxLength: 300 },
        ),
        (ops) => {
          const queue = createEventQueue(16)
          const reference: Array<[number, number, number]> = []
          const popped: number[] = []
          const expected: number[] = []
          let id = 0
          for (const [time, pop, rank] of ops) {
            if (pop && queue.size > 0) {
              const slot = queue.pop()
              popped.push(queue.count[slot]!)
              queue.release(slot)
              reference.sort((x, y) => x[0] - y[0] || x[2] - y[2])
              expected.push(reference.shift()![1])
            } else {
              // distinct keys, not in insertion order
              const order = rank * 1000 + id
              queue.push(time, order, 1, 0, 0, 0, id, undefined)
              reference.push([time, id, order])
              id++
            }
          }
          expect(popped).toEqual(expected)
          expect(queue.size).toBe(reference.length)
        },
      ),
    )
  })

  it('grows past its initial capacity and reuses released slots', () => {
    const queue = createEventQueue(16)
    for (let i = 0; i < 1000; i++) queue.push(1000 - i, i, 1, i, 0, 0, i, undefined)
    expect(queue.peekTime()).toBe(1)
    let last = -1
    while (queue.size > 0) {
      const slot = queue.pop()
      expect(queue.time[slot]!).toBeGreaterThan(last)
      last = queue.time[slot]!
      queue.release(slot)
    }
    expect(queue.pop()).toBe(-1)
    expect(queue.peekTime()).toBe(Number.POSITIVE_INFINITY)
  })
})
