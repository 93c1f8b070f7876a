/**
 * The market end to end on libp2p: the real command (bundled, as the root script runs it),
 * the bank and every trading peer a process with its own libp2p node (TCP, Noise and yamux
 * on 127.0.0.1), peerkit's links carried on libp2p streams, one peer killed and restarted
 * midway. The outcome is read from the run's `--json` file and checked here.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkOutcome, runMarket } from './fixtures/run'

let dir = ''
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'peerkit-market-e2e-libp2p-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('the market, end to end in real processes', () => {
  it('libp2p: six peers trade over libp2p streams, the scammer is refunded against, the restarted peer finishes', async () => {
    const { code, output, result } = await runMarket(
      ['--transport', 'libp2p', '--peers', '6', '--seed', '4'],
      join(dir, 'libp2p.json'),
    )
    expect(code, output).toBe(0)
    expect(result.transport).toBe('libp2p')
    expect(result.rows).toHaveLength(7)
    // every peer's libp2p node listened on loopback TCP, and the bank's address was a multiaddr
    expect(output).toMatch(/bank z6Mk.{2}….{4} at \/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\/12D3KooW/)
    checkOutcome(result)
  })
})
