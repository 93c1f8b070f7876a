import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  acceptTerms,
  createLedgerVault,
  createSession,
  type EscrowSession,
  loadSession,
  proposeTerms,
  tradeEscrow,
  tradeEscrowTerms,
} from '@peerkit/escrow'
import { createFileStore } from '@peerkit/escrow/node'
import { generateKeyPair, type PeerId, signerFromKeyPair } from '@peerkit/identity'

// Alice sells 100,000 units of BTC to Bob; Carol would arbitrate a dispute
const [alice, bob, carol] = [1, 2, 3].map(() => signerFromKeyPair(generateKeyPair()))
const HOUR = 3_600_000
let now = Date.now()

// custody: a ledger standing in for a chain or a payment provider
const vault = createLedgerVault({
  balances: {
    [alice!.peerId.toString()]: { BTC: 1_000_000n },
    [bob!.peerId.toString()]: { BTC: 50_000n },
  },
})

// terms: Alice proposes, Bob countersigns; the deadlines are absolute times both signed
const offer = await proposeTerms(tradeEscrow, alice!, {
  ...tradeEscrowTerms({
    seller: alice!.peerId,
    buyer: bob!.peerId,
    arbiter: carol!.peerId,
    asset: 'BTC',
    amount: 100_000n,
    sellerBond: 10_000n,
    buyerBond: 5_000n,
    price: { currency: 'EUR', amount: 5_000n },
    fundBy: now + HOUR,
    payBy: now + 3 * HOUR,
    disputeBy: now + 24 * HOUR,
    resolveBy: now + 72 * HOUR,
  }),
  timestamp: now,
})
const terms = await acceptTerms(offer, bob!)

// each party keeps its replica of the trade in a store of its own: here, files on disk
const dir = await mkdtemp(join(tmpdir(), 'my-app-escrow-'))
const sellerStore = await createFileStore(join(dir, 'alice'))
const buyerStore = await createFileStore(join(dir, 'bob'))
const common = { definition: tradeEscrow, vault, terms, now }
const seller = await createSession({ ...common, signer: alice!, store: sellerStore })
let buyer = await createSession({ ...common, signer: bob!, store: buyerStore })

// the network: hand over every step one side owes the other, and its ack back
// (over a node, send them on a direct protocol: node.protocol('/my-app/escrow/1', …))
async function deliver(from: EscrowSession, to: EscrowSession, toPeer: PeerId) {
  for (const entry of from.outbox()) {
    if (entry.role !== to.role) continue
    for (const step of entry.steps) {
      const { ack } = await to.receiveStep(step, now) // durable before it is acknowledged
      await from.receiveAck(ack, toPeer)
    }
  }
}

now += 60_000
await buyer.act('accept', null, now) // locks Bob's bond
await deliver(buyer, seller, alice!.peerId)
now += 60_000
await seller.act('fund', null, now) // locks the coins and Alice's bond
await deliver(seller, buyer, bob!.peerId)

// Bob's app restarts: his session loads back from its log, where it was
await buyer.close()
buyer = await loadSession({
  definition: tradeEscrow,
  signer: bob!,
  store: buyerStore,
  vault,
  trade: seller.trade.idText,
})
console.log('bob after a restart:', buyer.state.name)

now += 60_000
await buyer.act('markPaid', { note: 'bank transfer ref 7731' }, now)
await deliver(buyer, seller, alice!.peerId)
now += 60_000
await seller.act('release', null, now) // Alice saw the money arrive
await deliver(seller, buyer, bob!.peerId)
console.log('trade:', seller.state.name, buyer.state.name)

// custody follows the log
await seller.settle()
await buyer.settle()
console.log('bob holds', vault.balance(bob!.peerId.toString(), 'BTC'), 'BTC units')
await seller.close()
await buyer.close()
