import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { floodStrategy, plumtreeStrategy, runGossip } from '../src/index'

describe('README example', () => {
  it('is the code below, and it holds', async () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
    expect(readme).toContain('const options = { nodes: 200, messages: 20, seed: 7 }')
    expect(readme).toContain('console.log(plumtree.rmr < flood.rmr) // true')
    expect(readme).toContain('console.log(flood.reliability) // 1')

    const options = { nodes: 200, messages: 20, seed: 7 }
    const plumtree = await runGossip({ ...options, strategy: plumtreeStrategy })
    const flood = await runGossip({ ...options, strategy: floodStrategy })

    expect(flood.reliability).toBe(1)
    expect(plumtree.reliability).toBeGreaterThan(0.9)
    expect(plumtree.reliability).toBeLessThanOrEqual(1)
    expect(plumtree.rmr < flood.rmr).toBe(true)
  })
})
