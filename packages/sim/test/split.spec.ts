import { describe, expect, it } from 'vitest'
import { createBatchWriter, readBatch } from '../src/batch'
import { isSimError } from '../src/errors'
import type { Metrics, MetricsState } from '../src/metrics'
import { type GossipRunOptions, runGossip } from '../src/run'
import type { Simulator } from '../src/simulator'
import { meshStrategy } from '../src/strategies/mesh'
import { createPlumtreeStrategy, plumtreeStrategy } from '../src/strategies/plumtree'
import { createSimThreads } from '../src/threads'
import { runScenario } from './fixtures/split-scenario'

const threads = createSimThreads({ entry: new URL('./fixtures/part-worker.mjs', import.meta.url) })

const small = { nodes: 120, messages: 10, warmupMessages: 4, warmupMs: 3_000, drainMs: 4_000 }

/** The metrics JSON of a run without its wall-clock time, the one figure allowed to vary. */
async function json(options: GossipRunOptions): Promise<string> {
  const { wallMs, ...rest } = await runGossip({ threads, ...options })
  expect(wallMs).toBeGreaterThan(0)
  return JSON.stringify(rest)
}

describe('split runs', () => {
  it('give the same figures on 1, 2 and 3 threads: plain, crash, and loss', async () => {
    for (const extra of [{}, { crash: 0.3 }, { loss: 0.02 }]) {
      const options = { strategy: plumtreeStrategy, seed: 5, ...small, ...extra }
      const one = await json(options)
      expect(await json({ ...options, workers: 2 })).toBe(one)
      expect(await json({ ...options, workers: 3 })).toBe(one)
    }
  }, 120_000)

  it('give the same figures with Sybils and replayers, for the router and a baseline', async () => {
    for (const strategy of [plumtreeStrategy, meshStrategy]) {
      const options: GossipRunOptions = {
        strategy,
        seed: 8,
        ...small,
        sybil: 0.2,
        replay: { replayers: 2, afterMs: [500] },
      }
      const one = await json(options)
      const two = await json({ ...options, workers: 2 })
      expect(two).toBe(one)
      expect(JSON.parse(two).replaysSent).toBeGreaterThan(0)
    }
  }, 120_000)

  it('fix eligibility at each publish as a barrier there would: crash, partition, sever, close, rejoin', async () => {
    // the reference: the whole graph read at the publish call, as a per-publish barrier did
    const expected: number[][] = []
    const reference = (sim: Simulator, publisher: number): void => {
      const seen = new Uint8Array(sim.size)
      const stack = [publisher]
      seen[publisher] = 1
      while (stack.length > 0) {
        const node = stack.pop()!
        for (const peer of sim.connections(node)) {
          if (seen[peer] === 1 || !sim.isUp(peer) || !sim.reachable(node, peer)) continue
          seen[peer] = 1
          stack.push(peer)
        }
      }
      expected.push(
        Array.from(seen, (inside, i) => (!sim.isUp(i) || i === 29 ? 0 : inside === 1 ? 2 : 1)),
      )
    }
    const eligibility = (metrics: Metrics): number[][] =>
      metrics.messages.map((record) => Array.from(record.eligible))
    const whole = runScenario(undefined, reference).metrics
    expect(eligibility(whole)).toEqual(expected)
    // the cases happened: nodes outside the publisher's component, and down nodes
    expect(expected.some((e) => e.includes(1))).toBe(true)
    expect(expected.filter((e) => e.filter((x) => x === 0).length > 1).length).toBeGreaterThan(3)
    const figures = JSON.stringify(whole.figures({ size: 30, now: 2_000 }, { cutOffGraceMs: 0 }))

    const scenarioThreads = createSimThreads({
      entry: new URL('./fixtures/scenario-worker.mjs', import.meta.url),
    })
    for (const count of [2, 3]) {
      let local: Metrics | undefined
      const results = await scenarioThreads.runInParts<unknown>(count, null, async (parts) => {
        local = runScenario(parts).metrics
        return undefined
      })
      // a part cannot tell eligibility before it has every part's connection log
      expect(() => local!.messages[0]!.eligible).toThrow(
        expect.objectContaining({ name: 'InvalidOptionError' }),
      )
      for (const state of results.slice(1)) local!.absorb(state as MetricsState)
      expect(eligibility(local!)).toEqual(expected)
      expect(JSON.stringify(local!.figures({ size: 30, now: 2_000 }, { cutOffGraceMs: 0 }))).toBe(
        figures,
      )
    }
  }, 60_000)

  it('fail at once, without waiting, when a worker cannot start', async () => {
    const missing = createSimThreads({
      entry: new URL('./fixtures/no-such-entry.mjs', import.meta.url),
    })
    const started = performance.now()
    await expect(
      runGossip({ strategy: plumtreeStrategy, seed: 1, ...small, workers: 2, threads: missing }),
    ).rejects.toThrow()
    expect(performance.now() - started).toBeLessThan(20_000)
  }, 60_000)

  it('refuse what a worker could not rebuild, delays under 1 ms, and no threads', async () => {
    const custom = createPlumtreeStrategy({ ihaveTimeoutMs: 300 })
    await expect(
      runGossip({ strategy: custom, seed: 1, ...small, workers: 2, threads }),
    ).rejects.toSatisfy((e) => isSimError(e, 'InvalidOptionError'))
    await expect(
      runGossip({ strategy: plumtreeStrategy, seed: 1, ...small, workers: 2 }),
    ).rejects.toSatisfy((e) => isSimError(e, 'InvalidOptionError'))
    await expect(
      runGossip({
        strategy: plumtreeStrategy,
        seed: 1,
        ...small,
        workers: 2,
        threads,
        latency: { kind: 'lognormal', medianMs: 40, sigma: 0.5, maxMs: 400 },
      }),
    ).rejects.toSatisfy((e) => isSimError(e, 'InvalidOptionError'))
    await expect(
      runGossip({ strategy: plumtreeStrategy, seed: 1, ...small, workers: 0 }),
    ).rejects.toSatisfy((e) => isSimError(e, 'InvalidOptionError'))
  }, 60_000)
})

type BatchEvent = [number, number, number, number, number, number, number, Uint8Array | undefined]

describe('event batches', () => {
  it('carry events and their frames (copied in, read out as views of the batch), in order', () => {
    const writer = createBatchWriter()
    const frame = Uint8Array.from({ length: 5000 }, (_, i) => i & 0xff)
    writer.event(10, 1, 1, 4, 5, 6, 1, frame)
    writer.event(11, 2, 3, 7, 8, 9, 0, undefined)
    const buffer = writer.finish()
    frame[0] = 99 // the batch holds its own copy
    const seen: BatchEvent[] = []
    readBatch(buffer, (...event) => {
      seen.push(event)
    })
    expect(seen).toHaveLength(2)
    const [first, second] = seen as [BatchEvent, BatchEvent]
    expect(first.slice(0, 7)).toEqual([10, 1, 1, 4, 5, 6, 1])
    expect(first[7]!.length).toBe(5000)
    expect(first[7]![0]).toBe(0)
    expect(first[7]![4999]).toBe(4999 & 0xff)
    expect(first[7]!.buffer).toBe(buffer)
    expect(second).toEqual([11, 2, 3, 7, 8, 9, 0, undefined])
    // the writer starts over
    const empty = writer.finish()
    let n = 0
    readBatch(empty, () => n++)
    expect(n).toBe(0)
  })

  it('reject a truncated or mislabelled batch with a typed error', () => {
    const writer = createBatchWriter()
    writer.event(10, 1, 1, 4, 5, 6, 1, new Uint8Array(100))
    const buffer = writer.finish()
    const used = new DataView(buffer).getUint32(0, true)
    for (const cut of [4, 30, used - 1]) {
      const copy = buffer.slice(0)
      new DataView(copy).setUint32(0, cut, true)
      expect(() => readBatch(copy, () => {})).toThrow(
        expect.objectContaining({ name: 'InvalidOptionError' }),
      )
    }
    expect(() => readBatch(new ArrayBuffer(3), () => {})).toThrow(
      expect.objectContaining({ name: 'InvalidOptionError' }),
    )
  })
})
