import { acceptTerms, openTrade, proposeTerms, type TermsInit, tradeEscrow } from '@peerkit/escrow'
import { describe, expect, it } from 'vitest'
import { checkTake, openOffer, takeTerms } from '../src/index'
import { alice, bob, carol, mallory, offer, T0 } from './fixtures/offers'

async function signedTerms(init: TermsInit, proposer = bob, accepter = alice) {
  const proposed = await proposeTerms(tradeEscrow, proposer, init)
  return acceptTerms(proposed, accepter)
}

describe('taking an offer', () => {
  it('the taker proposes the terms; the maker checks they are its offer, exactly', async () => {
    const o = openOffer(await offer(alice), { now: T0 })
    const init = takeTerms(o, { taker: bob.peerId, arbiter: carol.peerId, now: T0 + 1000 })
    const signed = await signedTerms(init)
    const trade = openTrade(tradeEscrow, signed, { now: T0 + 1000 })
    expect(checkTake(o, trade, signed, { now: T0 + 1000 })).toBe('buyer')
    expect(trade.roles.seller?.equals(alice.peerId)).toBe(true)
  })

  it('a buy offer makes the maker the buyer', async () => {
    const o = openOffer(await offer(alice, { side: 'buy' }), { now: T0 })
    const init = takeTerms(o, { taker: bob.peerId, arbiter: carol.peerId, now: T0 })
    const signed = await signedTerms(init)
    expect(checkTake(o, openTrade(tradeEscrow, signed, { now: T0 }), signed, { now: T0 })).toBe(
      'seller',
    )
  })

  it('refuses terms that differ in any field, or name another offer version', async () => {
    const o = openOffer(await offer(alice), { now: T0 })
    const v2 = openOffer(await offer(alice, {}, { sequence: 2 }), { now: T0 })
    const base = takeTerms(o, { taker: bob.peerId, arbiter: carol.peerId, now: T0 })
    const variants: TermsInit[] = [
      { ...base, params: { ...base.params, amount: 1n } },
      { ...base, params: { ...base.params, buyerBond: 0n } },
      { ...base, params: { ...base.params, price: { currency: 'USD', amount: 5000n } } },
      { ...base, deadlines: { ...base.deadlines, payBy: base.deadlines!.payBy! + 1 } },
      { ...base, roles: { ...base.roles, arbiter: mallory.peerId } },
      takeTerms(v2, { taker: bob.peerId, arbiter: carol.peerId, now: T0 }),
    ]
    for (const init of variants) {
      const signed = await signedTerms(init)
      const trade = openTrade(tradeEscrow, signed, { now: T0 })
      expect(() => checkTake(o, trade, signed, { now: T0 })).toThrow(
        expect.objectContaining({ name: 'TermsMismatchError' }),
      )
    }
    // dated far from the maker's clock
    const signed = await signedTerms(base)
    expect(() =>
      checkTake(o, openTrade(tradeEscrow, signed, { now: T0 }), signed, { now: T0 + 600_000 }),
    ).toThrow(expect.objectContaining({ name: 'TermsMismatchError' }))
  })

  it('refuses to build terms with an arbiter the offer does not accept, or for its own maker', async () => {
    const o = openOffer(await offer(alice), { now: T0 })
    expect(() => takeTerms(o, { taker: bob.peerId, arbiter: mallory.peerId, now: T0 })).toThrow(
      expect.objectContaining({ name: 'InvalidArgumentError' }),
    )
    expect(() => takeTerms(o, { taker: alice.peerId, arbiter: carol.peerId, now: T0 })).toThrow(
      expect.objectContaining({ name: 'InvalidArgumentError' }),
    )
  })
})
