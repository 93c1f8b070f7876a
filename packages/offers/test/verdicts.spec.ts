import { systemClock } from '@peerkit/net'
import { afterEach, describe, expect, it } from 'vitest'
import { OFFERS_TOPIC, type PublishInit, sealOffer } from '../src/index'
import { createNet, type Net, type Peer, until } from './fixtures/network'
import { HOUR, signer, terms, WINDOWS } from './fixtures/offers'

const alice = signer(21)
const maker = signer(22)
const carol = signer(23)

const BALANCES = Object.fromEntries(
  [alice, maker, carol].map((s) => [s.peerId.toString(), { BTC: 1_000_000n }]),
)

function sale(id: number): PublishInit {
  return {
    id: new Uint8Array([id]),
    side: 'sell',
    asset: 'BTC',
    amount: 100_000n,
    currency: 'EUR',
    price: 50_00n,
    payment: ['sepa'],
    arbiters: [alice.peerId],
    bond: { seller: 10_000n, buyer: 5_000n },
    windows: WINDOWS,
  }
}

let net: Net | undefined
afterEach(async () => {
  await net?.stopAll()
  net = undefined
})

/** Alice and the maker, linked; what alice refuses, reports and files of the maker. */
async function pair(aliceInit: Parameters<Net['start']>[2] = {}, makerInit = {}) {
  net = createNet(BALANCES)
  const a = await net.start('a', alice, aliceInit)
  const m = await net.start('m', maker, { bootstrap: ['memory://a'], ...makerInit })
  const seen = { refused: [] as string[], rejected: [] as string[], reported: 0 }
  a.market.on('maker-refused', (e) => seen.refused.push(e.maker))
  a.market.on('offer-rejected', (e) => seen.rejected.push(e.error.name))
  a.node.on('misbehaved', (e) => {
    if (e.peer.equals(maker.peerId)) seen.reported++
  })
  await m.market.publish(sale(1))
  await until('alice files the first offer', () => a.market.book.size === 1)
  return { a, m, seen }
}

const filed = (peer: Peer) => peer.market.book.size

describe('offer verdicts: what depends on the receiver is dropped, never blamed', () => {
  it("an offer dated ahead by the maker's clock does not mute the neighbour nor refuse the maker", async () => {
    const ahead = { ...systemClock(), now: () => Date.now() + 10 * 60_000 }
    const { a, m, seen } = await pair({}, {})
    // the same maker, its clock now ten minutes ahead of alice's: dated beyond her skew
    const early = await sealOffer(maker, terms({ id: new Uint8Array([2]) }), {
      sequence: 1,
      timestamp: ahead.now(),
      expiresAt: ahead.now() + HOUR,
    })
    await m.node.gossip.publish(OFFERS_TOPIC, early)
    await until('alice drops the early offer', () =>
      seen.rejected.includes('NotYetValidOfferError'),
    )
    // the next offer, in time, from the same neighbour is still taken
    const now = Date.now()
    const next = await sealOffer(maker, terms({ id: new Uint8Array([3]) }), {
      sequence: 1,
      timestamp: now,
      expiresAt: now + HOUR,
    })
    await m.node.gossip.publish(OFFERS_TOPIC, next)
    await until('alice files the next offer', () => filed(a) === 2)
    expect(seen.refused).toEqual([])
    expect(seen.reported).toBe(0)
  })

  it("a maker over the receiver's rate window is taken again after the window", async () => {
    const { a, m, seen } = await pair({ book: { makerUpdates: 2, makerWindowMs: 1_000 } })
    await m.market.publish(sale(2))
    await until('alice files the second offer', () => filed(a) === 2)
    await m.market.publish(sale(3))
    await until('alice drops the third offer', () => seen.rejected.includes('MakerRateError'))
    expect(filed(a)).toBe(2)
    await new Promise((r) => setTimeout(r, 1_100))
    await m.market.publish(sale(4))
    await until('alice files the offer after the window', () => filed(a) === 3)
    expect(seen.refused).toEqual([])
    expect(seen.reported).toBe(0)
  })

  it('two envelopes the maker signed for one version refuse the maker, not the neighbour', async () => {
    const { a, m, seen } = await pair()
    const now = Date.now()
    const one = { sequence: 1, timestamp: now, expiresAt: now + HOUR }
    await m.node.gossip.publish(
      OFFERS_TOPIC,
      await sealOffer(maker, terms({ id: new Uint8Array([5]) }), one),
    )
    await until('alice files the offer', () => filed(a) === 2)
    const other = terms({ id: new Uint8Array([5]), price: 49_00n })
    await m.node.gossip.publish(OFFERS_TOPIC, await sealOffer(maker, other, one))
    await until('alice refuses the maker', () => seen.refused.includes(maker.peerId.toString()))
    expect(seen.rejected).toContain('ConflictingOfferError')
    // the maker's offers are dropped; the neighbour that handed the envelope on is not reported
    expect(filed(a)).toBe(0)
    expect(seen.reported).toBe(0)
  })

  it('a rating whose receipt no authority of the receiver attested does not mute its forwarder', async () => {
    net = createNet(BALANCES)
    const m = await net.start('m', maker)
    const a = await net.start('a', alice)
    // carol trusts another settlement authority than the vault that settles this market
    const c = await net.start('c', carol, { authorities: [signer(99).peerId.toString()] })
    const rejected: string[] = []
    c.market.on('rating-rejected', ({ error }) => rejected.push(error.name))
    let reported = 0
    c.node.on('misbehaved', () => reported++)
    await m.market.publish({ ...sale(1), arbiters: [carol.peerId] })
    await until('alice sees the offer', () => a.market.offers().length === 1)
    const id = (await a.market.take(a.market.offers()[0]!)).trade.idText
    const stateOf = (p: Peer) => p.market.trades().get(id)?.state.name
    await a.market.act(id, 'accept')
    await until('accepted', () => stateOf(m) === 'accepted')
    await m.market.act(id, 'fund')
    await until('funded', () => stateOf(a) === 'funded')
    await a.market.act(id, 'markPaid', { note: 'sent' })
    await until('paid', () => stateOf(m) === 'paid')
    await m.market.act(id, 'release')
    await until('carol drops both ratings', () => rejected.length === 2)
    expect(new Set(rejected)).toEqual(new Set(['UnattestedReceiptError']))
    expect(c.market.ratings()).toHaveLength(0)
    // the peers that gossiped them are not blamed: the maker's next offer is taken
    await m.market.publish({ ...sale(2), arbiters: [carol.peerId] })
    await until(
      'carol files the next offer',
      () => c.market.book.get(maker.peerId.toString(), '02', Date.now()) !== undefined,
    )
    expect(reported).toBe(0)
  })
})
