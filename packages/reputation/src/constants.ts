/**
 * Named defaults and limits of @peerkit/reputation. Every default can be overridden
 * through the params of the function that uses it; the limits cannot.
 *
 * @example
 * import { RATING_DOMAIN, DEFAULT_ALPHA } from '@peerkit/reputation'
 * computeGlobalTrust(matrix, { preTrusted, alpha: DEFAULT_ALPHA })
 */

/** Envelope domain of a rating. */
export const RATING_DOMAIN = 'peerkit/rating/1'
/** Envelope domain of an escrow receipt (produced by `@peerkit/escrow`). */
export const RECEIPT_DOMAIN = 'peerkit/escrow/receipt/1'
/** Payload version of a rating and of a receipt. */
export const RATING_VERSION = 1
export const RECEIPT_VERSION = 1
/** The scores a rating may carry: negative, neutral, positive. */
export const RATING_SCORES = [-1, 0, 1] as const
/** Longest comment a rating may carry, in UTF-16 code units. */
export const MAX_COMMENT_LENGTH = 280
/** Largest rating envelope accepted, in bytes (the receipt inside included). */
export const MAX_RATING_BYTES = 8192
/** Largest receipt envelope accepted, in bytes. */
export const MAX_RECEIPT_BYTES = 4096
/** Longest trade id accepted, in bytes. */
export const MAX_TRADE_ID_BYTES = 64
/** Default tolerance for a rating or receipt timestamped ahead of the verifier's clock. */
export const DEFAULT_MAX_SKEW_MS = 5 * 60_000
/** Default oldest rating accepted (a rating is meant to travel for a while). */
export const DEFAULT_RATING_MAX_AGE_MS = 30 * 24 * 3_600_000
/** Default oldest receipt a rating may carry (the trade may be rated up to a year later). */
export const DEFAULT_RECEIPT_MAX_AGE_MS = 365 * 24 * 3_600_000

/**
 * Default outcomes that earn a rating: those in which escrow moved value between the
 * parties (`released`, `refunded` with the other party's bond, `split`). A trade cancelled or
 * expired before funding, or unwound, moved nothing and earns none.
 */
export const DEFAULT_COUNTED_OUTCOMES = Object.freeze(['released', 'refunded', 'split'] as const)
/** Default most ratings the ledger keeps by one rater; beyond it the rater's oldest goes. */
export const DEFAULT_MAX_RATINGS_PER_RATER = 1_024
/** Default most ratings the ledger keeps in total; beyond it the oldest of all goes. */
export const DEFAULT_MAX_RATINGS = 100_000

/** Longest peer key (`PeerId` text) the scorer accepts. */
export const MAX_PEER_KEY_LENGTH = 256

/** Default weight of the local-trust evidence of one rating point. */
export const DEFAULT_RATING_WEIGHT = 1
/** Default weight of the local-trust evidence of one first-hand interaction outcome. */
export const DEFAULT_OUTCOME_WEIGHT = 1

/**
 * Default share of the trust a bad or neutral trade would have carried that goes back to
 * the pre-trusted peers rather than to the rater's good partners (see `createLocalTrust`).
 */
export const DEFAULT_WITHHELD_SHARE = 0.5

/** Default damping: the share of trust that returns to the pre-trusted peers each step. */
export const DEFAULT_ALPHA = 0.15
/** Default stopping rule: L1 change between two iterations below this. */
export const DEFAULT_TOLERANCE = 1e-6
/** Default iteration limit. */
export const DEFAULT_MAX_ITERATIONS = 1000
/**
 * Default relative-trust threshold (1 = an average peer's share) below which to act, e.g.
 * refuse to trade. A quarter of an average share: see docs/reputation.md for why.
 */
export const DEFAULT_TRUST_THRESHOLD = 0.25
/** Largest matrix dimension accepted (indices are 32-bit). */
export const MAX_MATRIX_SIZE = 2 ** 31 - 1

/**
 * Default scorer parameters (`createScorer`). Times in milliseconds; decays are the factor a
 * counter is multiplied by once per `decayIntervalMs`. Penalty counters enter the score
 * squared, so repeat offenders fall fast; see docs/reputation.md for how they were chosen.
 */
export const DEFAULT_SCORER_PARAMS = Object.freeze({
  decayIntervalMs: 1_000,
  decayToZero: 0.01,
  retainMs: 3_600_000,
  maxPeers: 100_000,
  newcomer: Object.freeze({ score: 0, probationMs: 30_000 }),
  firstDeliveries: Object.freeze({ weight: 0.5, cap: 40, decay: 0.995 }),
  deliveries: Object.freeze({
    weight: -1,
    threshold: 0,
    cap: 100,
    decay: 0.97,
    activationMs: 30_000,
  }),
  deliveryFailures: Object.freeze({ weight: -1, decay: 0.995 }),
  invalidMessages: Object.freeze({ weight: -10, decay: 0.999 }),
  brokenPromises: Object.freeze({ weight: -2, threshold: 2, decay: 0.995 }),
  protocolViolations: Object.freeze({ weight: -20, decay: 0.999 }),
  application: Object.freeze({ weight: 1, cap: 50 }),
  thresholds: Object.freeze({ gossip: -10, publish: -40, graylist: -80 }),
})
