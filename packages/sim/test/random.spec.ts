import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createEventQueue } from '../src/event-queue'
import { createRandom, mulberry32, sample, sampleRange, shuffleInPlace } from '../src/random'

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

/** The first outputs as uint32s (x · 2^32). */
function words(next: () => number, n: number): number[] {
  return Array.from({ length: n }, () => next() * 4294967296)
}

describe('fixed streams (every deterministic figure depends on these)', () => {
  it('createRandom gives the xoshiro128** words it always gave, and its forks too', () => {
    const one = createRandom(1)
    const fork = one.fork(9)
    expect(words(one.next, 3)).toEqual([2271739373, 2696223372, 4290727827])
    expect(words(fork.next, 2)).toEqual([1690894127, 3602255661])
    const big = createRandom(2 ** 40 + 3)
    expect(words(big.next, 3)).toEqual([3247550464, 2666497914, 1022408784])
    expect(words(big.fork(9).next, 2)).toEqual([1542407479, 3898417907])
  })

  it('mulberry32 gives the words of the reference mulberry32 (Tommy Ettinger, 2017)', () => {
    expect(words(mulberry32(1), 3)).toEqual([2693262067, 11749833, 2265367787])
    expect(words(mulberry32(0), 3)).toEqual([1144304738, 1416247, 958946056])
    expect(words(mulberry32(42), 3)).toEqual([2581720956, 1925393290, 3661312704])
    // seeds are taken modulo 2^32
    expect(words(mulberry32(2 ** 32 + 1), 3)).toEqual(words(mulberry32(1), 3))
  })

  it('mulberry32 streams are deterministic per seed, in [0, 1), and differ between seeds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 2 }), (seed) => {
        const a = words(mulberry32(seed), 20)
        expect(words(mulberry32(seed), 20)).toEqual(a)
        expect(words(mulberry32(seed + 1), 20)).not.toEqual(a)
        for (const w of a) expect(Number.isInteger(w) && w >= 0 && w < 4294967296).toBe(true)
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
