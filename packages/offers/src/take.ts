/**
 * Taking an offer: the taker turns the offer into the terms of a `@peerkit/escrow` trade
 * (`takeTerms`), proposes them to the maker, and the maker countersigns only terms that
 * match its live offer exactly (`checkTake`): same asset, amount, price and bonds, an
 * arbiter it accepts, the maker in the role its side says, deadlines the offer's windows
 * after the terms' timestamp, and the offer's envelope id as the terms' nonce — so one
 * offer version names one trade.
 *
 * @example
 * const terms = await proposeTerms(tradeEscrow, taker, takeTerms(offer, { taker: me, arbiter, now }))
 * const signed = await acceptTerms(terms, maker)
 * checkTake(offer, openTrade(tradeEscrow, signed, { now }), signed, { now })
 */
import { contentIdFromString, equalBytes, isBytes } from '@peerkit/codec'
import { open } from '@peerkit/envelope'
import {
  TERMS_DOMAIN,
  type TermsInit,
  type Trade,
  tradeEscrowTerms,
  tradeParams,
} from '@peerkit/escrow'
import type { PeerId } from '@peerkit/identity'
import { DEFAULT_MAX_SKEW_MS } from './constants'
import { InvalidArgumentError, TermsMismatchError } from './errors'
import type { Offer } from './offer'

/** Who takes the offer, with which arbiter, when. */
export interface TakeInit {
  readonly taker: PeerId
  /** One of the offer's arbiters. */
  readonly arbiter: PeerId
  /** The terms' timestamp (ms); deadlines count from it. */
  readonly now: number
}

/** Options of `checkTake`. */
export interface CheckTakeOptions {
  /** The maker's clock (ms). */
  readonly now: number
  /** How far the terms' timestamp may be from `now` either way (default `DEFAULT_MAX_SKEW_MS`). */
  readonly maxSkewMs?: number
}

/** The nonce that binds a trade to one offer version: its envelope id bytes. */
export function offerNonce(offer: Offer): Uint8Array {
  return contentIdFromString(offer.envelopeId).bytes
}

/**
 * The terms (for `proposeTerms(tradeEscrow, …)`) of taking `offer`.
 * @throws {InvalidArgumentError} for an offer that is a cancel, or an arbiter it does not accept
 * @example const init = takeTerms(offer, { taker: me.peerId, arbiter: offer.terms.arbiters[0], now })
 */
export function takeTerms(offer: Offer, init: TakeInit): TermsInit {
  const t = offer.terms
  if (t === undefined) throw new InvalidArgumentError('a cancel cannot be taken')
  if (!t.arbiters.some((a) => a.equals(init.arbiter)))
    throw new InvalidArgumentError('the offer does not accept this arbiter')
  if (init.taker.equals(offer.maker))
    throw new InvalidArgumentError('a maker cannot take its own offer')
  const [seller, buyer] = t.side === 'sell' ? [offer.maker, init.taker] : [init.taker, offer.maker]
  return {
    ...tradeEscrowTerms({
      seller,
      buyer,
      arbiter: init.arbiter,
      asset: t.asset,
      amount: t.amount,
      sellerBond: t.bond.seller,
      buyerBond: t.bond.buyer,
      price: { currency: t.currency, amount: t.price },
      fundBy: init.now + t.windows.fund,
      payBy: init.now + t.windows.pay,
      disputeBy: init.now + t.windows.dispute,
      resolveBy: init.now + t.windows.resolve,
      nonce: offerNonce(offer),
    }),
    timestamp: init.now,
  }
}

/**
 * Checks that a trade is exactly the taking of `offer`, before the maker relies on it.
 * @param offer - the maker's live offer
 * @param trade - the opened terms (`openTrade(tradeEscrow, signed, { now })`)
 * @param terms - the terms envelope bytes (its nonce is read from them)
 * @param options - the maker's clock and skew
 * @returns which role the taker holds
 * @throws {TermsMismatchError} naming the first field that differs
 * @example checkTake(offer, trade, signed, { now })
 */
export function checkTake(
  offer: Offer,
  trade: Trade,
  terms: Uint8Array,
  options: CheckTakeOptions,
): 'seller' | 'buyer' {
  const t = offer.terms
  const bad = (what: string): never => {
    throw new TermsMismatchError(`the terms differ from the offer: ${what}`)
  }
  if (t === undefined) bad('the offer is cancelled')
  const o = t!
  const skew = options.maxSkewMs ?? DEFAULT_MAX_SKEW_MS
  if (Math.abs(trade.timestamp - options.now) > skew) bad('timestamp')
  if (trade.timestamp >= offer.expiresAt) bad('the offer had expired')
  const makerRole = o.side === 'sell' ? 'seller' : 'buyer'
  const takerRole = o.side === 'sell' ? 'buyer' : 'seller'
  if (!trade.roles[makerRole]?.equals(offer.maker)) bad(`the maker is not the ${makerRole}`)
  if (trade.roles[takerRole]?.equals(offer.maker) !== false) bad('the taker')
  const arbiter = trade.roles.arbiter
  if (arbiter === undefined || !o.arbiters.some((a) => a.equals(arbiter))) bad('arbiter')
  const p = tradeParams(trade)
  if (p.asset !== o.asset) bad('asset')
  if (p.amount !== o.amount) bad('amount')
  if (p.sellerBond !== o.bond.seller || p.buyerBond !== o.bond.buyer) bad('bonds')
  const price = trade.params.price as Record<string, unknown> | undefined
  const priceAmount = price?.amount
  if (
    price?.currency !== o.currency ||
    (typeof priceAmount !== 'bigint' && typeof priceAmount !== 'number') ||
    BigInt(priceAmount) !== o.price
  )
    bad('price')
  const d = trade.deadlines
  if (
    d.fundBy !== trade.timestamp + o.windows.fund ||
    d.payBy !== trade.timestamp + o.windows.pay ||
    d.disputeBy !== trade.timestamp + o.windows.dispute ||
    d.resolveBy !== trade.timestamp + o.windows.resolve
  )
    bad('deadlines')
  const opened = open(terms, {
    domain: TERMS_DOMAIN,
    now: options.now,
    maxSkewMs: Number.POSITIVE_INFINITY,
    maxAgeMs: Number.POSITIVE_INFINITY,
  })
  const nonce = (opened.payload as Record<string, unknown>).nonce
  if (!isBytes(nonce) || !equalBytes(nonce, offerNonce(offer))) bad('nonce (another offer version)')
  return takerRole
}
