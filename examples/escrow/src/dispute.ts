/**
 * A dispute: Bob pays and says so, but Alice claims nothing arrived and opens a dispute.
 * Her app crashes right after she posts evidence; on restart it replays its log and
 * resends what Bob has not acknowledged. Carol, the arbiter, receives the terms and the
 * whole log, weighs the evidence and releases the coins to Bob; Alice's bond goes to him.
 * Run: `pnpm --filter @peerkit/example-escrow dispute`.
 */
import { pathToFileURL } from 'node:url'
import {
  acceptTerms,
  createLedgerVault,
  createMemoryStore,
  createSession,
  type EscrowState,
  isEscrowError,
  loadSession,
  proposeTerms,
  tradeEscrow,
  tradeEscrowTerms,
} from '@peerkit/escrow'
import { alice, bob, carol, HOUR, MINUTE, START } from './people'
import { deliver, type Log, units } from './wire'

export interface DisputeResult {
  readonly seller: EscrowState
  readonly buyer: EscrowState
  readonly arbiter: EscrowState
  readonly balances: { readonly alice: bigint; readonly bob: bigint }
  /** What happened when Bob tried to rule in his own favour. */
  readonly forgedRuling: string
}

/** Runs the walkthrough and returns the final states and balances. */
export async function main(log: Log = console.log): Promise<DisputeResult> {
  const A = alice.peerId.toString()
  const B = bob.peerId.toString()
  const vault = createLedgerVault({ balances: { [A]: { BTC: 1_000_000n }, [B]: { BTC: 50_000n } } })
  const offer = await proposeTerms(tradeEscrow, alice, {
    ...tradeEscrowTerms({
      seller: alice.peerId,
      buyer: bob.peerId,
      arbiter: carol.peerId,
      asset: 'BTC',
      amount: 100_000n,
      sellerBond: 10_000n,
      buyerBond: 5_000n,
      fundBy: START + HOUR,
      payBy: START + 3 * HOUR,
      disputeBy: START + 24 * HOUR,
      resolveBy: START + 72 * HOUR,
    }),
    timestamp: START,
  })
  const terms = await acceptTerms(offer, bob)
  const aliceStore = createMemoryStore()
  let seller = await createSession({
    definition: tradeEscrow,
    signer: alice,
    store: aliceStore,
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

  let now = START + 5 * MINUTE
  await buyer.act('accept', null, now)
  await deliver(buyer, seller, now)
  await seller.act('fund', null, now)
  await deliver(seller, buyer, now)
  now = START + 30 * MINUTE
  await buyer.act('markPaid', { note: 'SEPA transfer, reference PK-7731' }, now)
  await deliver(buyer, seller, now)
  log(`funded and marked paid: Alice sees '${seller.state.name}'`)

  // Alice sees no money and disputes, within the dispute window
  now = START + 5 * HOUR
  await seller.act('dispute', { note: 'no transfer has arrived' }, now)
  await deliver(seller, buyer, now)
  await buyer.act(
    'evidence',
    { note: 'bank statement attached', attachment: new Uint8Array([0x25, 0x50, 0x44, 0x46]) },
    now,
  )
  await deliver(buyer, seller, now)
  log(`+5 h    Alice disputes, Bob answers with evidence → '${buyer.state.name}'`)

  // Alice posts more evidence, and her app closes before the message goes out
  now = START + 6 * HOUR
  await seller.act('evidence', { note: 'statement shows no incoming transfer' }, now)
  await seller.close()
  seller = await loadSession({
    definition: tradeEscrow,
    signer: alice,
    store: aliceStore,
    vault,
    trade: seller.trade.idText,
  })
  const owed = seller.outbox().find((entry) => entry.role === 'buyer')?.steps.length ?? 0
  log(`+6 h    Alice's app restarts at step ${seller.state.seq}; ${owed} step(s) to resend to Bob`)
  await deliver(seller, buyer, now)

  // the dispute step named the arbiter: Carol gets the terms and the whole log
  const forCarol = seller.outbox().find((entry) => entry.role === 'arbiter')!
  const arbiter = await createSession({
    definition: tradeEscrow,
    signer: carol,
    store: createMemoryStore(),
    terms: forCarol.terms!,
    now,
  })
  await deliver(seller, arbiter, now)
  await deliver(buyer, arbiter, now)
  log(`        Carol joins with ${arbiter.state.seq} steps: '${arbiter.state.name}'`)

  // Bob cannot rule for himself: the kit will not even seal it, and a hand-made one is rejected
  let forgedRuling = 'accepted'
  try {
    await buyer.act('ruleRelease', null, now)
  } catch (error) {
    forgedRuling = isEscrowError(error) ? error.name : 'untyped error'
  }
  log(`        Bob tries to rule himself: ${forgedRuling}`)

  now = START + 30 * HOUR
  await arbiter.act(
    'ruleRelease',
    { note: 'the bank statement shows the transfer; release to the buyer' },
    now,
  )
  await deliver(arbiter, seller, now)
  await deliver(arbiter, buyer, now)
  log(`+30 h   Carol rules release → Alice '${seller.state.outcome}', Bob '${buyer.state.outcome}'`)

  await seller.settle()
  await buyer.settle()
  const balances = { alice: vault.balance(A, 'BTC'), bob: vault.balance(B, 'BTC') }
  log(
    `settled: Alice ${units(balances.alice)} sat, Bob ${units(balances.bob)} sat (Alice's bond forfeited to Bob)`,
  )
  return {
    seller: seller.state,
    buyer: buyer.state,
    arbiter: arbiter.state,
    balances,
    forgedRuling,
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href)
  await main()
