import { describe, expect, it } from 'vitest'
import {
  apply,
  createLedgerVault,
  type EscrowState,
  makeStep,
  settle,
  tradeParams,
} from '../src/index'
import {
  AMOUNT,
  arbiter,
  BUYER_BOND,
  buyer,
  deadlines,
  MINUTE,
  SELLER_BOND,
  seller,
  T0,
  tradeStart,
} from './fixtures/parties'
import { attempt, jointStep, snapshot, step, verdict } from './fixtures/run'

const t = (minutes: number) => T0 + minutes * MINUTE

async function funded(): Promise<EscrowState> {
  let s = await tradeStart()
  s = await step(s, buyer, 'accept', t(1))
  return step(s, seller, 'fund', t(2))
}

/** Settles a terminal state against a fresh vault and returns each account's BTC. */
async function payouts(state: EscrowState) {
  const s = seller.peerId.toString()
  const b = buyer.peerId.toString()
  const vault = createLedgerVault({
    balances: { [s]: { BTC: 1_000_000n }, [b]: { BTC: 1_000_000n } },
  })
  const before = vault.totals().get('BTC')
  await settle(state, vault)
  expect(vault.totals().get('BTC')).toBe(before)
  for (const id of vault.locks()) expect(vault.lockOf(id)!.remaining).toBe(0n)
  return {
    seller: vault.balance(s, 'BTC') - 1_000_000n,
    buyer: vault.balance(b, 'BTC') - 1_000_000n,
  }
}

describe('trade escrow: paths', () => {
  it('full trade: accept, fund, markPaid, release pays the buyer and returns both bonds', async () => {
    let s = await funded()
    expect(s.name).toBe('funded')
    s = await step(s, buyer, 'markPaid', t(10), { note: 'SEPA ref 42' })
    s = await step(s, seller, 'release', t(20))
    expect(s).toMatchObject({ name: 'released', terminal: true, outcome: 'released', seq: 4 })
    expect(await payouts(s)).toEqual({ seller: -AMOUNT, buyer: AMOUNT })
  })

  it('mutual cancel before funding needs both signatures and returns the buyer bond', async () => {
    let s = await tradeStart()
    s = await step(s, buyer, 'accept', t(1))
    const single = await attempt(s, seller, 'cancel', t(2))
    expect(verdict(single)).toBe('WrongSignerError')
    s = await jointStep(s, seller, buyer, 'cancel', t(2))
    expect(s.outcome).toBe('cancelled')
    expect(await payouts(s)).toEqual({ seller: 0n, buyer: 0n })
  })

  it('expire only from fundBy on, and refunds the buyer bond', async () => {
    let s = await tradeStart()
    s = await step(s, buyer, 'accept', t(1))
    expect(verdict(await attempt(s, buyer, 'expire', deadlines.fundBy - 1))).toBe('TooEarlyError')
    expect(verdict(await attempt(s, seller, 'fund', deadlines.fundBy))).toBe('TooLateError')
    s = await step(s, buyer, 'expire', deadlines.fundBy)
    expect(s.outcome).toBe('expired')
    expect(await payouts(s)).toEqual({ seller: 0n, buyer: 0n })
  })

  it('reclaim after payBy refunds the seller and forfeits the buyer bond', async () => {
    const s0 = await funded()
    expect(verdict(await attempt(s0, seller, 'reclaim', deadlines.payBy - 1))).toBe('TooEarlyError')
    expect(verdict(await attempt(s0, buyer, 'markPaid', deadlines.payBy))).toBe('TooLateError')
    const s = await step(s0, seller, 'reclaim', deadlines.payBy)
    expect(s.outcome).toBe('refunded')
    expect(await payouts(s)).toEqual({ seller: BUYER_BOND, buyer: -BUYER_BOND })
  })

  it('settle after disputeBy releases to a buyer who declared payment', async () => {
    let s = await step(await funded(), buyer, 'markPaid', t(10))
    expect(verdict(await attempt(s, buyer, 'settle', deadlines.disputeBy - 1))).toBe(
      'TooEarlyError',
    )
    expect(verdict(await attempt(s, seller, 'dispute', deadlines.disputeBy))).toBe('TooLateError')
    s = await step(s, buyer, 'settle', deadlines.disputeBy)
    expect(s.outcome).toBe('released')
    expect(await payouts(s)).toEqual({ seller: -AMOUNT, buyer: AMOUNT })
  })

  it('dispute, evidence and the three rulings', async () => {
    let s = await step(await funded(), buyer, 'markPaid', t(10))
    s = await step(s, buyer, 'dispute', t(30), { note: 'paid, not released' })
    s = await step(s, seller, 'evidence', t(31), {
      note: 'no payment arrived',
      attachment: new Uint8Array([1, 2]),
    })
    s = await step(s, arbiter, 'evidence', t(32), { note: 'please send statements' })
    expect(s.name).toBe('disputed')
    expect(s.data.disputedBy).toBe('buyer')

    const release = await step(s, arbiter, 'ruleRelease', t(40))
    expect(await payouts(release)).toEqual({
      seller: -AMOUNT - SELLER_BOND,
      buyer: AMOUNT + SELLER_BOND,
    })
    const refund = await step(s, arbiter, 'ruleRefund', t(40))
    expect(await payouts(refund)).toEqual({ seller: BUYER_BOND, buyer: -BUYER_BOND })
    const split = await step(s, arbiter, 'ruleSplit', t(40), { buyer: 60_000n, seller: 40_000n })
    expect(split.outcome).toBe('split')
    expect(await payouts(split)).toEqual({ seller: -60_000n, buyer: 60_000n })

    expect(
      verdict(await attempt(s, arbiter, 'ruleSplit', t(40), { buyer: 60_000n, seller: 30_000n })),
    ).toBe('GuardRejectedError')
    expect(verdict(await attempt(s, arbiter, 'ruleSplit', t(40), { buyer: 1 }))).toBe(
      'GuardRejectedError',
    )
    expect(verdict(await attempt(s, arbiter, 'ruleRelease', deadlines.resolveBy))).toBe(
      'TooLateError',
    )
  })

  it('lapse after resolveBy unwinds when the arbiter stays silent', async () => {
    let s = await step(await funded(), seller, 'dispute', t(30))
    expect(verdict(await attempt(s, seller, 'lapse', deadlines.resolveBy - 1))).toBe(
      'TooEarlyError',
    )
    s = await step(s, seller, 'lapse', deadlines.resolveBy)
    expect(s.outcome).toBe('unwound')
    expect(await payouts(s)).toEqual({ seller: 0n, buyer: 0n })
  })

  it('funding locks the amount and both bonds', async () => {
    const s = await funded()
    expect(tradeParams(s.trade).amount).toBe(AMOUNT)
    expect(s.ops.map((op) => op.kind)).toEqual(['lock', 'lock', 'lock'])
  })
})

describe('trade escrow: apply is pure and idempotent', () => {
  it('never changes the state it was given, and applying twice equals once', async () => {
    const s = await funded()
    const before = snapshot(s)
    const bytes = await makeStep(s, buyer, 'markPaid', null, t(10))
    const once = apply(s, bytes, t(10))
    expect(snapshot(s)).toEqual(before)
    if (!once.ok) throw once.error
    const twice = apply(once.state, bytes, t(11))
    expect(twice).toMatchObject({ ok: true, duplicate: true })
    if (!twice.ok) throw twice.error
    expect(twice.state).toBe(once.state)
    // a rejected step leaves the state as it was, too
    const late = apply(
      s,
      await makeStep(s, buyer, 'markPaid', null, deadlines.payBy),
      deadlines.payBy,
    )
    expect(verdict(late)).toBe('TooLateError')
    expect(snapshot(s)).toEqual(before)
  })

  it('applying the same step to an older state again (a branch) keeps both branches intact', async () => {
    const s = await funded()
    const paid = await step(s, buyer, 'markPaid', t(10))
    const dispute = await step(s, seller, 'dispute', t(11))
    expect(paid.log.length).toBe(3)
    expect(dispute.log.length).toBe(3)
    expect(paid.log.idAt(2)).not.toEqual(dispute.log.idAt(2))
    const released = await step(paid, seller, 'release', t(12))
    expect(released.log.idAt(2)).toEqual(paid.log.idAt(2))
    expect(released.log.seqOf(dispute.log.idAt(2)!)).toBeUndefined()
  })
})
