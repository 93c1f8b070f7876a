/**
 * Global trust by EigenTrust (Kamvar, Schlosser, Garcia-Molina, 2003): the stationary
 * vector of a random walk over normalized local trust that, at every step, returns to the
 * pre-trusted peers with probability `alpha`. Power iteration on a CSR matrix; a warm start
 * from the previous vector makes an update after a few new ratings cheap.
 *
 * @example
 * const first = computeGlobalTrust(matrix, { preTrusted: [0, 1] })
 * const next = computeGlobalTrust(changed, { preTrusted: [0, 1], initial: first.trust })
 */

import { DEFAULT_ALPHA, DEFAULT_MAX_ITERATIONS, DEFAULT_TOLERANCE } from './constants'
import { assertCsrMatrix, type CsrMatrix } from './csr'
import { InvalidArgumentError, InvalidParamsError } from './errors'

/** Options of `computeGlobalTrust`. */
export interface GlobalTrustOptions {
  /**
   * Indices of the pre-trusted peers; the walk restarts among them (uniformly) and a peer
   * that trusts nobody hands its trust to them. Empty or absent: every peer, uniformly,
   * which gives no protection against collusion (see docs/reputation.md).
   */
  readonly preTrusted?: ArrayLike<number>
  /** Share of trust returned to the pre-trusted peers at every step, in [0, 1]. */
  readonly alpha?: number
  /** Stop once the L1 change between two iterations is below this (> 0). */
  readonly tolerance?: number
  /** Stop after this many iterations even if not converged (>= 1). */
  readonly maxIterations?: number
  /**
   * Start from this vector (typically the last result) instead of the pre-trusted
   * distribution. Non-negative, finite, `size` entries, not all zero; it is normalized.
   */
  readonly initial?: Float64Array
  /**
   * Optional evidence total of each row (`size` entries, each finite and >= 0). A row is
   * scaled by `1 / max(row sum, total)` instead of `1 / row sum`, and the share it does not
   * give out goes to the pre-trusted peers: a trust share withheld by a bad trade is
   * returned, not handed to the rater's other partners. `createLocalTrust` computes it.
   */
  readonly rowTotals?: Float64Array
}

/** The result of `computeGlobalTrust`. */
export interface GlobalTrust {
  /** Global trust of each peer; non-negative, sums to 1. */
  readonly trust: Float64Array
  /** Iterations run. */
  readonly iterations: number
  /** L1 change of the last iteration. */
  readonly residual: number
  /** Whether `residual < tolerance` was reached within `maxIterations`. */
  readonly converged: boolean
}

interface Restart {
  /** Indices the restart distribution is spread over (undefined: all peers). */
  readonly indices: Uint32Array | undefined
  readonly weight: number
}

function restartOf(size: number, preTrusted: ArrayLike<number> | undefined): Restart {
  if (preTrusted === undefined || preTrusted.length === 0)
    return { indices: undefined, weight: 1 / size }
  const seen = new Set<number>()
  for (let k = 0; k < preTrusted.length; k++) {
    const i = preTrusted[k]!
    if (!Number.isInteger(i) || i < 0 || i >= size) {
      throw new InvalidArgumentError(
        'preTrusted',
        `pre-trusted index ${i} is not a peer of the matrix`,
      )
    }
    seen.add(i)
  }
  const indices = Uint32Array.from([...seen].sort((a, b) => a - b))
  return { indices, weight: 1 / indices.length }
}

/**
 * Computes global trust by power iteration: `t ← (1 − α)·Cᵀt + α·p`, where `C` is the local
 * trust matrix with each row scaled to sum to 1 (or to `sum / max(sum, rowTotals[i])`, the
 * rest going to `p`), a row that sums to 0 is replaced by `p`, and `p` is uniform over the
 * pre-trusted peers. O(entries) per iteration.
 * @param localTrust - non-negative local trust, row = truster, column = trustee (not normalized)
 * @param options - pre-trusted peers, damping, stopping rule, warm start
 * @returns the trust vector, iterations, last L1 change, and whether it converged
 * @throws InvalidMatrixError for a malformed matrix; InvalidParamsError for options out of
 *   range; InvalidArgumentError for a bad pre-trusted index or initial vector
 * @example
 * const m = csrFromTriples(3, [0, 1, 2], [1, 2, 0], [1, 1, 1])
 * computeGlobalTrust(m, { preTrusted: [0] }).trust // ≈ [0.39, 0.33, 0.28]
 */
export function computeGlobalTrust(
  localTrust: CsrMatrix,
  options: GlobalTrustOptions = {},
): GlobalTrust {
  assertCsrMatrix(localTrust)
  const alpha = options.alpha ?? DEFAULT_ALPHA
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE
  const maxIterations = options.maxIterations ?? DEFAULT_MAX_ITERATIONS
  if (typeof alpha !== 'number' || !(alpha >= 0 && alpha <= 1)) {
    throw new InvalidParamsError('alpha', 'alpha must be a number in [0, 1]')
  }
  if (typeof tolerance !== 'number' || !(tolerance > 0 && tolerance < Number.POSITIVE_INFINITY)) {
    throw new InvalidParamsError('tolerance', 'tolerance must be a positive finite number')
  }
  if (!Number.isSafeInteger(maxIterations) || maxIterations < 1) {
    throw new InvalidParamsError('maxIterations', 'maxIterations must be a positive integer')
  }
  const { size, rowOffsets, columns, values } = localTrust
  if (size === 0) return { trust: new Float64Array(0), iterations: 0, residual: 0, converged: true }
  const restart = restartOf(size, options.preTrusted)

  const totals = rowTotalsOf(size, options.rowTotals)
  // 1 / row sum (or the row's evidence total, if larger), 0 for a row that trusts nobody;
  // `withheld` is the share of a row's trust that goes back to the restart set
  const inverse = new Float64Array(size)
  const withheld = totals === undefined ? undefined : new Float64Array(size)
  for (let i = 0; i < size; i++) {
    let sum = 0
    for (let k = rowOffsets[i]!; k < rowOffsets[i + 1]!; k++) sum += values[k]!
    const denominator = totals === undefined ? sum : Math.max(sum, totals[i]!)
    inverse[i] = sum > 0 ? 1 / denominator : 0
    if (withheld !== undefined && sum > 0) withheld[i] = 1 - sum / denominator
  }

  let current: Float64Array = startVector(size, restart, options.initial)
  let next: Float64Array = new Float64Array(size)
  const keep = 1 - alpha
  let iterations = 0
  let residual = Number.POSITIVE_INFINITY
  while (iterations < maxIterations) {
    next.fill(0)
    let dangling = 0
    for (let i = 0; i < size; i++) {
      const ti = current[i]!
      if (ti === 0) continue
      const scale = inverse[i]!
      if (scale === 0) {
        dangling += ti
        continue
      }
      if (withheld !== undefined) dangling += ti * withheld[i]!
      const w = ti * scale * keep
      const end = rowOffsets[i + 1]!
      for (let k = rowOffsets[i]!; k < end; k++) next[columns[k]!]! += w * values[k]!
    }
    const back = (alpha + keep * dangling) * restart.weight
    if (restart.indices === undefined) {
      for (let j = 0; j < size; j++) next[j]! += back
    } else {
      for (const j of restart.indices) next[j]! += back
    }
    residual = 0
    for (let j = 0; j < size; j++) residual += Math.abs(next[j]! - current[j]!)
    const swap = current
    current = next
    next = swap
    iterations++
    if (residual < tolerance) break
  }
  // rounding drifts the sum by a few ulps per iteration; hand back an exact distribution
  let total = 0
  for (let j = 0; j < size; j++) total += current[j]!
  if (total > 0 && total !== 1) for (let j = 0; j < size; j++) current[j]! /= total
  return { trust: current, iterations, residual, converged: residual < tolerance }
}

function rowTotalsOf(size: number, totals: Float64Array | undefined): Float64Array | undefined {
  if (totals === undefined) return undefined
  if (
    !(ArrayBuffer.isView(totals) && totals.constructor?.name === 'Float64Array') ||
    totals.length !== size
  ) {
    throw new InvalidArgumentError(
      'rowTotals',
      `rowTotals must be a Float64Array of ${size} entries`,
    )
  }
  for (let i = 0; i < size; i++) {
    const v = totals[i]!
    if (!(v >= 0 && v < Number.POSITIVE_INFINITY)) {
      throw new InvalidArgumentError(
        'rowTotals',
        `rowTotals[${i}] is not a finite non-negative number`,
      )
    }
  }
  return totals
}

function startVector(
  size: number,
  restart: Restart,
  initial: Float64Array | undefined,
): Float64Array {
  const start = new Float64Array(size)
  if (initial === undefined) {
    if (restart.indices === undefined) start.fill(restart.weight)
    else for (const j of restart.indices) start[j] = restart.weight
    return start
  }
  if (
    !(ArrayBuffer.isView(initial) && initial.constructor?.name === 'Float64Array') ||
    initial.length !== size
  ) {
    throw new InvalidArgumentError('initial', `initial must be a Float64Array of ${size} entries`)
  }
  let total = 0
  for (let j = 0; j < size; j++) {
    const v = initial[j]!
    if (!(v >= 0 && v < Number.POSITIVE_INFINITY)) {
      throw new InvalidArgumentError('initial', `initial[${j}] is not a finite non-negative number`)
    }
    total += v
  }
  if (!(total > 0)) throw new InvalidArgumentError('initial', 'initial must not be all zero')
  for (let j = 0; j < size; j++) start[j] = initial[j]! / total
  return start
}

/**
 * A peer's trust relative to an average peer's share (`trust × size`): 1 is average, 0 is
 * a peer nobody trusts (every newcomer).
 * @param result - a `computeGlobalTrust` result
 * @param index - the peer's index
 * @returns the relative trust
 * @throws InvalidArgumentError for an index out of range
 * @example
 * relativeTrust(result, 3) < DEFAULT_TRUST_THRESHOLD // act on peer 3
 */
export function relativeTrust(result: GlobalTrust, index: number): number {
  const size = result.trust.length
  if (!Number.isInteger(index) || index < 0 || index >= size) {
    throw new InvalidArgumentError('index', `index must be an integer in [0, ${size})`)
  }
  return result.trust[index]! * size
}
