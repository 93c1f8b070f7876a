/**
 * An arbiter (or any party) that signs two incompatible steps of one trade: found by the
 * session that holds one and receives the other, and shown to others as a proof that
 * `verifyEquivocation` checks. Forged, unrelated and compatible pairs are refused with
 * typed errors.
 */
import { seal } from '@peerkit/envelope'
import { describe, expect, it } from 'vitest'
import {
  apply,
  createMemoryStore,
  createSession,
  type EquivocationProof,
  type EscrowState,
  findEquivocation,
  makeStep,
  openTrade,
  STEP_DOMAIN,
  startTrade,
  tradeEscrow,
  verifyEquivocation,
} from '../src/index'
import { arbiter, buyer, MINUTE, mallory, seller, T0, tradeTerms } from './fixtures/parties'

const t = (minutes: number) => T0 + minutes * MINUTE

/** A disputed trade, with every step it took. */
async function disputed(nonce = 0) {
  const terms = await tradeTerms(nonce)
  let s: EscrowState = startTrade(tradeEscrow, openTrade(tradeEscrow, terms, { now: T0 }))
  const steps: Uint8Array[] = []
  const take = async (who: typeof seller, action: string, at: number, body: unknown = null) => {
    const bytes = await makeStep(s, who, action, body as never, at)
    const r = apply(s, bytes, at)
    if (!r.ok) throw r.error
    s = r.state
    steps.push(bytes)
  }
  await take(buyer, 'accept', t(1))
  await take(seller, 'fund', t(2))
  await take(buyer, 'dispute', t(3), { note: 'not paid out' })
  return { terms, steps, state: () => s, take }
}

async function rejectsName(fn: () => unknown, name: string): Promise<void> {
  try {
    await fn()
  } catch (error) {
    expect((error as Error).name).toBe(name)
    return
  }
  throw new Error(`expected ${name}`)
}

describe('equivocation', () => {
  it('two rulings at one position are a proof anyone can check', async () => {
    const d = await disputed()
    const s = d.state()
    const release = await makeStep(s, arbiter, 'ruleRelease', null, t(10))
    const refund = await makeStep(s, arbiter, 'ruleRefund', null, t(10))
    const found = verifyEquivocation(tradeEscrow, {
      terms: d.terms,
      first: release,
      second: refund,
    })
    expect(found.kind).toBe('same-position')
    expect(found.role).toBe('arbiter')
    expect(found.peer.toString()).toBe(arbiter.peerId.toString())
    expect(found.steps.map((x) => [x.seq, x.action])).toEqual([
      [3, 'ruleRelease'],
      [3, 'ruleRefund'],
    ])
  })

  it('two rulings on two forks at different positions are two endings', async () => {
    const a = await disputed()
    await a.take(seller, 'evidence', t(4), { note: 'seller: never paid' })
    const rulingA = await makeStep(a.state(), arbiter, 'ruleRelease', null, t(10))
    // the other fork: two statements by the buyer, then a ruling the other way
    const b = await disputed()
    await b.take(buyer, 'evidence', t(4), { note: 'buyer: paid' })
    await b.take(buyer, 'evidence', t(5), { note: 'buyer: receipt attached' })
    const rulingB = await makeStep(b.state(), arbiter, 'ruleRefund', null, t(10))
    const found = verifyEquivocation(tradeEscrow, {
      terms: a.terms,
      first: rulingA,
      second: rulingB,
    })
    expect(found.kind).toBe('two-endings')
    expect(found.steps.map((x) => x.seq)).toEqual([4, 5])
  })

  it('refuses forged, unrelated and compatible pairs with typed errors', async () => {
    const d = await disputed()
    const s = d.state()
    const release = await makeStep(s, arbiter, 'ruleRelease', null, t(10))
    const refund = await makeStep(s, arbiter, 'ruleRefund', null, t(10))
    const proof = (first: Uint8Array, second: Uint8Array, terms = d.terms): EquivocationProof => ({
      terms,
      first,
      second,
    })
    // a flipped bit in a signature
    const forged = refund.slice()
    forged[forged.length - 40]! ^= 1
    await rejectsName(
      () => verifyEquivocation(tradeEscrow, proof(release, forged)),
      'ForgedStepError',
    )
    // a ruling of another trade by the same arbiter
    const other = await disputed(9)
    const elsewhere = await makeStep(other.state(), arbiter, 'ruleRefund', null, t(10))
    await rejectsName(
      () => verifyEquivocation(tradeEscrow, proof(release, elsewhere)),
      'ReplayedStepError',
    )
    // both steps shown against the terms of another trade
    await rejectsName(
      () => verifyEquivocation(tradeEscrow, proof(release, refund, other.terms)),
      'ReplayedStepError',
    )
    // a stranger's signature claiming the arbiter's role
    const byMallory = await seal(mallory, {
      domain: STEP_DOMAIN,
      timestamp: t(10),
      payload: {
        v: 1,
        trade: s.trade.id.bytes,
        seq: s.seq,
        prev: s.head,
        action: 'ruleRefund',
        by: 'arbiter',
        body: null,
      },
    })
    await rejectsName(
      () => verifyEquivocation(tradeEscrow, proof(release, byMallory)),
      'WrongSignerError',
    )
    // the same step twice
    await rejectsName(
      () => verifyEquivocation(tradeEscrow, proof(release, release)),
      'NotEquivocationError',
    )
    // a fork by two different parties is no one's equivocation
    const bySeller = await makeStep(s, seller, 'evidence', { note: 'a' }, t(5))
    const byBuyer = await makeStep(s, buyer, 'evidence', { note: 'b' }, t(5))
    await rejectsName(
      () => verifyEquivocation(tradeEscrow, proof(bySeller, byBuyer)),
      'NotEquivocationError',
    )
    // two steps of one log by the arbiter: a statement, then a ruling after it
    await d.take(arbiter, 'evidence', t(6), { note: 'arbiter: asking for the receipt' })
    const ruling = await makeStep(d.state(), arbiter, 'ruleRelease', null, t(10))
    await rejectsName(
      () => verifyEquivocation(tradeEscrow, proof(d.steps.at(-1)!, ruling)),
      'NotEquivocationError',
    )
    // garbage
    await rejectsName(
      () => verifyEquivocation(tradeEscrow, proof(release, new Uint8Array(100))),
      'MalformedStepError',
    )
    await rejectsName(
      () => verifyEquivocation(tradeEscrow, proof(release, refund, new Uint8Array(50))),
      'InvalidTermsError',
    )
    await rejectsName(() => verifyEquivocation(tradeEscrow, null as never), 'InvalidArgumentError')
    expect(findEquivocation(tradeEscrow, s.trade, d.steps, new Uint8Array(10))).toBeUndefined()
  })

  it('a session that holds one ruling and receives the other keeps the proof and reports it', async () => {
    const d = await disputed()
    const s = d.state()
    const release = await makeStep(s, arbiter, 'ruleRelease', null, t(10))
    const refund = await makeStep(s, arbiter, 'ruleRefund', null, t(10))
    const reported: EquivocationProof[] = []
    const session = await createSession({
      definition: tradeEscrow,
      signer: buyer,
      store: createMemoryStore(),
      terms: d.terms,
      now: T0,
      onEquivocation: (p) => reported.push(p),
    })
    for (const bytes of d.steps)
      expect((await session.receiveStep(bytes, t(9))).status).toBe('applied')
    expect((await session.receiveStep(release, t(10))).status).toBe('applied')
    const r = await session.receiveStep(refund, t(10))
    expect([r.status, r.error?.name]).toEqual(['rejected', 'ForkError'])
    // the same step again finds nothing new
    await session.receiveStep(refund, t(11))
    expect(reported.length).toBe(1)
    expect(session.equivocations).toEqual(reported)
    const found = verifyEquivocation(tradeEscrow, reported[0]!)
    expect([found.kind, found.role]).toEqual(['same-position', 'arbiter'])
    // a fork by the other party is refused but is nobody's equivocation
    const late = await makeStep(s, seller, 'evidence', { note: 'late' }, t(10))
    expect((await session.receiveStep(late, t(10))).error?.name).toBe('ForkError')
    expect(session.equivocations.length).toBe(1)
    await session.close()
  })

  it('a second ending on another fork is found against the log’s last step', async () => {
    const a = await disputed()
    await a.take(arbiter, 'ruleRelease', t(10))
    const b = await disputed()
    await b.take(seller, 'evidence', t(4), { note: 'other fork' })
    const rulingB = await makeStep(b.state(), arbiter, 'ruleRefund', null, t(10))
    const session = await createSession({
      definition: tradeEscrow,
      signer: seller,
      store: createMemoryStore(),
      terms: a.terms,
      now: T0,
    })
    for (const bytes of a.steps) await session.receiveStep(bytes, t(10))
    expect(session.state.outcome).toBe('released')
    const r = await session.receiveStep(rulingB, t(11))
    expect(r.status).toBe('rejected')
    expect(session.equivocations.length).toBe(1)
    expect(verifyEquivocation(tradeEscrow, session.equivocations[0]!).kind).toBe('two-endings')
    await session.close()
  })
})
