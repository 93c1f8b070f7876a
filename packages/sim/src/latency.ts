/**
 * Link latency models. Each link (an unordered pair of nodes) gets one one-way delay in
 * whole milliseconds (so every event time stays an integer, as peerkit's times are),
 * drawn once from the model by hashing the two ends with the run's seed, so a link's
 * delay never changes during a run and frames on a connection arrive in order, as they
 * do over a stream transport. Optional per-frame jitter keeps that order.
 *
 * @example
 * const delay = linkLatency({ kind: 'uniform', minMs: 10, maxMs: 100 }, 3, 17, seed)
 */
import { InvalidOptionError } from './errors'
import { hash3 } from './random'

/** How one-way link delays are distributed over the links of the network. */
export type LatencyModel =
  /** Every link has the same delay. */
  | { kind: 'fixed'; ms: number }
  /** Delays uniform in [minMs, maxMs]. */
  | { kind: 'uniform'; minMs: number; maxMs: number }
  /**
   * Log-normal delays (a long tail, as measured between hosts on the Internet):
   * median `medianMs`, shape `sigma`, capped at `maxMs`.
   */
  | { kind: 'lognormal'; medianMs: number; sigma: number; maxMs: number }

/**
 * Checks a latency model and throws `InvalidOptionError` when it makes no sense.
 * @param model - the model to check
 * @throws InvalidOptionError when a delay is negative, not finite, or a range is inverted
 */
export function assertLatencyModel(model: LatencyModel): void {
  const ok = (n: number): boolean => Number.isFinite(n) && n >= 0
  switch (model.kind) {
    case 'fixed':
      if (!ok(model.ms)) throw new InvalidOptionError('latency.ms')
      return
    case 'uniform':
      if (!ok(model.minMs) || !ok(model.maxMs) || model.maxMs < model.minMs) {
        throw new InvalidOptionError('latency', 'latency range must satisfy 0 <= minMs <= maxMs')
      }
      return
    case 'lognormal':
      if (!ok(model.medianMs) || !ok(model.sigma) || !ok(model.maxMs)) {
        throw new InvalidOptionError(
          'latency',
          'lognormal latency needs medianMs, sigma, maxMs >= 0',
        )
      }
      return
    default:
      throw new InvalidOptionError('latency.kind')
  }
}

/**
 * The one-way delay of the link between nodes `a` and `b` (symmetric).
 * @param model - the latency model
 * @param a - one end's index
 * @param b - the other end's index
 * @param seed - the run's seed
 * @returns the delay in whole virtual milliseconds
 */
export function linkLatency(model: LatencyModel, a: number, b: number, seed: number): number {
  const lo = Math.min(a, b)
  const hi = Math.max(a, b)
  switch (model.kind) {
    case 'fixed':
      return Math.round(model.ms)
    case 'uniform':
      return Math.round(model.minMs + hash3(lo, hi, seed) * (model.maxMs - model.minMs))
    case 'lognormal': {
      // Box–Muller from two hashed uniforms.
      const u1 = Math.max(hash3(lo, hi, seed), 1e-12)
      const u2 = hash3(hi, lo, seed ^ 0x5bd1e995)
      const normal = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2)
      return Math.round(Math.min(model.maxMs, model.medianMs * Math.exp(model.sigma * normal)))
    }
  }
}

/**
 * A lower bound of every link's delay under a model: the lookahead of a split run.
 * @param model - the latency model
 * @returns the shortest delay any link can get, in whole milliseconds (0 for log-normal)
 */
export function minLinkLatency(model: LatencyModel): number {
  switch (model.kind) {
    case 'fixed':
      return Math.round(model.ms)
    case 'uniform':
      return Math.round(model.minMs)
    case 'lognormal':
      // the lower tail reaches 0 ms
      return 0
  }
}
