/**
 * An escrow trade in the browser on IndexedDB: buyer and seller each keep their session in
 * a database of their own, trade from accepted terms to `released`, and after the page's
 * stores are closed (as a reload would) the buyer's session loads back to the same state,
 * head and outbox, through a compaction too.
 */
import {
  acceptTerms,
  createSession,
  type EscrowSession,
  loadSession,
  proposeTerms,
  tradeEscrow,
  tradeEscrowTerms,
} from '@peerkit/escrow'
import { keyPairFromSeed, signerFromKeyPair } from '@peerkit/identity'
import { deleteIndexedDbStore, openIndexedDbStore } from '@peerkit/storage-indexeddb'
import { afterAll, describe, expect, it } from 'vitest'

const party = (n: number) => signerFromKeyPair(keyPairFromSeed(new Uint8Array(32).fill(n)))
const seller = party(1)
const buyer = party(2)
const arbiter = party(3)
const T0 = 1_800_000_000_000
const MINUTE = 60_000
const HOUR = 60 * MINUTE
const databases = [`escrow-buyer-${Date.now()}`, `escrow-seller-${Date.now()}`] as const

afterAll(async () => {
  for (const name of databases) await deleteIndexedDbStore(name)
})

async function terms(): Promise<Uint8Array> {
  const offer = await proposeTerms(tradeEscrow, seller, {
    ...tradeEscrowTerms({
      seller: seller.peerId,
      buyer: buyer.peerId,
      arbiter: arbiter.peerId,
      asset: 'BTC',
      amount: 100_000n,
      sellerBond: 10_000n,
      buyerBond: 5_000n,
      fundBy: T0 + HOUR,
      payBy: T0 + 2 * HOUR,
      disputeBy: T0 + 3 * HOUR,
      resolveBy: T0 + 4 * HOUR,
      price: { currency: 'EUR', amount: 50_000n },
      nonce: new Uint8Array([1]),
    }),
    timestamp: T0,
  })
  return acceptTerms(offer, buyer)
}

/** Hands `from`'s step `index` to `to` (held by `toSigner`) and its acknowledgement back. */
async function deliver(
  from: EscrowSession,
  to: EscrowSession,
  toSigner: typeof buyer,
  index: number,
  now: number,
) {
  const received = await to.receiveStep(from.steps[index]!, now)
  await from.receiveAck(received.ack, toSigner.peerId)
}

describe('escrow in Chromium on IndexedDB', () => {
  it('completes a trade to released, and the buyer reloads it from IndexedDB', async () => {
    const signed = await terms()
    const buyerStore = await openIndexedDbStore(databases[0])
    const sellerStore = await openIndexedDbStore(databases[1])
    const common = { definition: tradeEscrow, terms: signed, now: T0 }
    const me = await createSession({ ...common, signer: buyer, store: buyerStore })
    const other = await createSession({ ...common, signer: seller, store: sellerStore })

    await me.act('accept', null, T0 + MINUTE)
    await deliver(me, other, seller, 0, T0 + MINUTE)
    await other.act('fund', null, T0 + 2 * MINUTE)
    await deliver(other, me, buyer, 1, T0 + 2 * MINUTE)
    await me.act('markPaid', null, T0 + 3 * MINUTE)
    await deliver(me, other, seller, 2, T0 + 3 * MINUTE)
    await other.act('release', null, T0 + 4 * MINUTE)
    await deliver(other, me, buyer, 3, T0 + 4 * MINUTE)
    expect(me.state.name).toBe('released')
    expect(other.state.name).toBe('released')
    expect(me.state.head).toEqual(other.state.head)
    const before = { head: me.state.head, outbox: me.outbox(), steps: me.steps.length }

    // a reload: every store of the page closed, then opened again
    await me.close()
    await other.close()
    await buyerStore.close()
    await sellerStore.close()
    const reopened = await openIndexedDbStore(databases[0])
    const trade = me.trade.idText
    const again = await loadSession({
      definition: tradeEscrow,
      signer: buyer,
      store: reopened,
      trade,
    })
    expect(again.state.name).toBe('released')
    expect(again.state.head).toEqual(before.head)
    expect(again.outbox()).toEqual(before.outbox)
    expect(again.steps).toHaveLength(before.steps)
    // one session per trade log, in this tab as across tabs
    await expect(
      loadSession({ definition: tradeEscrow, signer: buyer, store: reopened, trade }),
    ).rejects.toMatchObject({ name: 'LogLockedError' })
    await again.compact()
    await again.close()
    const compacted = await loadSession({
      definition: tradeEscrow,
      signer: buyer,
      store: reopened,
      trade,
    })
    expect(compacted.state.name).toBe('released')
    expect(compacted.state.head).toEqual(before.head)
    await compacted.close()
    await reopened.close()
  })
})
