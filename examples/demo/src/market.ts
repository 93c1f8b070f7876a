/**
 * Chapter 4: two strangers trade. Bob takes Alice's offer; both sign the terms of a
 * `@peerkit/escrow` trade escrow with Carol as arbiter, and each runs a session (a
 * replica of the signed, hash-linked log) over one in-memory ledger vault. Steps go
 * straight from one session's outbox to the other (a real application sends the same
 * bytes over gossip or a direct connection). The trade ends with a receipt both sign.
 *
 * `runTrade` is the same machinery without the narration, for the other trades of the
 * market that chapter 5 rates.
 */
import { equalBytes } from '@peerkit/codec'
import { envelopeId, seal } from '@peerkit/envelope'
import {
  acceptTerms,
  countersignReceipt,
  createLedgerVault,
  createMemoryStore,
  createSession,
  type EscrowSession,
  type LedgerVault,
  makeReceipt,
  openReceipt,
  PAYLOAD_VERSION,
  proposeTerms,
  STEP_DOMAIN,
  tradeEscrow,
  tradeEscrowTerms,
} from '@peerkit/escrow'
import {
  alice,
  bob,
  type Clock,
  clockText,
  euros,
  everyone,
  HOUR,
  MINUTE,
  type Person,
  short,
  units,
} from './cast'
import type { Offer } from './gossip'
import type { Report } from './report'

const ASSET = 'BTC'
/** Everyone's opening balance, in satoshis. */
const OPENING = 1_000_000n

/** The market: one custody ledger and the story's clock. */
export interface Market {
  readonly vault: LedgerVault
  readonly clock: Clock
}

export function openMarket(clock: Clock): Market {
  const balances = Object.fromEntries(everyone.map((p) => [p.key, { [ASSET]: OPENING }]))
  return { vault: createLedgerVault({ balances }), clock }
}

/** Who trades what with whom. */
export interface TradePlan {
  readonly seller: Person
  readonly buyer: Person
  readonly arbiter: Person
  /** Satoshis escrowed by the seller. */
  readonly amount: bigint
  /** Euro cents the buyer pays outside the escrow. */
  readonly price: bigint
}

/** A trade in progress: both parties' sessions. */
interface Desk {
  readonly seller: EscrowSession
  readonly buyer: EscrowSession
  readonly id: string
}

/** Delivers every step `from` still owes `to`, and carries the acknowledgements back. */
async function deliver(from: EscrowSession, to: EscrowSession, now: number): Promise<void> {
  for (const entry of from.outbox()) {
    if (entry.role !== to.role) continue
    for (const step of entry.steps) {
      const result = await to.receiveStep(step, now)
      await from.receiveAck(result.ack, to.trade.roles[to.role]!)
    }
  }
}

/** Terms signed by both (seller proposes, buyer countersigns), and a session for each. */
async function openDesk(market: Market, plan: TradePlan): Promise<Desk> {
  const t = market.clock.now
  const offer = await proposeTerms(tradeEscrow, plan.seller.signer, {
    ...tradeEscrowTerms({
      seller: plan.seller.signer.peerId,
      buyer: plan.buyer.signer.peerId,
      arbiter: plan.arbiter.signer.peerId,
      asset: ASSET,
      amount: plan.amount,
      sellerBond: plan.amount / 10n,
      buyerBond: plan.amount / 20n,
      price: { currency: 'EUR', amount: plan.price },
      fundBy: t + HOUR,
      payBy: t + 3 * HOUR,
      disputeBy: t + 24 * HOUR,
      resolveBy: t + 72 * HOUR,
    }),
    timestamp: t,
  })
  const terms = await acceptTerms(offer, plan.buyer.signer)
  const session = (who: Person) =>
    createSession({
      definition: tradeEscrow,
      signer: who.signer,
      store: createMemoryStore(),
      vault: market.vault,
      terms,
      now: t,
    })
  const seller = await session(plan.seller)
  const buyer = await session(plan.buyer)
  return { seller, buyer, id: seller.trade.idText }
}

/** One party acts at the market clock; the step is delivered to the other party. */
async function act(
  market: Market,
  desk: Desk,
  by: 'seller' | 'buyer',
  action: string,
  body: { note: string } | null = null,
): Promise<string> {
  const [self, other] = by === 'seller' ? [desk.seller, desk.buyer] : [desk.buyer, desk.seller]
  await self.act(action, body, market.clock.now)
  await deliver(self, other, market.clock.now)
  return other.state.name
}

/** The receipt of a finished trade: the seller signs it, the buyer checks and countersigns. */
async function signReceipt(desk: Desk, plan: TradePlan): Promise<Uint8Array> {
  const half = await makeReceipt(desk.seller.state, plan.seller.signer)
  return countersignReceipt(half, desk.buyer.state, plan.buyer.signer)
}

/**
 * A whole trade without narration: `released` (the buyer pays, the seller releases) or
 * `reclaimed` (the buyer never pays; after the payment deadline the seller takes the
 * coins back, and the buyer's bond).
 * @returns the receipt both parties signed
 */
export async function runTrade(
  market: Market,
  plan: TradePlan,
  ending: 'released' | 'reclaimed',
): Promise<Uint8Array> {
  const desk = await openDesk(market, plan)
  market.clock.advance(5 * MINUTE)
  await act(market, desk, 'buyer', 'accept')
  market.clock.advance(5 * MINUTE)
  await act(market, desk, 'seller', 'fund')
  if (ending === 'released') {
    market.clock.advance(30 * MINUTE)
    await act(market, desk, 'buyer', 'markPaid', { note: 'bank transfer sent' })
    market.clock.advance(20 * MINUTE)
    await act(market, desk, 'seller', 'release')
  } else {
    market.clock.advance(3 * HOUR)
    await act(market, desk, 'seller', 'reclaim')
  }
  await desk.seller.settle()
  const receipt = await signReceipt(desk, plan)
  market.clock.advance(10 * MINUTE)
  return receipt
}

/** What chapter 5 needs: the Alice–Bob receipt. */
export interface EscrowOutcome {
  readonly receipt: Uint8Array
}

export async function escrowChapter(
  report: Report,
  market: Market,
  offer: Offer,
): Promise<EscrowOutcome> {
  report.heading('Escrow: Bob takes the offer; the coins wait until Alice is paid')
  const { vault, clock } = market
  const totals = () => vault.totals().get(ASSET) ?? 0n
  const before = totals()
  const balances = (): string => {
    let escrowed = 0n
    for (const lock of vault.locks()) escrowed += vault.lockOf(lock)!.remaining
    const a = units(vault.balance(alice.key, ASSET))
    const b = units(vault.balance(bob.key, ASSET))
    return `Alice ${a} · Bob ${b} · escrow ${units(escrowed)}`
  }

  // the trade opens at the next quarter hour after the offer
  clock.now = Math.ceil((clock.now + MINUTE) / (15 * MINUTE)) * 15 * MINUTE
  const arbiter = everyone.find((p) => p.key === offer.arbiter)
  if (arbiter === undefined) throw new Error('the offer names an arbiter nobody knows')
  const plan: TradePlan = {
    seller: alice,
    buyer: bob,
    arbiter,
    amount: BigInt(offer.amount),
    price: BigInt(offer.price),
  }
  const desk = await openDesk(market, plan)
  const terms = desk.seller.trade
  const hhmm = (ms: number) => clockText(ms).slice(0, 5)
  const indent = ' '.repeat(7)
  report.fact(
    `${hhmm(clock.now)}  terms signed by both`,
    `trade ${short(desk.id)}: ${units(plan.amount)} sat for ${euros(plan.price)}`,
  )
  report.fact(
    `${indent}bonds; arbiter`,
    `seller ${units(plan.amount / 10n)} sat, buyer ${units(plan.amount / 20n)} sat; ${arbiter.name}`,
  )
  report.fact(
    `${indent}deadlines, signed`,
    `fund by ${hhmm(terms.deadlines.fundBy!)}, pay by ${hhmm(terms.deadlines.payBy!)}, dispute within a day`,
  )
  report.fact(`${indent}balances (sat)`, balances())

  const step = async (
    by: 'seller' | 'buyer',
    label: string,
    action: string,
    afterMs: number,
    body: { note: string } | null = null,
  ): Promise<void> => {
    clock.advance(afterMs)
    const state = await act(market, desk, by, action, body)
    report.fact(`${hhmm(clock.now)}  ${label}`, `${state.padEnd(9)} ${balances()}`)
  }
  await step('buyer', 'Bob accepts: his bond', 'accept', 3 * MINUTE)
  await step('seller', 'Alice funds: coins, bond', 'fund', 5 * MINUTE)
  await step('buyer', 'Bob marks paid (SEPA)', 'markPaid', 30 * MINUTE, {
    note: 'SEPA transfer, reference PK-7731',
  })
  // Bob's own session will not sign a release (NotMyRoleError); he seals one by hand
  const state = desk.seller.state
  const forged = await seal(bob.signer, {
    domain: STEP_DOMAIN,
    payload: {
      v: PAYLOAD_VERSION,
      trade: state.trade.id.bytes,
      seq: state.seq,
      prev: state.head,
      action: 'release',
      by: 'buyer',
      body: null,
    },
    timestamp: clock.now,
  })
  await report.refused('Bob signs a release himself', 'WrongRoleError', async () => {
    const result = await desk.seller.receiveStep(forged, clock.now)
    if (result.status === 'rejected') throw result.error
    return result
  })
  await step('seller', 'Alice is paid, releases', 'release', 20 * MINUTE)
  await desk.buyer.settle()
  await desk.seller.settle()
  report.fact(`${hhmm(clock.now)}  both settle`, `${''.padEnd(9)} ${balances()}`)
  report.check(
    'Bob has the coins',
    vault.balance(bob.key, ASSET) === OPENING + plan.amount &&
      vault.balance(alice.key, ASSET) === OPENING - plan.amount,
    `+${units(plan.amount)} sat; both bonds returned`,
  )
  report.check('no satoshi created or lost', totals() === before, `total ${units(totals())} sat`)
  report.check(
    'both replicas agree',
    equalBytes(desk.seller.state.head, desk.buyer.state.head) &&
      desk.seller.state.seq === desk.buyer.state.seq,
    `${desk.seller.state.seq} steps, same head`,
  )

  const receipt = await signReceipt(desk, plan)
  const opened = openReceipt(receipt, { now: clock.now })
  report.check(
    'receipt, signed by both',
    opened.outcome === 'released' &&
      opened.parties[0].equals(alice.signer.peerId) &&
      opened.parties[1].equals(bob.signer.peerId),
    `${short(envelopeId(receipt))}: '${opened.outcome}', Alice and Bob`,
  )
  clock.advance(10 * MINUTE)
  return { receipt }
}
