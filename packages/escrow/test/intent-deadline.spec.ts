/**
 * A step that locks assets and was cut off by a killed process (its intent written, the
 * vault asked, the step not yet stored) must not be finished once its deadline has passed:
 * the restarted session gives the lock back and abandons the step, every vault call keyed
 * so that repeating it after another crash moves nothing twice, and the trade ends by its
 * timeout step with every balance where it started.
 */
import { describe, expect, it } from 'vitest'
import {
  createLedgerVault,
  createSession,
  type EscrowSession,
  type LedgerVault,
  loadSession,
  tradeEscrow,
  type Vault,
} from '../src/index'
import { faultyStore, SimulatedCrash } from './fixtures/faulty-store'
import {
  AMOUNT,
  buyer,
  deadlines,
  MINUTE,
  SELLER_BOND,
  seller,
  T0,
  tradeTerms,
} from './fixtures/parties'

const t = (minutes: number) => T0 + minutes * MINUTE
const BALANCE = 200_000n
const s = seller.peerId.toString()
const b = buyer.peerId.toString()
const afterFundBy = deadlines.fundBy + MINUTE

/** A seller whose process dies right after the vault locked its side of `fund`. */
async function killedWhileFunding(nonce: number) {
  const terms = await tradeTerms(nonce)
  const ledger = createLedgerVault({ balances: { [s]: { BTC: BALANCE }, [b]: { BTC: BALANCE } } })
  const totals = ledger.totals()
  const store = faultyStore()
  // the vault the seller's process talks to: once both locks are done, the next write
  // (the step's record) never lands, as when the process is killed
  let killAfterLocks = true
  let locks = 0
  const vault: Vault = {
    async lock(request) {
      await ledger.lock(request)
      if (killAfterLocks && ++locks === 2) store.armed = true
    },
    release: (request) => ledger.release(request),
    refund: (request) => ledger.refund(request),
  }
  const sellerSession = await createSession({
    definition: tradeEscrow,
    signer: seller,
    store,
    vault,
    terms,
    now: T0,
  })
  const buyerSession = await createSession({
    definition: tradeEscrow,
    signer: buyer,
    store: faultyStore(),
    vault: ledger,
    terms,
    now: T0,
  })
  await buyerSession.act('accept', null, t(1))
  await sellerSession.receiveStep(buyerSession.steps[0]!, t(1))
  await expect(sellerSession.act('fund', null, t(2))).rejects.toBeInstanceOf(SimulatedCrash)
  killAfterLocks = false
  // the process is gone: its hold on the log goes with it
  await sellerSession.close()
  expect(ledger.balance(s, 'BTC')).toBe(BALANCE - AMOUNT - SELLER_BOND)
  const reload = (now?: number) =>
    loadSession({
      definition: tradeEscrow,
      signer: seller,
      store,
      vault,
      trade: sellerSession.trade.idText,
      ...(now === undefined ? {} : { now }),
    })
  return { ledger, totals, store, vault, buyer: buyerSession, reload }
}

/** The timeout step ends the trade on both sides; settling both gives every unit back. */
async function expireAndSettle(
  ledger: LedgerVault,
  totals: Map<string, bigint>,
  restarted: EscrowSession,
  other: EscrowSession,
) {
  await other.act('expire', null, afterFundBy + MINUTE)
  const r = await restarted.receiveStep(other.steps[1]!, afterFundBy + MINUTE)
  expect(r.status).toBe('applied')
  expect(restarted.state.name).toBe('expired')
  await other.settle()
  await restarted.settle()
  expect(ledger.balance(s, 'BTC')).toBe(BALANCE)
  expect(ledger.balance(b, 'BTC')).toBe(BALANCE)
  expect(ledger.totals()).toEqual(totals)
  // one refund of each lock the abandoned step made, however often it was retried
  const refunds = ledger.journal.filter((op) => op.kind === 'refund')
  expect(refunds.map((op) => op.lock).sort()).toEqual(
    [
      `${restarted.trade.idText}/amount`,
      `${restarted.trade.idText}/buyer-bond`,
      `${restarted.trade.idText}/seller-bond`,
    ].sort(),
  )
}

describe('an unfinished locking step whose deadline passed', () => {
  it('is abandoned on a restart after the deadline: the lock is given back, nothing is published', async () => {
    const w = await killedWhileFunding(40)
    const restarted = await w.reload(afterFundBy)
    expect(restarted.state.name).toBe('accepted')
    expect(restarted.steps).toHaveLength(1)
    expect(restarted.outbox()).toEqual([])
    expect(w.ledger.balance(s, 'BTC')).toBe(BALANCE)
    // and it stays abandoned: another restart neither finishes nor refunds it again
    await restarted.close()
    const again = await w.reload(afterFundBy + MINUTE)
    expect(again.state.name).toBe('accepted')
    expect(again.steps).toHaveLength(1)
    await expireAndSettle(w.ledger, w.totals, again, w.buyer)
  })

  it('reloaded without a clock, waits for the first call that brings one', async () => {
    const w = await killedWhileFunding(41)
    const restarted = await w.reload()
    expect(restarted.state.name).toBe('accepted')
    expect(w.ledger.balance(s, 'BTC')).toBe(BALANCE - AMOUNT - SELLER_BOND)
    // the buyer's timeout step arrives after fundBy: the stale step is abandoned first
    await expireAndSettle(w.ledger, w.totals, restarted, w.buyer)
    expect(restarted.steps).toHaveLength(2)
  })

  it('a crash in the middle of giving the lock back repeats the same calls, moving nothing twice', async () => {
    const w = await killedWhileFunding(42)
    // killed again before the abandon record lands (after the vault gave the locks back)
    w.store.armed = true
    await expect(w.reload(afterFundBy)).rejects.toBeInstanceOf(SimulatedCrash)
    expect(w.ledger.balance(s, 'BTC')).toBe(BALANCE)
    const restarted = await w.reload(afterFundBy + MINUTE)
    expect(restarted.state.name).toBe('accepted')
    expect(w.ledger.balance(s, 'BTC')).toBe(BALANCE)
    await expireAndSettle(w.ledger, w.totals, restarted, w.buyer)
  })

  it('is finished as before when the restart comes before the deadline', async () => {
    const w = await killedWhileFunding(43)
    const restarted = await w.reload(t(3))
    expect(restarted.state.name).toBe('funded')
    expect(restarted.outbox()[0]?.steps).toHaveLength(1)
    expect(w.ledger.balance(s, 'BTC')).toBe(BALANCE - AMOUNT - SELLER_BOND)
  })
})
