/**
 * @peerkit/offers: a signed offer book. Makers seal offers (their own envelope domain,
 * newest version wins, a cancel is final); every peer keeps a bounded book that drops
 * invalid, replayed and expired offers with typed reasons, answers queries by asset,
 * side and price, ranks makers by trust, and serves catch-up pages to newcomers.
 *
 * @example
 * const book = createOfferBook()
 * book.add(await sealOffer(maker, terms, { sequence: 1, timestamp: now, expiresAt }), now)
 * book.query({ asset: 'BTC', side: 'sell' }, now, { trustOf, trustFloor: 0.25 })
 */
export { attestSettlement } from './attest'
export {
  type AddResult,
  createOfferBook,
  inBookPart,
  type OfferBook,
  type OfferBookOptions,
  type OfferQuery,
  type PriceBound,
  type RankPolicy,
} from './book'
export {
  type BookPart,
  type CatchUpRequest,
  type CatchUpResponse,
  decodeCatchUpRequest,
  decodeCatchUpResponse,
  encodeCatchUpRequest,
  encodeCatchUpResponse,
} from './catch-up'
export * from './constants'
export * from './errors'
export {
  decodeMarketFrame,
  encodeMarketFrame,
  MARKET_FRAME_VERSION,
  MAX_MARKET_FRAME_BYTES,
  MAX_STEPS_PER_FRAME,
  type MarketFrame,
} from './frames'
export {
  type ArbitratePolicy,
  CATCH_UP_PROTOCOL,
  createMarket,
  DEFAULT_CATCH_UP_PAGES,
  DEFAULT_CATCH_UP_PER_MINUTE,
  DEFAULT_INVALID_LIMIT,
  DEFAULT_MAILBOX_PER_PEER,
  DEFAULT_MAILBOX_TOTAL,
  DEFAULT_RESEND_MS,
  DEFAULT_TAKE_TIMEOUT_MS,
  defaultRating,
  MARKET_PROTOCOL,
  type Market,
  type MarketEvents,
  type MarketInit,
  OFFERS_TOPIC,
  type PublishInit,
  RATINGS_TOPIC,
  type RatePolicy,
} from './market'
export {
  type BondTerms,
  type Offer,
  type OfferSealOptions,
  type OfferSide,
  type OfferTerms,
  type OpenOfferOptions,
  offerPayload,
  openOffer,
  sameOffer,
  sealCancel,
  sealOffer,
  type TradeWindows,
  tryOpenOffer,
} from './offer'
export { type CheckTakeOptions, checkTake, offerNonce, type TakeInit, takeTerms } from './take'
export { type MakerTrust, makerTrust } from './trust'
