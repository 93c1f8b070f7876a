/**
 * Acknowledgement frames: "I hold the first `count` steps of this trade, and the last of
 * them has id `head`". A party sends one after each step it received and persisted; the
 * sender's outbox then stops resending those steps. Acks are cumulative, so a lost ack
 * is covered by the next one. When `head` is not the sender's own step at that position
 * the two logs have forked, and the sender stops resending to that party for good.
 * They carry no signature: the transport tells who sent one, and a forged ack can at
 * worst delay a resend, never change a trade.
 *
 * @example
 * const frame = encodeAck(trade.id.bytes, state.seq, state.head)
 * decodeAck(frame) // { trade, count: 3, head }
 */
import { decode, encode, type Value } from '@peerkit/codec'
import { isBytes } from './assert'
import { MAX_ACK_BYTES, PAYLOAD_VERSION } from './constants'
import { InvalidAckError } from './errors'
import { bytesField, field, intField, mapOf } from './fields'

/** A decoded acknowledgement. */
export interface Ack {
  /** The trade id bytes. */
  readonly trade: Uint8Array
  /** How many steps the sender of the ack holds. */
  readonly count: number
  /** Id of the last of them (the trade id when `count` is 0). */
  readonly head: Uint8Array
  /** True when the sender of the ack refused for good the step that would follow `head`. */
  readonly refused: boolean
}

/**
 * Encodes an acknowledgement.
 * @param trade - the trade id bytes
 * @param count - how many steps are held
 * @param head - id of the last held step (the trade id when none)
 * @param refused - the step that would follow `head` was refused for good (too late, not allowed, …)
 * @returns the frame
 * @example const frame = encodeAck(state.trade.id.bytes, state.seq, state.head)
 */
export function encodeAck(
  trade: Uint8Array,
  count: number,
  head: Uint8Array,
  refused = false,
): Uint8Array {
  return encode(
    refused
      ? { v: PAYLOAD_VERSION, ack: trade, n: count, head, refused }
      : { v: PAYLOAD_VERSION, ack: trade, n: count, head },
  )
}

/**
 * Decodes an acknowledgement frame.
 * @param frame - the received bytes
 * @returns the acknowledgement
 * @throws {InvalidAckError} when the frame is not an acknowledgement
 * @example const { count } = decodeAck(frame)
 */
export function decodeAck(frame: Uint8Array): Ack {
  if (!isBytes(frame) || frame.length > MAX_ACK_BYTES)
    throw new InvalidAckError('an ack is at most 256 bytes')
  let value: Value
  try {
    value = decode(frame, { maxBytes: MAX_ACK_BYTES, maxDepth: 2, maxItems: 5, maxTotalItems: 6 })
  } catch (error) {
    throw new InvalidAckError('the ack does not decode', { cause: error })
  }
  const record = mapOf(value)
  const trade = record && bytesField(record, 'ack')
  const count = record && intField(record, 'n')
  const head = record && bytesField(record, 'head')
  if (record === undefined || field(record, 'v') !== PAYLOAD_VERSION || trade === undefined) {
    throw new InvalidAckError('the frame is not an ack')
  }
  if (count === undefined || head === undefined || head.length > 64) {
    throw new InvalidAckError('the frame is not an ack')
  }
  const refused = field(record, 'refused')
  if (refused !== undefined && refused !== true)
    throw new InvalidAckError('refused must be true when present')
  if (Object.keys(record).length !== (refused === true ? 5 : 4))
    throw new InvalidAckError('the ack has unknown fields')
  return { trade, count, head, refused: refused === true }
}
