/**
 * Receipts and ratings after a restart: both live in memory, so a buyer that restarts
 * after the exchange asks again with its own half and gets a receipt both parties signed,
 * and each neighbour it connects to hands it the newest ratings it accepted.
 */
import { openReceipt } from '@peerkit/escrow'
import { afterEach, describe, expect, it } from 'vitest'
import type { PublishInit } from '../src/index'
import { createNet, type Net, type Peer, until } from './fixtures/network'
import { signer, WINDOWS } from './fixtures/offers'

const alice = signer(41)
const bob = signer(42)
const carol = signer(43)
const BALANCES = Object.fromEntries(
  [alice, bob].map((s) => [s.peerId.toString(), { BTC: 1_000_000n }]),
)
const SALE: PublishInit = {
  side: 'sell',
  asset: 'BTC',
  amount: 100_000n,
  currency: 'EUR',
  price: 50_00n,
  payment: ['sepa'],
  arbiters: [carol.peerId],
  bond: { seller: 10_000n, buyer: 5_000n },
  windows: WINDOWS,
}
const stateOf = (peer: Peer, trade: string) => peer.market.trades().get(trade)?.state.name

let net: Net | undefined
afterEach(async () => {
  await net?.stopAll()
  net = undefined
})

describe('receipts', () => {
  it('a buyer restarted after the exchange gets a receipt signed by both again, and the ratings', async () => {
    net = createNet(BALANCES)
    const a = await net.start('a', alice)
    const b = await net.start('b', bob)
    await a.market.publish(SALE)
    await until('bob sees the offer', () => b.market.offers().length === 1)
    const id = (await b.market.take(b.market.offers()[0]!)).trade.idText
    await b.market.act(id, 'accept')
    await until('accepted', () => stateOf(a, id) === 'accepted')
    await a.market.act(id, 'fund')
    await until('funded', () => stateOf(b, id) === 'funded')
    await b.market.act(id, 'markPaid', { note: 'sent' })
    await until('paid', () => stateOf(a, id) === 'paid')
    await a.market.act(id, 'release')
    await until(
      'both hold the receipt',
      () => a.market.receipt(id) !== undefined && b.market.receipt(id) !== undefined,
    )
    await net.restart(b, {})
    expect(stateOf(b, id)).toBe('released')
    expect(b.market.receipt(id)).toBeUndefined()
    await until('bob holds a receipt again', () => b.market.receipt(id) !== undefined)
    const receipt = openReceipt(b.market.receipt(id)!, { now: Date.now() })
    expect(receipt.outcome).toBe('released')
    // the one alice holds, attested by the vault: bob can rate with it again
    expect(b.market.attestedBy(id)).toBe(net.authority.peerId.toString())
    // the ratings bob's memory lost come back from alice when they connect
    await until('bob holds both ratings again', () => b.market.ratings().length === 2)
  })
})
