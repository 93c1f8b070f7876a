/**
 * The wire frame of the baseline strategies (flood and mesh): versioned canonical CBOR
 * from `@peerkit/codec`, the same primitive the real router uses, so byte counts compare
 * fairly. A frame carries any of: subscription changes, full messages, and the
 * gossipsub-style control parts (IHAVE, IWANT, GRAFT, PRUNE).
 *
 * @example
 * const bytes = encodeBaselineFrame({ messages: [{ topic: 'news', hops: 1, envelope }] })
 * decodeBaselineFrame(bytes).messages?.[0]?.hops // 1
 */
import { decode, encode, isBytes, type Value } from '@peerkit/codec'
import { BASELINE_MAX_FRAME_BYTES } from '../constants'

/** Version of the baseline frame. */
export const BASELINE_WIRE_VERSION = 1

/** A full message on the wire. */
export interface WireMessage {
  topic: string
  /** Hops travelled before this frame (0 when sent by the publisher). */
  hops: number
  envelope: Uint8Array
}

/** One baseline frame. Empty parts are left out. */
export interface BaselineFrame {
  /** Subscription changes: topic and whether the sender is now subscribed. */
  subscriptions?: Array<[topic: string, subscribed: boolean]>
  messages?: WireMessage[]
  /** Message ids the sender has, per topic. */
  ihave?: Array<[topic: string, ids: string[]]>
  /** Message ids the sender wants. */
  iwant?: string[]
  /** Topics whose mesh the sender added the receiver to. */
  graft?: string[]
  /** Topics whose mesh the sender removed the receiver from, with a backoff. */
  prune?: Array<[topic: string, backoffMs: number]>
}

/**
 * Encodes a frame.
 * @param frame - the parts to send
 * @returns canonical CBOR bytes
 */
export function encodeBaselineFrame(frame: BaselineFrame): Uint8Array {
  const value: { [key: string]: Value } = { v: BASELINE_WIRE_VERSION }
  if (frame.subscriptions !== undefined) value.s = frame.subscriptions
  if (frame.messages !== undefined) {
    value.m = frame.messages.map((m) => [m.topic, m.hops, m.envelope])
  }
  if (frame.ihave !== undefined) value.h = frame.ihave
  if (frame.iwant !== undefined) value.w = frame.iwant
  if (frame.graft !== undefined) value.g = frame.graft
  if (frame.prune !== undefined) value.p = frame.prune
  return encode(value)
}

/** A frame that is not a well-formed baseline frame of a known version. */
export class MalformedFrameError extends Error {
  override name = 'MalformedFrameError' as const
}

const isString = (x: unknown): x is string => typeof x === 'string'
const isCount = (x: unknown): x is number =>
  typeof x === 'number' && Number.isSafeInteger(x) && x >= 0

/**
 * Decodes and checks a frame.
 * @param bytes - the received bytes
 * @returns the frame
 * @throws MalformedFrameError (or a codec error) when the bytes are not a valid frame
 */
export function decodeBaselineFrame(bytes: Uint8Array): BaselineFrame {
  const value = decode(bytes, { maxBytes: BASELINE_MAX_FRAME_BYTES, maxDepth: 4 })
  if (value === null || typeof value !== 'object' || Array.isArray(value) || isBytes(value)) {
    throw new MalformedFrameError('frame is not a map')
  }
  const map = value as { [key: string]: Value }
  if (map.v !== BASELINE_WIRE_VERSION) throw new MalformedFrameError('unknown frame version')
  const frame: BaselineFrame = {}
  for (const key of Object.keys(map)) {
    const part = map[key]
    switch (key) {
      case 'v':
        break
      case 's':
        if (!Array.isArray(part)) throw new MalformedFrameError('s')
        frame.subscriptions = part.map((entry) => {
          if (!Array.isArray(entry) || entry.length !== 2) throw new MalformedFrameError('s')
          const [topic, on] = entry
          if (!isString(topic) || typeof on !== 'boolean') throw new MalformedFrameError('s')
          return [topic, on]
        })
        break
      case 'm':
        if (!Array.isArray(part)) throw new MalformedFrameError('m')
        frame.messages = part.map((entry) => {
          if (!Array.isArray(entry) || entry.length !== 3) throw new MalformedFrameError('m')
          const [topic, hops, envelope] = entry
          if (!isString(topic) || !isCount(hops) || !isBytes(envelope)) {
            throw new MalformedFrameError('m')
          }
          return { topic, hops, envelope }
        })
        break
      case 'h':
        if (!Array.isArray(part)) throw new MalformedFrameError('h')
        frame.ihave = part.map((entry) => {
          if (!Array.isArray(entry) || entry.length !== 2) throw new MalformedFrameError('h')
          const [topic, ids] = entry
          if (!isString(topic) || !Array.isArray(ids) || !ids.every(isString)) {
            throw new MalformedFrameError('h')
          }
          return [topic, ids as string[]]
        })
        break
      case 'w':
        if (!Array.isArray(part) || !part.every(isString)) throw new MalformedFrameError('w')
        frame.iwant = part as string[]
        break
      case 'g':
        if (!Array.isArray(part) || !part.every(isString)) throw new MalformedFrameError('g')
        frame.graft = part as string[]
        break
      case 'p':
        if (!Array.isArray(part)) throw new MalformedFrameError('p')
        frame.prune = part.map((entry) => {
          if (!Array.isArray(entry) || entry.length !== 2) throw new MalformedFrameError('p')
          const [topic, backoff] = entry
          if (!isString(topic) || !isCount(backoff)) throw new MalformedFrameError('p')
          return [topic, backoff]
        })
        break
      default:
        throw new MalformedFrameError(`unknown part ${key}`)
    }
  }
  return frame
}
