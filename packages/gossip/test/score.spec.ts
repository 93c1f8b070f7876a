/**
 * The built-in penalty scorer. How a router reports peer events to a score hook and
 * consults its scores is tested with routers in a network, on the simulator
 * (packages/sim/test/gossip/score.spec.ts).
 */
import { describe, expect, it } from 'vitest'
import { createPenaltyScore } from '../src/index'

describe('score hook', () => {
  it('the built-in scorer decays penalties with its half-life', () => {
    const hook = createPenaltyScore({ halfLifeMs: 1_000 })
    hook.record('p', 'invalid-message', 0)
    expect(hook.score('p', 0)).toBe(-45)
    expect(hook.score('p', 1_000)).toBeCloseTo(-22.5)
    for (let i = 0; i < 200; i++) hook.record('q', 'first-delivery', 0)
    expect(hook.score('q', 0)).toBe(10)
  })
})
