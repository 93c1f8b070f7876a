/**
 * The rating ledger: accepts a rating only if it is backed by a real trade — the rater
 * signed it, it carries that trade's receipt signed by both parties and attested by a
 * settlement authority the policy trusts, the outcome moved value, the rater was one party
 * and the ratee the other — and only the first rating by a rater for a trade. Everything
 * else is refused with a typed error and leaves the ledger as it was. The k-th rating a
 * rater gives one ratee weighs 1/k. The ledger keeps at most `maxPerRater` ratings per
 * rater and `maxRatings` in all, evicting the oldest (by the rating's own timestamp), and
 * refuses a rating no newer than one it evicted, so a replay cannot undo an eviction.
 *
 * @example
 * const ledger = createRatingLedger({ authorities: [arbiter], onEvict: (r) => local.removeRating(r) })
 * const accepted = ledger.accept(ratingBytes, now)
 * localTrust.addRating(accepted)
 */
import { equalBytes, toHex } from '@peerkit/codec'
import { isEnvelopeError, open, type VerifyCache } from '@peerkit/envelope'
import {
  type PeerId,
  peerIdFromBytes,
  peerIdFromPublicKey,
  peerIdFromString,
} from '@peerkit/identity'
import { assertBytes, assertTime, isBytes, isRecord, paramInteger } from './assert'
import {
  DEFAULT_COUNTED_OUTCOMES,
  DEFAULT_MAX_RATINGS,
  DEFAULT_MAX_RATINGS_PER_RATER,
  DEFAULT_MAX_SKEW_MS,
  DEFAULT_RATING_MAX_AGE_MS,
  DEFAULT_RECEIPT_MAX_AGE_MS,
  MAX_COMMENT_LENGTH,
  MAX_RATING_BYTES,
  MAX_TRADE_ID_BYTES,
  RATING_DOMAIN,
  RATING_SCORES,
  RATING_VERSION,
} from './constants'
import {
  DuplicateRatingError,
  InvalidParamsError,
  InvalidRatingError,
  MalformedRatingError,
  MissingReceiptError,
  NothingMovedError,
  SelfRatingError,
  StaleRatingError,
  TradeMismatchError,
  WrongRateeError,
} from './errors'
import { openReceiptFor } from './receipt'
import type { PeerKey } from './scorer'
import { attestingAuthority, repeatWeight } from './settlement'

/** A rating the ledger accepted. */
export interface AcceptedRating {
  /** The rating envelope's id (content id text). */
  readonly id: string
  /** The rater (`PeerId` text). */
  readonly rater: PeerKey
  /** The ratee (`PeerId` text). */
  readonly ratee: PeerKey
  /** The trade, as hex of its content id bytes. */
  readonly trade: string
  readonly score: -1 | 0 | 1
  readonly comment: string | undefined
  /** When the rating was made (ms). */
  readonly timestamp: number
  /** The receipt's outcome word (`released`, `refunded`, …). */
  readonly outcome: string
  /** When the trade ended (ms). */
  readonly tradeAt: number
  /**
   * What the rating counts for in local trust: `1/k` for the k-th rating this rater gives
   * this ratee among those the ledger keeps.
   */
  readonly weight: number
  /** The settlement authority that attested the receipt, or undefined without `authorities`. */
  readonly attestedBy: PeerKey | undefined
}

/** Options of `createRatingLedger`. */
export interface RatingLedgerOptions {
  /** How far ahead of `now` a rating or receipt may be timestamped (ms). */
  readonly maxSkewMs?: number
  /** Oldest rating accepted (ms). */
  readonly ratingMaxAgeMs?: number
  /** Oldest receipt a rating may carry (ms). */
  readonly receiptMaxAgeMs?: number
  /** A verify cache shared with other openers (`@peerkit/envelope`). */
  readonly cache?: VerifyCache
  /**
   * The settlement authorities this ledger trusts (the arbiters, the vault's signer): a
   * receipt counts only when one of them, not being a party, countersigned it. Without
   * this option a receipt only the two parties signed is accepted, of any outcome unless
   * `countedOutcomes` is given, which two colluding identities can mint at will: that form
   * is deprecated and kept, as it was, for existing callers.
   */
  readonly authorities?: readonly (PeerId | string)[]
  /**
   * Outcomes that earn a rating: those that moved value. Default `DEFAULT_COUNTED_OUTCOMES`
   * with `authorities`; without them (the deprecated form) any outcome, unless given.
   */
  readonly countedOutcomes?: readonly string[]
  /** Most ratings kept by one rater (default 1,024); beyond it the rater's oldest goes. */
  readonly maxPerRater?: number
  /** Most ratings kept in all (default 100,000); beyond it the oldest of all goes. */
  readonly maxRatings?: number
  /** Told of each rating the ledger evicts (to take it out of local trust). */
  readonly onEvict?: (rating: AcceptedRating) => void
}

/** Accepted ratings, at most one per rater and trade. */
export interface RatingLedger {
  /**
   * Checks a rating and, if it is acceptable, records it.
   * @throws InvalidArgumentError (bad bytes or time), InvalidRatingError, MalformedRatingError,
   *   MissingReceiptError, InvalidReceiptError, TradeMismatchError, NotAPartyError,
   *   WrongRateeError, SelfRatingError, DuplicateRatingError, UnattestedReceiptError,
   *   NothingMovedError, StaleRatingError
   */
  accept(bytes: Uint8Array, now: number): AcceptedRating
  /** Whether `rater` has an accepted rating for `trade` (hex of its id bytes). */
  has(trade: string, rater: PeerKey): boolean
  /** Accepted ratings, in the order accepted. */
  ratings(): AcceptedRating[]
  readonly size: number
  /** Ratings evicted so far to stay within the bounds. */
  readonly evicted: number
}

const PAYLOAD_KEYS = new Set(['v', 'trade', 'ratee', 'score', 'receipt', 'comment'])

function windowOption(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !(value >= 0)) {
    throw new InvalidParamsError(name, `${name} must be a number of ms >= 0 (Infinity allowed)`)
  }
  return value
}

function parsePayload(payload: unknown): {
  trade: Uint8Array
  ratee: PeerId
  score: -1 | 0 | 1
  receipt: Uint8Array
  comment: string | undefined
} {
  if (!isRecord(payload)) throw new MalformedRatingError('the payload is not a map')
  for (const key of Object.keys(payload)) {
    if (!PAYLOAD_KEYS.has(key)) throw new MalformedRatingError(`unexpected key "${key}"`)
  }
  if (payload.v !== RATING_VERSION)
    throw new MalformedRatingError(`unsupported version ${String(payload.v)}`)
  const { trade, ratee, score, receipt, comment } = payload
  if (!isBytes(trade) || trade.length === 0 || trade.length > MAX_TRADE_ID_BYTES) {
    throw new MalformedRatingError(`trade must be 1 to ${MAX_TRADE_ID_BYTES} bytes`)
  }
  if (!isBytes(ratee)) throw new MalformedRatingError('ratee must be peer id bytes')
  let rateeId: PeerId
  try {
    rateeId = peerIdFromBytes(ratee)
  } catch {
    throw new MalformedRatingError('ratee is not a peer id')
  }
  if (!(RATING_SCORES as readonly unknown[]).includes(score)) {
    throw new MalformedRatingError(`score must be one of ${RATING_SCORES.join(', ')}`)
  }
  if (
    comment !== undefined &&
    (typeof comment !== 'string' || comment.length > MAX_COMMENT_LENGTH)
  ) {
    throw new MalformedRatingError(
      `comment must be a string of at most ${MAX_COMMENT_LENGTH} characters`,
    )
  }
  if (receipt === undefined) throw new MissingReceiptError()
  if (!isBytes(receipt) || receipt.length === 0)
    throw new MissingReceiptError('the receipt is not envelope bytes')
  return { trade, ratee: rateeId, score: score as -1 | 0 | 1, receipt, comment }
}

function authoritiesOption(value: unknown): Set<string> | undefined {
  if (value === undefined) return undefined
  if (!Array.isArray(value))
    throw new InvalidParamsError('authorities', 'authorities must be an array of peer ids')
  const keys = new Set<string>()
  value.forEach((entry: unknown, i) => {
    try {
      if (typeof entry === 'string') keys.add(peerIdFromString(entry).toString())
      else if (isRecord(entry) || (typeof entry === 'object' && entry !== null)) {
        const publicKey = (entry as { publicKey?: unknown }).publicKey
        if (!isBytes(publicKey)) throw new Error('no public key')
        keys.add(peerIdFromPublicKey(publicKey).toString())
      } else throw new Error('not a peer id')
    } catch {
      throw new InvalidParamsError(`authorities[${i}]`, `authorities[${i}] is not a peer id`)
    }
  })
  return keys
}

function outcomesOption(value: unknown, strict: boolean): Set<string> | undefined {
  // the deprecated form without authorities keeps its old rule (any outcome) unless told
  if (value === undefined) return strict ? new Set(DEFAULT_COUNTED_OUTCOMES) : undefined
  if (!Array.isArray(value) || !value.every((o) => typeof o === 'string' && o.length > 0))
    throw new InvalidParamsError('countedOutcomes', 'countedOutcomes must be an array of words')
  return new Set(value as string[])
}

/** A kept rating with its acceptance number (ties in time go to the earlier accepted). */
interface Kept {
  readonly rating: AcceptedRating
  readonly seq: number
  readonly key: string
}

/** What the ledger keeps of one rater. */
interface RaterRecord {
  readonly kept: Map<string, Kept>
  /** Kept ratings per ratee. */
  readonly pairs: Map<PeerKey, number>
  /** The newest timestamp evicted from this rater's quota (-1: none). */
  horizon: number
}

/** True when `a` goes before `b` in eviction order: older, or as old and accepted earlier. */
function older(a: Kept, b: Kept): boolean {
  return (
    a.rating.timestamp < b.rating.timestamp ||
    (a.rating.timestamp === b.rating.timestamp && a.seq < b.seq)
  )
}

/** A binary min-heap of kept ratings in eviction order, with lazy deletion. */
class EvictionHeap {
  private items: Kept[] = []
  get length(): number {
    return this.items.length
  }
  push(item: Kept): void {
    const a = this.items
    a.push(item)
    let i = a.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!older(a[i]!, a[parent]!)) break
      ;[a[i], a[parent]] = [a[parent]!, a[i]!]
      i = parent
    }
  }
  /** The oldest entry still live (by `live`), dropping dead ones from the top. */
  peek(live: (item: Kept) => boolean): Kept | undefined {
    while (this.items.length > 0 && !live(this.items[0]!)) this.pop()
    return this.items[0]
  }
  private pop(): void {
    const a = this.items
    const last = a.pop()!
    if (a.length === 0) return
    a[0] = last
    let i = 0
    for (;;) {
      const l = 2 * i + 1
      const r = l + 1
      let m = i
      if (l < a.length && older(a[l]!, a[m]!)) m = l
      if (r < a.length && older(a[r]!, a[m]!)) m = r
      if (m === i) return
      ;[a[i], a[m]] = [a[m]!, a[i]!]
      i = m
    }
  }
  rebuild(items: Iterable<Kept>): void {
    this.items = []
    for (const item of items) this.push(item)
  }
}

/**
 * Creates an empty rating ledger.
 * @param options - time windows and an optional verify cache
 * @returns the ledger
 * @throws InvalidParamsError for a negative or non-numeric window
 * @example
 * const ledger = createRatingLedger({ ratingMaxAgeMs: 7 * 24 * 3_600_000 })
 * try { ledger.accept(bytes, now) } catch (e) { if (isReputationError(e)) drop(bytes) }
 */
export function createRatingLedger(options: RatingLedgerOptions = {}): RatingLedger {
  if (!isRecord(options)) throw new InvalidParamsError('options', 'options must be an object')
  const maxSkewMs = windowOption(options.maxSkewMs, 'maxSkewMs', DEFAULT_MAX_SKEW_MS)
  const ratingMaxAgeMs = windowOption(
    options.ratingMaxAgeMs,
    'ratingMaxAgeMs',
    DEFAULT_RATING_MAX_AGE_MS,
  )
  const receiptMaxAgeMs = windowOption(
    options.receiptMaxAgeMs,
    'receiptMaxAgeMs',
    DEFAULT_RECEIPT_MAX_AGE_MS,
  )
  const cache = (options as RatingLedgerOptions).cache
  const authorities = authoritiesOption(options.authorities)
  const counted = outcomesOption(options.countedOutcomes, authorities !== undefined)
  const maxPerRater =
    options.maxPerRater === undefined
      ? DEFAULT_MAX_RATINGS_PER_RATER
      : paramInteger(options.maxPerRater, 'maxPerRater', 1, 2 ** 31)
  const maxRatings =
    options.maxRatings === undefined
      ? DEFAULT_MAX_RATINGS
      : paramInteger(options.maxRatings, 'maxRatings', 1, 2 ** 31)
  const onEvict = options.onEvict
  if (onEvict !== undefined && typeof onEvict !== 'function')
    throw new InvalidParamsError('onEvict', 'onEvict must be a function')
  /** Kept ratings by `trade hex / rater`, in the order accepted. */
  const accepted = new Map<string, Kept>()
  const raters = new Map<PeerKey, RaterRecord>()
  const heap = new EvictionHeap()
  const live = (item: Kept): boolean => accepted.get(item.key) === item
  /** The newest timestamp evicted to stay within `maxRatings` (-1: none). */
  let horizon = -1
  let seq = 0
  let evicted = 0

  const evict = (item: Kept, keepRecord: boolean): void => {
    accepted.delete(item.key)
    evicted++
    const record = raters.get(item.rating.rater)!
    record.kept.delete(item.key)
    const left = record.pairs.get(item.rating.ratee)! - 1
    if (left === 0) record.pairs.delete(item.rating.ratee)
    else record.pairs.set(item.rating.ratee, left)
    // a rater with nothing kept is forgotten: its own horizon is at most the ledger's
    if (record.kept.size === 0 && !keepRecord) raters.delete(item.rating.rater)
  }

  return {
    get size() {
      return accepted.size
    },

    get evicted() {
      return evicted
    },

    has(trade, rater) {
      return accepted.has(`${trade}/${rater}`)
    },

    ratings() {
      return [...accepted.values()].map((k) => k.rating)
    },

    accept(bytes, now) {
      assertBytes(bytes, 'bytes')
      assertTime(now, 'now')
      let opened: ReturnType<typeof open>
      try {
        opened = open(bytes, {
          domain: RATING_DOMAIN,
          now,
          maxSkewMs,
          maxAgeMs: ratingMaxAgeMs,
          cache,
          maxBytes: MAX_RATING_BYTES,
        })
      } catch (error) {
        if (isEnvelopeError(error) && error.name !== 'InvalidArgumentError') {
          throw new InvalidRatingError(`the rating does not open (${error.name})`, { cause: error })
        }
        throw error
      }
      const rater = opened.signer
      const raterKey = rater.toString()
      const payload = parsePayload(opened.payload)
      if (payload.ratee.equals(rater)) throw new SelfRatingError()
      const tradeHex = toHex(payload.trade)
      const key = `${tradeHex}/${raterKey}`
      // cheap refusals first: a replayed or evicted rating costs no receipt verification
      if (accepted.has(key)) throw new DuplicateRatingError()
      const record = raters.get(raterKey)
      if (
        opened.timestamp <= horizon ||
        (record !== undefined && opened.timestamp <= record.horizon)
      )
        throw new StaleRatingError()
      const receipt = openReceiptFor(payload.receipt, rater, {
        now,
        maxSkewMs,
        maxAgeMs: receiptMaxAgeMs,
        cache,
      })
      if (!equalBytes(receipt.trade, payload.trade)) throw new TradeMismatchError()
      if (!receipt.other.equals(payload.ratee)) throw new WrongRateeError()
      if (opened.timestamp < receipt.at) {
        throw new InvalidRatingError('the rating is dated before the trade ended')
      }
      const attestedBy =
        authorities === undefined ? undefined : attestingAuthority(receipt, authorities)
      if (counted !== undefined && !counted.has(receipt.outcome)) {
        throw new NothingMovedError(`the outcome '${receipt.outcome}' moved nothing`)
      }
      // make room: the rater's own oldest if its quota is full, else the oldest of all; the
      // newcomer is accepted last, so it goes after every kept rating as old as it
      let victim: Kept | undefined
      const perRater = record !== undefined && record.kept.size >= maxPerRater
      if (perRater) {
        for (const k of record.kept.values())
          if (victim === undefined || older(k, victim)) victim = k
      } else if (accepted.size >= maxRatings) {
        victim = heap.peek(live)
      }
      if (victim !== undefined && victim.rating.timestamp > opened.timestamp)
        throw new StaleRatingError(
          `older than every rating the ${perRater ? 'rater' : 'ledger'} keeps`,
        )
      if (victim !== undefined) {
        evict(victim, perRater)
        if (perRater) record.horizon = Math.max(record.horizon, victim.rating.timestamp)
        else horizon = Math.max(horizon, victim.rating.timestamp)
      }
      let own = raters.get(raterKey)
      if (own === undefined) {
        own = { kept: new Map(), pairs: new Map(), horizon: -1 }
        raters.set(raterKey, own)
      }
      const rateeKey = payload.ratee.toString()
      const k = (own.pairs.get(rateeKey) ?? 0) + 1
      const rating: AcceptedRating = Object.freeze({
        id: opened.id.toString(),
        rater: raterKey,
        ratee: rateeKey,
        trade: tradeHex,
        score: payload.score,
        comment: payload.comment,
        timestamp: opened.timestamp,
        outcome: receipt.outcome,
        tradeAt: receipt.at,
        weight: repeatWeight(k),
        attestedBy,
      })
      const kept: Kept = { rating, seq: ++seq, key }
      accepted.set(key, kept)
      own.kept.set(key, kept)
      own.pairs.set(rateeKey, k)
      heap.push(kept)
      if (heap.length > 2 * accepted.size + 1_024) heap.rebuild(accepted.values())
      if (victim !== undefined && onEvict !== undefined) {
        try {
          onEvict(victim.rating)
        } catch {
          // the listener's fault is its own; the ledger has already moved on
        }
      }
      return rating
    },
  }
}
