import { toHex } from '@peerkit/codec'
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  createLocalTrust,
  createRatingLedger,
  isReputationError,
  type RatingLedger,
  sealRating,
} from '../src/index'
import { party, rawRating, receiptOf, tradeId } from './fixtures/trade'

const alice = party(1)
const bob = party(2)
const carol = party(3)
const T0 = 1_800_000_000_000
const NOW = T0 + 60_000

async function thrownName(fn: () => unknown): Promise<string | undefined> {
  try {
    await fn()
  } catch (error) {
    return isReputationError(error) ? error.name : `foreign:${String(error)}`
  }
  return undefined
}

/** Expects `accept` to refuse with `name` and the ledger to be unchanged. */
async function refused(ledger: RatingLedger, bytes: Uint8Array, name: string): Promise<void> {
  const before = ledger.ratings()
  expect(await thrownName(() => ledger.accept(bytes, NOW))).toBe(name)
  expect(ledger.ratings()).toEqual(before)
}

let receipt: Uint8Array
let trade: Uint8Array

beforeAll(async () => {
  trade = tradeId(1)
  receipt = await receiptOf(alice, bob, { trade, at: T0 })
})

describe('sealRating and the ledger: the happy path', () => {
  it('accepts one rating by each party of a trade, and feeds local trust', async () => {
    const ledger = createRatingLedger()
    const byAlice = await sealRating(alice, {
      receipt,
      score: 1,
      timestamp: T0 + 1_000,
      comment: 'smooth',
    })
    const byBob = await sealRating(bob, { receipt, score: -1, timestamp: T0 + 2_000 })
    const a = ledger.accept(byAlice, NOW)
    expect(a).toMatchObject({
      rater: alice.peerId.toString(),
      ratee: bob.peerId.toString(),
      trade: toHex(trade),
      score: 1,
      comment: 'smooth',
      timestamp: T0 + 1_000,
      outcome: 'released',
      tradeAt: T0,
    })
    const b = ledger.accept(byBob, NOW)
    expect(b.ratee).toBe(alice.peerId.toString())
    expect(b.comment).toBeUndefined()
    expect(ledger.size).toBe(2)
    expect(ledger.has(toHex(trade), alice.peerId.toString())).toBe(true)
    const local = createLocalTrust()
    for (const r of ledger.ratings()) local.addRating(r)
    expect(local.evidence(a.rater, a.ratee)).toBe(1)
    expect(local.evidence(b.rater, b.ratee)).toBe(-1)
  })

  it('accepts a receipt in either role order, and with an extra countersigner', async () => {
    const ledger = createRatingLedger()
    const reversed = await receiptOf(bob, alice, { trade: tradeId(2), at: T0 })
    expect(
      ledger.accept(await sealRating(alice, { receipt: reversed, score: 1, timestamp: T0 }), NOW)
        .ratee,
    ).toBe(bob.peerId.toString())
    const witnessed = await receiptOf(alice, bob, { trade: tradeId(3), at: T0 })
    const { countersign } = await import('@peerkit/envelope')
    const triple = await countersign(witnessed, carol)
    expect(
      ledger.accept(await sealRating(bob, { receipt: triple, score: 0, timestamp: T0 }), NOW).score,
    ).toBe(0)
  })
})

describe('the ledger refuses what no real trade backs', () => {
  it('refuses a replayed rating and a second rating of the same trade by the same rater', async () => {
    const ledger = createRatingLedger()
    const first = await sealRating(alice, { receipt, score: 1, timestamp: T0 })
    ledger.accept(first, NOW)
    await refused(ledger, first, 'DuplicateRatingError')
    const second = await sealRating(alice, { receipt, score: -1, timestamp: T0 + 5 })
    await refused(ledger, second, 'DuplicateRatingError')
  })

  it('refuses self-promotion: rating oneself, or a receipt of a trade with oneself', async () => {
    const ledger = createRatingLedger()
    const self = await rawRating(
      alice,
      { v: 1, trade, ratee: alice.peerId.toBytes(), score: 1, receipt },
      T0,
    )
    await refused(ledger, self, 'SelfRatingError')
    const withSelf = await receiptOf(alice, alice, { trade: tradeId(9), at: T0 })
    const selfTrade = await rawRating(
      alice,
      { v: 1, trade: tradeId(9), ratee: bob.peerId.toBytes(), score: 1, receipt: withSelf },
      T0,
    )
    await refused(ledger, selfTrade, 'SelfRatingError')
  })

  it('refuses a rating without a receipt', async () => {
    const ledger = createRatingLedger()
    await refused(
      ledger,
      await rawRating(alice, { v: 1, trade, ratee: bob.peerId.toBytes(), score: 1 }, T0),
      'MissingReceiptError',
    )
    await refused(
      ledger,
      await rawRating(
        alice,
        { v: 1, trade, ratee: bob.peerId.toBytes(), score: 1, receipt: new Uint8Array(0) },
        T0,
      ),
      'MissingReceiptError',
    )
  })

  it('refuses receipts the other party never signed (forged)', async () => {
    const ledger = createRatingLedger()
    const oneSided = await receiptOf(alice, bob, { trade, at: T0, signedBy: 'first' })
    const rating = await rawRating(
      alice,
      { v: 1, trade, ratee: bob.peerId.toBytes(), score: 1, receipt: oneSided },
      T0,
    )
    await refused(ledger, rating, 'InvalidReceiptError')
    const stranger = await receiptOf(alice, bob, { trade, at: T0, signedBy: carol })
    await refused(
      ledger,
      await rawRating(
        alice,
        { v: 1, trade, ratee: bob.peerId.toBytes(), score: 1, receipt: stranger },
        T0,
      ),
      'InvalidReceiptError',
    )
    const tampered = receipt.slice()
    tampered[tampered.length - 1]! ^= 1
    await refused(
      ledger,
      await rawRating(
        alice,
        { v: 1, trade, ratee: bob.peerId.toBytes(), score: 1, receipt: tampered },
        T0,
      ),
      'InvalidReceiptError',
    )
    const otherDomain = await receiptOf(alice, bob, {
      trade,
      at: T0,
      domain: 'peerkit/escrow/terms/1',
    })
    await refused(
      ledger,
      await rawRating(
        alice,
        { v: 1, trade, ratee: bob.peerId.toBytes(), score: 1, receipt: otherDomain },
        T0,
      ),
      'InvalidReceiptError',
    )
    await expect(
      thrownName(() => sealRating(alice, { receipt: oneSided, score: 1, timestamp: T0 })),
    ).resolves.toBe('InvalidReceiptError')
  })

  it('refuses a rater who was not a party, and a ratee who was not the other party', async () => {
    const ledger = createRatingLedger()
    const byCarol = await rawRating(
      carol,
      { v: 1, trade, ratee: bob.peerId.toBytes(), score: -1, receipt },
      T0,
    )
    await refused(ledger, byCarol, 'NotAPartyError')
    await expect(
      thrownName(() => sealRating(carol, { receipt, score: -1, timestamp: T0 })),
    ).resolves.toBe('NotAPartyError')
    const wrongRatee = await rawRating(
      alice,
      { v: 1, trade, ratee: carol.peerId.toBytes(), score: -1, receipt },
      T0,
    )
    await refused(ledger, wrongRatee, 'WrongRateeError')
    // carol signs a receipt naming alice and bob: signing is not being named
    const carolSigned = await receiptOf(alice, bob, { trade, at: T0, signedBy: carol })
    await refused(
      ledger,
      await rawRating(
        carol,
        { v: 1, trade, ratee: bob.peerId.toBytes(), score: -1, receipt: carolSigned },
        T0,
      ),
      'NotAPartyError',
    )
  })

  it('refuses a receipt replayed from another trade', async () => {
    const ledger = createRatingLedger()
    const rating = await rawRating(
      alice,
      { v: 1, trade: tradeId(77), ratee: bob.peerId.toBytes(), score: 1, receipt },
      T0,
    )
    await refused(ledger, rating, 'TradeMismatchError')
  })

  it('refuses forged, misdirected, stale and premature ratings', async () => {
    const ledger = createRatingLedger({ ratingMaxAgeMs: 10_000 })
    const good = await sealRating(alice, { receipt, score: 1, timestamp: T0 + 55_000 })
    const forged = good.slice()
    forged[forged.length - 2]! ^= 0x40
    await refused(ledger, forged, 'InvalidRatingError')
    await refused(ledger, good.subarray(0, good.length - 3), 'InvalidRatingError')
    const otherDomain = await rawRating(
      alice,
      { v: 1, trade, ratee: bob.peerId.toBytes(), score: 1, receipt },
      T0,
      'peerkit/other/1',
    )
    await refused(ledger, otherDomain, 'InvalidRatingError')
    await refused(
      ledger,
      await sealRating(alice, { receipt, score: 1, timestamp: T0 }),
      'InvalidRatingError',
    )
    const early = await rawRating(
      alice,
      { v: 1, trade, ratee: bob.peerId.toBytes(), score: 1, receipt },
      T0 - 1,
    )
    await refused(createRatingLedger(), early, 'InvalidRatingError')
    ledger.accept(good, NOW)
  })

  it('refuses malformed payloads', async () => {
    const ledger = createRatingLedger()
    const base = { v: 1, trade, ratee: bob.peerId.toBytes(), score: 1, receipt }
    const cases = [
      { ...base, v: 2 },
      { ...base, score: 2 },
      { ...base, score: '1' },
      { ...base, extra: 1 },
      { ...base, trade: 'abc' },
      { ...base, ratee: new Uint8Array(5) },
      { ...base, comment: 'x'.repeat(281) },
      [1, 2, 3],
    ]
    for (const payload of cases)
      await refused(ledger, await rawRating(alice, payload, T0), 'MalformedRatingError')
  })

  it('refuses bad arguments and options with typed errors', async () => {
    const ledger = createRatingLedger()
    expect(await thrownName(() => ledger.accept('nope' as never, NOW))).toBe('InvalidArgumentError')
    expect(await thrownName(() => ledger.accept(receipt, -1))).toBe('InvalidArgumentError')
    expect(await thrownName(() => createRatingLedger({ maxSkewMs: -1 }))).toBe('InvalidParamsError')
    expect(
      await thrownName(() => sealRating(alice, { receipt, score: 3 as never, timestamp: T0 })),
    ).toBe('InvalidArgumentError')
    expect(
      await thrownName(() =>
        sealRating(alice, { receipt, score: 1, timestamp: T0, comment: 'x'.repeat(300) }),
      ),
    ).toBe('InvalidArgumentError')
  })

  it('never accepts a rating with any byte changed, and changes nothing (property)', async () => {
    const good = await sealRating(alice, { receipt, score: 1, timestamp: T0 })
    const ledger = createRatingLedger()
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: good.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        async (at, flip) => {
          const bytes = good.slice()
          bytes[at]! ^= flip
          const name = await thrownName(() => ledger.accept(bytes, NOW))
          expect(name).toBeDefined()
          expect(name?.startsWith('foreign:')).toBe(false)
          expect(ledger.size).toBe(0)
        },
      ),
      { numRuns: 150 },
    )
    ledger.accept(good, NOW)
    expect(ledger.size).toBe(1)
  })
})
