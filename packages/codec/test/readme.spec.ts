/**
 * The README's example is test/fixtures/readme-example.ts, verbatim: this runs it and checks
 * what it prints, so the example cannot rot.
 */
import { readFileSync } from 'node:fs'
import { expect, test, vi } from 'vitest'
import { contentId, encode } from '../src/index'

test('the README shows the example file verbatim', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
  const example = readFileSync(new URL('./fixtures/readme-example.ts', import.meta.url), 'utf8')
  expect(readme).toContain(`\`\`\`ts\n${example}\`\`\``)
})

test('the README example runs and prints the kind and the content id its comment promises', async () => {
  const lines: unknown[][] = []
  const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    lines.push(args)
  })
  try {
    await import('./fixtures/readme-example')
  } finally {
    spy.mockRestore()
  }
  const expected = contentId(encode({ kind: 'offer', amount: 250_000, key: new Uint8Array(32) }))
  expect(lines).toEqual([['offer', expected.toString()]])
  expect(String(lines[0]?.[1])).toMatch(/^bafirei[a-z2-7]{52}$/)
})
