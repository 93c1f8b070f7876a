/**
 * A small benchmark harness. Every subject of a case is measured in the same process,
 * in interleaved rounds after a warm-up, and the median round is kept, so that ratios
 * between subjects hold even on a noisy machine.
 *
 * @example
 * const suite: Suite = { name: 'codec', async run(ctx) {
 *   const r = await ctx.measure('encode', { peerkit: () => encode(v), cborg: () => cborg.encode(v) })
 *   ctx.ratio('codec.encode/cborg', r.peerkit / r.cborg)
 * } }
 */

interface Result {
  suite: string
  case: string
  subject: string
  opsPerSec: number
}

interface MeasureOptions {
  /** Milliseconds each subject runs per round. */
  roundMs?: number
  /** Number of measured rounds (the median is kept). */
  rounds?: number
  /** Milliseconds of unmeasured warm-up per subject. */
  warmupMs?: number
}

type Subject = () => unknown

export interface BenchContext {
  /** True when `--quick` was given: suites may shrink their inputs. */
  readonly quick: boolean
  /**
   * Measures each subject in interleaved rounds and records `opsPerSec` for each.
   * A subject returning a promise is awaited on every call.
   * @returns ops/s by subject name
   */
  measure(
    caseName: string,
    subjects: Record<string, Subject>,
    options?: MeasureOptions,
  ): Promise<Record<string, number>>
  /** Records a figure measured some other way (for example a whole run timed once). */
  record(caseName: string, subject: string, opsPerSec: number): void
  /** Records a named ratio (`<suite>.<what>/<baseline>`). */
  ratio(id: string, value: number): void
  /** Records a named figure that is not a rate (milliseconds, counts). */
  figure(id: string, value: number): void
  log(line: string): void
}

export interface Suite {
  name: string
  run(ctx: BenchContext): Promise<void>
}

export interface RunOutput {
  results: Result[]
  ratios: Record<string, number>
  figures: Record<string, number>
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

function isPromise(value: unknown): value is Promise<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function'
}

/** Runs `fn` for about `ms` milliseconds; returns ops/s. */
async function runFor(fn: Subject, ms: number): Promise<number> {
  let ops = 0
  let batch = 1
  const start = performance.now()
  const first = fn()
  const async = isPromise(first)
  if (async) await first
  ops++
  let elapsed = performance.now() - start
  for (; elapsed < ms; elapsed = performance.now() - start) {
    if (async) {
      for (let i = 0; i < batch; i++) await fn()
    } else {
      for (let i = 0; i < batch; i++) fn()
    }
    ops += batch
    // grow the batch so the clock is read rarely, but keep a batch well under a round
    const perOp = (performance.now() - start) / ops
    batch = Math.max(1, Math.min(batch * 2, Math.floor(ms / 20 / Math.max(perOp, 1e-6))))
  }
  return (ops * 1000) / elapsed
}

export function createContext(suite: string, quick: boolean, out: RunOutput): BenchContext {
  return {
    quick,
    async measure(caseName, subjects, options = {}) {
      const roundMs = options.roundMs ?? (quick ? 60 : 250)
      const rounds = options.rounds ?? (quick ? 3 : 7)
      const warmupMs = options.warmupMs ?? (quick ? 60 : 300)
      const names = Object.keys(subjects)
      for (const name of names) await runFor(subjects[name]!, warmupMs)
      const samples: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]))
      for (let r = 0; r < rounds; r++) {
        // rotate the order each round so no subject always runs first
        for (let i = 0; i < names.length; i++) {
          const name = names[(i + r) % names.length]!
          samples[name]!.push(await runFor(subjects[name]!, roundMs))
        }
      }
      const ops: Record<string, number> = {}
      for (const name of names) {
        ops[name] = median(samples[name]!)
        out.results.push({ suite, case: caseName, subject: name, opsPerSec: ops[name] })
      }
      return ops
    },
    record(caseName, subject, opsPerSec) {
      out.results.push({ suite, case: caseName, subject, opsPerSec })
    },
    ratio(id, value) {
      out.ratios[id] = value
    },
    figure(id, value) {
      out.figures[id] = value
    },
    log(line) {
      console.log(line)
    },
  }
}

export function formatOps(ops: number): string {
  if (ops >= 1e6) return `${(ops / 1e6).toFixed(2)}M`
  if (ops >= 1e3) return `${(ops / 1e3).toFixed(1)}k`
  if (ops >= 10) return ops.toFixed(0)
  return ops.toFixed(3)
}
