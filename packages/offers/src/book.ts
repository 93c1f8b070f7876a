/**
 * The local offer book: every live offer this peer knows, newest version per maker and
 * offer id, bounded per maker and in total, with a rate limit per maker. A cancel is kept
 * as a tombstone until every version it cancels has expired, so a replayed older version
 * is refused. Every refusal is a typed rejection that leaves the book as it was. The book
 * never reads a clock: `now` comes with every call.
 *
 * @example
 * const book = createOfferBook()
 * const r = book.add(bytes, now)           // 'added' | 'replaced' | 'cancelled' | 'duplicate' | 'rejected'
 * book.query({ asset: 'BTC', side: 'sell' }, now)
 */
import type { VerifyCache } from '@peerkit/envelope'
import { type BookPart, validPart } from './catch-up'
import {
  DEFAULT_MAKER_UPDATES,
  DEFAULT_MAKER_WINDOW_MS,
  DEFAULT_MAX_CANCELS,
  DEFAULT_MAX_CANCELS_PER_MAKER,
  DEFAULT_MAX_LIFETIME_MS,
  DEFAULT_MAX_OFFER_BYTES,
  DEFAULT_MAX_OFFERS,
  DEFAULT_MAX_OFFERS_PER_MAKER,
  DEFAULT_MAX_SKEW_MS,
  MAX_CATCH_UP_PARTS,
} from './constants'
import {
  BookFullError,
  CancelledOfferError,
  ConflictingOfferError,
  InvalidArgumentError,
  MakerLimitError,
  MakerRateError,
  type OfferRejection,
  RefusedMakerError,
  StaleOfferError,
} from './errors'
import { type Offer, type OfferSide, sameOffer, tryOpenOffer } from './offer'

/** A unit price bound: `amount` of the currency's minor unit per `per` of the asset's smallest unit. */
export interface PriceBound {
  readonly amount: bigint
  readonly per: bigint
}

/** What to look for. */
export interface OfferQuery {
  readonly asset?: string
  readonly side?: OfferSide
  readonly currency?: string
  /** Offers that accept this payment method. */
  readonly payment?: string
  /** Offers whose unit price is at most this. */
  readonly maxPrice?: PriceBound
  /** Offers whose unit price is at least this. */
  readonly minPrice?: PriceBound
  /** Offers that accept this arbiter (peer id text). */
  readonly arbiter?: string
  /** Offers by this maker (peer id text). */
  readonly maker?: string
  /** Most results (default all). */
  readonly limit?: number
}

/** How results are ranked and which makers are hidden. */
export interface RankPolicy {
  /** A maker's trust (relative global trust: 1 is an average share), or undefined when unknown. */
  readonly trustOf?: (maker: string) => number | undefined
  /** Hide makers whose known trust is below this. */
  readonly trustFloor?: number
  /** Hide makers with no known trust (default false: newcomers are shown). */
  readonly hideUnknown?: boolean
  /** Hide these makers whatever their trust (a local block list). */
  readonly hidden?: (maker: string) => boolean
  /** `price` (best price first, then trust; the default) or `trust` (most trusted first, then price). */
  readonly order?: 'price' | 'trust'
}

/** What `add` did. */
export type AddResult =
  | {
      readonly status: 'added' | 'replaced' | 'cancelled'
      readonly offer: Offer
      /** Offers pushed out to make room (the book was full), for the caller to note. */
      readonly evicted: readonly Offer[]
    }
  | { readonly status: 'duplicate'; readonly offer: Offer }
  | {
      readonly status: 'rejected'
      readonly error: OfferRejection
      /** The opened offer, when the envelope opened and the book refused it after. */
      readonly offer?: Offer
    }

/** Options of `createOfferBook`. */
export interface OfferBookOptions {
  /** Most live offers in total (default `DEFAULT_MAX_OFFERS`). */
  readonly maxOffers?: number
  /** Most live offers of one maker (default `DEFAULT_MAX_OFFERS_PER_MAKER`). */
  readonly maxOffersPerMaker?: number
  /** Most cancels remembered in total (default `DEFAULT_MAX_CANCELS`). */
  readonly maxCancels?: number
  /** Most cancels remembered per maker (default `DEFAULT_MAX_CANCELS_PER_MAKER`). */
  readonly maxCancelsPerMaker?: number
  /** Updates one maker may make per `makerWindowMs` (default `DEFAULT_MAKER_UPDATES`). */
  readonly makerUpdates?: number
  readonly makerWindowMs?: number
  /** Largest envelope read (default `DEFAULT_MAX_OFFER_BYTES`). */
  readonly maxOfferBytes?: number
  /** Longest offer lifetime (default `DEFAULT_MAX_LIFETIME_MS`). */
  readonly maxLifetimeMs?: number
  /** Clock skew tolerated (default `DEFAULT_MAX_SKEW_MS`). */
  readonly maxSkewMs?: number
  /** Admission policy: makers it returns false for are refused (`RefusedMakerError`). */
  readonly admit?: (maker: string) => boolean
  /**
   * A verify cache (`createVerifyCache` of `@peerkit/envelope`), for example the one the
   * gossip router checks offers with: an offer whose signature it holds is filed without
   * verifying it again. Default none: every signature is verified.
   */
  readonly cache?: VerifyCache
}

/** The offer book. */
export interface OfferBook {
  /**
   * Opens and files an offer or cancel envelope.
   * @returns what happened; a rejection carries its typed reason and changes nothing
   */
  add(bytes: Uint8Array, now: number): AddResult
  /** The live offer of `maker` with id `idHex`, if held and not expired at `now`. */
  get(maker: string, idHex: string, now: number): Offer | undefined
  /** Whether `maker` cancelled offer `idHex`. */
  isCancelled(maker: string, idHex: string): boolean
  /** Live offers matching `query`, ranked and filtered by `policy`. */
  query(query: OfferQuery, now: number, policy?: RankPolicy): Offer[]
  /** Drops expired offers and cancels past their retention; returns how many offers expired. */
  prune(now: number): number
  /** Drops everything held from `maker` except its cancels (a maker the node cut off). */
  dropMaker(maker: string): number
  /**
   * Envelopes for a catch-up response: live offers and remembered cancels in a stable
   * order after `cursor`, at most `limit`, of `part` of the book when one is named
   * (`inBookPart`). `next` is the cursor of the following page.
   * @throws {InvalidArgumentError} for a part a request could not name
   */
  page(
    now: number,
    limit: number,
    cursor?: string,
    part?: BookPart,
  ): { envelopes: Uint8Array[]; next: string | undefined }
  /** Live offers held. */
  readonly size: number
  /** Cancels remembered. */
  readonly cancels: number
  /** Makers with at least one live offer. */
  readonly makers: number
  /** Bytes of every envelope held. */
  readonly bytes: number
}

/**
 * Whether the envelope `envelopeId` falls in `part` (a 32-bit FNV-1a hash of the id, modulo
 * the parts): ids are hashes, so the parts are about equal whoever chose the offers.
 */
export function inBookPart(envelopeId: string, part: BookPart): boolean {
  let hash = 0x811c9dc5
  for (let i = 0; i < envelopeId.length; i++) {
    hash ^= envelopeId.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return (hash >>> 0) % part.of === part.index
}

function limit(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1)
    throw new InvalidArgumentError(`${name} must be a positive safe integer`)
  return value
}

function assertNow(now: unknown): asserts now is number {
  if (typeof now !== 'number' || !Number.isSafeInteger(now) || now < 0)
    throw new InvalidArgumentError('now must be a non-negative safe integer (ms)')
}

/** `a.price / a.amount` compared with `b.amount / b.per`: negative, zero or positive. */
function compareUnit(price: bigint, amount: bigint, bound: PriceBound): number {
  const left = price * bound.per
  const right = bound.amount * amount
  return left < right ? -1 : left > right ? 1 : 0
}

interface MakerEntry {
  readonly offers: Map<string, Offer>
  readonly cancels: Map<string, Offer>
  /** Times of recent updates, oldest first (at most `makerUpdates`). */
  readonly updates: number[]
}

/**
 * Creates an empty offer book.
 * @param options - bounds, rate limit, time rules and an admission policy
 * @returns the book
 * @throws {InvalidArgumentError} for a bound that is not a positive integer
 * @example const book = createOfferBook({ maxOffers: 5_000, admit: (maker) => !graylist.has(maker) })
 */
export function createOfferBook(options: OfferBookOptions = {}): OfferBook {
  if (typeof options !== 'object' || options === null)
    throw new InvalidArgumentError('options must be an object')
  const cache = options.cache
  if (
    cache !== undefined &&
    (typeof cache !== 'object' ||
      cache === null ||
      typeof cache.has !== 'function' ||
      typeof cache.add !== 'function')
  )
    throw new InvalidArgumentError('cache must be a verify cache (createVerifyCache)')
  const maxOffers = limit(options.maxOffers, 'maxOffers', DEFAULT_MAX_OFFERS)
  const maxPerMaker = limit(
    options.maxOffersPerMaker,
    'maxOffersPerMaker',
    DEFAULT_MAX_OFFERS_PER_MAKER,
  )
  const maxCancels = limit(options.maxCancels, 'maxCancels', DEFAULT_MAX_CANCELS)
  const maxCancelsPerMaker = limit(
    options.maxCancelsPerMaker,
    'maxCancelsPerMaker',
    DEFAULT_MAX_CANCELS_PER_MAKER,
  )
  const makerUpdates = limit(options.makerUpdates, 'makerUpdates', DEFAULT_MAKER_UPDATES)
  const makerWindowMs = limit(options.makerWindowMs, 'makerWindowMs', DEFAULT_MAKER_WINDOW_MS)
  const openOptions = {
    maxBytes: limit(options.maxOfferBytes, 'maxOfferBytes', DEFAULT_MAX_OFFER_BYTES),
    maxLifetimeMs: limit(options.maxLifetimeMs, 'maxLifetimeMs', DEFAULT_MAX_LIFETIME_MS),
    maxSkewMs: options.maxSkewMs ?? DEFAULT_MAX_SKEW_MS,
    cache,
  }
  const admit = options.admit
  const makers = new Map<string, MakerEntry>()
  let size = 0
  let cancels = 0
  let bytes = 0

  const entryOf = (maker: string): MakerEntry => {
    let entry = makers.get(maker)
    if (entry === undefined) {
      entry = { offers: new Map(), cancels: new Map(), updates: [] }
      makers.set(maker, entry)
    }
    return entry
  }
  const forget = (maker: string, entry: MakerEntry): void => {
    if (entry.offers.size === 0 && entry.cancels.size === 0) makers.delete(maker)
  }
  const removeOffer = (entry: MakerEntry, idHex: string): Offer | undefined => {
    const offer = entry.offers.get(idHex)
    if (offer === undefined) return undefined
    entry.offers.delete(idHex)
    size--
    bytes -= offer.bytes.length
    return offer
  }
  const removeCancel = (entry: MakerEntry, idHex: string): void => {
    const cancel = entry.cancels.get(idHex)
    if (cancel === undefined) return
    entry.cancels.delete(idHex)
    cancels--
    bytes -= cancel.bytes.length
  }
  /** A cancel is kept until every version it may have cancelled has expired. */
  const cancelRetained = (cancel: Offer): number =>
    Math.max(cancel.expiresAt, cancel.timestamp + openOptions.maxLifetimeMs)
  const rateLimited = (entry: MakerEntry, now: number): boolean => {
    while (entry.updates.length > 0 && entry.updates[0]! <= now - makerWindowMs)
      entry.updates.shift()
    return entry.updates.length >= makerUpdates
  }
  /** The offer to push out when full: the soonest-expiring one of the maker holding most. */
  const victim = (): { maker: string; entry: MakerEntry; offer: Offer } | undefined => {
    let best: { maker: string; entry: MakerEntry } | undefined
    for (const [maker, entry] of makers) {
      if (best === undefined || entry.offers.size > best.entry.offers.size) best = { maker, entry }
    }
    if (best === undefined || best.entry.offers.size === 0) return undefined
    let soonest: Offer | undefined
    for (const offer of best.entry.offers.values())
      if (soonest === undefined || offer.expiresAt < soonest.expiresAt) soonest = offer
    return { ...best, offer: soonest! }
  }

  const book: OfferBook = {
    get size() {
      return size
    },
    get cancels() {
      return cancels
    },
    get makers() {
      let n = 0
      for (const entry of makers.values()) if (entry.offers.size > 0) n++
      return n
    },
    get bytes() {
      return bytes
    },

    add(envelope, now) {
      assertNow(now)
      const opened = tryOpenOffer(envelope, { ...openOptions, now })
      if (!opened.ok) return { status: 'rejected', error: opened.error }
      const offer = opened.offer
      const reject = (error: OfferRejection): AddResult => ({ status: 'rejected', error, offer })
      if (admit !== undefined && !admit(offer.makerKey))
        return reject(new RefusedMakerError('the book refuses offers from this maker'))
      const existing = makers.get(offer.makerKey)
      const cancel = existing?.cancels.get(offer.idHex)
      if (cancel !== undefined) {
        if (sameOffer(cancel, offer)) return { status: 'duplicate', offer: cancel }
        return reject(new CancelledOfferError('the maker cancelled this offer'))
      }
      const held = existing?.offers.get(offer.idHex)
      if (held !== undefined) {
        if (sameOffer(held, offer)) return { status: 'duplicate', offer: held }
        if (offer.sequence < held.sequence)
          return reject(new StaleOfferError(`version ${held.sequence} is held`))
        if (offer.sequence === held.sequence)
          return reject(new ConflictingOfferError(`two envelopes for version ${held.sequence}`))
      }
      if (existing !== undefined && rateLimited(existing, now))
        return reject(
          new MakerRateError(`more than ${makerUpdates} updates in ${makerWindowMs} ms`),
        )
      const evicted: Offer[] = []
      if (offer.terms === undefined) {
        // a cancel: bounded per maker and in total, oldest dropped first when over
        const entry = entryOf(offer.makerKey)
        if (entry.cancels.size >= maxCancelsPerMaker) {
          forget(offer.makerKey, entry)
          return reject(new MakerLimitError(`the maker holds ${maxCancelsPerMaker} cancels`))
        }
        if (cancels >= maxCancels) {
          book.prune(now)
          if (cancels >= maxCancels) {
            forget(offer.makerKey, entry)
            return reject(new BookFullError(`the book holds ${maxCancels} cancels`))
          }
        }
        const replaced = removeOffer(entry, offer.idHex)
        if (replaced !== undefined) evicted.push(replaced)
        entry.cancels.set(offer.idHex, offer)
        cancels++
        bytes += offer.bytes.length
        entry.updates.push(now)
        return { status: 'cancelled', offer, evicted }
      }
      if (held === undefined) {
        const count = existing?.offers.size ?? 0
        if (count >= maxPerMaker)
          return reject(new MakerLimitError(`the maker holds ${maxPerMaker} offers`))
        if (size >= maxOffers) {
          book.prune(now)
          if (size >= maxOffers) {
            // fair share: push out the largest maker's soonest offer, unless that is this maker
            const out = victim()
            if (out === undefined || out.entry.offers.size <= count + 1)
              return reject(new BookFullError(`the book holds ${maxOffers} offers`))
            removeOffer(out.entry, out.offer.idHex)
            forget(out.maker, out.entry)
            evicted.push(out.offer)
          }
        }
      }
      const entry = entryOf(offer.makerKey)
      if (held !== undefined) removeOffer(entry, offer.idHex)
      entry.offers.set(offer.idHex, offer)
      size++
      bytes += offer.bytes.length
      entry.updates.push(now)
      return { status: held === undefined ? 'added' : 'replaced', offer, evicted }
    },

    get(maker, idHex, now) {
      const offer = makers.get(maker)?.offers.get(idHex)
      return offer !== undefined && offer.expiresAt > now ? offer : undefined
    },

    isCancelled(maker, idHex) {
      return makers.get(maker)?.cancels.has(idHex) ?? false
    },

    query(q, now, policy = {}) {
      assertNow(now)
      const trustOf = policy.trustOf
      const out: { offer: Offer; trust: number }[] = []
      for (const [maker, entry] of makers) {
        if (q.maker !== undefined && maker !== q.maker) continue
        if (policy.hidden?.(maker) === true) continue
        const trust = trustOf?.(maker)
        if (trust === undefined && policy.hideUnknown === true) continue
        if (trust !== undefined && policy.trustFloor !== undefined && trust < policy.trustFloor)
          continue
        for (const offer of entry.offers.values()) {
          const t = offer.terms!
          if (offer.expiresAt <= now) continue
          if (q.asset !== undefined && t.asset !== q.asset) continue
          if (q.side !== undefined && t.side !== q.side) continue
          if (q.currency !== undefined && t.currency !== q.currency) continue
          if (q.payment !== undefined && !t.payment.includes(q.payment)) continue
          if (q.arbiter !== undefined && !t.arbiters.some((a) => a.toString() === q.arbiter))
            continue
          if (q.maxPrice !== undefined && compareUnit(t.price, t.amount, q.maxPrice) > 0) continue
          if (q.minPrice !== undefined && compareUnit(t.price, t.amount, q.minPrice) < 0) continue
          out.push({ offer, trust: trust ?? 0 })
        }
      }
      const byPrice = (a: Offer, b: Offer): number => {
        const ta = a.terms!
        const tb = b.terms!
        const left = ta.price * tb.amount
        const right = tb.price * ta.amount
        const cheaper = left < right ? -1 : left > right ? 1 : 0
        // a taker buying wants the cheapest sell offer; one selling wants the dearest buy offer
        return ta.side === 'buy' ? -cheaper : cheaper
      }
      const byKey = (a: Offer, b: Offer): number =>
        a.makerKey < b.makerKey
          ? -1
          : a.makerKey > b.makerKey
            ? 1
            : a.idHex < b.idHex
              ? -1
              : a.idHex > b.idHex
                ? 1
                : 0
      out.sort((a, b) => {
        const price = byPrice(a.offer, b.offer)
        const trust = b.trust - a.trust
        const first = policy.order === 'trust' ? trust || price : price || trust
        return first || byKey(a.offer, b.offer)
      })
      const n = q.limit ?? out.length
      return out.slice(0, n).map((x) => x.offer)
    },

    prune(now) {
      assertNow(now)
      let expired = 0
      for (const [maker, entry] of makers) {
        for (const [idHex, offer] of entry.offers) {
          if (offer.expiresAt <= now) {
            removeOffer(entry, idHex)
            expired++
          }
        }
        for (const [idHex, cancel] of entry.cancels)
          if (cancelRetained(cancel) <= now) removeCancel(entry, idHex)
        // rate-limit history empties itself; a maker with nothing held is forgotten
        forget(maker, entry)
      }
      return expired
    },

    dropMaker(maker) {
      const entry = makers.get(maker)
      if (entry === undefined) return 0
      let n = 0
      for (const idHex of [...entry.offers.keys()]) {
        removeOffer(entry, idHex)
        n++
      }
      forget(maker, entry)
      return n
    },

    page(now, max, cursor, part) {
      assertNow(now)
      if (part !== undefined && !validPart(part))
        throw new InvalidArgumentError(
          `part must be { index, of } with of 2 to ${MAX_CATCH_UP_PARTS}, index below of`,
        )
      const all: { key: string; offer: Offer }[] = []
      const wanted = (offer: Offer): boolean =>
        offer.expiresAt > now && (part === undefined || inBookPart(offer.envelopeId, part))
      for (const [maker, entry] of makers) {
        for (const [idHex, offer] of entry.offers)
          if (wanted(offer)) all.push({ key: `${maker}/${idHex}`, offer })
        for (const [idHex, cancel] of entry.cancels)
          if (wanted(cancel)) all.push({ key: `${maker}/${idHex}`, offer: cancel })
      }
      all.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      const start = cursor === undefined ? 0 : all.findIndex((x) => x.key > cursor)
      if (start < 0) return { envelopes: [], next: undefined }
      const slice = all.slice(start, start + max)
      const next = start + max < all.length ? slice.at(-1)?.key : undefined
      return { envelopes: slice.map((x) => x.offer.bytes), next }
    },
  }
  return book
}
