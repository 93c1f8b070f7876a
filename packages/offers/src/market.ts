/**
 * The market on a `@peerkit/net` node: offers gossiped on a topic and filed in a bounded
 * book, catch-up from neighbours on a direct protocol, and trades taken directly with the
 * maker over the market protocol — the escrow session's steps, acknowledgements, the
 * arbiter's ruling and the receipt never go through gossip. Unacknowledged steps stay in
 * the sender's session outbox (persisted with the log) and are resent when the peer is
 * back; other frames wait in a bounded mailbox. After each trade both parties rate each
 * other (`@peerkit/reputation`), the ratings are gossiped, and every peer ranks and hides
 * makers by the global trust it computes from them.
 *
 * @example
 * const market = await createMarket({ node, signer, store, vault })
 * const offer = await market.publish({ side: 'sell', asset: 'BTC', amount: 100_000n, ... })
 * const [best] = other.offers({ asset: 'BTC', side: 'sell' })
 * const trade = await other.take(best)
 */
import { toHex, type Value } from '@peerkit/codec'
import { open } from '@peerkit/envelope'
import {
  acceptTerms,
  countersignReceipt,
  createSession,
  decodeAck,
  type EscrowSession,
  type EscrowState,
  encodeAck,
  isEscrowError,
  type LogStore,
  loadSession,
  makeReceipt,
  openReceipt,
  openTrade,
  proposeTerms,
  TERMS_DOMAIN,
  tradeEscrow,
  type Vault,
} from '@peerkit/escrow'
import type { GossipMessage } from '@peerkit/gossip'
import { type PeerId, peerIdFromString, type Signer } from '@peerkit/identity'
import type { Clock, Node, Protocol } from '@peerkit/net'
import {
  type AcceptedRating,
  createLocalTrust,
  createRatingLedger,
  DEFAULT_TRUST_THRESHOLD,
  isReputationError,
  sealRating,
} from '@peerkit/reputation'
import { attestSettlement, movedValue, receiptAttestation } from './attest'
import {
  createOfferBook,
  type OfferBook,
  type OfferBookOptions,
  type OfferQuery,
  type RankPolicy,
} from './book'
import {
  type BookPart,
  decodeCatchUpRequest,
  decodeCatchUpResponse,
  encodeCatchUpRequest,
  encodeCatchUpResponse,
} from './catch-up'
import {
  DEFAULT_MAX_OFFER_BYTES,
  DEFAULT_SYNC_GRACE_MS,
  DEFAULT_SYNC_TIMEOUT_MS,
  MAX_CATCH_UP_OFFERS,
} from './constants'
import {
  InvalidArgumentError,
  isOffersError,
  MalformedOfferError,
  MarketClosedError,
  type OfferRejection,
  OutOfSyncError,
  ReceiptMismatchError,
  TakeDeclinedError,
} from './errors'
import {
  decodeMarketFrame,
  encodeMarketFrame,
  MAX_MARKET_FRAME_BYTES,
  MAX_STEPS_PER_FRAME,
  type MarketFrame,
} from './frames'
import { type Offer, type OfferTerms, sealCancel, sealOffer } from './offer'
import { checkTake, offerNonce, takeTerms } from './take'
import { type MakerTrust, makerTrust } from './trust'

/** Default gossip topic of offers. */
export const OFFERS_TOPIC = 'peerkit/offers/1'
/** Default gossip topic of ratings. */
export const RATINGS_TOPIC = 'peerkit/ratings/1'
/** Protocol id of the market protocol (takes, steps, acks, receipts). */
export const MARKET_PROTOCOL = '/peerkit/market/1'
/** Protocol id of catch-up. */
export const CATCH_UP_PROTOCOL = '/peerkit/offers/catch-up/1'
/** Default resend period of unacknowledged steps and mailbox frames (ms). */
export const DEFAULT_RESEND_MS = 2_000
/** Default time a taker waits for the maker's answer (ms). */
export const DEFAULT_TAKE_TIMEOUT_MS = 10_000
/** Default frames kept for one offline peer. */
export const DEFAULT_MAILBOX_PER_PEER = 32
/** Default frames kept for all offline peers. */
export const DEFAULT_MAILBOX_TOTAL = 1_024
/**
 * Invalid offers from one publisher before the market refuses it. One: on gossip's score
 * scale one rejected message puts the neighbour that sent it below the accept threshold,
 * and the router hands the validator nothing more from it for about a minute, so a second
 * invalid offer from a spammer connected to us would arrive only after that.
 */
export const DEFAULT_INVALID_LIMIT = 1
/** Catch-up pages asked of one neighbour. */
export const DEFAULT_CATCH_UP_PAGES = 16
/** Catch-up requests answered per peer and minute. */
export const DEFAULT_CATCH_UP_PER_MINUTE = 32

/**
 * Refusals that depend on the receiver: its clock (expired, dated ahead), its bounds and
 * windows (size, lifetime, per-maker count and rate, book full), its own record (stale,
 * cancelled) or policy (refused maker). A peer with another clock or other limits may take
 * the same offer, so an honest maker or forwarder can send it: dropped (`ignore`), never
 * counted against the maker nor the neighbour.
 */
const RECEIVER_REFUSALS: ReadonlySet<string> = new Set<OfferRejection['name']>([
  'ExpiredOfferError',
  'NotYetValidOfferError',
  'OfferTooLargeError',
  'OfferLifetimeError',
  'MakerLimitError',
  'MakerRateError',
  'BookFullError',
  'StaleOfferError',
  'CancelledOfferError',
  'RefusedMakerError',
])

/** What happened in the market, for logs and applications. */
export interface MarketEvents {
  'offer-added': { readonly offer: Offer; readonly from: PeerId | undefined }
  'offer-rejected': {
    readonly error: OfferRejection
    readonly from: PeerId
    readonly publisher: PeerId
  }
  'maker-refused': { readonly maker: string; readonly invalid: number }
  'trade-opened': { readonly session: EscrowSession; readonly offer: Offer | undefined }
  'trade-step': { readonly session: EscrowSession; readonly action: string; readonly by: string }
  'trade-ended': { readonly session: EscrowSession; readonly outcome: string }
  'receipt-signed': { readonly session: EscrowSession; readonly receipt: Uint8Array }
  /** A settlement authority attested the receipt (`by`, its peer id text); ratings may follow. */
  'receipt-attested': {
    readonly session: EscrowSession
    readonly receipt: Uint8Array
    readonly by: string
  }
  'rating-accepted': { readonly rating: AcceptedRating }
  /**
   * A rating from gossip or a neighbour was refused, with the ledger's typed reason (for
   * example `UnattestedReceiptError`: no trusted settlement authority attested its receipt).
   */
  'rating-rejected': { readonly error: Error }
  'caught-up': { readonly peer: PeerId; readonly offers: number }
  /** A frame or a step failed here and was dropped (it is retried where retrying makes sense). */
  fault: { readonly context: string; readonly error: unknown }
}

/** What a finished trade's party says of the other: -1, 0 or 1, or nothing. */
export type RatePolicy = (session: EscrowSession) => -1 | 0 | 1 | undefined

/** The arbiter's ruling on a disputed trade, or undefined to wait. */
export type ArbitratePolicy = (
  session: EscrowSession,
) => Promise<{ action: 'ruleRelease' | 'ruleRefund'; note: string } | undefined>

/** What `createMarket` takes. */
export interface MarketInit {
  readonly node: Node
  /** The node's signer. */
  readonly signer: Signer
  /** Where trade logs persist; sessions found here are resumed at start. */
  readonly store: LogStore
  /** Custody of this peer's side of each trade. */
  readonly vault: Vault
  /** Executes a finished trade's payouts (default `session.settle()`). */
  readonly settle?: (session: EscrowSession) => Promise<void>
  /** Time and timers (default the system clock of `@peerkit/net`). */
  readonly clock: Clock
  readonly book?: OfferBookOptions
  readonly offersTopic?: string
  readonly ratingsTopic?: string
  /** Peers trusted beforehand (EigenTrust anchors), by peer id text. */
  readonly preTrusted?: readonly string[]
  /**
   * The settlement authorities whose attestation makes a receipt count (the vault's
   * signer, the arbiters), by peer id text. A rating counts only when its receipt carries
   * the countersignature of one of them that is not a party, so identities that trade with
   * each other cannot mint trust by signing receipts. Default none: no rating counts.
   */
  readonly authorities?: readonly string[]
  /**
   * Asks the vault that settled a trade to attest its receipt (signed by both parties) and
   * returns the receipt with the vault's countersignature (`attestSettlement` is what the
   * vault runs). A dispute the arbiter ruled is attested by the arbiter instead, on the
   * market protocol. Default none: only rulings are attested.
   */
  readonly attest?: (session: EscrowSession, receipt: Uint8Array) => Promise<Uint8Array>
  /** Hide makers below this relative trust (default `DEFAULT_TRUST_THRESHOLD`). */
  readonly trustFloor?: number
  /** Whether to trade with `taker` on `offer` (default: any taker above the trust floor). */
  readonly acceptTake?: (offer: Offer, taker: PeerId) => boolean
  /** How this peer rates the other party of a finished trade (default `defaultRating`). */
  readonly rate?: RatePolicy
  /** The arbiter's ruling when this peer is the arbiter of a disputed trade. */
  readonly arbitrate?: ArbitratePolicy
  /** Resend period (default `DEFAULT_RESEND_MS`). */
  readonly resendMs?: number
  /** How long `take` waits for the maker (default `DEFAULT_TAKE_TIMEOUT_MS`). */
  readonly takeTimeoutMs?: number
  /** Frames kept per offline peer (default `DEFAULT_MAILBOX_PER_PEER`). */
  readonly mailboxPerPeer?: number
  /** Frames kept for all offline peers (default `DEFAULT_MAILBOX_TOTAL`). */
  readonly mailboxTotal?: number
  /** Invalid offers from one publisher before it is refused (default `DEFAULT_INVALID_LIMIT`). */
  readonly invalidLimit?: number
  /** How long `sync` waits for the other parties (default `DEFAULT_SYNC_TIMEOUT_MS`). */
  readonly syncTimeoutMs?: number
  /** Uptime after which a silent party no longer holds back a deadline step (default `DEFAULT_SYNC_GRACE_MS`). */
  readonly syncGraceMs?: number
}

/** What `publish` needs besides the terms' id. */
export interface PublishInit extends Omit<OfferTerms, 'id'> {
  /** The offer id (default 16 random bytes). */
  readonly id?: Uint8Array
  /** How long the offer lives (default one hour). */
  readonly ttlMs?: number
}

/** The market on one node. */
export interface Market {
  readonly book: OfferBook
  /** Seals, files and gossips an offer; returns it. */
  publish(init: PublishInit): Promise<Offer>
  /** Cancels one of this peer's offers (final), files and gossips the cancel. */
  cancel(offer: Offer): Promise<void>
  /** Live offers, ranked and filtered by trust (the market's floor unless `policy` says otherwise). */
  offers(query?: OfferQuery, policy?: RankPolicy): Offer[]
  /**
   * Takes an offer: proposes the terms to the maker directly and opens the session once
   * the maker countersigns.
   * @throws {TakeDeclinedError} when the maker declines or does not answer in time
   */
  take(offer: Offer, options?: { arbiter?: PeerId }): Promise<EscrowSession>
  /**
   * Takes a step in a trade as this peer and sends it. A step that only a deadline allows
   * (`expire`, `reclaim`, `settle`, `lapse`) is taken only once `sync` shows that the
   * other parties hold this log and nothing after it, or once the market has run for
   * `syncGraceMs` and they do not answer: a deadline step never forks a step that a live
   * party signed in time and that is still on its way.
   * @throws {OutOfSyncError} when a deadline step must wait; the step's rejection otherwise
   */
  act(trade: string, action: string, body?: Value): Promise<EscrowState>
  /**
   * Asks every other party that may take a step from the trade's current state what it
   * holds (they resend what this peer lacks) and resolves true once each has acknowledged
   * exactly this log, false after `syncTimeoutMs`.
   */
  sync(trade: string): Promise<boolean>
  /** Every session, by trade id. */
  trades(): ReadonlyMap<string, EscrowSession>
  /**
   * The receipt of a finished trade once both parties signed it; the attested one once a
   * settlement authority countersigned it.
   */
  receipt(trade: string): Uint8Array | undefined
  /** The settlement authority that attested the trade's receipt (peer id text), if one did. */
  attestedBy(trade: string): string | undefined
  /** Global trust as this peer computes it from the ratings it accepted. */
  trust(): MakerTrust
  /** Accepted ratings. */
  ratings(): AcceptedRating[]
  /**
   * Asks `peer` for its book, page by page (only `part` of it when given: ask several
   * neighbours at once, one part each); resolves with the offers filed.
   */
  catchUp(peer: PeerId, part?: BookPart): Promise<number>
  /** Sends every pending step and mailbox frame now. */
  flush(): void
  /** Frames waiting in the mailbox. */
  readonly mailboxSize: number
  on<E extends keyof MarketEvents>(event: E, listener: (value: MarketEvents[E]) => void): () => void
  /** Stops timers and protocols and closes every session's log (the node stays up). */
  close(): Promise<void>
}

/**
 * The default rating: +1 for a trade that went as agreed; -1 for the party a dispute or a
 * deadline went against; 0 for a split. A trade that moved nothing (cancelled, expired,
 * unwound) earns no rating: undefined, so none is submitted.
 */
export function defaultRating(session: EscrowSession): -1 | 0 | 1 | undefined {
  const state = session.state
  if (!movedValue(state)) return undefined
  const last = state.last?.action
  const seller = session.role === 'seller'
  switch (state.name) {
    case 'released':
      // the seller let a dispute or the deadline release for it: the buyer rates it down
      if (!seller && (last === 'ruleRelease' || last === 'settle')) return -1
      return 1
    case 'refunded':
      return seller ? -1 : 0
    default:
      return 0
  }
}

const PARTY_ROLES = ['seller', 'buyer']

/**
 * Runs the market on a node.
 * @param init - the node, signer, store, custody, clock and policies
 * @returns the market, with sessions from the store resumed
 * @example const market = await createMarket({ node, signer, store, vault, clock: systemClock })
 */
export async function createMarket(init: MarketInit): Promise<Market> {
  const { node, signer, store, vault, clock } = init
  if (!node.peerId.equals(signer.peerId))
    throw new InvalidArgumentError("the signer must be the node's")
  const me = signer.peerId.toString()
  const offersTopic = init.offersTopic ?? OFFERS_TOPIC
  const ratingsTopic = init.ratingsTopic ?? RATINGS_TOPIC
  const trustFloor = init.trustFloor ?? DEFAULT_TRUST_THRESHOLD
  const resendMs = init.resendMs ?? DEFAULT_RESEND_MS
  const takeTimeoutMs = init.takeTimeoutMs ?? DEFAULT_TAKE_TIMEOUT_MS
  const mailboxPerPeer = init.mailboxPerPeer ?? DEFAULT_MAILBOX_PER_PEER
  const mailboxTotal = init.mailboxTotal ?? DEFAULT_MAILBOX_TOTAL
  const invalidLimit = init.invalidLimit ?? DEFAULT_INVALID_LIMIT
  const syncTimeoutMs = init.syncTimeoutMs ?? DEFAULT_SYNC_TIMEOUT_MS
  const syncGraceMs = init.syncGraceMs ?? DEFAULT_SYNC_GRACE_MS
  const startedAt = clock.now()
  const rate = init.rate ?? defaultRating
  const settleTrade = init.settle ?? ((s: EscrowSession) => s.settle().then(() => undefined))

  const refused = new Set<string>()
  const invalid = new Map<string, number>()
  const book = createOfferBook({
    ...init.book,
    admit: (maker) => !refused.has(maker) && (init.book?.admit?.(maker) ?? true),
  })
  const authorities = new Set(
    (init.authorities ?? []).map((text, i) => {
      try {
        return peerIdFromString(text).toString()
      } catch {
        throw new InvalidArgumentError(`authorities[${i}] is not a peer id`)
      }
    }),
  )
  const local = createLocalTrust()
  let trustCache: MakerTrust | undefined
  const ledger = createRatingLedger({
    authorities: [...authorities],
    // an evicted rating leaves the trust computation too
    onEvict: (rating) => {
      local.removeRating(rating)
      trustCache = undefined
    },
  })
  const sessions = new Map<string, EscrowSession>()
  /** Trades by the offer envelope they took (my offers as maker). */
  const takenOffers = new Map<string, string>()
  /** My live offers, by envelope id text. */
  const mine = new Map<string, Offer>()
  /** Receipts both parties signed, by trade (the attested one once it came). */
  const receipts = new Map<string, Uint8Array>()
  /** The authority that attested each trade's receipt. */
  const attestations = new Map<string, string>()
  /** Trades whose attestation is being asked of the vault. */
  const attesting = new Set<string>()
  /** As an arbiter: the receipts this peer attested, by trade. */
  const attestedHere = new Map<string, Uint8Array>()
  const settled = new Set<string>()
  const rated = new Set<string>()
  const ruling = new Set<string>()
  const pendingTakes = new Map<
    string,
    { resolve: (s: EscrowSession) => void; reject: (e: Error) => void; timer: unknown }
  >()
  const mailbox = new Map<string, { peer: PeerId; frames: Uint8Array[] }>()
  let mailboxSize = 0
  const listeners = new Map<string, Set<(value: never) => void>>()
  const catchUpServed = new Map<string, { windowStart: number; count: number }>()
  const catchUpWaiting = new Map<string, (frame: Uint8Array) => void>()
  /** The newest ratings accepted, as received: handed to each neighbour that connects. */
  const recentRatings: Uint8Array[] = []
  /** Answers to this peer's sync requests: `trade|peer` → what that peer holds. */
  const synced = new Map<string, { count: number; head: string }>()
  let closed = false
  let timer: unknown

  function emit<E extends keyof MarketEvents>(event: E, value: MarketEvents[E]): void {
    for (const listener of listeners.get(event) ?? []) {
      try {
        ;(listener as (v: MarketEvents[E]) => void)(value)
      } catch {
        // a listener's fault is its own
      }
    }
  }

  const trust = (): MakerTrust => {
    trustCache ??= makerTrust(
      local,
      init.preTrusted ?? [],
      ledger.ratings().map((r) => r.ratee),
    )
    return trustCache
  }

  // ---- direct sends with a bounded, sender-kept mailbox

  function deliver(peer: PeerId, frame: Uint8Array): boolean {
    try {
      return market.send(peer, frame)
    } catch {
      return false
    }
  }
  function sendOrKeep(peer: PeerId, frame: MarketFrame): void {
    const bytes = encodeMarketFrame(frame)
    if (deliver(peer, bytes)) return
    const key = peer.toString()
    let box = mailbox.get(key)
    if (box === undefined) {
      box = { peer, frames: [] }
      mailbox.set(key, box)
    }
    if (box.frames.length >= mailboxPerPeer || mailboxSize >= mailboxTotal) {
      // the oldest frame of this peer gives way: newer receipts and answers supersede it
      if (box.frames.length === 0) return
      box.frames.shift()
      mailboxSize--
    }
    box.frames.push(bytes)
    mailboxSize++
  }
  function flushMailbox(peer: PeerId): void {
    const box = mailbox.get(peer.toString())
    if (box === undefined) return
    while (box.frames.length > 0 && deliver(peer, box.frames[0]!)) {
      box.frames.shift()
      mailboxSize--
    }
    if (box.frames.length === 0) mailbox.delete(peer.toString())
  }
  function flushSession(session: EscrowSession, only?: string): void {
    for (const entry of session.outbox()) {
      if (only !== undefined && entry.peer.toString() !== only) continue
      for (let i = 0; i < entry.steps.length; i += 32) {
        const frame = encodeMarketFrame({
          t: 'steps',
          trade: session.trade.idText,
          terms: i === 0 ? entry.terms : undefined,
          steps: entry.steps.slice(i, i + 32),
        })
        if (!deliver(entry.peer, frame)) break
      }
    }
  }
  function flushPeer(peer: PeerId): void {
    flushMailbox(peer)
    const key = peer.toString()
    for (const session of sessions.values()) {
      if (session.trade.signers.some((p) => p.toString() === key)) {
        flushSession(session, key)
        if (session.state.terminal) void finish(session, true).catch(() => undefined)
      }
    }
  }

  // ---- trades

  async function onState(session: EscrowSession, action: string, by: string): Promise<void> {
    emit('trade-step', { session, action, by })
    if (session.state.name === 'disputed' && session.role === 'arbiter') void arbitrate(session)
    if (session.state.terminal) await finish(session)
  }

  async function arbitrate(session: EscrowSession): Promise<void> {
    const id = session.trade.idText
    if (init.arbitrate === undefined || ruling.has(id)) return
    ruling.add(id)
    try {
      const verdict = await init.arbitrate(session)
      if (verdict !== undefined && session.state.name === 'disputed') {
        await session.act(verdict.action, { note: verdict.note }, clock.now())
        flushSession(session)
        await onState(session, verdict.action, 'arbiter')
      }
    } catch (error) {
      // the ruling is retried on the next step or resend
      emit('fault', { context: 'ruling', error })
    } finally {
      ruling.delete(id)
    }
  }

  /** A finished trade: pay out once, exchange the receipt, rate the other party. */
  async function finish(session: EscrowSession, again = false): Promise<void> {
    const id = session.trade.idText
    if (!PARTY_ROLES.includes(session.role)) return
    if (!settled.has(id)) {
      settled.add(id)
      try {
        await settleTrade(session)
        emit('trade-ended', { session, outcome: session.state.name })
      } catch (error) {
        settled.delete(id)
        emit('fault', { context: 'settle', error })
        return
      }
    }
    const other = session.trade.roles[session.role === 'seller' ? 'buyer' : 'seller']!
    const full = receipts.get(id)
    if (full !== undefined) {
      if (attestations.has(id)) await rateTrade(session, full)
      else await requestAttestation(session, full)
      return
    }
    // the seller starts the receipt and the buyer countersigns what matches its own state;
    // a buyer still without one asks again with its own half (receipts live in memory, so
    // a buyer that restarted after the exchange gets its copy back this way)
    if (session.role === 'seller' || again) {
      const half = await makeReceipt(session.state, signer)
      sendOrKeep(other, { t: 'receipt', trade: id, receipt: half, half: true })
    }
  }

  /**
   * Asks the trade's settlement authority to attest the receipt both parties signed: the
   * arbiter for a dispute it ruled (it answers both parties), the vault otherwise (this
   * peer hands the attested receipt to the other party). Asked again on each resend until
   * it comes; a trade that moved nothing is not attested (it earns no rating).
   */
  async function requestAttestation(session: EscrowSession, full: Uint8Array): Promise<void> {
    const id = session.trade.idText
    if (!movedValue(session.state) || attestations.has(id) || attesting.has(id)) return
    const arbiter = session.trade.roles.arbiter
    if (session.state.last?.role === 'arbiter' && arbiter !== undefined) {
      deliver(arbiter, encodeMarketFrame({ t: 'receipt', trade: id, receipt: full, half: false }))
      return
    }
    if (init.attest === undefined) return
    attesting.add(id)
    try {
      const attested = await init.attest(session, full)
      if (fileReceipt(session, attested)) {
        const other = session.trade.roles[session.role === 'seller' ? 'buyer' : 'seller']!
        sendOrKeep(other, { t: 'receipt', trade: id, receipt: attested, half: false })
        await rateTrade(session, attested)
      } else if (!attestations.has(id)) {
        throw new ReceiptMismatchError('the vault answered without a trusted attestation')
      }
    } catch (error) {
      emit('fault', { context: 'attestation', error })
    } finally {
      attesting.delete(id)
    }
  }

  /**
   * Files a receipt of this trade that both parties signed, keeping an attested one once it
   * came. @returns true when it brings the trade's first attestation by a trusted authority
   * @throws when the receipt does not open with both parties or names another trade
   */
  function fileReceipt(session: EscrowSession, receipt: Uint8Array): boolean {
    const id = session.trade.idText
    const now = clock.now()
    const opened = openReceipt(receipt, { now })
    if (toHex(opened.trade) !== toHex(session.trade.id.bytes))
      throw new ReceiptMismatchError('the receipt names another trade')
    if (attestations.has(id)) return false
    const first = !receipts.has(id)
    receipts.set(id, receipt)
    if (first) emit('receipt-signed', { session, receipt })
    const by = receiptAttestation(receipt, authorities, now)
    if (by === undefined) return false
    attestations.set(id, by)
    emit('receipt-attested', { session, receipt, by })
    return true
  }

  /** As the arbiter of a dispute this peer ruled: attests the receipt and sends it to both parties. */
  async function attestRuling(
    peer: PeerId,
    session: EscrowSession,
    frame: Extract<MarketFrame, { t: 'receipt' }>,
  ): Promise<void> {
    if (frame.half || session.state.last?.role !== 'arbiter') return
    const parties = PARTY_ROLES.map((role) => session.trade.roles[role]!)
    if (!parties.some((p) => p.equals(peer))) return
    const id = session.trade.idText
    try {
      let attested = attestedHere.get(id)
      if (attested === undefined) {
        attested = await attestSettlement(signer, session.state, frame.receipt, {
          now: clock.now(),
        })
        attestedHere.set(id, attested)
      }
      const answer = encodeMarketFrame({ t: 'receipt', trade: id, receipt: attested, half: false })
      for (const party of parties) deliver(party, answer)
    } catch (error) {
      emit('fault', { context: 'attestation', error })
    }
  }

  async function rateTrade(session: EscrowSession, receipt: Uint8Array): Promise<void> {
    const id = session.trade.idText
    // a party rates only with a receipt a settlement authority attested
    if (rated.has(id) || !attestations.has(id)) return
    rated.add(id)
    const score = rate(session)
    if (score === undefined) return
    try {
      const rating = await sealRating(signer, { receipt, score, timestamp: clock.now() })
      acceptRating(rating)
      await node.gossip.publish(ratingsTopic, rating)
    } catch (error) {
      rated.delete(id)
      emit('fault', { context: 'rating', error })
    }
  }

  function acceptRating(bytes: Uint8Array): 'accept' | 'reject' | 'ignore' {
    try {
      const rating = ledger.accept(bytes, clock.now())
      local.addRating(rating)
      trustCache = undefined
      recentRatings.push(bytes)
      if (recentRatings.length > MAX_STEPS_PER_FRAME) recentRatings.shift()
      emit('rating-accepted', { rating })
      return 'accept'
    } catch (error) {
      // a rating seen before, or older than what the ledger evicted to stay bounded, is no
      // fault of the peer that forwards it
      if (
        isReputationError(error) &&
        (error.name === 'DuplicateRatingError' || error.name === 'StaleRatingError')
      )
        return 'ignore'
      emit('rating-rejected', { error: error instanceof Error ? error : new Error(String(error)) })
      // no authority this peer trusts attested the receipt: a peer trusting another may take it
      if (isReputationError(error) && error.name === 'UnattestedReceiptError') return 'ignore'
      return 'reject'
    }
  }

  async function addSession(session: EscrowSession, offer: Offer | undefined): Promise<void> {
    const id = session.trade.idText
    if (sessions.has(id)) return
    sessions.set(id, session)
    const nonce = termsNonce(session.trade.bytes)
    if (nonce !== undefined && session.trade.roles[session.role]?.toString() === me)
      takenOffers.set(nonce, id)
    emit('trade-opened', { session, offer })
  }

  function termsNonce(terms: Uint8Array): string | undefined {
    try {
      const opened = open(terms, {
        domain: TERMS_DOMAIN,
        now: clock.now(),
        maxSkewMs: Number.POSITIVE_INFINITY,
        maxAgeMs: Number.POSITIVE_INFINITY,
      })
      const nonce = (opened.payload as Record<string, unknown>).nonce
      return nonce instanceof Uint8Array ? toHex(nonce) : undefined
    } catch {
      return undefined
    }
  }

  async function onTake(peer: PeerId, terms: Uint8Array): Promise<void> {
    const now = clock.now()
    const decline = (trade: string, reason: string) =>
      sendOrKeep(peer, { t: 'declined', trade, reason })
    const nonce = termsNonce(terms)
    const offer = [...mine.values()].find((o) => toHex(offerNonce(o)) === nonce)
    let signed: Uint8Array
    let trade: ReturnType<typeof openTrade>
    try {
      signed = await acceptTerms(terms, signer)
      trade = openTrade(tradeEscrow, signed, { now })
    } catch {
      return decline('unknown', 'the terms do not open')
    }
    const existing = sessions.get(trade.idText)
    if (existing !== undefined) {
      // the taker asks again (it missed the answer): the same trade, answered again
      sendOrKeep(peer, { t: 'taken', terms: existing.trade.bytes })
      return
    }
    if (offer === undefined || nonce === undefined) return decline(trade.idText, 'no such offer')
    if (takenOffers.has(nonce)) return decline(trade.idText, 'the offer was taken')
    try {
      const takerRole = checkTake(offer, trade, signed, { now })
      if (!trade.roles[takerRole]!.equals(peer))
        return decline(trade.idText, 'the taker must propose')
    } catch (error) {
      return decline(trade.idText, isOffersError(error) ? error.message : 'the terms differ')
    }
    const trustOfTaker = trust().trustOf(peer.toString())
    const allowed =
      init.acceptTake?.(offer, peer) ??
      (!refused.has(peer.toString()) && (trustOfTaker === undefined || trustOfTaker >= trustFloor))
    if (!allowed) return decline(trade.idText, 'the maker does not trade with this taker')
    takenOffers.set(nonce, trade.idText)
    const session = await createSession({
      definition: tradeEscrow,
      signer,
      store,
      vault,
      terms: signed,
      now,
    })
    await addSession(session, offer)
    mine.delete(offer.envelopeId)
    sendOrKeep(peer, { t: 'taken', terms: signed })
    // one offer, one trade: the maker withdraws it for good
    await api.cancel(offer).catch(() => undefined)
  }

  async function onSteps(peer: PeerId, frame: Extract<MarketFrame, { t: 'steps' }>): Promise<void> {
    let session = sessions.get(frame.trade)
    const now = clock.now()
    if (session === undefined) {
      // the arbiter learns of a trade when it is disputed: the terms come with the steps
      if (frame.terms === undefined) return
      try {
        session = await createSession({
          definition: tradeEscrow,
          signer,
          store,
          terms: frame.terms,
          now,
        })
      } catch {
        return
      }
      if (session.trade.idText !== frame.trade) return
      await addSession(session, undefined)
    }
    const role = session.trade.roleByKey.get(toHex(peer.publicKey))
    if (role === undefined) return
    for (const step of frame.steps) {
      const result = await session.receiveStep(step, now)
      sendOrKeep(peer, { t: 'ack', trade: frame.trade, ack: result.ack })
      if (result.status === 'applied') {
        await onState(session, session.state.last?.action ?? '', role)
      }
    }
  }

  async function onReceipt(
    peer: PeerId,
    frame: Extract<MarketFrame, { t: 'receipt' }>,
  ): Promise<void> {
    const session = sessions.get(frame.trade)
    if (session === undefined || !session.state.terminal) return
    if (session.role === 'arbiter') return attestRuling(peer, session, frame)
    if (!PARTY_ROLES.includes(session.role)) return
    const id = session.trade.idText
    const other = session.trade.roles[session.role === 'seller' ? 'buyer' : 'seller']!
    const fromArbiter = session.trade.roles.arbiter?.equals(peer) === true
    if (!other.equals(peer) && !(fromArbiter && !frame.half)) return
    try {
      if (frame.half) {
        // the other party's half: countersigned if it matches this replica; the best receipt
        // this peer holds goes back (the attested one, to a party that restarted)
        fileReceipt(session, await countersignReceipt(frame.receipt, session.state, signer))
        sendOrKeep(peer, { t: 'receipt', trade: id, receipt: receipts.get(id)!, half: false })
      } else fileReceipt(session, frame.receipt)
      const full = receipts.get(id)!
      if (attestations.has(id)) await rateTrade(session, full)
      else if (!fromArbiter) await requestAttestation(session, full)
    } catch (error) {
      // a receipt that does not match this replica's state is not signed
      emit('fault', { context: 'receipt', error })
    }
  }

  async function onMarketFrame(peer: PeerId, bytes: Uint8Array): Promise<void> {
    let frame: MarketFrame
    try {
      frame = decodeMarketFrame(bytes)
    } catch {
      return
    }
    switch (frame.t) {
      case 'take':
        return onTake(peer, frame.terms.slice())
      case 'taken': {
        const now = clock.now()
        let trade: ReturnType<typeof openTrade>
        try {
          trade = openTrade(tradeEscrow, frame.terms.slice(), { now })
        } catch {
          return
        }
        const waiting = pendingTakes.get(trade.idText)
        if (sessions.has(trade.idText)) return
        if (trade.roleByKey.get(toHex(signer.publicKey)) === undefined) return
        if (waiting === undefined) return
        const session = await createSession({
          definition: tradeEscrow,
          signer,
          store,
          vault,
          terms: frame.terms.slice(),
          now,
        })
        await addSession(session, undefined)
        pendingTakes.delete(trade.idText)
        clock.clearTimeout(waiting.timer)
        waiting.resolve(session)
        return
      }
      case 'declined': {
        const waiting = pendingTakes.get(frame.trade)
        if (waiting === undefined) return
        pendingTakes.delete(frame.trade)
        clock.clearTimeout(waiting.timer)
        waiting.reject(new TakeDeclinedError(`the maker declined: ${frame.reason}`))
        return
      }
      case 'steps':
        return onSteps(peer, frame)
      case 'ack': {
        const session = sessions.get(frame.trade)
        if (session === undefined) return
        await session.receiveAck(frame.ack, peer).catch(() => undefined)
        return
      }
      case 'sync':
        return onSync(peer, frame)
      case 'ratings':
        for (const bytes of frame.ratings) acceptRating(bytes.slice())
        return
      case 'receipt':
        return onReceipt(peer, frame)
    }
  }

  async function onSync(peer: PeerId, frame: Extract<MarketFrame, { t: 'sync' }>): Promise<void> {
    const session = sessions.get(frame.trade)
    if (session === undefined) return
    const key = peer.toString()
    if (!session.trade.signers.some((p) => p.toString() === key)) return
    if (frame.ack === undefined) {
      // a request: what it lacks first, then what this replica holds (one link keeps the order)
      flushSession(session, key)
      const { seq, head } = session.state
      deliver(
        peer,
        encodeMarketFrame({
          t: 'sync',
          trade: frame.trade,
          ack: encodeAck(session.trade.id.bytes, seq, head),
        }),
      )
      return
    }
    try {
      const ack = decodeAck(frame.ack)
      if (toHex(ack.trade) !== toHex(session.trade.id.bytes)) return
      synced.set(`${frame.trade}|${key}`, { count: ack.count, head: toHex(ack.head) })
    } catch {
      return
    }
    await session.receiveAck(frame.ack, peer).catch(() => undefined)
  }

  function sendRatings(peer: PeerId): void {
    if (recentRatings.length === 0) return
    const ratings: Uint8Array[] = []
    let bytes = 64
    for (let i = recentRatings.length - 1; i >= 0; i--) {
      const rating = recentRatings[i]!
      if (bytes + rating.length + 8 > MAX_MARKET_FRAME_BYTES) break
      ratings.unshift(rating)
      bytes += rating.length + 8
    }
    deliver(peer, encodeMarketFrame({ t: 'ratings', ratings }))
  }

  /** The other roles that may take a step from the session's current state. */
  function contenders(session: EscrowSession): PeerId[] {
    const state = session.state
    const roles = new Set<string>()
    for (const t of state.definition.transitions.values())
      if (t.from.includes(state.name)) for (const r of t.by) if (r !== session.role) roles.add(r)
    const peers: PeerId[] = []
    for (const role of roles) {
      const peer = session.trade.roles[role]
      if (peer !== undefined && peer.toString() !== me) peers.push(peer)
    }
    return peers
  }

  async function sync(trade: string): Promise<boolean> {
    const session = sessions.get(trade)
    if (session === undefined) throw new InvalidArgumentError(`no trade '${trade}'`)
    const peers = contenders(session)
    for (const peer of peers) synced.delete(`${trade}|${peer.toString()}`)
    const request = encodeMarketFrame({ t: 'sync', trade })
    const until = clock.now() + syncTimeoutMs
    for (let round = 0; ; round++) {
      const { seq, head } = session.state
      const held = toHex(head)
      const missing = peers.filter((p) => {
        const answer = synced.get(`${trade}|${p.toString()}`)
        return answer === undefined || answer.count !== seq || answer.head !== held
      })
      if (missing.length === 0) return true
      if (closed || clock.now() >= until) return false
      // asked again every few rounds: a link that was not up yet may be up now
      if (round % 8 === 0) for (const peer of missing) deliver(peer, request)
      await new Promise((resolve) => clock.setTimeout(() => resolve(undefined), 25))
    }
  }

  // ---- offers on gossip

  async function validateOffer(message: GossipMessage): Promise<'accept' | 'reject' | 'ignore'> {
    const data = message.data
    const publisher = message.signer.toString()
    if (!(data instanceof Uint8Array)) return strike(message, undefined)
    const r = book.add(data, clock.now())
    if (r.status === 'rejected') {
      const error = r.error
      emit('offer-rejected', { error, from: message.from, publisher: message.signer })
      if (error.name === 'ConflictingOfferError' && r.offer !== undefined) {
        // two envelopes the maker signed for one version: the maker equivocated, provably, but
        // the neighbour may have been handed the other one first and forwarded it in good faith
        refuse(r.offer.makerKey, (invalid.get(r.offer.makerKey) ?? 0) + 1)
        return 'ignore'
      }
      if (RECEIVER_REFUSALS.has(error.name)) return 'ignore'
      return strike(message, error)
    }
    if (r.status === 'duplicate') return 'ignore'
    if (r.offer.makerKey !== publisher) {
      // only a maker gossips its offers (others serve them on catch-up)
      book.dropMaker(r.offer.makerKey)
      return strike(message, undefined)
    }
    emit('offer-added', { offer: r.offer, from: message.from })
    return 'accept'
  }

  function strike(message: GossipMessage, error: OfferRejection | undefined): 'reject' {
    const publisher = message.signer.toString()
    const count = (invalid.get(publisher) ?? 0) + 1
    invalid.set(publisher, count)
    if (error === undefined) {
      emit('offer-rejected', {
        error: new MalformedOfferError('not an offer envelope from its own maker'),
        from: message.from,
        publisher: message.signer,
      })
    }
    if (count >= invalidLimit) refuse(publisher, count)
    return 'reject'
  }

  function refuse(maker: string, count: number): void {
    invalid.set(maker, count)
    if (refused.has(maker)) return
    refused.add(maker)
    book.dropMaker(maker)
    emit('maker-refused', { maker, invalid: count })
  }

  // ---- catch-up

  function onCatchUpFrame(peer: PeerId, bytes: Uint8Array): void {
    const key = peer.toString()
    const waiting = catchUpWaiting.get(key)
    if (waiting !== undefined && bytes.length > 0) {
      try {
        decodeCatchUpRequest(bytes)
      } catch {
        catchUpWaiting.delete(key)
        waiting(bytes.slice())
        return
      }
    }
    let request: ReturnType<typeof decodeCatchUpRequest>
    try {
      request = decodeCatchUpRequest(bytes)
    } catch {
      return
    }
    const now = clock.now()
    const served = catchUpServed.get(key)
    if (served === undefined || now - served.windowStart >= 60_000)
      catchUpServed.set(key, { windowStart: now, count: 1 })
    else if (++served.count > DEFAULT_CATCH_UP_PER_MINUTE) return
    let limit = request.limit
    // keep the answer within one frame
    limit = Math.min(limit, Math.floor(MAX_MARKET_FRAME_BYTES / DEFAULT_MAX_OFFER_BYTES))
    const page = book.page(now, limit, request.cursor, request.part)
    catchUp.send(peer, encodeCatchUpResponse(page))
  }

  async function requestCatchUp(peer: PeerId, part?: BookPart): Promise<number> {
    let cursor: string | undefined
    let filed = 0
    for (let page = 0; page < DEFAULT_CATCH_UP_PAGES && !closed; page++) {
      const key = peer.toString()
      const answer = new Promise<Uint8Array | undefined>((resolve) => {
        const t = clock.setTimeout(() => {
          catchUpWaiting.delete(key)
          resolve(undefined)
        }, takeTimeoutMs)
        catchUpWaiting.set(key, (frame) => {
          clock.clearTimeout(t)
          resolve(frame)
        })
      })
      if (
        !catchUp.send(
          peer,
          encodeCatchUpRequest({ limit: Math.min(MAX_CATCH_UP_OFFERS, 100), cursor, part }),
        )
      ) {
        catchUpWaiting.delete(key)
        break
      }
      const frame = await answer
      if (frame === undefined) break
      let response: ReturnType<typeof decodeCatchUpResponse>
      try {
        response = decodeCatchUpResponse(frame)
      } catch {
        break
      }
      for (const bytes of response.envelopes) {
        const r = book.add(bytes.slice(), clock.now())
        if (r.status === 'added' || r.status === 'replaced') {
          filed++
          emit('offer-added', { offer: r.offer, from: peer })
        }
      }
      cursor = response.next
      if (cursor === undefined) break
    }
    emit('caught-up', { peer, offers: filed })
    return filed
  }

  // ---- wiring

  const marketProtocol: Protocol = node.protocol(
    MARKET_PROTOCOL,
    {
      onFrame(peer, frame) {
        void onMarketFrame(peer, frame.slice()).catch((error: unknown) =>
          emit('fault', { context: 'market frame', error }),
        )
      },
      onPeerConnected(peer) {
        flushPeer(peer)
        // gossip carries ratings only while a peer is up: one that was away (or restarted,
        // its ledger in memory) gets the newest from each neighbour it connects to
        sendRatings(peer)
      },
    },
    { maxFrameBytes: MAX_MARKET_FRAME_BYTES + 64 },
  )
  const market = {
    send: (peer: PeerId, frame: Uint8Array) => marketProtocol.send(peer, frame),
  }
  const catchUp: Protocol = node.protocol(
    CATCH_UP_PROTOCOL,
    {
      onFrame: onCatchUpFrame,
      onPeerConnected(peer) {
        void requestCatchUp(peer).catch(() => undefined)
      },
    },
    { maxFrameBytes: MAX_MARKET_FRAME_BYTES + 64 },
  )
  const offUnsubscribe = node.gossip.subscribe(offersTopic, () => undefined)
  const offValidate = node.gossip.validate(offersTopic, validateOffer)
  const offRatings = node.gossip.subscribe(ratingsTopic, () => undefined)
  const offRatingsValidate = node.gossip.validate(ratingsTopic, (message) =>
    message.data instanceof Uint8Array ? acceptRating(message.data) : 'reject',
  )

  // resume the trades in the store
  for (const log of await store.list()) {
    try {
      const session = await loadSession({
        definition: tradeEscrow,
        signer,
        store,
        vault,
        trade: log,
      })
      await addSession(session, undefined)
    } catch (error) {
      if (!isEscrowError(error)) throw error
    }
  }

  function tick(): void {
    if (closed) return
    api.flush()
    for (const session of sessions.values()) {
      if (session.state.name === 'disputed' && session.role === 'arbiter') void arbitrate(session)
      if (session.state.terminal) void finish(session, true).catch(() => undefined)
    }
    timer = clock.setTimeout(tick, resendMs)
  }
  timer = clock.setTimeout(tick, resendMs)

  const api: Market = {
    book,
    get mailboxSize() {
      return mailboxSize
    },
    async publish(input) {
      if (closed) throw new MarketClosedError('the market is closed')
      const now = clock.now()
      const {
        ttlMs = 3_600_000,
        id = globalThis.crypto.getRandomValues(new Uint8Array(16)),
        ...rest
      } = input
      const bytes = await sealOffer(
        signer,
        { ...rest, id },
        { sequence: 1, timestamp: now, expiresAt: now + ttlMs },
      )
      const r = book.add(bytes, now)
      if (r.status === 'rejected') throw r.error
      mine.set(r.offer.envelopeId, r.offer)
      await node.gossip.publish(offersTopic, bytes)
      return r.offer
    },
    async cancel(offer) {
      const now = clock.now()
      mine.delete(offer.envelopeId)
      const bytes = await sealCancel(signer, offer.terms?.id ?? new Uint8Array([0]), {
        sequence: offer.sequence + 1,
        timestamp: now,
        expiresAt: Math.max(offer.expiresAt, now + 1),
      })
      const r = book.add(bytes, now)
      if (r.status === 'rejected') throw r.error
      await node.gossip.publish(offersTopic, bytes)
    },
    offers(query = {}, policy) {
      const t = trust()
      return book.query(query, clock.now(), {
        trustOf: t.trustOf,
        trustFloor,
        hidden: (maker) => refused.has(maker),
        ...policy,
      })
    },
    async take(offer, options = {}) {
      if (closed) throw new MarketClosedError('the market is closed')
      const arbiter = options.arbiter ?? offer.terms?.arbiters[0]
      if (arbiter === undefined) throw new InvalidArgumentError('the offer names no arbiter')
      const now = clock.now()
      const terms = await proposeTerms(
        tradeEscrow,
        signer,
        takeTerms(offer, { taker: signer.peerId, arbiter, now }),
      )
      const tradeId = openTradeId(terms)
      const result = new Promise<EscrowSession>((resolve, reject) => {
        const timer = clock.setTimeout(() => {
          pendingTakes.delete(tradeId)
          reject(new TakeDeclinedError('the maker did not answer in time'))
        }, takeTimeoutMs)
        pendingTakes.set(tradeId, { resolve, reject, timer })
      })
      if (!node.peers().some((p) => p.equals(offer.maker)))
        await node.dial(offer.maker).catch(() => undefined)
      sendOrKeep(offer.maker, { t: 'take', terms })
      return result
    },
    async act(trade, action, body = null) {
      const session = sessions.get(trade)
      if (session === undefined) throw new InvalidArgumentError(`no trade '${trade}'`)
      const transition = session.state.definition.transitions.get(action)
      if (
        transition?.after !== undefined &&
        !(await sync(trade)) &&
        clock.now() - startedAt < syncGraceMs
      )
        throw new OutOfSyncError(`'${action}' waits until the other parties acknowledge this log`)
      const state = await session.act(action, body, clock.now())
      flushSession(session)
      await onState(session, action, session.role)
      return state
    },
    sync,
    trades: () => sessions,
    receipt: (trade) => receipts.get(trade),
    attestedBy: (trade) => attestations.get(trade),
    trust,
    ratings: () => ledger.ratings(),
    catchUp: requestCatchUp,
    flush() {
      for (const peer of node.peers()) flushMailbox(peer)
      for (const session of sessions.values()) flushSession(session)
    },
    on(event, listener) {
      let set = listeners.get(event)
      if (set === undefined) {
        set = new Set()
        listeners.set(event, set)
      }
      set.add(listener as (value: never) => void)
      return () => set.delete(listener as (value: never) => void)
    },
    async close() {
      if (closed) return
      closed = true
      clock.clearTimeout(timer)
      for (const waiting of pendingTakes.values()) {
        clock.clearTimeout(waiting.timer)
        waiting.reject(new MarketClosedError('the market is closed'))
      }
      pendingTakes.clear()
      marketProtocol.close()
      catchUp.close()
      offUnsubscribe()
      offValidate()
      offRatings()
      offRatingsValidate()
      await Promise.all([...sessions.values()].map((s) => s.close().catch(() => undefined)))
    },
  }
  return api
}

/** The trade id of terms as proposed (one signature so far): the envelope id of their body. */
function openTradeId(terms: Uint8Array): string {
  const opened = open(terms, {
    domain: TERMS_DOMAIN,
    now: 0,
    maxSkewMs: Number.POSITIVE_INFINITY,
    maxAgeMs: Number.POSITIVE_INFINITY,
  })
  return opened.id.toString()
}
