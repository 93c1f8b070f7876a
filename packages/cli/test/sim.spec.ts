import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, expect, test } from 'vitest'
import { peerkit, tempDir } from './helpers'

const dir = tempDir()
afterAll(() => dir.remove())

test('peerkit sim runs strategies on one network and writes their figures', async () => {
  const json = join(dir.path, 'run.json')
  const ran = await peerkit([
    'sim',
    '--nodes',
    '60',
    '--messages',
    '4',
    '--publishers',
    '4',
    '--strategy',
    'plumtree,flood',
    '--quiet',
    '--json',
    json,
  ])
  expect(ran.code).toBe(0)
  expect(ran.stdout).toMatch(/\| plumtree \|\s+1 \|/)
  const figures = JSON.parse(readFileSync(json, 'utf8'))
  expect(figures.plumtree.reliability).toBe(1)
  expect(figures.flood.reliability).toBe(1)
  // from publishers whose trees formed in the warm-up, flooding sends every message over every
  // link: far more duplicates than the tree
  expect(figures.flood.rmr).toBeGreaterThan(5 * figures.plumtree.rmr)
}, 60_000)

test('peerkit sim refuses a bad command line with exit 2 and the usage', async () => {
  const ran = await peerkit(['sim', '--nodes', '1'])
  expect(ran.code).toBe(2)
  expect(ran.stderr).toContain('--nodes N')
  expect((await peerkit(['sim', '--help'])).stdout).toContain('usage: peerkit sim')
})
