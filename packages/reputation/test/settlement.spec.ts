/**
 * Ratings that cost a real trade: a receipt counts only when a settlement authority the
 * ledger's policy trusts countersigned it, an outcome that moved nothing earns no rating,
 * repeated ratings of one pair weigh less and less, and the ledger is bounded per rater and
 * in total with oldest-first eviction that a replay cannot undo.
 */
import { countersign } from '@peerkit/envelope'
import type { Signer } from '@peerkit/identity'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type AcceptedRating,
  attestReceipt,
  createLocalTrust,
  createRatingLedger,
  isReputationError,
  type RatingLedger,
  repeatWeight,
  sealRating,
} from '../src/index'
import { party, receiptOf, tradeId } from './fixtures/trade'

const alice = party(11)
const bob = party(12)
const carol = party(13)
/** The settlement authority (an arbiter or the vault's signer) the policy trusts. */
const arbiter = party(14)
/** An authority nobody's policy names. */
const stranger = party(15)
const T0 = 1_800_000_000_000
const NOW = T0 + 3_600_000

async function thrownName(fn: () => unknown): Promise<string | undefined> {
  try {
    await fn()
  } catch (error) {
    return isReputationError(error) ? error.name : `foreign:${String(error)}`
  }
  return undefined
}

async function refused(ledger: RatingLedger, bytes: Uint8Array, name: string): Promise<void> {
  const before = ledger.ratings()
  expect(await thrownName(() => ledger.accept(bytes, NOW))).toBe(name)
  expect(ledger.ratings()).toEqual(before)
}

interface TradeSpec {
  n: number
  at?: number
  outcome?: string
  attestedBy?: Signer | null
}

/** A receipt of trade `n` between `a` and `b`, countersigned by `attestedBy` (default the arbiter). */
async function settled(a: Signer, b: Signer, spec: TradeSpec): Promise<Uint8Array> {
  const receipt = await receiptOf(a, b, {
    trade: tradeId(spec.n),
    at: spec.at ?? T0,
    outcome: spec.outcome ?? 'released',
  })
  const by = spec.attestedBy === undefined ? arbiter : spec.attestedBy
  return by === null ? receipt : countersign(receipt, by)
}

async function rating(rater: Signer, other: Signer, spec: TradeSpec, score: -1 | 0 | 1 = 1) {
  const receipt = await settled(rater, other, spec)
  return sealRating(rater, { receipt, score, timestamp: (spec.at ?? T0) + 1_000 })
}

const strict = (extra: Parameters<typeof createRatingLedger>[0] = {}) =>
  createRatingLedger({ authorities: [arbiter.peerId], ...extra })

describe('a receipt counts only when a trusted settlement authority attested it', () => {
  it('two Sybils that never settled a trade mint nothing from 200 made-up trades', async () => {
    const ledger = strict()
    for (let n = 0; n < 100; n++) {
      const receipt = await settled(alice, bob, { n: 1_000 + n, attestedBy: null })
      for (const [rater, score] of [
        [alice, 1],
        [bob, 1],
      ] as const) {
        const bytes = await sealRating(rater, { receipt, score, timestamp: T0 + 1_000 })
        expect(await thrownName(() => ledger.accept(bytes, NOW))).toBe('UnattestedReceiptError')
      }
    }
    expect(ledger.size).toBe(0)
    expect(ledger.ratings()).toEqual([])
  })

  it('refuses a receipt attested by an authority the policy does not name', async () => {
    const ledger = strict()
    await refused(
      ledger,
      await rating(alice, bob, { n: 1, attestedBy: stranger }),
      'UnattestedReceiptError',
    )
  })

  it('refuses an "attestation" by a party of the trade itself', async () => {
    // the arbiter trades on its own account: its signature is a party's, not a witness's
    const ledger = strict()
    const receipt = await receiptOf(arbiter, bob, { trade: tradeId(2), at: T0 })
    await refused(
      ledger,
      await sealRating(bob, { receipt, score: 1, timestamp: T0 + 1 }),
      'UnattestedReceiptError',
    )
  })

  it('accepts an attested receipt and names the authority', async () => {
    const ledger = strict()
    const accepted = ledger.accept(await rating(alice, bob, { n: 3 }), NOW)
    expect(accepted.attestedBy).toBe(arbiter.peerId.toString())
    expect(accepted.weight).toBe(1)
    // any of several named authorities will do
    const either = createRatingLedger({ authorities: [stranger.peerId, arbiter.peerId.toString()] })
    expect(either.accept(await rating(bob, alice, { n: 3 }), NOW).attestedBy).toBe(
      arbiter.peerId.toString(),
    )
  })

  it('attestReceipt countersigns a receipt both parties signed, and nothing else', async () => {
    const receipt = await settled(alice, bob, { n: 4, attestedBy: null })
    const attested = await attestReceipt(arbiter, receipt, { now: NOW })
    const rated = await sealRating(bob, { receipt: attested, score: 1, timestamp: T0 + 5 })
    expect(strict().accept(rated, NOW).attestedBy).toBe(arbiter.peerId.toString())
    const oneSided = await receiptOf(alice, bob, { trade: tradeId(5), at: T0, signedBy: 'first' })
    expect(await thrownName(() => attestReceipt(arbiter, oneSided, { now: NOW }))).toBe(
      'InvalidReceiptError',
    )
    expect(await thrownName(() => attestReceipt(alice, receipt, { now: NOW }))).toBe(
      'InvalidArgumentError',
    )
    expect(await thrownName(() => attestReceipt(arbiter, receipt, { now: -1 }))).toBe(
      'InvalidArgumentError',
    )
    expect(await thrownName(() => attestReceipt(arbiter, 'x' as never, { now: NOW }))).toBe(
      'InvalidArgumentError',
    )
  })

  it('refuses a bad authorities option with a typed error', async () => {
    for (const authorities of ['x', [42], [''], {}]) {
      expect(
        await thrownName(() => createRatingLedger({ authorities: authorities as never })),
      ).toBe('InvalidParamsError')
    }
  })
})

describe('an outcome that moved nothing earns no rating', () => {
  it('refuses never-traded, cancelled, expired and unwound receipts, attested or not', async () => {
    let n = 100
    for (const outcome of ['never-traded', 'cancelled', 'expired', 'unwound']) {
      await refused(strict(), await rating(alice, bob, { n: n++, outcome }), 'NothingMovedError')
      await refused(
        createRatingLedger({ countedOutcomes: ['released', 'refunded', 'split'] }),
        await rating(alice, bob, { n: n++, outcome, attestedBy: null }),
        'NothingMovedError',
      )
    }
    // the deprecated form without authorities keeps its old rule unless told: any outcome
    const unattested = await rating(alice, bob, {
      n: n++,
      outcome: 'never-traded',
      attestedBy: null,
    })
    expect(createRatingLedger().accept(unattested, NOW).outcome).toBe('never-traded')
    for (const outcome of ['released', 'refunded', 'split'])
      expect(strict().accept(await rating(alice, bob, { n: n++, outcome }), NOW).outcome).toBe(
        outcome,
      )
  })

  it('takes the counted outcomes from the policy', async () => {
    const ledger = strict({ countedOutcomes: ['settled'] })
    await refused(ledger, await rating(alice, bob, { n: 200 }), 'NothingMovedError')
    expect(ledger.accept(await rating(alice, bob, { n: 201, outcome: 'settled' }), NOW).score).toBe(
      1,
    )
    expect(await thrownName(() => strict({ countedOutcomes: 'released' as never }))).toBe(
      'InvalidParamsError',
    )
  })
})

describe('ratings between the same pair count with diminishing weight', () => {
  it('the k-th rating a rater gives one ratee weighs 1/k, in the ledger and in local trust', async () => {
    const ledger = strict()
    const local = createLocalTrust()
    const weights: number[] = []
    for (let k = 1; k <= 20; k++) {
      const accepted = ledger.accept(await rating(alice, bob, { n: 300 + k, at: T0 + k }), NOW)
      weights.push(accepted.weight)
      local.addRating(accepted)
    }
    expect(weights.slice(0, 4)).toEqual([1, 1 / 2, 1 / 3, 1 / 4])
    const harmonic = weights.reduce((s, w) => s + w, 0)
    expect(local.evidence(alice.peerId.toString(), bob.peerId.toString())).toBeCloseTo(harmonic, 12)
    expect(harmonic).toBeLessThanOrEqual(1 + Math.log(20))
    // another ratee, or the same pair the other way round, starts again at full weight
    expect(ledger.accept(await rating(alice, carol, { n: 330 }), NOW).weight).toBe(1)
    expect(ledger.accept(await rating(bob, alice, { n: 301, at: T0 + 1 }), NOW).weight).toBe(1)
    expect(repeatWeight(3)).toBe(1 / 3)
    expect(await thrownName(() => repeatWeight(0))).toBe('InvalidArgumentError')
    const bad = { rater: 'a', ratee: 'b', score: 1, weight: 2 }
    expect(await thrownName(() => local.addRating(bad))).toBe('InvalidArgumentError')
    expect(await thrownName(() => local.removeRating({ ...bad, weight: 0 }))).toBe(
      'InvalidArgumentError',
    )
  })
})

describe('the ledger is bounded per rater and in total', () => {
  it('keeps a rater’s newest maxPerRater ratings and reports each eviction', async () => {
    const evicted: AcceptedRating[] = []
    const ledger = strict({ maxPerRater: 3, onEvict: (r) => evicted.push(r) })
    const local = createLocalTrust()
    const ratings: Uint8Array[] = []
    for (let k = 0; k < 5; k++) {
      const bytes = await rating(alice, k % 2 === 0 ? bob : carol, { n: 400 + k, at: T0 + k * 10 })
      ratings.push(bytes)
      local.addRating(ledger.accept(bytes, NOW))
      for (const gone of evicted.splice(0)) local.removeRating(gone)
    }
    expect(ledger.size).toBe(3)
    expect(ledger.ratings().map((r) => r.tradeAt)).toEqual([T0 + 20, T0 + 30, T0 + 40])
    // local trust holds exactly the kept ratings
    const expected = createLocalTrust()
    for (const r of ledger.ratings()) expected.addRating(r)
    for (const ratee of [bob, carol]) {
      expect(local.evidence(alice.peerId.toString(), ratee.peerId.toString())).toBeCloseTo(
        expected.evidence(alice.peerId.toString(), ratee.peerId.toString()),
        12,
      )
    }
    // an evicted rating replayed is refused: eviction cannot be undone
    await refused(ledger, ratings[0]!, 'StaleRatingError')
    // bob is not bounded by alice's quota
    expect(ledger.accept(await rating(bob, alice, { n: 400 }), NOW).rater).toBe(
      bob.peerId.toString(),
    )
  })

  it('refuses a rating older than everything a full rater keeps, changing nothing', async () => {
    const ledger = strict({ maxPerRater: 2 })
    ledger.accept(await rating(alice, bob, { n: 500, at: T0 + 100 }), NOW)
    ledger.accept(await rating(alice, bob, { n: 501, at: T0 + 200 }), NOW)
    await refused(ledger, await rating(alice, carol, { n: 502, at: T0 }), 'StaleRatingError')
  })

  it('keeps at most maxRatings in total, evicting the oldest of all', async () => {
    const evicted: AcceptedRating[] = []
    const ledger = strict({ maxRatings: 4, onEvict: (r) => evicted.push(r) })
    const raters = [alice, bob, carol, party(16), party(17), party(18)]
    const bytes: Uint8Array[] = []
    for (let k = 0; k < raters.length; k++) {
      // the second rater's rating is the oldest of all
      const at = k === 1 ? T0 : T0 + 1_000 + k
      const rater = raters[k]!
      const other = rater === alice ? bob : alice
      bytes.push(await rating(rater, other, { n: 600 + k, at }))
      ledger.accept(bytes[k]!, NOW)
    }
    expect(ledger.size).toBe(4)
    expect(evicted.map((r) => r.rater)).toEqual([bob.peerId.toString(), alice.peerId.toString()])
    await refused(ledger, bytes[1]!, 'StaleRatingError')
    expect(await thrownName(() => strict({ maxRatings: 0 }))).toBe('InvalidParamsError')
    expect(await thrownName(() => strict({ maxPerRater: 1.5 }))).toBe('InvalidParamsError')
  })

  it('a flood from one rater costs one rater’s quota of memory', async () => {
    const ledger = strict({ maxPerRater: 8, maxRatings: 1_000 })
    for (let k = 0; k < 60; k++)
      ledger.accept(await rating(alice, bob, { n: 700 + k, at: T0 + k }), NOW)
    expect(ledger.size).toBe(8)
  })
})

describe('the bounds hold under any order of arrival (property)', () => {
  it('never keeps more than the bounds, never takes back an eviction, and local trust follows', async () => {
    const raters = [alice, bob, carol, party(19)]
    const pool: Uint8Array[] = []
    for (let k = 0; k < 36; k++) {
      const rater = raters[k % raters.length]!
      const other = raters[(k + 1 + (k % 3)) % raters.length]!
      const score = ([1, -1, 0] as const)[k % 3]!
      pool.push(await rating(rater, other, { n: 900 + k, at: T0 + ((k * 7) % 23) * 100 }, score))
    }
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat({ max: pool.length - 1 }), { minLength: 1, maxLength: 60 }),
        async (arrivals) => {
          const gone = new Set<string>()
          const local = createLocalTrust()
          const ledger = strict({
            maxPerRater: 3,
            maxRatings: 7,
            onEvict: (r) => {
              gone.add(r.id)
              local.removeRating(r)
            },
          })
          for (const i of arrivals) {
            try {
              const accepted = ledger.accept(pool[i]!, NOW)
              // an evicted rating never comes back
              expect(gone.has(accepted.id)).toBe(false)
              local.addRating(accepted)
            } catch (error) {
              expect(isReputationError(error)).toBe(true)
              expect(['DuplicateRatingError', 'StaleRatingError']).toContain((error as Error).name)
            }
            const kept = ledger.ratings()
            expect(kept.length).toBeLessThanOrEqual(7)
            const perRater = new Map<string, number>()
            for (const r of kept) perRater.set(r.rater, (perRater.get(r.rater) ?? 0) + 1)
            for (const count of perRater.values()) expect(count).toBeLessThanOrEqual(3)
          }
          const rebuilt = createLocalTrust()
          for (const r of ledger.ratings()) rebuilt.addRating(r)
          for (const a of raters)
            for (const b of raters)
              if (a !== b)
                expect(local.evidence(a.peerId.toString(), b.peerId.toString())).toBeCloseTo(
                  rebuilt.evidence(a.peerId.toString(), b.peerId.toString()),
                  9,
                )
        },
      ),
      { numRuns: 60 },
    )
  })
})
