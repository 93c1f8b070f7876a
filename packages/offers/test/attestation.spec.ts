/**
 * Settlement attestation: the vault (or the arbiter) countersigns a receipt only against
 * its own fold of the trade's log and only for an outcome that moved value; a market counts
 * a rating only with such an attestation by an authority it trusts, so identities that
 * fabricate receipts among themselves gain no trust in anyone's book.
 */
import { countersign, seal } from '@peerkit/envelope'
import {
  acceptTerms,
  createLedgerVault,
  createMemoryStore,
  createSession,
  type EscrowSession,
  makeReceipt,
  countersignReceipt as partyCountersign,
  proposeTerms,
  RECEIPT_DOMAIN,
  tradeEscrow,
  tradeEscrowTerms,
} from '@peerkit/escrow'
import type { KeyPairSigner } from '@peerkit/identity'
import { createNode, memory } from '@peerkit/net'
import {
  attestReceipt,
  createLocalTrust,
  createRatingLedger,
  DEFAULT_TRUST_THRESHOLD,
  sealRating,
} from '@peerkit/reputation'
import { afterEach, describe, expect, it } from 'vitest'
import {
  attestSettlement,
  defaultRating,
  encodeMarketFrame,
  isOffersError,
  MARKET_PROTOCOL,
  makerTrust,
  type PublishInit,
  RATINGS_TOPIC,
} from '../src/index'
import { createNet, type Net, type Peer, until } from './fixtures/network'
import { HOUR, signer, WINDOWS } from './fixtures/offers'

const seller = signer(61)
const buyer = signer(62)
const arbiter = signer(63)
const vaultKey = signer(64)
const T = Date.UTC(2026, 2, 2, 9)

async function thrownName(run: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await run()
  } catch (error) {
    return isOffersError(error) ? error.name : `not an offers error: ${String(error)}`
  }
  return undefined
}

/** A real trade of two sessions over one ledger vault, ended by `ending`; both sessions. */
async function trade(
  ending: 'release' | 'expire',
  amount = 100_000n,
): Promise<{ s: EscrowSession; b: EscrowSession }> {
  const vault = createLedgerVault({
    balances: {
      [seller.peerId.toString()]: { BTC: 1_000_000n },
      [buyer.peerId.toString()]: { BTC: 1_000_000n },
    },
  })
  const proposed = await proposeTerms(tradeEscrow, seller, {
    ...tradeEscrowTerms({
      seller: seller.peerId,
      buyer: buyer.peerId,
      arbiter: arbiter.peerId,
      asset: 'BTC',
      amount,
      sellerBond: 10_000n,
      buyerBond: 5_000n,
      fundBy: T + HOUR,
      payBy: T + 2 * HOUR,
      disputeBy: T + 3 * HOUR,
      resolveBy: T + 4 * HOUR,
    }),
    timestamp: T,
  })
  const terms = await acceptTerms(proposed, buyer)
  const open = (who: KeyPairSigner) =>
    createSession({
      definition: tradeEscrow,
      signer: who,
      store: createMemoryStore(),
      vault,
      terms,
      now: T,
    })
  const s = await open(seller)
  const b = await open(buyer)
  let now = T
  const act = async (by: EscrowSession, to: EscrowSession, action: string) => {
    now += 60_000
    await by.act(action, null, now)
    for (const entry of by.outbox())
      for (const step of entry.steps) {
        const result = await to.receiveStep(step, now)
        await by.receiveAck(result.ack, to.trade.roles[to.role]!)
      }
  }
  if (ending === 'expire') {
    // nobody accepted in time: the offer expires, nothing moved
    now = T + HOUR
    await act(s, b, 'expire')
  } else {
    await act(b, s, 'accept')
    await act(s, b, 'fund')
    await act(b, s, 'markPaid')
    await act(s, b, 'release')
  }
  return { s, b }
}

const receiptOf = async (t: { s: EscrowSession; b: EscrowSession }) =>
  partyCountersign(await makeReceipt(t.s.state, seller), t.b.state, buyer)

describe('attestSettlement', () => {
  it("the vault attests a released trade's receipt against its own state; the rating then counts", async () => {
    const t = await trade('release')
    const receipt = await receiptOf(t)
    const now = t.s.state.last!.timestamp + 1_000
    const attested = await attestSettlement(vaultKey, t.s.state, receipt, { now })
    const ledger = createRatingLedger({ authorities: [vaultKey.peerId] })
    const rating = await sealRating(buyer, { receipt: attested, score: 1, timestamp: now })
    expect(ledger.accept(rating, now).attestedBy).toBe(vaultKey.peerId.toString())
    // the same trade without the vault's countersignature: refused with the ledger's reason
    const bare = await sealRating(seller, { receipt, score: 1, timestamp: now })
    expect(() => ledger.accept(bare, now)).toThrow(
      expect.objectContaining({ name: 'UnattestedReceiptError' }),
    )
  })

  it('refuses a receipt of another trade, a party as authority, and a trade that moved nothing', async () => {
    const released = await trade('release')
    const other = await trade('release', 90_000n)
    const now = released.s.state.last!.timestamp + 1_000
    // same parties, another trade: the receipt does not say what this log says
    expect(
      await thrownName(async () =>
        attestSettlement(vaultKey, released.s.state, await receiptOf(other), { now }),
      ),
    ).toBe('ReceiptMismatchError')
    // a receipt only one party signed
    expect(
      await thrownName(async () =>
        attestSettlement(vaultKey, released.s.state, await makeReceipt(released.s.state, seller), {
          now,
        }),
      ),
    ).toBe('ReceiptMismatchError')
    expect(
      await thrownName(async () =>
        attestSettlement(seller, released.s.state, await receiptOf(released), { now }),
      ),
    ).toBe('NotAttestableError')
    const expired = await trade('expire')
    expect(expired.s.state.name).toBe('expired')
    expect(defaultRating(expired.s)).toBeUndefined()
    expect(
      await thrownName(async () =>
        attestSettlement(vaultKey, expired.s.state, await receiptOf(expired), { now }),
      ),
    ).toBe('NotAttestableError')
    expect(
      await thrownName(async () =>
        attestSettlement(vaultKey, other.s.state, new Uint8Array(8), { now }),
      ),
    ).toBe('ReceiptMismatchError')
  })
})

const alice = signer(71)
const bob = signer(72)
const carol = signer(73)
const dave = signer(74)
const sybilA = signer(75)
const sybilB = signer(76)
const sybilVault = signer(77)
const BALANCES = Object.fromEntries(
  [alice, bob, dave, sybilA, sybilB].map((s) => [s.peerId.toString(), { BTC: 1_000_000n }]),
)
const sale = (price: bigint, id: number): PublishInit => ({
  id: new Uint8Array([id]),
  side: 'sell',
  asset: 'BTC',
  amount: 100_000n,
  currency: 'EUR',
  price,
  payment: ['sepa'],
  arbiters: [carol.peerId],
  bond: { seller: 10_000n, buyer: 5_000n },
  windows: WINDOWS,
})
const stateOf = (peer: Peer, id: string) => peer.market.trades().get(id)?.state.name

/** A receipt two colluding identities sign for a trade that never happened. */
async function fabricated(a: KeyPairSigner, b: KeyPairSigner, n: number, now: number) {
  const half = await seal(a, {
    domain: RECEIPT_DOMAIN,
    payload: {
      v: 1,
      trade: new Uint8Array(32).fill(n),
      parties: [a.peerId.toBytes(), b.peerId.toBytes()],
      outcome: 'released',
      at: now - 60_000,
    },
    timestamp: now - 60_000,
  })
  return countersign(half, b)
}

let net: Net | undefined
afterEach(async () => {
  await net?.stopAll()
  net = undefined
})

describe('the market counts only attested ratings', () => {
  it('fabricated receipts are refused with a typed reason and buy colluders no trust in the ranking', async () => {
    net = createNet(BALANCES, [carol.peerId])
    // no pre-trusted anchor: the market where minted ratings would weigh the most
    const pre = {}
    const a = await net.start('a', alice, pre)
    const b = await net.start('b', bob, pre)
    const d = await net.start('d', dave, pre)
    const x = await net.start('x', sybilA, pre)
    const y = await net.start('y', sybilB, pre)
    // one real trade: bob buys from alice; the vault attests; both rate
    await a.market.publish(sale(50_00n, 1))
    await until('bob sees the offer', () => b.market.offers().length === 1)
    const id = (await b.market.take(b.market.offers()[0]!)).trade.idText
    await b.market.act(id, 'accept')
    await until('accepted', () => stateOf(a, id) === 'accepted')
    await a.market.act(id, 'fund')
    await until('funded', () => stateOf(b, id) === 'funded')
    await b.market.act(id, 'markPaid', { note: 'sent' })
    await until('paid', () => stateOf(a, id) === 'paid')
    await a.market.act(id, 'release')
    await until('dave has both ratings', () => d.market.ratings().length === 2)

    // the colluders: receipts of trades that never settled, rated up both ways
    const rejected: string[] = []
    d.market.on('rating-rejected', ({ error }) => rejected.push(error.name))
    const now = Date.now()
    const forged: Uint8Array[] = []
    for (let n = 0; n < 3; n++) {
      const receipt = await fabricated(sybilA, sybilB, n + 1, now)
      // unattested; attested by their own "vault", which no one trusts; both directions
      const byStranger = await attestReceipt(sybilVault, receipt, { now })
      for (const r of [receipt, byStranger]) {
        forged.push(await sealRating(sybilA, { receipt: r, score: 1, timestamp: now }))
        forged.push(await sealRating(sybilB, { receipt: r, score: 1, timestamp: now }))
      }
    }
    // a trusted authority's own signature as a party attests nothing: carol "trades" with a sybil
    const withCarol = await fabricated(carol, sybilA, 9, now)
    forged.push(await sealRating(sybilA, { receipt: withCarol, score: 1, timestamp: now }))
    // gossiped, the first one is dropped (a peer trusting other authorities might take it, so
    // its forwarder is not blamed); the rest go to dave directly, in one ratings frame of the
    // market protocol
    await x.node.gossip.publish(RATINGS_TOPIC, forged[0]!)
    await until('dave refuses the gossiped one', () => rejected.length === 1)
    const z = await createNode({
      signer: sybilVault,
      transports: [memory(net.network)],
      listen: ['memory://z'],
      bootstrap: ['memory://d'],
    })
    const direct = z.protocol(MARKET_PROTOCOL, { onFrame: () => undefined })
    const frame = encodeMarketFrame({ t: 'ratings', ratings: forged.slice(1) })
    await until('z reaches dave', () => direct.send(dave.peerId, frame))
    await until('dave refuses every forged rating', () => rejected.length === forged.length)
    expect(new Set(rejected)).toEqual(new Set(['UnattestedReceiptError']))
    expect(d.market.ratings()).toHaveLength(2)

    // both make offers; the colluders undercut alice (the one whose gossip is still taken)
    await a.market.publish(sale(50_00n, 2))
    await y.market.publish(sale(40_00n, 3))
    await until('dave files both offers', () => d.market.offers({ asset: 'BTC' }).length === 2)
    const trust = d.market.trust()
    expect(trust.trustOf(sybilA.peerId.toString())).toBeUndefined()
    expect(trust.trustOf(sybilB.peerId.toString())).toBeUndefined()
    expect(trust.trustOf(alice.peerId.toString())).toBeGreaterThan(0)
    const byTrust = d.market.offers({ asset: 'BTC' }, { order: 'trust' })
    expect(byTrust.map((o) => o.makerKey)).toEqual([
      alice.peerId.toString(),
      sybilB.peerId.toString(),
    ])
    expect(d.market.offers({ asset: 'BTC' }, { hideUnknown: true }).map((o) => o.makerKey)).toEqual(
      [alice.peerId.toString()],
    )

    // what the same bytes would have bought under the deprecated rule (no authorities)
    const legacy = createRatingLedger()
    const local = createLocalTrust()
    for (const r of d.market.ratings()) local.addRating(r)
    for (const rating of forged) {
      // the same fabricated trade rated twice (bare and "attested") counts once there too
      try {
        local.addRating(legacy.accept(rating, now))
      } catch {}
    }
    expect(legacy.size).toBe(7)
    const minted = makerTrust(local, []).trustOf(sybilA.peerId.toString())
    // above the trust floor: under the old rule the colluders' offers would be shown
    expect(minted).toBeGreaterThan(DEFAULT_TRUST_THRESHOLD)
    await z.stop()
  })
})
