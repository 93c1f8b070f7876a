import { describe, expect, it } from 'vitest'
import {
  countersignReceipt,
  createLedgerVault,
  createMemoryStore,
  createSession,
  decodeAck,
  type EscrowSession,
  encodeAck,
  loadSession,
  makeReceipt,
  openReceipt,
  RECEIPT_DOMAIN,
  tradeEscrow,
} from '../src/index'
import {
  AMOUNT,
  arbiter,
  BUYER_BOND,
  buyer,
  deadlines,
  MINUTE,
  mallory,
  SELLER_BOND,
  seller,
  T0,
  tradeTerms,
} from './fixtures/parties'
import { snapshot } from './fixtures/run'

const t = (minutes: number) => T0 + minutes * MINUTE

async function pair(nonce = 0) {
  const terms = await tradeTerms(nonce)
  const s = seller.peerId.toString()
  const b = buyer.peerId.toString()
  const vault = createLedgerVault({ balances: { [s]: { BTC: 200_000n }, [b]: { BTC: 200_000n } } })
  const stores = { seller: createMemoryStore(), buyer: createMemoryStore() }
  const sellerSession = await createSession({
    definition: tradeEscrow,
    signer: seller,
    store: stores.seller,
    vault,
    terms,
    now: T0,
  })
  const buyerSession = await createSession({
    definition: tradeEscrow,
    signer: buyer,
    store: stores.buyer,
    vault,
    terms,
    now: T0,
  })
  return { terms, vault, stores, seller: sellerSession, buyer: buyerSession }
}

/** Delivers every outbox entry of `from` to `to` and the acks back; returns the steps delivered. */
async function flush(from: EscrowSession, to: EscrowSession, now: number): Promise<number> {
  let delivered = 0
  for (const entry of from.outbox()) {
    if (entry.role !== to.role) continue
    for (const bytes of entry.steps) {
      const r = await to.receiveStep(bytes, now)
      await from.receiveAck(r.ack, to.trade.roles[to.role]!)
      delivered++
    }
  }
  return delivered
}

describe('sessions: persistence, outbox and acks', () => {
  it('runs a full trade with a shared vault, outbox resend and acks', async () => {
    const p = await pair()
    await p.buyer.act('accept', null, t(1))
    expect(p.buyer.outbox()).toMatchObject([{ role: 'seller', steps: [p.buyer.steps[0]] }])
    expect(await flush(p.buyer, p.seller, t(1))).toBe(1)
    expect(p.buyer.outbox()).toEqual([])
    await p.seller.act('fund', null, t(2))
    // the seller's side is locked in the vault before the step exists
    expect(p.vault.balance(seller.peerId.toString(), 'BTC')).toBe(200_000n - AMOUNT - SELLER_BOND)
    expect(p.vault.balance(buyer.peerId.toString(), 'BTC')).toBe(200_000n - BUYER_BOND)
    await flush(p.seller, p.buyer, t(2))
    await p.buyer.act('markPaid', null, t(3))
    await flush(p.buyer, p.seller, t(3))
    await p.seller.act('release', null, t(4))
    await flush(p.seller, p.buyer, t(4))
    expect(snapshot(p.buyer.state)).toEqual(snapshot(p.seller.state))
    await p.buyer.settle()
    await p.seller.settle()
    expect(p.vault.balance(buyer.peerId.toString(), 'BTC')).toBe(200_000n + AMOUNT)
    expect(p.vault.balance(seller.peerId.toString(), 'BTC')).toBe(200_000n - AMOUNT)
  })

  it('a lock that fails publishes nothing', async () => {
    const terms = await tradeTerms(3)
    const vault = createLedgerVault({ balances: { [buyer.peerId.toString()]: { BTC: 1n } } })
    const me = await createSession({
      definition: tradeEscrow,
      signer: buyer,
      store: createMemoryStore(),
      vault,
      terms,
      now: T0,
    })
    await expect(me.act('accept', null, t(1))).rejects.toMatchObject({
      name: 'InsufficientFundsError',
    })
    expect(me.state.seq).toBe(0)
    expect(me.outbox()).toEqual([])
  })

  it('resends unacknowledged steps after a restart, and not acknowledged ones', async () => {
    const p = await pair(1)
    await p.buyer.act('accept', null, t(1))
    await flush(p.buyer, p.seller, t(1))
    await p.seller.act('fund', null, t(2))
    // the message is lost and the seller's app closes right after the click
    await p.seller.close()
    const restarted = await loadSession({
      definition: tradeEscrow,
      signer: seller,
      store: p.stores.seller,
      vault: p.vault,
      trade: p.seller.trade.idText,
    })
    expect(snapshot(restarted.state)).toEqual(snapshot(p.seller.state))
    const out = restarted.outbox()
    expect(out).toHaveLength(1)
    expect(out[0]!.steps).toEqual([p.seller.steps[1]])
    await flush(restarted, p.buyer, t(3))
    expect(p.buyer.state.name).toBe('funded')
    // acks are persisted: after another restart nothing is resent
    await restarted.close()
    const again = await loadSession({
      definition: tradeEscrow,
      signer: seller,
      store: p.stores.seller,
      trade: p.seller.trade.idText,
    })
    expect(again.outbox()).toEqual([])
    await again.close()
    // createSession on an existing log resumes it
    const resumed = await createSession({
      definition: tradeEscrow,
      signer: seller,
      store: p.stores.seller,
      terms: p.terms,
      now: t(5),
    })
    expect(resumed.state.seq).toBe(2)
  })

  it('buffers steps that arrive early and applies them once the gap is filled', async () => {
    const p = await pair(2)
    const b2 = await createSession({
      definition: tradeEscrow,
      signer: buyer,
      store: createMemoryStore(),
      terms: p.terms,
      now: T0,
    })
    await p.buyer.act('accept', null, t(1))
    await flush(p.buyer, p.seller, t(1))
    await p.seller.act('fund', null, t(2))
    const [accept, fund] = p.seller.steps
    const early = await b2.receiveStep(fund!, t(2))
    expect(early.status).toBe('buffered')
    expect(decodeAck(early.ack).count).toBe(0)
    const late = await b2.receiveStep(accept!, t(2))
    expect(late.status).toBe('applied')
    expect(b2.state.name).toBe('funded')
    expect(decodeAck(late.ack).count).toBe(2)
    expect((await b2.receiveStep(fund!, t(2))).status).toBe('duplicate')
    const forged = fund!.slice()
    forged[forged.length - 50]! ^= 1
    expect(await b2.receiveStep(forged, t(2))).toMatchObject({
      status: 'rejected',
      error: { name: 'ForgedStepError' },
    })
  })

  it('joint steps: propose and cosign', async () => {
    const p = await pair(4)
    const proposal = await p.seller.propose('cancel', null, t(1))
    await expect(p.seller.act('cancel', null, t(1))).rejects.toMatchObject({
      name: 'InvalidArgumentError',
    })
    await p.buyer.cosign(proposal, t(1))
    expect(p.buyer.state.outcome).toBe('cancelled')
    await flush(p.buyer, p.seller, t(2))
    expect(p.seller.state.outcome).toBe('cancelled')
  })

  it('the arbiter joins on a dispute with the terms and the whole log', async () => {
    const p = await pair(5)
    await p.buyer.act('accept', null, t(1))
    await flush(p.buyer, p.seller, t(1))
    await p.seller.act('fund', null, t(2))
    await flush(p.seller, p.buyer, t(2))
    await p.buyer.act('dispute', { note: 'no release' }, t(3))
    const toArbiter = p.buyer.outbox().find((e) => e.role === 'arbiter')!
    expect(toArbiter.terms).toBeDefined()
    expect(toArbiter.steps).toHaveLength(3)
    const judge = await createSession({
      definition: tradeEscrow,
      signer: arbiter,
      store: createMemoryStore(),
      terms: toArbiter.terms!,
      now: t(3),
    })
    await flush(p.buyer, judge, t(3))
    expect(judge.state.name).toBe('disputed')
    await judge.act('ruleSplit', { buyer: 50_000n, seller: 50_000n }, t(4))
    expect(
      judge
        .outbox()
        .map((e) => e.role)
        .sort(),
    ).toEqual(['buyer', 'seller'])
    await flush(judge, p.buyer, t(4))
    await flush(p.buyer, p.seller, t(4))
    await flush(judge, p.seller, t(4))
    expect(p.seller.state.outcome).toBe('split')
    expect(p.buyer.state.outcome).toBe('split')
  })

  it('a fork stops the resend: the other side is marked diverged', async () => {
    const p = await pair(10)
    await p.buyer.act('accept', null, t(1))
    await flush(p.buyer, p.seller, t(1))
    await p.seller.act('fund', null, t(2))
    await flush(p.seller, p.buyer, t(2))
    // both act on the same head at once
    await p.buyer.act('markPaid', null, t(3))
    await p.seller.act('dispute', { note: 'changed my mind' }, t(3))
    const r = await p.seller.receiveStep(p.buyer.steps[2]!, t(3))
    expect(r.error?.name).toBe('ForkError')
    await p.buyer.receiveAck(r.ack, seller.peerId)
    expect(p.buyer.diverged).toEqual(['seller'])
    expect(p.buyer.outbox()).toEqual([])
    const back = await p.buyer.receiveStep(p.seller.steps[2]!, t(3))
    expect(back.error?.name).toBe('ForkError')
    await p.seller.receiveAck(back.ack, buyer.peerId)
    expect(p.seller.diverged).toEqual(['buyer'])
    // and it survives a restart
    await p.buyer.close()
    const again = await loadSession({
      definition: tradeEscrow,
      signer: buyer,
      store: p.stores.buyer,
      trade: p.buyer.trade.idText,
    })
    expect(again.diverged).toEqual(['seller'])
  })

  it('a step refused for good (too late) stops the resend too', async () => {
    const p = await pair(11)
    await p.buyer.act('accept', null, t(1))
    await flush(p.buyer, p.seller, t(1))
    await p.seller.act('fund', null, t(2))
    await flush(p.seller, p.buyer, t(2))
    // a seller replica with a hard cut-off (maxDelayMs: 0) gets the buyer's in-time step late
    const strict = await createSession({
      definition: tradeEscrow,
      signer: seller,
      store: createMemoryStore(),
      terms: p.terms,
      now: T0,
      maxDelayMs: 0,
    })
    for (const step of p.seller.steps) await strict.receiveStep(step, t(2))
    await p.buyer.act('markPaid', null, deadlines.payBy - 1)
    const r = await strict.receiveStep(p.buyer.steps[2]!, deadlines.payBy + 1)
    expect(r).toMatchObject({ status: 'rejected', error: { name: 'TooLateError' } })
    await p.buyer.receiveAck(r.ack, seller.peerId)
    expect(p.buyer.diverged).toEqual(['seller'])
  })

  it('acks from strangers or for other trades are refused', async () => {
    const p = await pair(6)
    await p.buyer.act('accept', null, t(1))
    await expect(
      p.buyer.receiveAck(encodeAck(p.buyer.trade.id.bytes, 1, p.buyer.state.head), mallory.peerId),
    ).rejects.toMatchObject({ name: 'InvalidAckError' })
    await expect(
      p.buyer.receiveAck(encodeAck(new Uint8Array(36), 1, p.buyer.state.head), seller.peerId),
    ).rejects.toMatchObject({ name: 'InvalidAckError' })
    await expect(p.buyer.receiveAck(new Uint8Array([1, 2]), seller.peerId)).rejects.toMatchObject({
      name: 'InvalidAckError',
    })
    expect(p.buyer.outbox()).toHaveLength(1)
  })

  it('a session refuses a signer without a role, and a damaged log', async () => {
    const terms = await tradeTerms(7)
    await expect(
      createSession({
        definition: tradeEscrow,
        signer: mallory,
        store: createMemoryStore(),
        terms,
        now: T0,
      }),
    ).rejects.toMatchObject({
      name: 'NotMyRoleError',
    })
    const store = createMemoryStore()
    await expect(
      loadSession({ definition: tradeEscrow, signer: buyer, store, trade: 'missing' }),
    ).rejects.toMatchObject({ name: 'CorruptLogError' })
    const me = await createSession({
      definition: tradeEscrow,
      signer: buyer,
      store,
      terms,
      now: T0,
    })
    await me.close()
    const log = await store.open(me.trade.idText)
    await log.append([new Uint8Array([0xff])])
    await log.close()
    await expect(
      loadSession({ definition: tradeEscrow, signer: buyer, store, trade: me.trade.idText }),
    ).rejects.toMatchObject({ name: 'CorruptLogError' })
  })
})

describe('receipts', () => {
  it('both parties sign the same receipt of a terminal trade', async () => {
    const p = await pair(8)
    await expect(makeReceipt(p.seller.state, seller)).rejects.toMatchObject({
      name: 'NotTerminalError',
    })
    await p.buyer.act('accept', null, t(1))
    await flush(p.buyer, p.seller, t(1))
    await p.seller.act('fund', null, t(2))
    await flush(p.seller, p.buyer, t(2))
    await p.seller.act('release', null, t(3))
    await flush(p.seller, p.buyer, t(3))
    const half = await makeReceipt(p.seller.state, seller)
    expect(() => openReceipt(half, { now: t(3) })).toThrow(
      expect.objectContaining({ name: 'InvalidTermsError' }),
    )
    const receipt = await countersignReceipt(half, p.buyer.state, buyer)
    const opened = openReceipt(receipt, { now: t(3) })
    expect(opened.outcome).toBe('released')
    expect(opened.at).toBe(t(3))
    expect(opened.parties[0].equals(seller.peerId) && opened.parties[1].equals(buyer.peerId)).toBe(
      true,
    )
    expect(opened.trade).toEqual(p.seller.trade.id.bytes)
    expect(RECEIPT_DOMAIN).toBe('peerkit/escrow/receipt/1')
    await expect(makeReceipt(p.seller.state, mallory)).rejects.toMatchObject({
      name: 'NotMyRoleError',
    })
    // a receipt that does not match the buyer's own state is not countersigned
    const other = await pair(9)
    await other.buyer.act('accept', null, t(1))
    await flush(other.buyer, other.seller, t(1))
    await other.seller.act('fund', null, t(2))
    await other.seller.act('reclaim', null, deadlines.payBy)
    await expect(
      countersignReceipt(await makeReceipt(other.seller.state, seller), p.buyer.state, buyer),
    ).rejects.toMatchObject({
      name: 'InvalidTermsError',
    })
  })
})
