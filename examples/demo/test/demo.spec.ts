/**
 * Runs the flagship demo as CI does: every check the story makes must pass, and the
 * story must be the same on every run (fixed keys, simulated clock, seeded randomness).
 */
import { expect, it } from 'vitest'
import { main } from '../src/main'

const firstRun: string[] = []

it('tells the whole story with every check passing', async () => {
  const result = await main((line) => firstRun.push(line))
  expect(result.failures).toEqual([])
  expect(result.ok).toBe(true)
  expect(result.checks).toBeGreaterThan(30)
  expect(firstRun.filter((line) => line.includes('✗'))).toEqual([])
  expect(firstRun.at(-1)).toBe(`All ${result.checks} checks passed.`)
})

it('prints the same story on a second run', async () => {
  const secondRun: string[] = []
  await main((line) => secondRun.push(line))
  expect(secondRun).toEqual(firstRun)
})
