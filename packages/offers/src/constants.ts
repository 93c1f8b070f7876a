/**
 * Named defaults and limits of @peerkit/offers. Every limit is checked before work is
 * spent on the input it bounds.
 *
 * @example
 * import { OFFER_DOMAIN, DEFAULT_MAX_OFFERS } from '@peerkit/offers'
 * const book = createOfferBook({ maxOffers: DEFAULT_MAX_OFFERS })
 */

/** Domain of offer and cancel envelopes: a signature made for an offer means nothing elsewhere. */
export const OFFER_DOMAIN = 'peerkit/offer/1'
/** Version of the offer payload. */
export const OFFER_VERSION = 1
/** Version of catch-up frames. */
export const CATCH_UP_VERSION = 1

/** Largest offer or cancel envelope a book reads (bytes). */
export const DEFAULT_MAX_OFFER_BYTES = 2048
/** Longest an offer may live, from its timestamp to its expiry (24 hours). */
export const DEFAULT_MAX_LIFETIME_MS = 24 * 3_600_000
/** How far an offer may be dated ahead of the receiver's clock. */
export const DEFAULT_MAX_SKEW_MS = 30_000
/** Most live offers a book holds in total. */
export const DEFAULT_MAX_OFFERS = 10_000
/** Most live offers a book holds from one maker. */
export const DEFAULT_MAX_OFFERS_PER_MAKER = 16
/** Most cancels (tombstones) a book remembers in total. */
export const DEFAULT_MAX_CANCELS = 10_000
/** Most cancels a book remembers from one maker. */
export const DEFAULT_MAX_CANCELS_PER_MAKER = 64
/** Updates (new offers, replacements, cancels) one maker may make per window. */
export const DEFAULT_MAKER_UPDATES = 32
/** The window of `DEFAULT_MAKER_UPDATES` (one minute). */
export const DEFAULT_MAKER_WINDOW_MS = 60_000

/** Longest offer id a maker chooses (bytes). */
export const MAX_OFFER_ID_BYTES = 32
/** Longest asset or currency code. */
export const MAX_ASSET_LENGTH = 32
/** Most payment methods on one offer. */
export const MAX_PAYMENT_METHODS = 8
/** Longest payment method name. */
export const MAX_PAYMENT_METHOD_LENGTH = 32
/** Most arbiters one offer accepts. */
export const MAX_ARBITERS = 8
/** Largest amount, price or bond (2^64 − 1, what escrow takes). */
export const MAX_OFFER_AMOUNT = 2n ** 64n - 1n

/** Most offers one catch-up response carries. */
export const MAX_CATCH_UP_OFFERS = 256
/**
 * Most parts a catch-up may split a book into: a newcomer asks several neighbours at once,
 * each for one part (offers whose envelope id falls in it), so a large book comes in the
 * time of a fraction of its pages.
 */
export const MAX_CATCH_UP_PARTS = 16
/** Largest catch-up frame (bytes). */
export const MAX_CATCH_UP_BYTES = 512 * 1024

/** How long `Market.sync` waits for the other parties' acknowledgements (ms). */
export const DEFAULT_SYNC_TIMEOUT_MS = 2_000
/**
 * How long a market runs before a silent other party counts as gone (ms): until then a
 * deadline step waits for the other party to acknowledge this log (`OutOfSyncError`), so a
 * peer that just restarted hears of steps sent while it was down before it acts on a
 * deadline; after it, a party that does not answer cannot hold the trade hostage.
 */
export const DEFAULT_SYNC_GRACE_MS = 15_000
