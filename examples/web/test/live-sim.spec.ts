import { describe, expect, it } from 'vitest'
import { createLiveSim } from '../src/live-sim'

describe('the live simulation behind the page', () => {
  it('delivers a message to every node over a tree, with few duplicates', async () => {
    const live = await createLiveSim({ nodes: 40, seed: 3 })
    live.advance(6_000)
    const formed = live.snapshot()
    expect(formed.nodes).toHaveLength(40)
    expect(formed.links.length).toBeGreaterThan(40)
    await live.publish()
    live.advance(3_000)
    const { counters, tree, nodes } = live.snapshot()
    expect(counters.reliability).toBe(1)
    expect(nodes.every((n) => n.delivered)).toBe(true)
    // every node but the publisher has the edge its first copy came by
    expect(tree).toHaveLength(39)
    expect(counters.p99).toBeGreaterThanOrEqual(counters.p50)
    expect(counters.p50).toBeGreaterThan(0)
  })

  it('repairs after crashes and keeps delivering with Sybils inside', async () => {
    const live = await createLiveSim({ nodes: 50, seed: 5 })
    live.advance(6_000)
    await live.publish()
    live.advance(3_000)
    expect(live.crash(0.3)).toBe(15)
    expect(live.addSybils(8)).toBe(8)
    live.advance(8_000)
    await live.publish()
    live.advance(4_000)
    const { counters, nodes } = live.snapshot()
    expect(counters.live).toBe(35)
    expect(counters.crashed).toBe(15)
    expect(counters.sybils).toBe(8)
    expect(counters.messages).toBe(2)
    expect(counters.reliability).toBe(1)
    expect(nodes.filter((n) => !n.up)).toHaveLength(15)
  })
})
