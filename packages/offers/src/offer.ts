/**
 * Offers: a maker's signed statement of what it will trade, on what terms, until when.
 * An offer is an envelope of domain `peerkit/offer/1` whose payload names the offer (an
 * id the maker picks), the side, the asset and amount, the price, payment methods, the
 * arbiters the maker accepts, the bonds and the trade's deadline windows. The envelope's
 * `sequence` orders versions of one offer (the newest wins) and `expiresAt` ends it. A
 * cancel is an envelope of the same domain naming only the offer id: it is final.
 *
 * @example
 * const bytes = await sealOffer(maker, { id, side: 'sell', asset: 'BTC', amount: 100_000n,
 *   currency: 'EUR', price: 50_00n, payment: ['sepa'], arbiters: [carol], bond: { seller: 10_000n,
 *   buyer: 5_000n }, windows }, { sequence: 1, timestamp: now, expiresAt: now + 3_600_000 })
 * const offer = openOffer(bytes, { now })
 */
import { equalBytes, isBytes, toHex, type Value } from '@peerkit/codec'
import {
  BadSignatureError,
  ExpiredError,
  isEnvelopeError,
  NotYetValidError,
  open,
  seal,
  type VerifyCache,
} from '@peerkit/envelope'
import { type PeerId, peerIdFromBytes, type Signer } from '@peerkit/identity'
import {
  DEFAULT_MAX_LIFETIME_MS,
  DEFAULT_MAX_OFFER_BYTES,
  DEFAULT_MAX_SKEW_MS,
  MAX_ARBITERS,
  MAX_ASSET_LENGTH,
  MAX_OFFER_AMOUNT,
  MAX_OFFER_ID_BYTES,
  MAX_PAYMENT_METHOD_LENGTH,
  MAX_PAYMENT_METHODS,
  OFFER_DOMAIN,
  OFFER_VERSION,
} from './constants'
import {
  ExpiredOfferError,
  ForgedOfferError,
  InvalidArgumentError,
  MalformedOfferError,
  NotYetValidOfferError,
  OfferLifetimeError,
  type OfferRejection,
  OfferTooLargeError,
} from './errors'
import {
  amountField,
  bytesField,
  field,
  onlyKeys,
  positiveIntField,
  recordOf,
  textField,
} from './fields'

/** Which side the maker takes: `sell` (the maker escrows the asset) or `buy`. */
export type OfferSide = 'sell' | 'buy'

/** The bonds each party of a trade posts, in the offer's asset. */
export interface BondTerms {
  readonly seller: bigint
  readonly buyer: bigint
}

/**
 * The trade's deadlines, as durations from the moment the offer is taken (ms):
 * `fund < pay < dispute < resolve`, as the trade escrow requires.
 */
export interface TradeWindows {
  readonly fund: number
  readonly pay: number
  readonly dispute: number
  readonly resolve: number
}

/** What a maker offers. */
export interface OfferTerms {
  /** The maker's own name for the offer: 1 to 32 bytes; versions of one offer share it. */
  readonly id: Uint8Array
  readonly side: OfferSide
  /** The escrowed asset, 1 to 32 characters (`BTC`). */
  readonly asset: string
  /** How much of the asset, in its smallest unit; taken whole. */
  readonly amount: bigint
  /** The currency paid outside the escrow, 1 to 32 characters (`EUR`). */
  readonly currency: string
  /** The total price for `amount`, in the currency's minor unit. */
  readonly price: bigint
  /** Payment methods the maker accepts (1 to 8 names). */
  readonly payment: readonly string[]
  /** Arbiters the maker accepts (1 to 8). */
  readonly arbiters: readonly PeerId[]
  readonly bond: BondTerms
  readonly windows: TradeWindows
}

/** When and in which version an offer is sealed. */
export interface OfferSealOptions {
  /** The version: a later version of the same offer id carries a higher number. */
  readonly sequence: number
  /** The maker's clock (ms). */
  readonly timestamp: number
  /** The first instant the offer is no longer valid (ms); required. */
  readonly expiresAt: number
}

/** An opened offer or cancel. */
export interface Offer {
  /** The envelope bytes, as received: what is gossiped and served on catch-up. */
  readonly bytes: Uint8Array
  /** The envelope id text. */
  readonly envelopeId: string
  readonly maker: PeerId
  /** `maker` text. */
  readonly makerKey: string
  /** Hex of the offer id: with the maker, the key of the offer in a book. */
  readonly idHex: string
  readonly sequence: number
  readonly timestamp: number
  readonly expiresAt: number
  /** The terms, or `undefined` for a cancel. */
  readonly terms: OfferTerms | undefined
}

/** Options of `openOffer`. */
export interface OpenOfferOptions {
  /** The receiver's clock (ms). */
  readonly now: number
  /** Largest envelope read (default `DEFAULT_MAX_OFFER_BYTES`). */
  readonly maxBytes?: number
  /** How far ahead of `now` the offer may be dated (default `DEFAULT_MAX_SKEW_MS`). */
  readonly maxSkewMs?: number
  /** Longest lifetime from timestamp to expiry (default `DEFAULT_MAX_LIFETIME_MS`). */
  readonly maxLifetimeMs?: number
  /**
   * A verify cache (`createVerifyCache` of `@peerkit/envelope`) shared with other openers of
   * the same envelopes, such as the gossip router's: a signature it holds is not checked again.
   */
  readonly cache?: VerifyCache | undefined
}

const OFFER_KEYS = [
  'v',
  'id',
  'side',
  'asset',
  'amount',
  'currency',
  'price',
  'payment',
  'arbiters',
  'bond',
  'windows',
] as const
const CANCEL_KEYS = ['v', 'id', 'cancel'] as const
const WINDOW_KEYS = ['fund', 'pay', 'dispute', 'resolve'] as const

function assertTime(value: unknown, name: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    throw new InvalidArgumentError(`${name} must be a non-negative safe integer (ms)`)
}

function assertSealOptions(options: OfferSealOptions): void {
  if (typeof options !== 'object' || options === null)
    throw new InvalidArgumentError('options must be an object')
  assertTime(options.timestamp, 'options.timestamp')
  assertTime(options.expiresAt, 'options.expiresAt')
  if (options.expiresAt <= options.timestamp)
    throw new InvalidArgumentError('options.expiresAt must be after options.timestamp')
  if (!Number.isSafeInteger(options.sequence) || options.sequence < 0)
    throw new InvalidArgumentError('options.sequence must be a non-negative safe integer')
}

/** The payload of `terms`, checked the way every receiver checks it. */
export function offerPayload(terms: OfferTerms): Record<string, Value> {
  if (typeof terms !== 'object' || terms === null)
    throw new InvalidArgumentError('terms must be an object')
  const payload: Record<string, Value> = {
    v: OFFER_VERSION,
    id: terms.id,
    side: terms.side,
    asset: terms.asset,
    amount: terms.amount,
    currency: terms.currency,
    price: terms.price,
    payment: [...(terms.payment ?? [])],
    arbiters: (terms.arbiters ?? []).map((p) => p.toBytes()),
    bond: { seller: terms.bond?.seller, buyer: terms.bond?.buyer } as Record<string, Value>,
    windows: { ...terms.windows } as unknown as Record<string, Value>,
  }
  const reason = termsReason(payload)
  if (typeof reason === 'string') throw new InvalidArgumentError(`terms: ${reason}`)
  return payload
}

/** The terms of a payload, or why it is not an offer. */
function termsReason(payload: Record<string, Value>): OfferTerms | string {
  if (!onlyKeys(payload, OFFER_KEYS)) return 'unknown field'
  const id = bytesField(payload, 'id', MAX_OFFER_ID_BYTES)
  if (id === undefined) return `id must be 1 to ${MAX_OFFER_ID_BYTES} bytes`
  const side = field(payload, 'side')
  if (side !== 'sell' && side !== 'buy') return "side must be 'sell' or 'buy'"
  const asset = textField(payload, 'asset', MAX_ASSET_LENGTH)
  if (asset === undefined) return `asset must be 1 to ${MAX_ASSET_LENGTH} characters`
  const amount = amountField(payload, 'amount', MAX_OFFER_AMOUNT)
  if (amount === undefined || amount === 0n) return 'amount must be a positive 64-bit integer'
  const currency = textField(payload, 'currency', MAX_ASSET_LENGTH)
  if (currency === undefined) return `currency must be 1 to ${MAX_ASSET_LENGTH} characters`
  const price = amountField(payload, 'price', MAX_OFFER_AMOUNT)
  if (price === undefined || price === 0n) return 'price must be a positive 64-bit integer'
  const paymentIn = field(payload, 'payment')
  if (!Array.isArray(paymentIn) || paymentIn.length === 0 || paymentIn.length > MAX_PAYMENT_METHODS)
    return `payment must list 1 to ${MAX_PAYMENT_METHODS} methods`
  const payment: string[] = []
  for (const method of paymentIn) {
    if (
      typeof method !== 'string' ||
      method.length === 0 ||
      method.length > MAX_PAYMENT_METHOD_LENGTH
    )
      return `a payment method must be 1 to ${MAX_PAYMENT_METHOD_LENGTH} characters`
    if (payment.includes(method)) return 'payment methods must be distinct'
    payment.push(method)
  }
  const arbitersIn = field(payload, 'arbiters')
  if (!Array.isArray(arbitersIn) || arbitersIn.length === 0 || arbitersIn.length > MAX_ARBITERS)
    return `arbiters must list 1 to ${MAX_ARBITERS} peers`
  const arbiters: PeerId[] = []
  for (const raw of arbitersIn) {
    if (!isBytes(raw)) return 'an arbiter must be peer id bytes'
    let peer: PeerId
    try {
      peer = peerIdFromBytes(raw)
    } catch {
      return 'an arbiter is not a valid peer id'
    }
    if (arbiters.some((a) => a.equals(peer))) return 'arbiters must be distinct'
    arbiters.push(peer)
  }
  const bondIn = recordOf(field(payload, 'bond'))
  if (bondIn === undefined || !onlyKeys(bondIn, ['seller', 'buyer'])) return 'bond must be a map'
  const seller = amountField(bondIn, 'seller', MAX_OFFER_AMOUNT)
  const buyer = amountField(bondIn, 'buyer', MAX_OFFER_AMOUNT)
  if (seller === undefined || buyer === undefined)
    return 'bonds must be non-negative 64-bit integers'
  const windowsIn = recordOf(field(payload, 'windows'))
  if (windowsIn === undefined || !onlyKeys(windowsIn, WINDOW_KEYS)) return 'windows must be a map'
  const w = WINDOW_KEYS.map((k) => positiveIntField(windowsIn, k))
  if (w.some((x) => x === undefined)) return 'each window must be a positive integer of ms'
  const [fund, pay, dispute, resolve] = w as [number, number, number, number]
  if (!(fund < pay && pay < dispute && dispute < resolve))
    return 'windows must be ordered fund < pay < dispute < resolve'
  return Object.freeze({
    id,
    side,
    asset,
    amount,
    currency,
    price,
    payment: Object.freeze(payment),
    arbiters: Object.freeze(arbiters),
    bond: Object.freeze({ seller, buyer }),
    windows: Object.freeze({ fund, pay, dispute, resolve }),
  })
}

/**
 * Seals an offer (or a new version of one: the same `id`, a higher `sequence`).
 * @param maker - the maker's signer
 * @param terms - what is offered
 * @param options - the version, the time and the expiry
 * @returns the offer envelope bytes
 * @throws {InvalidArgumentError} when the terms or times are not well formed
 * @example const bytes = await sealOffer(maker, terms, { sequence: 1, timestamp: now, expiresAt: now + HOUR })
 */
export async function sealOffer(
  maker: Signer,
  terms: OfferTerms,
  options: OfferSealOptions,
): Promise<Uint8Array> {
  assertSealOptions(options)
  return seal(maker, {
    domain: OFFER_DOMAIN,
    payload: offerPayload(terms),
    timestamp: options.timestamp,
    expiresAt: options.expiresAt,
    sequence: options.sequence,
  })
}

/**
 * Seals a cancel of offer `id`: final, whatever versions come after it. Its `sequence`
 * must be above every version it cancels; its expiry should be no earlier than theirs.
 * @param maker - the maker's signer
 * @param id - the offer id
 * @param options - the version, the time and the expiry
 * @returns the cancel envelope bytes
 * @example const bytes = await sealCancel(maker, id, { sequence: 2, timestamp: now, expiresAt: now + HOUR })
 */
export async function sealCancel(
  maker: Signer,
  id: Uint8Array,
  options: OfferSealOptions,
): Promise<Uint8Array> {
  assertSealOptions(options)
  if (!isBytes(id) || id.length === 0 || id.length > MAX_OFFER_ID_BYTES)
    throw new InvalidArgumentError(`id must be 1 to ${MAX_OFFER_ID_BYTES} bytes`)
  return seal(maker, {
    domain: OFFER_DOMAIN,
    payload: { v: OFFER_VERSION, id, cancel: true },
    timestamp: options.timestamp,
    expiresAt: options.expiresAt,
    sequence: options.sequence,
  })
}

/**
 * Opens an offer or cancel envelope: size first, then form, times, lifetime and the
 * signature. Returns the rejection instead of throwing, so a book can drop and report.
 * @param bytes - the envelope
 * @param options - the receiver's clock and limits
 * @returns the opened offer, or the typed reason it was refused
 * @example const r = tryOpenOffer(bytes, { now }); if (r.ok) book.add(r.offer)
 */
export function tryOpenOffer(
  bytes: Uint8Array,
  options: OpenOfferOptions,
): { ok: true; offer: Offer } | { ok: false; error: OfferRejection } {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_OFFER_BYTES
  const maxSkewMs = options.maxSkewMs ?? DEFAULT_MAX_SKEW_MS
  const maxLifetimeMs = options.maxLifetimeMs ?? DEFAULT_MAX_LIFETIME_MS
  if (!isBytes(bytes))
    return { ok: false, error: new MalformedOfferError('an offer must be bytes') }
  if (bytes.length > maxBytes)
    return { ok: false, error: new OfferTooLargeError(`${bytes.length} bytes exceeds ${maxBytes}`) }
  let opened: ReturnType<typeof open>
  try {
    opened = open(bytes, {
      domain: OFFER_DOMAIN,
      now: options.now,
      maxSkewMs,
      maxAgeMs: Number.POSITIVE_INFINITY,
      maxBytes,
      maxDepth: 4,
      maxSignatures: 1,
      cache: options.cache,
    })
  } catch (error) {
    if (
      error instanceof BadSignatureError ||
      (isEnvelopeError(error) && error.name === 'BadSignatureError')
    )
      return {
        ok: false,
        error: new ForgedOfferError('the signature does not verify', { cause: error }),
      }
    if (error instanceof ExpiredError || (isEnvelopeError(error) && error.name === 'ExpiredError'))
      return { ok: false, error: new ExpiredOfferError('the offer has expired', { cause: error }) }
    if (
      error instanceof NotYetValidError ||
      (isEnvelopeError(error) && error.name === 'NotYetValidError')
    )
      return {
        ok: false,
        error: new NotYetValidOfferError('the offer is dated ahead', { cause: error }),
      }
    if (isEnvelopeError(error) && error.name === 'InvalidArgumentError') throw error
    const name = error instanceof Error ? error.name : 'error'
    return {
      ok: false,
      error: new MalformedOfferError(`not an offer envelope (${name})`, { cause: error }),
    }
  }
  const { expiresAt, sequence, timestamp } = opened
  if (expiresAt === undefined)
    return { ok: false, error: new MalformedOfferError('an offer must carry an expiry') }
  if (expiresAt - timestamp > maxLifetimeMs)
    return {
      ok: false,
      error: new OfferLifetimeError(`an offer may live at most ${maxLifetimeMs} ms`),
    }
  if (typeof sequence !== 'number')
    return {
      ok: false,
      error: new MalformedOfferError('an offer must carry a safe-integer sequence'),
    }
  const payload = recordOf(opened.payload)
  if (payload === undefined || field(payload, 'v') !== OFFER_VERSION)
    return { ok: false, error: new MalformedOfferError('unsupported offer payload') }
  let terms: OfferTerms | undefined
  if (field(payload, 'cancel') !== undefined) {
    if (field(payload, 'cancel') !== true || !onlyKeys(payload, CANCEL_KEYS))
      return {
        ok: false,
        error: new MalformedOfferError('a cancel carries only v, id and cancel: true'),
      }
  } else {
    const read = termsReason(payload)
    if (typeof read === 'string') return { ok: false, error: new MalformedOfferError(read) }
    terms = read
  }
  const id = bytesField(payload, 'id', MAX_OFFER_ID_BYTES)
  if (id === undefined)
    return {
      ok: false,
      error: new MalformedOfferError(`id must be 1 to ${MAX_OFFER_ID_BYTES} bytes`),
    }
  return {
    ok: true,
    offer: Object.freeze({
      bytes,
      envelopeId: opened.id.toString(),
      maker: opened.signer,
      makerKey: opened.signer.toString(),
      idHex: toHex(id),
      sequence,
      timestamp,
      expiresAt,
      terms,
    }),
  }
}

/**
 * Opens an offer or cancel envelope, throwing its rejection.
 * @throws one of the `OfferRejection` errors
 * @example const offer = openOffer(bytes, { now })
 */
export function openOffer(bytes: Uint8Array, options: OpenOfferOptions): Offer {
  const r = tryOpenOffer(bytes, options)
  if (!r.ok) throw r.error
  return r.offer
}

/** Whether two opened offers are the same envelope. */
export function sameOffer(a: Offer, b: Offer): boolean {
  return equalBytes(a.bytes, b.bytes)
}
