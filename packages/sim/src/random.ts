/**
 * Seeded randomness for the project: xoshiro128** seeded through splitmix32 for the
 * simulator's streams, and mulberry32 for a bare `() => number` (the shape routers, the
 * memory transport and scenarios take). Every random choice in a run comes from one of
 * these streams, so the same seed gives the same run. Never `Math.random()`.
 *
 * @example
 * const random = createRandom(42)
 * random.next()     // a float in [0, 1)
 * random.int(10)    // an integer in [0, 10)
 * random.fork(7)    // an independent stream, the same for the same seed and label
 */

/** A deterministic stream of random numbers. */
export interface Random {
  /** A float in [0, 1) with 32 bits of randomness. */
  next(): number
  /** An integer in [0, n). */
  int(n: number): number
  /** An independent stream derived from this stream's seed and `label`. */
  fork(label: number): Random
}

/** One step of splitmix32: a good 32-bit mixer for seeding and hashing. */
export function splitmix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
  return (z ^ (z >>> 16)) >>> 0
}

/**
 * Hashes three integers to a float in [0, 1); used where a value must depend only on
 * its inputs (a link's latency depends on its two ends and the seed, nothing else).
 * @param a - first integer
 * @param b - second integer
 * @param c - third integer
 * @returns a float in [0, 1)
 */
export function hash3(a: number, b: number, c: number): number {
  return splitmix32(splitmix32(splitmix32(a) ^ b) ^ c) / 4294967296
}

/**
 * Creates a xoshiro128** stream from a seed (any safe integer).
 * @param seed - the seed; the same seed gives the same stream
 * @returns the stream
 * @example
 * const random = createRandom(1)
 */
export function createRandom(seed: number): Random {
  const low = seed >>> 0
  const high = Math.floor(seed / 4294967296) >>> 0
  let s0 = splitmix32(low ^ 0x5851f42d)
  let s1 = splitmix32(s0 ^ high)
  let s2 = splitmix32(s1 ^ 0x2545f491)
  let s3 = splitmix32(s2 ^ low)
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1
  const next = (): number => {
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0
    const t = s1 << 9
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = rotl(s3, 11)
    return result / 4294967296
  }
  return {
    next,
    int: (n) => Math.floor(next() * n),
    fork: (label) => createRandom(splitmix32(low ^ splitmix32(label)) + high * 4294967296),
  }
}

/**
 * mulberry32: a small, fast generator of floats in [0, 1) with 32 bits of state, for
 * whatever takes a bare `() => number`. Seeds are taken modulo 2^32.
 * @param seed - the seed; the same seed gives the same stream
 * @returns the stream
 * @example
 * const random = mulberry32(1)
 * random() // 0.6270739405881613
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k))
}

/**
 * Shuffles an array in place (Fisher–Yates) with a seeded stream.
 * @param items - the array to shuffle
 * @param random - the stream
 * @returns the same array
 */
export function shuffleInPlace<T>(items: T[], random: Random): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = random.int(i + 1)
    const tmp = items[i]!
    items[i] = items[j]!
    items[j] = tmp
  }
  return items
}

/**
 * Picks `count` distinct items (or all of them when there are fewer).
 * @param items - the candidates (not modified)
 * @param count - how many to pick
 * @param random - the stream
 * @returns the picked items, in random order
 */
export function sample<T>(items: readonly T[], count: number, random: Random): T[] {
  const copy = items.slice()
  const n = Math.min(count, copy.length)
  for (let i = 0; i < n; i++) {
    const j = i + random.int(copy.length - i)
    const tmp = copy[i]!
    copy[i] = copy[j]!
    copy[j] = tmp
  }
  copy.length = n
  return copy
}

/**
 * `sample` of the integers 0 … n − 1, without building them: the same picks from the same
 * stream, in O(count) time and memory.
 * @param n - size of the range
 * @param count - how many to pick
 * @param random - the stream
 * @returns the picked integers, in random order
 */
export function sampleRange(n: number, count: number, random: Random): number[] {
  // the partial Fisher–Yates shuffle of `sample`, with only the moved slots stored
  const moved = new Map<number, number>()
  const picked: number[] = []
  for (let i = 0; i < Math.min(count, n); i++) {
    const j = i + random.int(n - i)
    picked.push(moved.get(j) ?? j)
    moved.set(j, moved.get(i) ?? i)
  }
  return picked
}
