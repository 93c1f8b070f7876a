/**
 * The README's example is test/fixtures/readme-example.ts, verbatim: this runs it and checks
 * what it prints, so the example cannot rot.
 */
import { readFileSync } from 'node:fs'
import { expect, test, vi } from 'vitest'

test('the README shows the example file verbatim, in under 25 lines', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
  // The file's first line only keeps the formatter from reflowing it.
  const example = readFileSync(new URL('./fixtures/readme-example.ts', import.meta.url), 'utf8')
    .split('\n')
    .slice(1)
    .join('\n')
  expect(readme).toContain(`\`\`\`ts\n${example}\`\`\``)
  expect(example.trimEnd().split('\n').length).toBeLessThan(25)
})

test('the README example runs and prints what its comments say', async () => {
  const lines: unknown[][] = []
  const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    lines.push(args)
  })
  try {
    await import('./fixtures/readme-example')
  } finally {
    spy.mockRestore()
  }
  expect(lines).toEqual([[{ hello: 'from libp2p' }]])
})
