/**
 * The market end to end, as `pnpm demo` runs it: the real command (bundled, as the root
 * script runs it), a bank, an arbiter and the trading peers as separate processes on
 * loopback TCP, one of them killed and restarted midway. The outcome is read from the
 * run's `--json` file and checked here, not only taken from the run's own checks.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkOutcome, runMarket } from './fixtures/run'

let dir = ''
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'peerkit-market-e2e-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('the market, end to end in real processes', () => {
  it('tcp: trades settle, the scammer is refunded against, the spammer refused, the restarted peer finishes', async () => {
    const { code, output, result } = await runMarket(['--seed', '3'], join(dir, 'tcp.json'))
    expect(code, output).toBe(0)
    expect(result.transport).toBe('tcp')
    expect(result.rows).toHaveLength(8)
    expect(result.seconds).toBeLessThan(60)
    checkOutcome(result)
    // a line per event with the peer's short id, and the final table
    expect(output).toMatch(/alice {4}z6Mk.{2}….{4} {2}publishes/)
    expect(output).toMatch(/killed mid-trade/)
    expect(output).toMatch(/restarted: \d+ trades reloaded from its store/)
    expect(output).toMatch(/market closed cleanly/)
  })
})
