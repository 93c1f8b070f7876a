/**
 * Frames of the market protocol (`/peerkit/market/1`), sent directly between the parties
 * of a trade and its arbiter, never gossiped: a take (proposed terms), its answer, escrow
 * steps and acknowledgements, a sync request, receipts, and ratings for a new neighbour. Canonical CBOR maps with a version and a
 * type, bounded before they are decoded.
 *
 * @example
 * const frame = encodeMarketFrame({ t: 'take', terms })
 * const decoded = decodeMarketFrame(frame) // { t: 'take', terms }
 */
import { decode, encode, isBytes } from '@peerkit/codec'
import { MalformedMarketFrameError } from './errors'
import { field, recordOf, textField } from './fields'

/** Version of market frames. */
export const MARKET_FRAME_VERSION = 1
/** Largest market frame (bytes). */
export const MAX_MARKET_FRAME_BYTES = 256 * 1024
/** Most steps one frame carries. */
export const MAX_STEPS_PER_FRAME = 64

/** One frame of the market protocol. */
export type MarketFrame =
  /** A taker proposes the terms of taking one of the receiver's offers. */
  | { readonly t: 'take'; readonly terms: Uint8Array }
  /** The maker countersigned: the trade is open. */
  | { readonly t: 'taken'; readonly terms: Uint8Array }
  /** The maker declines (the offer is gone, the terms differ, the taker is refused). */
  | { readonly t: 'declined'; readonly trade: string; readonly reason: string }
  /** Escrow steps the receiver has not acknowledged; the terms too for a non-party. */
  | {
      readonly t: 'steps'
      readonly trade: string
      readonly terms?: Uint8Array | undefined
      readonly steps: readonly Uint8Array[]
    }
  /** An escrow acknowledgement. */
  | { readonly t: 'ack'; readonly trade: string; readonly ack: Uint8Array }
  /**
   * "What do you hold?" (no `ack`): the receiver resends what the sender lacks, then
   * answers with the acknowledgement of its whole log (`ack`).
   */
  | { readonly t: 'sync'; readonly trade: string; readonly ack?: Uint8Array | undefined }
  /** Ratings the sender accepted, newest last: what a neighbour that just connected may lack. */
  | { readonly t: 'ratings'; readonly ratings: readonly Uint8Array[] }
  /** A receipt: signed by the sender only (`half`) or by both. */
  | {
      readonly t: 'receipt'
      readonly trade: string
      readonly receipt: Uint8Array
      readonly half: boolean
    }

function bytesOk(v: unknown): v is Uint8Array {
  return isBytes(v) && v.length > 0 && v.length <= MAX_MARKET_FRAME_BYTES
}

/**
 * Encodes a market frame.
 * @example const bytes = encodeMarketFrame({ t: 'ack', trade, ack })
 */
export function encodeMarketFrame(frame: MarketFrame): Uint8Array {
  const body: Record<string, unknown> = { v: MARKET_FRAME_VERSION }
  for (const [k, v] of Object.entries(frame))
    if (v !== undefined) body[k] = Array.isArray(v) ? [...v] : v
  return encode(body as never)
}

/**
 * Decodes a market frame, checking size, version, type and every field.
 * @throws {MalformedMarketFrameError} for anything else
 * @example const frame = decodeMarketFrame(bytes)
 */
export function decodeMarketFrame(bytes: Uint8Array): MarketFrame {
  const bad = (why: string, cause?: unknown): never => {
    throw new MalformedMarketFrameError(why, cause === undefined ? undefined : { cause })
  }
  if (!isBytes(bytes) || bytes.length > MAX_MARKET_FRAME_BYTES) bad('frame too large')
  let value: unknown
  try {
    value = decode(bytes, {
      maxBytes: MAX_MARKET_FRAME_BYTES,
      maxDepth: 3,
      maxItems: MAX_STEPS_PER_FRAME + 8,
      maxTotalItems: MAX_STEPS_PER_FRAME + 16,
    })
  } catch (error) {
    bad('not canonical CBOR within limits', error)
  }
  const r = recordOf(value)
  if (r === undefined) return bad('a frame is a map')
  if (field(r, 'v') !== MARKET_FRAME_VERSION) bad('unsupported frame version')
  const t = field(r, 't')
  const keys = Object.keys(r)
  const only = (...allowed: string[]) => {
    for (const k of keys) if (!['v', 't', ...allowed].includes(k)) bad(`unexpected field '${k}'`)
  }
  const trade = () => textField(r, 'trade', 128) ?? bad('trade must be an id text')
  const bytesOf = (k: string) => {
    const v = field(r, k)
    return bytesOk(v) ? v : bad(`${k} must be bytes`)
  }
  switch (t) {
    case 'take':
    case 'taken':
      only('terms')
      return { t, terms: bytesOf('terms') }
    case 'declined':
      only('trade', 'reason')
      return {
        t,
        trade: trade(),
        reason: textField(r, 'reason', 256) ?? bad('reason must be text'),
      }
    case 'steps': {
      only('trade', 'terms', 'steps')
      const steps = field(r, 'steps')
      if (!Array.isArray(steps) || steps.length === 0 || steps.length > MAX_STEPS_PER_FRAME)
        bad(`steps must list 1 to ${MAX_STEPS_PER_FRAME} steps`)
      for (const s of steps as unknown[]) if (!bytesOk(s)) bad('a step must be bytes')
      const terms = field(r, 'terms')
      if (terms !== undefined && !bytesOk(terms)) bad('terms must be bytes')
      return {
        t,
        trade: trade(),
        terms: terms as Uint8Array | undefined,
        steps: steps as Uint8Array[],
      }
    }
    case 'ack':
      only('trade', 'ack')
      return { t, trade: trade(), ack: bytesOf('ack') }
    case 'ratings': {
      only('ratings')
      const ratings = field(r, 'ratings')
      if (!Array.isArray(ratings) || ratings.length === 0 || ratings.length > MAX_STEPS_PER_FRAME)
        bad(`ratings must list 1 to ${MAX_STEPS_PER_FRAME} ratings`)
      for (const x of ratings as unknown[]) if (!bytesOk(x)) bad('a rating must be bytes')
      return { t, ratings: ratings as Uint8Array[] }
    }
    case 'sync': {
      only('trade', 'ack')
      const ack = field(r, 'ack')
      if (ack !== undefined && !bytesOk(ack)) bad('ack must be bytes')
      return { t, trade: trade(), ack: ack as Uint8Array | undefined }
    }
    case 'receipt': {
      only('trade', 'receipt', 'half')
      const half = field(r, 'half')
      if (typeof half !== 'boolean') bad('half must be a boolean')
      return { t, trade: trade(), receipt: bytesOf('receipt'), half: half as boolean }
    }
    default:
      return bad('unknown frame type')
  }
}
