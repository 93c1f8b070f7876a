/**
 * The README's example is test/fixtures/readme-example.ts, verbatim: this runs it and checks
 * what it prints, so the example cannot rot.
 */
import { readFileSync } from 'node:fs'
import { expect, test, vi } from 'vitest'

test('the README shows the example file verbatim, in under 20 lines', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
  const example = readFileSync(new URL('./fixtures/readme-example.ts', import.meta.url), 'utf8')
  expect(readme).toContain(`\`\`\`ts\n${example}\`\`\``)
  expect(example.trimEnd().split('\n').length).toBeLessThan(20)
})

test('the README example runs and prints what its comment says', async () => {
  const lines: unknown[][] = []
  const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    lines.push(args)
  })
  try {
    await import('./fixtures/readme-example')
  } finally {
    spy.mockRestore()
  }
  expect(lines).toHaveLength(1)
  const message = lines[0]?.[0] as {
    topic: string
    data: unknown
    signer: { equals(other: unknown): boolean }
    from: unknown
  }
  expect(message.topic).toBe('market/offers')
  expect(message.data).toEqual({ sell: '0.1 BTC', price: '3000 EUR' })
  // alice published it and sent it herself
  expect(message.signer.equals(message.from)).toBe(true)
})
