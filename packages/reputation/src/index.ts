/**
 * @peerkit/reputation: whom to believe. Local peer scores from what this node saw
 * (`createScorer`, a `@peerkit/gossip` score hook), global trust from everyone's local trust
 * (`computeGlobalTrust`, EigenTrust on a CSR matrix), and ratings that only a settled trade
 * can earn: a receipt both parties signed and a trusted settlement authority attested
 * (`sealRating`, `attestReceipt`, `createRatingLedger`).
 *
 * @example
 * const scorer = createScorer({}, {})
 * scorer.record(peer, 'first-delivery', now)
 * const { trust } = computeGlobalTrust(matrix, { preTrusted: [0] })
 */
export * from './constants'
export { assertCsrMatrix, type CsrMatrix, csrFromTriples } from './csr'
export {
  computeGlobalTrust,
  type GlobalTrust,
  type GlobalTrustOptions,
  relativeTrust,
} from './eigentrust'
export {
  DuplicateRatingError,
  InvalidArgumentError,
  InvalidMatrixError,
  InvalidParamsError,
  InvalidRatingError,
  InvalidReceiptError,
  isReputationError,
  MalformedRatingError,
  MissingReceiptError,
  NotAPartyError,
  NothingMovedError,
  PeerTableFullError,
  ReputationError,
  type ReputationErrorName,
  SelfRatingError,
  StaleRatingError,
  TradeMismatchError,
  UnattestedReceiptError,
  WrongRateeError,
} from './errors'
export {
  type AcceptedRating,
  createRatingLedger,
  type RatingLedger,
  type RatingLedgerOptions,
} from './ledger'
export {
  createLocalTrust,
  type LocalTrust,
  type LocalTrustMatrix,
  type LocalTrustOptions,
  type RatingEvidence,
} from './local-trust'
export { type RatingInput, type SealRatingOptions, sealRating } from './rating'
export { type OpenedReceipt, openReceiptFor, type ReceiptRules } from './receipt'
export {
  actionsBetween,
  createScorer,
  PEER_EVENTS,
  type PeerEventName,
  type PeerKey,
  SCORE_LEVELS,
  type ScoreAction,
  type ScoreChange,
  type ScoreExplanation,
  type ScoreLevel,
  type ScorePart,
  type ScorePartName,
  type Scorer,
  type ScorerComponents,
} from './scorer'
export { resolveScorerParams, type ScorerInit, type ScorerParams } from './scorer-params'
export { type AttestOptions, attestReceipt, repeatWeight } from './settlement'
