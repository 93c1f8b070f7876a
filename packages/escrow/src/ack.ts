/**
 * Acknowledgement frames: "I hold the first `count` steps of this trade". A party
 * sends one after each step it received and persisted; the sender's outbox then stops
 * resending those steps. Acks are cumulative, so a lost ack is covered by the next one.
 * They carry no signature: the transport tells who sent one, and a forged ack can at
 * worst delay a resend, never change a trade.
 *
 * @example
 * const frame = encodeAck(trade.id.bytes, state.seq)
 * decodeAck(frame) // { trade: Uint8Array, count: 3 }
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
}

/**
 * Encodes an acknowledgement.
 * @param trade - the trade id bytes
 * @param count - how many steps are held
 * @returns the frame
 * @example const frame = encodeAck(trade.id.bytes, 4)
 */
export function encodeAck(trade: Uint8Array, count: number): Uint8Array {
  return encode({ v: PAYLOAD_VERSION, ack: trade, n: count })
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
    value = decode(frame, { maxBytes: MAX_ACK_BYTES, maxDepth: 2, maxItems: 3, maxTotalItems: 4 })
  } catch (error) {
    throw new InvalidAckError('the ack does not decode', { cause: error })
  }
  const record = mapOf(value)
  const trade = record && bytesField(record, 'ack')
  const count = record && intField(record, 'n')
  if (
    record === undefined ||
    field(record, 'v') !== PAYLOAD_VERSION ||
    trade === undefined ||
    count === undefined
  ) {
    throw new InvalidAckError('the frame is not an ack')
  }
  if (Object.keys(record).length !== 3) throw new InvalidAckError('the ack has unknown fields')
  return { trade, count }
}
