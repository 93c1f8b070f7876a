import { describe, expect, it } from 'vitest'
import { isSimError } from '../src/errors'
import { runGossip } from '../src/run'
import { floodStrategy } from '../src/strategies/flood'
import { meshStrategy } from '../src/strategies/mesh'
import { plumtreeStrategy } from '../src/strategies/plumtree'

const small = { nodes: 60, messages: 8, warmupMessages: 4, warmupMs: 3_000, drainMs: 4_000 }

/** The result without the wall-clock figure, which is the one thing allowed to vary. */
async function figures(options: Parameters<typeof runGossip>[0]) {
  const { wallMs, ...rest } = await runGossip(options)
  expect(wallMs).toBeGreaterThanOrEqual(0)
  return rest
}

describe('runGossip: determinism', () => {
  it('the same seed gives byte-identical metrics JSON, for the real router and a baseline', async () => {
    for (const strategy of [plumtreeStrategy, meshStrategy]) {
      const a = await figures({ strategy, seed: 11, loss: 0.02, ...small })
      const b = await figures({ strategy, seed: 11, loss: 0.02, ...small })
      expect(JSON.stringify(a)).toBe(JSON.stringify(b))
      expect(a.events).toBeGreaterThan(1_000)
    }
  })

  it('another seed gives another run', async () => {
    const a = await figures({ strategy: meshStrategy, seed: 1, ...small })
    const b = await figures({ strategy: meshStrategy, seed: 2, ...small })
    expect(JSON.stringify(a)).not.toBe(JSON.stringify(b))
  })
})

describe('runGossip: baselines', () => {
  it('flood and mesh reach every node; the mesh sends fewer duplicates than flood', async () => {
    const flood = await figures({ strategy: floodStrategy, seed: 3, ...small })
    const mesh = await figures({ strategy: meshStrategy, seed: 3, ...small })
    expect(flood.reliability).toBe(1)
    expect(mesh.reliability).toBe(1)
    expect(flood.duplicateDeliveries).toBe(0)
    expect(mesh.duplicateDeliveries).toBe(0)
    // each node dials 4: average degree about 8, so flood's RMR is about 8 − 2
    expect(flood.rmr).toBeGreaterThan(4)
    expect(mesh.rmr).toBeLessThan(flood.rmr)
    expect(flood.ldh).toBeGreaterThan(1)
    expect(flood.latencyP99Ms).toBeGreaterThanOrEqual(flood.latencyP50Ms)
    expect(flood.deliveryCurve.at(-1)![1]).toBeCloseTo(1, 6)
  })

  it('a crash of 30% is measured: repair rounds and reliability after the crash', async () => {
    const result = await figures({ strategy: meshStrategy, seed: 4, crash: 0.3, ...small })
    expect(result.repairRounds).toBeDefined()
    expect(result.repairRounds!).toBeGreaterThanOrEqual(0)
    expect(result.reliability).toBeGreaterThan(0.9)
  })

  it('Sybil spammers are reported and cut off by flood; droppers do not stop it', async () => {
    const result = await figures({ strategy: floodStrategy, seed: 5, sybil: 0.2, ...small })
    expect(result.honestNodes).toBe(48)
    expect(result.spammersReported).toBe(1)
    expect(result.spammersCutOff).toBe(1)
    expect(result.graylisted).toBeGreaterThanOrEqual(6)
    expect(result.falseReports).toBe(0)
    expect(result.unknownDeliveries).toBe(0)
    expect(result.honestReliability).toBeGreaterThan(0.95)
  })

  it('replays, soon and after the seen caches forgot, are rejected by the baselines', async () => {
    const result = await figures({
      strategy: floodStrategy,
      seed: 6,
      replay: { replayers: 2, afterMs: [5_000, 150_000], restart: 0.1 },
      ...small,
    })
    expect(result.replaysSent).toBeGreaterThan(0)
    expect(result.replayRejected).toBe(1)
    expect(result.duplicateDeliveries).toBe(0)
  })

  it('rejects bad options with typed errors', async () => {
    const bad = [
      { nodes: 1 },
      { messages: 0 },
      { crash: 1.5 },
      { sybil: 0.8 },
      { loss: -1 },
      { seed: 0.5 },
    ]
    for (const override of bad) {
      const error = await runGossip({
        strategy: floodStrategy,
        seed: 1,
        ...small,
        ...override,
      }).catch((e: unknown) => e)
      expect(isSimError(error, 'InvalidOptionError')).toBe(true)
    }
  })
})
