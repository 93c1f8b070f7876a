/**
 * Runs the walkthroughs in examples/escrow and checks where they end, so the README's
 * examples cannot rot.
 */
import { describe, expect, it } from 'vitest'
import { main as dispute } from '../../../examples/escrow/src/dispute'
import { main as swap } from '../../../examples/escrow/src/swap'
import { main as trade } from '../../../examples/escrow/src/trade'

describe('examples/escrow', () => {
  it('trade: released, settled, receipt signed by both', async () => {
    const lines: string[] = []
    const r = await trade((line) => lines.push(line))
    expect(r.seller.outcome).toBe('released')
    expect(r.buyer.head).toEqual(r.seller.head)
    expect(r.balances).toEqual({ alice: 900_000n, bob: 150_000n })
    expect(r.receipt.outcome).toBe('released')
    expect(lines.length).toBeGreaterThan(5)
  })

  it('dispute: the arbiter releases to the buyer; the forged ruling is refused', async () => {
    const r = await dispute(() => {})
    expect([r.seller.outcome, r.buyer.outcome, r.arbiter.outcome]).toEqual([
      'released',
      'released',
      'released',
    ])
    expect(r.seller.head).toEqual(r.arbiter.head)
    expect(r.balances).toEqual({ alice: 890_000n, bob: 160_000n })
    expect(r.forgedRuling).toBe('NotMyRoleError')
  })

  it('swap: each side ends with the other asset, nothing created or lost', async () => {
    const r = await swap(() => {})
    expect([r.btc.outcome, r.eth.outcome]).toEqual(['claimed', 'claimed'])
    expect(r.balances).toEqual({ alice: { BTC: 0n, ETH: 200_000n }, bob: { BTC: 5_000n, ETH: 0n } })
  })
})
