/**
 * What a split run needs from the platform: a way to run the parts of one run side by side,
 * each with its `SimParts`. The simulator itself stays free of any runtime API, so the main
 * entry loads in a browser; Node's worker threads are one implementation, in
 * `@peerkit/sim/threads` (`createSimThreads`).
 *
 * @example
 * import { createSimThreads } from '@peerkit/sim/threads'
 * const threads = createSimThreads({ entry: new URL(import.meta.url) })
 * await runGossip({ strategy: plumtreeStrategy, nodes: 10_000, messages: 100, seed: 1, workers: 2, threads })
 */
import type { SimParts } from './simulator'

/** Runs the parts of a split run. */
export interface SimThreads {
  /**
   * Runs `count` parts: part 0 on the calling thread with `runHere`, the others elsewhere,
   * each told `task`.
   * @param count - parts (at least 2)
   * @param task - what each other part is told to run (structured-cloneable)
   * @param runHere - runs part 0 with its `SimParts`
   * @returns each part's result, by part index
   */
  runInParts<T>(
    count: number,
    task: unknown,
    runHere: (parts: SimParts) => Promise<T>,
  ): Promise<T[]>
}
