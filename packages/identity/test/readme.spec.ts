/**
 * The README's example is test/fixtures/readme-example.ts, verbatim: this test checks the two
 * match and runs the example, checking what it prints.
 */
import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it, vi } from 'vitest'

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
const example = readFileSync(new URL('./fixtures/readme-example.ts', import.meta.url), 'utf8')

afterEach(() => {
  vi.restoreAllMocks()
})

describe('README', () => {
  it('shows the tested example verbatim', () => {
    const block = /```ts\n([\s\S]*?)```/.exec(readme)?.[1]
    expect(block).toBe(example)
  })

  it('the example runs and prints what its comments say', async () => {
    const lines: unknown[][] = []
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      lines.push(args)
    })
    await import('./fixtures/readme-example')
    expect(lines).toHaveLength(9)
    expect(String(lines[0]![0])).toMatch(/^z6Mk/)
    expect(String(lines[1]![0])).toMatch(/^did:key:z6Mk/)
    expect(String(lines[2]![0])).toMatch(/^12D3KooW/)
    expect(lines.slice(3).map((args) => args.join(' '))).toEqual([
      'true',
      'true',
      'true',
      'false',
      'true',
      'true true',
    ])
  })
})
