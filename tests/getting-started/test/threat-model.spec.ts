/**
 * docs/threat-model.md names the tests that show each defence: every test file it names
 * exists, in the package whose section names it (or at the full path given).
 */
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const page = readFileSync(`${root}docs/threat-model.md`, 'utf8')

describe('docs/threat-model.md', () => {
  it('names only test files that exist, in the packages of their section', () => {
    const sections = page.split(/\n## /).slice(1)
    expect(sections.length).toBeGreaterThan(10)
    const missing: string[] = []
    let named = 0
    for (const section of sections) {
      const heading = section.slice(0, section.indexOf('\n'))
      const packages = [...heading.matchAll(/`@peerkit\/([a-z0-9-]+)`/g)].map((m) => m[1]!)
      for (const [, file] of section.matchAll(/`([a-z0-9/.-]+\.spec\.ts)`/g)) {
        named++
        const candidates = file!.includes('/')
          ? [
              file!,
              ...packages.map(
                (p) => `packages/${p}/test/${file!.replace(/^[a-z0-9-]+\/test\//, '')}`,
              ),
            ]
          : packages.map((p) => `packages/${p}/test/${file}`)
        if (!candidates.some((path) => existsSync(`${root}${path}`)))
          missing.push(`${heading}: ${file}`)
      }
    }
    expect(named).toBeGreaterThan(40)
    expect(missing).toEqual([])
  })
})
