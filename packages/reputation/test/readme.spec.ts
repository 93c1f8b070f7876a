import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { example } from './fixtures/readme-example'

const between = (text: string) =>
  text.slice(text.indexOf('// README:start\n') + 16, text.indexOf('// README:end'))

describe('the README example', () => {
  it('is the code the README shows', () => {
    const code = between(
      readFileSync(new URL('./fixtures/readme-example.ts', import.meta.url), 'utf8'),
    )
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
    expect(code.length).toBeGreaterThan(500)
    expect(readme).toContain(code.trim())
  })

  it('runs and gives what its comments say', async () => {
    const r = await example()
    expect(r.scoreA).toBe(0.5)
    expect(r.whyB).toEqual({ counter: 2, contribution: -40 })
    expect(r.actions).toHaveLength(1)
    expect(r.actions[0]).toMatchObject({
      peer: 'peer-b',
      to: 'no-gossip',
      actions: ['stop-gossip'],
    })
    expect(r.result.converged).toBe(true)
    expect(r.carolTrust).toBeLessThan(0.25)
    expect(r.refuseCarol).toBe(true)
  })
})
