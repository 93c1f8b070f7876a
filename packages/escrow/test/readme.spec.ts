/**
 * The README's full trade is test/fixtures/readme-trade.ts, verbatim: this runs it and
 * checks what it prints, so the example works when copied.
 */
import { readFileSync } from 'node:fs'
import { expect, test, vi } from 'vitest'

test('the README shows the full trade verbatim', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
  const example = readFileSync(new URL('./fixtures/readme-trade.ts', import.meta.url), 'utf8')
  expect(readme).toContain(`\`\`\`ts\n${example}\`\`\``)
})

test('the README trade runs to released and prints what its comments say', async () => {
  const lines: unknown[][] = []
  const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    lines.push(args)
  })
  try {
    await import('./fixtures/readme-trade')
  } finally {
    spy.mockRestore()
  }
  expect(lines).toEqual([['released', 'released'], [150_000n], ['released']])
})
