/**
 * What `pnpm demo -- --ui` sends the dashboard over WebSocket: one JSON object a message,
 * a full `state` each time something changed (the market is small: a few peers, a few dozen
 * offers and trades), and an `event` line for each thing that happened.
 */

/** A peer of the market, as the dashboard ranks it. */
export interface FeedPeer {
  /** The peer's name in the cast. */
  readonly id: string
  /** maker, taker, scammer, spammer, arbiter… */
  readonly role: string
  /** Money at the bank, in the currency's major unit. */
  readonly balance: number
  /** Global trust (EigenTrust) as the arbiter computes it. */
  readonly trust: number
}

/** An offer in the book. */
export interface FeedOffer {
  readonly id: string
  readonly maker: string
  readonly side: string
  readonly amount: string
  readonly price: string
}

/** A trade and the state its escrow is in. */
export interface FeedTrade {
  readonly id: string
  readonly seller: string
  readonly buyer: string
  /** The escrow state: proposed, funded, paid, released, disputed, refunded… */
  readonly state: string
}

/** One message of the feed. */
export type FeedMessage =
  | {
      readonly type: 'state'
      readonly peers: readonly FeedPeer[]
      readonly offers: readonly FeedOffer[]
      readonly trades: readonly FeedTrade[]
    }
  | { readonly type: 'event'; readonly line: string }

/**
 * Parses one feed message, or `undefined` for anything else (the dashboard ignores it).
 * @example
 * parseFeedMessage('{"type":"event","line":"a3f1 took offer 7"}')
 */
export function parseFeedMessage(text: string): FeedMessage | undefined {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return undefined
  }
  if (typeof value !== 'object' || value === null) return undefined
  const message = value as { type?: unknown }
  if (message.type === 'event' && typeof (value as { line?: unknown }).line === 'string')
    return value as FeedMessage
  if (message.type !== 'state') return undefined
  const state = value as { peers?: unknown; offers?: unknown; trades?: unknown }
  if (!Array.isArray(state.peers) || !Array.isArray(state.offers) || !Array.isArray(state.trades))
    return undefined
  return value as FeedMessage
}
