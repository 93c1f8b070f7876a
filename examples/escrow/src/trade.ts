/**
 * A full trade: Alice sells 0.001 BTC to Bob for 50 EUR paid by bank transfer, with
 * Carol named as arbiter. Both post bonds; Alice's coins wait in escrow until she sees
 * the money and releases them. Run: `pnpm --filter @peerkit/example-escrow trade`.
 */
import { pathToFileURL } from 'node:url'
import {
  acceptTerms,
  countersignReceipt,
  createLedgerVault,
  createMemoryStore,
  createSession,
  type EscrowState,
  makeReceipt,
  openReceipt,
  proposeTerms,
  type Receipt,
  tradeEscrow,
  tradeEscrowTerms,
} from '@peerkit/escrow'
import { alice, bob, carol, HOUR, MINUTE, START, short } from './people'
import { deliver, type Log, units } from './wire'

export interface TradeResult {
  readonly seller: EscrowState
  readonly buyer: EscrowState
  readonly receipt: Receipt
  readonly balances: { readonly alice: bigint; readonly bob: bigint }
}

/** Runs the walkthrough and returns the final states, the receipt and the balances. */
export async function main(log: Log = console.log): Promise<TradeResult> {
  const A = alice.peerId.toString()
  const B = bob.peerId.toString()
  // custody: an in-memory ledger standing in for a chain or a payment provider
  const vault = createLedgerVault({ balances: { [A]: { BTC: 1_000_000n }, [B]: { BTC: 50_000n } } })
  log(
    `Alice ${short(alice.peerId)} sells 100_000 sat to Bob ${short(bob.peerId)}; Carol ${short(carol.peerId)} arbitrates`,
  )

  // 1. terms: Alice proposes, Bob countersigns. Deadlines are absolute times, signed by both.
  const offer = await proposeTerms(tradeEscrow, alice, {
    ...tradeEscrowTerms({
      seller: alice.peerId,
      buyer: bob.peerId,
      arbiter: carol.peerId,
      asset: 'BTC',
      amount: 100_000n,
      sellerBond: 10_000n,
      buyerBond: 5_000n,
      price: { currency: 'EUR', amount: 5_000n },
      fundBy: START + HOUR,
      payBy: START + 3 * HOUR,
      disputeBy: START + 24 * HOUR,
      resolveBy: START + 72 * HOUR,
    }),
    timestamp: START,
  })
  const terms = await acceptTerms(offer, bob)
  const seller = await createSession({
    definition: tradeEscrow,
    signer: alice,
    store: createMemoryStore(),
    vault,
    terms,
    now: START,
  })
  const buyer = await createSession({
    definition: tradeEscrow,
    signer: bob,
    store: createMemoryStore(),
    vault,
    terms,
    now: START,
  })
  log(`terms signed by both: trade ${seller.trade.idText.slice(0, 16)}…`)

  // 2. Bob accepts (his bond is locked), Alice funds (the coins and her bond are locked)
  let now = START + 5 * MINUTE
  await buyer.act('accept', null, now)
  await deliver(buyer, seller, now)
  log(
    `+5 min  Bob accepts        → ${seller.state.name}; Bob's bond of ${units(5_000n)} sat locked`,
  )
  now = START + 10 * MINUTE
  await seller.act('fund', null, now)
  await deliver(seller, buyer, now)
  log(
    `+10 min Alice funds        → ${buyer.state.name}; ${units(100_000n)} sat and her bond in escrow`,
  )

  // 3. Bob pays outside the escrow and says so; Alice checks her bank and releases
  now = START + 40 * MINUTE
  await buyer.act('markPaid', { note: 'SEPA transfer, reference PK-7731' }, now)
  await deliver(buyer, seller, now)
  log(`+40 min Bob marks paid     → ${seller.state.name}`)
  now = START + 65 * MINUTE
  await seller.act('release', null, now)
  await deliver(seller, buyer, now)
  log(`+65 min Alice releases     → ${buyer.state.name}`)

  // 4. custody follows the log: either party can settle, and settling twice is harmless
  await buyer.settle()
  await seller.settle()
  const balances = { alice: vault.balance(A, 'BTC'), bob: vault.balance(B, 'BTC') }
  log(
    `settled: Alice ${units(balances.alice)} sat, Bob ${units(balances.bob)} sat (bonds returned)`,
  )

  // 5. a receipt both sign: what a reputation system counts
  const receipt = openReceipt(
    await countersignReceipt(await makeReceipt(seller.state, alice), buyer.state, bob),
    { now },
  )
  log(`receipt: outcome '${receipt.outcome}', signed by both parties`)
  return { seller: seller.state, buyer: buyer.state, receipt, balances }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href)
  await main()
