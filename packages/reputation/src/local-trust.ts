/**
 * Local trust: how much each peer trusts each other peer, from its own evidence only —
 * the ratings it gave after real trades and the outcomes of its own interactions. The
 * result is the non-negative matrix `computeGlobalTrust` normalizes and iterates.
 *
 *   s(i, j) = ratingWeight × Σ scores i gave j + outcomeWeight × (good − bad outcomes i had with j)
 *   entry(i, j) = max(s(i, j), 0)
 *
 * A negative rating withdraws the rater's own trust in the ratee; it never subtracts from
 * what anyone else gives, so one slanderer cannot sink an honest peer.
 *
 * @example
 * const local = createLocalTrust()
 * local.addRating({ rater: 'a', ratee: 'b', score: 1 })
 * const { matrix, index } = local.toMatrix()
 */
import { assertPeerKey, isRecord } from './assert'
import {
  DEFAULT_OUTCOME_WEIGHT,
  DEFAULT_RATING_WEIGHT,
  DEFAULT_WITHHELD_SHARE,
  RATING_SCORES,
} from './constants'
import { type CsrMatrix, csrFromTriples } from './csr'
import { InvalidArgumentError, InvalidParamsError } from './errors'
import type { PeerKey } from './scorer'

/** Options of `createLocalTrust`. */
export interface LocalTrustOptions {
  /** Evidence per rating point (>= 0). */
  readonly ratingWeight?: number
  /** Evidence per first-hand interaction outcome (>= 0). */
  readonly outcomeWeight?: number
  /**
   * In [0, 1]: how much of the trust share a bad or neutral trade would have carried goes
   * back to the pre-trusted peers (through `rowTotals`) instead of to the rater's good
   * partners. 0 is classic EigenTrust normalization; see docs/reputation.md.
   */
  readonly withheldShare?: number
}

/** What `addRating` needs of a rating (an `AcceptedRating` has it). */
export interface RatingEvidence {
  readonly rater: PeerKey
  readonly ratee: PeerKey
  /** -1, 0 or 1. */
  readonly score: number
  /**
   * How much the rating counts, in (0, 1] (default 1): the ledger gives the k-th rating of
   * one pair 1/k.
   */
  readonly weight?: number
}

/** A local-trust matrix with the peer order its rows and columns follow. */
export interface LocalTrustMatrix {
  readonly matrix: CsrMatrix
  /**
   * Evidence total of each row: the weight of every rating and outcome the peer gave,
   * good or bad. Pass it as `computeGlobalTrust(matrix, { rowTotals })`.
   */
  readonly rowTotals: Float64Array
  /** Peer of each row/column. */
  readonly peers: readonly PeerKey[]
  /** Row/column of each peer. */
  readonly index: ReadonlyMap<PeerKey, number>
}

/** Accumulated local-trust evidence. */
export interface LocalTrust {
  /** Adds one accepted rating. @throws InvalidArgumentError */
  addRating(rating: RatingEvidence): void
  /**
   * Takes back a rating added before (one the ledger evicted): the same evidence and
   * weight are subtracted. @throws InvalidArgumentError
   */
  removeRating(rating: RatingEvidence): void
  /** Adds one outcome of `truster`'s own interaction with `trustee`. @throws InvalidArgumentError */
  addOutcome(truster: PeerKey, trustee: PeerKey, outcome: 'good' | 'bad'): void
  /** The evidence `s(truster, trustee)` (may be negative; 0 if none). */
  evidence(truster: PeerKey, trustee: PeerKey): number
  /** Every peer named by some evidence, sorted. */
  peers(): PeerKey[]
  /**
   * The matrix over `peers` (default: `peers()`). Evidence naming a peer outside the list
   * is left out. @throws InvalidArgumentError for a duplicate or malformed peer in the list
   */
  toMatrix(peers?: readonly PeerKey[]): LocalTrustMatrix
}

function weightOption(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !(value >= 0 && value < Number.POSITIVE_INFINITY)) {
    throw new InvalidParamsError(name, `${name} must be a finite number >= 0`)
  }
  return value
}

/** Rounds away the residue adding and then subtracting fractions leaves (|x| < 1e-9 is 0). */
function settle(x: number): number {
  return Math.abs(x) < 1e-9 ? 0 : x
}

function distinct(truster: PeerKey, trustee: PeerKey): void {
  assertPeerKey(truster, 'truster')
  assertPeerKey(trustee, 'trustee')
  if (truster === trustee)
    throw new InvalidArgumentError('trustee', 'a peer holds no local trust in itself')
}

/**
 * Creates an empty local-trust accumulator.
 * @param options - the weight of a rating point and of an interaction outcome
 * @returns the accumulator
 * @throws InvalidParamsError for a negative or non-finite weight
 * @example
 * const local = createLocalTrust({ outcomeWeight: 0.5 })
 * local.addOutcome('a', 'b', 'good')
 * local.evidence('a', 'b') // 0.5
 */
export function createLocalTrust(options: LocalTrustOptions = {}): LocalTrust {
  if (!isRecord(options)) throw new InvalidParamsError('options', 'options must be an object')
  const ratingWeight = weightOption(options.ratingWeight, 'ratingWeight', DEFAULT_RATING_WEIGHT)
  const outcomeWeight = weightOption(options.outcomeWeight, 'outcomeWeight', DEFAULT_OUTCOME_WEIGHT)
  const withheldShare = weightOption(options.withheldShare, 'withheldShare', DEFAULT_WITHHELD_SHARE)
  if (withheldShare > 1)
    throw new InvalidParamsError('withheldShare', 'withheldShare must be in [0, 1]')
  const rows = new Map<PeerKey, Map<PeerKey, number>>()
  const totals = new Map<PeerKey, number>()
  const seen = new Set<PeerKey>()

  const add = (truster: PeerKey, trustee: PeerKey, amount: number, weight: number): void => {
    seen.add(truster)
    seen.add(trustee)
    totals.set(truster, settle((totals.get(truster) ?? 0) + weight))
    let row = rows.get(truster)
    if (row === undefined) {
      row = new Map()
      rows.set(truster, row)
    }
    row.set(trustee, settle((row.get(trustee) ?? 0) + amount))
  }

  const ratingParts = (rating: RatingEvidence): [number, number] => {
    if (!isRecord(rating)) throw new InvalidArgumentError('rating', 'rating must be an object')
    distinct(rating.rater, rating.ratee)
    if (!(RATING_SCORES as readonly unknown[]).includes(rating.score)) {
      throw new InvalidArgumentError(
        'rating.score',
        `score must be one of ${RATING_SCORES.join(', ')}`,
      )
    }
    const weight = rating.weight ?? 1
    if (typeof weight !== 'number' || !(weight > 0 && weight <= 1))
      throw new InvalidArgumentError('rating.weight', 'weight must be a number in (0, 1]')
    return [ratingWeight * weight * rating.score, ratingWeight * weight]
  }

  return {
    addRating(rating) {
      const [amount, weight] = ratingParts(rating)
      add(rating.rater, rating.ratee, amount, weight)
    },

    removeRating(rating) {
      const [amount, weight] = ratingParts(rating)
      add(rating.rater, rating.ratee, -amount, -weight)
    },

    addOutcome(truster, trustee, outcome) {
      distinct(truster, trustee)
      if (outcome !== 'good' && outcome !== 'bad') {
        throw new InvalidArgumentError('outcome', "outcome must be 'good' or 'bad'")
      }
      add(truster, trustee, outcome === 'good' ? outcomeWeight : -outcomeWeight, outcomeWeight)
    },

    evidence(truster, trustee) {
      return rows.get(truster)?.get(trustee) ?? 0
    },

    peers() {
      return [...seen].sort()
    },

    toMatrix(peers) {
      const order = peers === undefined ? [...seen].sort() : [...peers]
      const index = new Map<PeerKey, number>()
      order.forEach((peer, i) => {
        assertPeerKey(peer, `peers[${i}]`)
        if (index.has(peer)) throw new InvalidArgumentError('peers', `peer ${peer} is listed twice`)
        index.set(peer, i)
      })
      const r: number[] = []
      const c: number[] = []
      const v: number[] = []
      const rowTotals = new Float64Array(order.length)
      for (const [truster, row] of rows) {
        const i = index.get(truster)
        if (i === undefined) continue
        let positive = 0
        for (const [trustee, amount] of row) {
          const j = index.get(trustee)
          if (j === undefined || !(amount > 0)) continue
          r.push(i)
          c.push(j)
          v.push(amount)
          positive += amount
        }
        // the evidence that bought no trust (bad and neutral trades), in part withheld
        const rest = Math.max(0, totals.get(truster)! - positive)
        rowTotals[i] = positive + withheldShare * rest
      }
      return { matrix: csrFromTriples(order.length, r, c, v), rowTotals, peers: order, index }
    },
  }
}
