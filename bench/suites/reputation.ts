/**
 * Reputation suite: EigenTrust on 100,000 peers and 2,000,000 local-trust edges, converged
 * to an L1 change below 1e-6, against a plain CSR power-iteration loop written here as the
 * baseline; the incremental update after one new rating (warm start from the last vector)
 * against a cold start; and one scorer decay pass over 10,000 peers.
 */
import { type CsrMatrix, computeGlobalTrust, createScorer, PEER_EVENTS } from '@peerkit/reputation'
import type { Suite } from '../src/harness'

const ALPHA = 0.15
const TOLERANCE = 1e-6

/** xorshift32: a fixed, fast pseudo-random sequence so every run builds the same graph. */
function xorshift(seed: number): () => number {
  let x = seed >>> 0 || 1
  return () => {
    x ^= x << 13
    x >>>= 0
    x ^= x >>> 17
    x ^= x << 5
    x >>>= 0
    return x / 2 ** 32
  }
}

/**
 * A trust graph shaped like a market, with exactly `edges` entries: every peer rates at
 * least one other, the rest of the edges go to raters drawn uniformly (so out-degrees are
 * about Poisson around the mean); whom a peer rates is skewed towards popular peers (the
 * square of a uniform draw), and each edge carries 1 to 5 positive ratings.
 */
function marketGraph(peers: number, edges: number, seed: number): CsrMatrix {
  const random = xorshift(seed)
  const rowOffsets = new Uint32Array(peers + 1)
  for (let i = 0; i < peers; i++) rowOffsets[i + 1] = 1
  for (let e = peers; e < edges; e++) rowOffsets[1 + Math.floor(random() * peers)]!++
  for (let i = 0; i < peers; i++) rowOffsets[i + 1]! += rowOffsets[i]!
  const columns = new Uint32Array(edges)
  const values = new Float64Array(edges)
  for (let i = 0; i < peers; i++) {
    for (let k = rowOffsets[i]!; k < rowOffsets[i + 1]!; k++) {
      const u = random()
      let j = Math.floor(u * u * peers)
      if (j === i) j = (j + 1) % peers
      columns[k] = j
      values[k] = 1 + Math.floor(random() * 5)
    }
  }
  return { size: peers, rowOffsets, columns, values }
}

/** The same matrix with one more entry (one new rating) in row `row`. */
function withOneMore(m: CsrMatrix, row: number, column: number, value: number): CsrMatrix {
  const at = m.rowOffsets[row + 1]!
  const columns = new Uint32Array(m.columns.length + 1)
  const values = new Float64Array(m.values.length + 1)
  columns.set(m.columns.subarray(0, at))
  values.set(m.values.subarray(0, at))
  columns[at] = column
  values[at] = value
  columns.set(m.columns.subarray(at), at + 1)
  values.set(m.values.subarray(at), at + 1)
  const rowOffsets = m.rowOffsets.slice()
  for (let i = row + 1; i <= m.size; i++) rowOffsets[i]!++
  return { size: m.size, rowOffsets, columns, values }
}

/**
 * The baseline: the textbook loop. Normalize each row once, then `t ← (1−α)·Cᵀt + α·p`
 * until the L1 change is below the tolerance. It assumes every row has an entry (the
 * graph above guarantees it), so it skips the dangling-row case the library handles.
 */
function naiveEigenTrust(
  m: CsrMatrix,
  preTrusted: readonly number[],
): { trust: Float64Array; iterations: number } {
  const { size: n, rowOffsets, columns, values } = m
  const normalized = new Float64Array(values.length)
  for (let i = 0; i < n; i++) {
    const start = rowOffsets[i]!
    const end = rowOffsets[i + 1]!
    let sum = 0
    for (let k = start; k < end; k++) sum += values[k]!
    for (let k = start; k < end; k++) normalized[k] = values[k]! / sum
  }
  const p = new Float64Array(n)
  for (const j of preTrusted) p[j] = 1 / preTrusted.length
  let t = p.slice()
  let next = new Float64Array(n)
  let iterations = 0
  for (;;) {
    next.fill(0)
    for (let i = 0; i < n; i++) {
      const ti = t[i]!
      const end = rowOffsets[i + 1]!
      for (let k = rowOffsets[i]!; k < end; k++) next[columns[k]!]! += normalized[k]! * ti
    }
    let change = 0
    for (let j = 0; j < n; j++) {
      const v = (1 - ALPHA) * next[j]! + ALPHA * p[j]!
      change += Math.abs(v - t[j]!)
      next[j] = v
    }
    const swap = t
    t = next
    next = swap
    iterations++
    if (change < TOLERANCE) return { trust: t, iterations }
  }
}

function l1(a: Float64Array, b: Float64Array): number {
  let d = 0
  for (let j = 0; j < a.length; j++) d += Math.abs(a[j]! - b[j]!)
  return d
}

const suite: Suite = {
  name: 'reputation',
  async run(ctx) {
    const peers = ctx.quick ? 10_000 : 100_000
    const edges = ctx.quick ? 200_000 : 2_000_000
    const matrix = marketGraph(peers, edges, 2026)
    const preTrusted = Array.from({ length: 50 }, (_, k) => k * Math.floor(peers / 50))
    ctx.log(
      `graph: ${peers} peers, ${matrix.columns.length} edges, ${preTrusted.length} pre-trusted`,
    )

    // check once that both compute the same vector, then time them interleaved
    const ours = computeGlobalTrust(matrix, { preTrusted, alpha: ALPHA, tolerance: TOLERANCE })
    const plain = naiveEigenTrust(matrix, preTrusted)
    ctx.log(
      `converged: peerkit ${ours.iterations} iterations (residual ${ours.residual.toExponential(2)}), ` +
        `naive ${plain.iterations}; L1 distance between the two vectors ${l1(ours.trust, plain.trust).toExponential(2)}`,
    )
    ctx.figure('reputation.eigentrust.iterations', ours.iterations)
    ctx.figure('reputation.naive-csr.iterations', plain.iterations)
    const slow = { roundMs: 1, rounds: ctx.quick ? 3 : 9, warmupMs: 1 }
    const full = await ctx.measure(
      `eigentrust ${peers} peers / ${matrix.columns.length} edges to L1 < 1e-6`,
      {
        peerkit: () =>
          computeGlobalTrust(matrix, { preTrusted, alpha: ALPHA, tolerance: TOLERANCE }),
        'naive-csr': () => naiveEigenTrust(matrix, preTrusted),
      },
      slow,
    )
    ctx.figure('reputation.eigentrust.ms', Math.round(1000 / full.peerkit!))
    ctx.figure('reputation.naive-csr.ms', Math.round(1000 / full['naive-csr']!))
    ctx.ratio('reputation.eigentrust/naive-csr', full.peerkit! / full['naive-csr']!)

    // one new rating: peer 12345 rates a peer it never rated
    const rater = 12_345 % peers
    const changed = withOneMore(matrix, rater, (rater + 777) % peers, 5)
    const warm = computeGlobalTrust(changed, {
      preTrusted,
      alpha: ALPHA,
      tolerance: TOLERANCE,
      initial: ours.trust,
    })
    const cold = computeGlobalTrust(changed, { preTrusted, alpha: ALPHA, tolerance: TOLERANCE })
    ctx.log(
      `after one new rating: warm start ${warm.iterations} iterations, cold ${cold.iterations}; ` +
        `L1 distance ${l1(warm.trust, cold.trust).toExponential(2)}`,
    )
    ctx.figure('reputation.incremental.iterations', warm.iterations)
    const incremental = await ctx.measure(
      'global trust after one new rating',
      {
        'warm-start': () =>
          computeGlobalTrust(changed, {
            preTrusted,
            alpha: ALPHA,
            tolerance: TOLERANCE,
            initial: ours.trust,
          }),
        'cold-start': () =>
          computeGlobalTrust(changed, { preTrusted, alpha: ALPHA, tolerance: TOLERANCE }),
      },
      slow,
    )
    ctx.figure('reputation.incremental.ms', Math.round(1000 / incremental['warm-start']!))
    ctx.ratio(
      'reputation.incremental/cold',
      incremental['warm-start']! / incremental['cold-start']!,
    )

    // one decay pass over 10,000 peers with every counter live
    const scorer = createScorer(
      {
        decayToZero: 1e-12,
        firstDeliveries: { decay: 0.9999, cap: 1e9 },
        deliveries: { threshold: 5, decay: 0.9999 },
        invalidMessages: { decay: 0.9999 },
        brokenPromises: { decay: 0.9999 },
        protocolViolations: { decay: 0.9999 },
        retainMs: Number.MAX_SAFE_INTEGER,
        maxPeers: 20_000,
      },
      {},
    )
    const random = xorshift(7)
    for (let i = 0; i < 10_000; i++) {
      for (let e = 0; e < 20; e++)
        scorer.record(`peer-${i}`, PEER_EVENTS[Math.floor(random() * 5)]!, 0)
    }
    let now = 0
    const keys = scorer.peers()
    let cursor = 0
    const decay = await ctx.measure('scorer: one decay pass over 10,000 peers', {
      tick: () => {
        now += 1_000
        return scorer.tick(now)
      },
    })
    ctx.figure('reputation.decayPass10k.ms', Number((1000 / decay.tick!).toFixed(3)))
    const events = await ctx.measure('scorer: one event (10,000 peers tracked)', {
      record: () => scorer.record(keys[cursor++ % keys.length]!, 'first-delivery', now),
      score: () => scorer.score(keys[cursor++ % keys.length]!, now),
    })
    ctx.log(
      `per event: record ${(1e9 / events.record!).toFixed(0)} ns, score ${(1e9 / events.score!).toFixed(0)} ns`,
    )
  },
}

export default suite
