import { seal } from '@peerkit/envelope'
import { afterEach, describe, expect, it } from 'vitest'
import { inBookPart, OFFER_DOMAIN, type Offer, type PublishInit } from '../src/index'
import { createNet, type Net, type Peer, until } from './fixtures/network'
import { HOUR, signer, WINDOWS } from './fixtures/offers'

const alice = signer(11)
const bob = signer(12)
const carol = signer(13)
const dave = signer(14)
const mallory = signer(15)
const spam = signer(16)

const BALANCES = Object.fromEntries(
  [alice, bob, carol, dave, mallory, spam].map((s) => [s.peerId.toString(), { BTC: 1_000_000n }]),
)

function sale(overrides: Partial<PublishInit> = {}): PublishInit {
  return {
    side: 'sell',
    asset: 'BTC',
    amount: 100_000n,
    currency: 'EUR',
    price: 50_00n,
    payment: ['sepa'],
    arbiters: [carol.peerId],
    bond: { seller: 10_000n, buyer: 5_000n },
    windows: WINDOWS,
    ...overrides,
  }
}

const stateOf = (peer: Peer, trade: string) => peer.market.trades().get(trade)?.state.name

let net: Net | undefined
afterEach(async () => {
  await net?.stopAll()
  net = undefined
})

describe('the market on real nodes (memory transport)', () => {
  it('a peer asks a neighbour for one part of its book at a time, and the parts make the book', async () => {
    net = createNet(BALANCES)
    const a = await net.start('a', alice)
    const b = await net.start('b', bob)
    const offers: Offer[] = []
    for (let i = 0; i < 10; i++)
      offers.push(await a.market.publish(sale({ price: 50_00n + BigInt(i) })))
    await until('bob holds the book', () => b.market.offers({ asset: 'BTC' }).length === 10)
    const maker = alice.peerId.toString()
    expect(b.market.book.dropMaker(maker)).toBe(10)
    const filed: number[] = []
    for (let index = 0; index < 2; index++)
      filed.push(await b.market.catchUp(a.signer.peerId, { index, of: 2 }))
    // each answer was that part only, and the two together the whole book
    expect(filed).toEqual(
      [0, 1].map(
        (index) => offers.filter((o) => inBookPart(o.envelopeId, { index, of: 2 })).length,
      ),
    )
    expect(b.market.offers({ asset: 'BTC' })).toHaveLength(10)
  })

  it('an offer is gossiped, a newcomer catches up, a trade settles, both rate, everyone learns', async () => {
    net = createNet(BALANCES)
    const a = await net.start('a', alice)
    const b = await net.start('b', bob)
    const c = await net.start('c', carol)
    const offer = await a.market.publish(sale())
    await until('bob sees the offer', () => b.market.offers({ asset: 'BTC' }).length === 1)
    // dave joins after the offer was gossiped: catch-up gives it to him
    const d = await net.start('d', dave)
    await until('dave catches up', () => d.market.offers({ asset: 'BTC' }).length === 1)

    const [found] = b.market.offers({ asset: 'BTC', side: 'sell' })
    const session = await b.market.take(found!)
    const id = session.trade.idText
    expect(stateOf(a, id)).toBe('offered')
    // the maker withdrew the offer it traded: gone from every book
    await until('the offer is cancelled everywhere', () =>
      [b, c, d].every((p) => p.market.book.isCancelled(alice.peerId.toString(), offer.idHex)),
    )
    await b.market.act(id, 'accept')
    await until('alice sees accepted', () => stateOf(a, id) === 'accepted')
    await a.market.act(id, 'fund')
    await until('bob sees funded', () => stateOf(b, id) === 'funded')
    await b.market.act(id, 'markPaid', { note: 'SEPA sent' })
    await until('alice sees paid', () => stateOf(a, id) === 'paid')
    await a.market.act(id, 'release')
    await until('bob sees released', () => stateOf(b, id) === 'released')
    await until(
      'both hold the receipt',
      () => a.market.receipt(id) !== undefined && b.market.receipt(id) !== undefined,
    )
    expect(net.vault.balance(bob.peerId.toString(), 'BTC')).toBe(1_100_000n)
    expect(net.vault.balance(alice.peerId.toString(), 'BTC')).toBe(900_000n)
    expect(net.vault.totals().get('BTC')).toBe(6_000_000n)
    // two ratings, gossiped: the arbiter and the newcomer accept both
    for (const p of [a, b, c, d])
      await until(`${p.name} has both ratings`, () => p.market.ratings().length === 2)
    expect(c.market.ratings().every((r) => r.score === 1 && r.outcome === 'released')).toBe(true)
    // the vault that settled the trade attested its receipt; only then did the parties rate
    const vaultKey = net.authority.peerId.toString()
    expect(c.market.ratings().map((r) => r.attestedBy)).toEqual([vaultKey, vaultKey])
    expect([a.market.attestedBy(id), b.market.attestedBy(id)]).toEqual([vaultKey, vaultKey])
  })

  it('a buyer who never pays: the seller disputes, the arbiter refunds with its bond, its trust falls and its offers hide', async () => {
    net = createNet(BALANCES, [carol.peerId])
    const arbitrate = async () => ({ action: 'ruleRefund' as const, note: 'no payment shown' })
    const a = await net.start('a', alice, { preTrusted: [carol.peerId.toString()] })
    const m = await net.start('m', mallory, { preTrusted: [carol.peerId.toString()] })
    const c = await net.start('c', carol, { arbitrate, preTrusted: [carol.peerId.toString()] })
    await a.market.publish(sale())
    await until('mallory sees the offer', () => m.market.offers().length === 1)
    const session = await m.market.take(m.market.offers()[0]!)
    const id = session.trade.idText
    await m.market.act(id, 'accept')
    await until('accepted', () => stateOf(a, id) === 'accepted')
    await a.market.act(id, 'fund')
    await until('funded', () => stateOf(m, id) === 'funded')
    await m.market.act(id, 'markPaid', { note: 'sent, trust me' })
    await until('paid', () => stateOf(a, id) === 'paid')
    await a.market.act(id, 'dispute', { note: 'nothing arrived' })
    await until(
      'the arbiter rules and both see refunded',
      () => stateOf(a, id) === 'refunded' && stateOf(m, id) === 'refunded',
    )
    await until('settled', () => net!.vault.balance(alice.peerId.toString(), 'BTC') === 1_005_000n)
    expect(net.vault.balance(mallory.peerId.toString(), 'BTC')).toBe(995_000n)
    expect(net.vault.totals().get('BTC')).toBe(6_000_000n)
    // alice rated mallory -1; mallory's offer is hidden below the trust floor
    await until('the rating spreads', () => c.market.ratings().some((r) => r.score === -1))
    // the arbiter attested the receipt of the dispute it ruled, and sent it to both parties
    expect(c.market.ratings().every((r) => r.attestedBy === carol.peerId.toString())).toBe(true)
    expect(m.market.attestedBy(id)).toBe(carol.peerId.toString())
    await m.market.publish(sale({ price: 1_00n }))
    await until("alice has mallory's offer in her book", () => a.market.book.size >= 1)
    await until(
      'alice trusts mallory less than the floor',
      () => (a.market.trust().trustOf(mallory.peerId.toString()) ?? 1) < 0.25,
    )
    expect(a.market.offers({ maker: mallory.peerId.toString() })).toHaveLength(0)
    expect(a.market.offers({ maker: mallory.peerId.toString() }, { trustFloor: 0 })).toHaveLength(1)
  })

  it('a peer that stops mid-trade gets its steps when it is back, and finishes from its store', async () => {
    net = createNet(BALANCES)
    const a = await net.start('a', alice)
    const b = await net.start('b', bob)
    await a.market.publish(sale())
    await until('bob sees the offer', () => b.market.offers().length === 1)
    const session = await b.market.take(b.market.offers()[0]!)
    const id = session.trade.idText
    await b.market.act(id, 'accept')
    await until('accepted', () => stateOf(a, id) === 'accepted')
    // bob goes away; alice funds: the step waits in her session's outbox
    await b.market.close()
    await b.node.stop()
    await until('alice sees bob gone', () => a.node.peers().length === 0)
    await a.market.act(id, 'fund')
    expect(a.market.trades().get(id)!.outbox().length).toBe(1)
    // bob restarts from the same store: the trade resumes and the step arrives
    await net.restart(b, {})
    expect(stateOf(b, id)).toBe('accepted')
    await until('bob gets the funding', () => stateOf(b, id) === 'funded')
    await b.market.act(id, 'markPaid', null)
    await until('paid', () => stateOf(a, id) === 'paid')
    await a.market.act(id, 'release')
    await until(
      'bob released and receipts',
      () => stateOf(b, id) === 'released' && b.market.receipt(id) !== undefined,
    )
    expect(net.vault.balance(bob.peerId.toString(), 'BTC')).toBe(1_100_000n)
  })

  it('a spammer flooding invalid offers is refused by its neighbours and its offers dropped', async () => {
    net = createNet(BALANCES)
    const a = await net.start('a', alice)
    const s = await net.start('s', spam, { bootstrap: ['memory://a'] })
    const refused: string[] = []
    a.market.on('maker-refused', (e) => refused.push(e.maker))
    const rejected: string[] = []
    a.market.on('offer-rejected', (e) => rejected.push(e.error.name))
    let reported = 0
    a.node.on('misbehaved', (e) => {
      if (e.peer.equals(spam.peerId)) reported++
    })
    await s.market.publish(sale())
    await until("alice files the spammer's first offer", () => a.market.book.size === 1)
    for (let i = 0; i < 8; i++) {
      // validly gossiped, but the offer inside is not a well-formed offer
      const junk = await seal(spam, {
        domain: OFFER_DOMAIN,
        payload: { v: 1, id: new Uint8Array([i]), junk: i },
        timestamp: Date.now(),
        expiresAt: Date.now() + HOUR,
        sequence: 1,
      })
      await s.node.gossip.publish('peerkit/offers/1', junk).catch(() => undefined)
    }
    // the first junk offer is rejected; it puts the spammer below the router's accept
    // threshold, so the router hands the market none of the rest: one invalid offer refuses
    await until('alice refuses the spammer', () => refused.includes(spam.peerId.toString()))
    expect(rejected[0]).toBe('MalformedOfferError')
    // the router reported the rejection to the driver (and to its score hook)
    expect(reported).toBeGreaterThanOrEqual(1)
    // the offer filed before is dropped, and a valid one from the refused maker is not filed
    await s.market.publish(sale({ id: new Uint8Array([77]) }))
    await new Promise((r) => setTimeout(r, 200))
    expect(a.market.book.size).toBe(0)
    expect(a.market.offers()).toHaveLength(0)
  })
})
