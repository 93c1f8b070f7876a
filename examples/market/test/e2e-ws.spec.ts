/**
 * The market end to end, as `pnpm demo` runs it: the real command (bundled, as the root
 * script runs it), a bank, an arbiter and the trading peers as separate processes on
 * loopback WebSocket (six of them this time), one of them killed and restarted midway. The outcome is read from the
 * run's `--json` file and checked here, not only taken from the run's own checks.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkOutcome, runMarket } from './fixtures/run'

let dir = ''
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'peerkit-market-e2e-ws-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('the market, end to end in real processes', () => {
  it('ws: six peers trade, the scammer is refunded against, the restarted peer finishes', async () => {
    const { code, output, result } = await runMarket(
      ['--transport', 'ws', '--peers', '6', '--seed', '5'],
      join(dir, 'ws.json'),
    )
    expect(code, output).toBe(0)
    expect(result.transport).toBe('ws')
    expect(result.rows).toHaveLength(7)
    checkOutcome(result)
  })
})
