/**
 * How several protocols share one link. Every frame starts with one byte, the protocol's
 * code in the receiver's table; the rest is the protocol's own frame. Code 0 is the control
 * protocol, which carries the hello (the sender's peer record and its protocol table, so
 * each side learns the other's codes once per link), table updates and keepalives.
 *
 * @example
 * const frame = withHeader(3, payload) // [3, ...payload]
 * const hello = encodeControl({ kind: 'hello', record, protocols: ['/peerkit/gossip/1'] })
 * decodeControl(hello) // { kind: 'hello', record, protocols: [...] }
 */
import { decode, encode, isBytes } from '@peerkit/codec'
import { MAX_CONTROL_FRAME_BYTES, MAX_PROTOCOL_ID_LENGTH, MAX_PROTOCOLS } from './constants'
import { MalformedFrameError } from './errors'

/** The code of the control protocol in every table. */
export const CONTROL_CODE = 0

const CONTROL_VERSION = 1

/** A control frame. */
export type ControlMessage =
  /**
   * The first frame on a link, each way: who this is, where it listens, what it runs, and
   * after how long without a frame it closes the link (so the other side keeps it alive).
   */
  | { kind: 'hello'; record: Uint8Array; protocols: string[]; idleTimeoutMs: number }
  /** The sender's protocol table grew (a protocol registered after the link opened). */
  | { kind: 'protocols'; protocols: string[] }
  /** A newer peer record of the sender (its addresses changed). */
  | { kind: 'record'; record: Uint8Array }
  /** Nothing: keeps an idle link alive. */
  | { kind: 'ping' }

const KINDS = ['hello', 'protocols', 'record', 'ping'] as const

/**
 * Whether `id` is a protocol id: 1-128 printable ASCII characters starting with `/`.
 * @param id - the candidate
 * @returns whether it is one
 */
export function isProtocolId(id: unknown): id is string {
  return (
    typeof id === 'string' &&
    id.length > 1 &&
    id.length <= MAX_PROTOCOL_ID_LENGTH &&
    id.startsWith('/') &&
    /^[\x21-\x7e]+$/.test(id)
  )
}

/**
 * Prefixes `payload` with the protocol code.
 * @param code - 0-254
 * @param payload - the protocol's frame
 * @returns a new frame
 */
export function withHeader(code: number, payload: Uint8Array): Uint8Array {
  const frame = new Uint8Array(payload.length + 1)
  frame[0] = code
  frame.set(payload, 1)
  return frame
}

/**
 * Encodes a control frame (the header included).
 * @param message - the control message
 * @returns the link frame
 */
export function encodeControl(message: ControlMessage): Uint8Array {
  const kind = KINDS.indexOf(message.kind)
  let body: unknown[]
  switch (message.kind) {
    case 'hello':
      body = [CONTROL_VERSION, kind, message.record, message.protocols, message.idleTimeoutMs]
      break
    case 'protocols':
      body = [CONTROL_VERSION, kind, message.protocols]
      break
    case 'record':
      body = [CONTROL_VERSION, kind, message.record]
      break
    case 'ping':
      body = [CONTROL_VERSION, kind]
      break
  }
  return withHeader(CONTROL_CODE, encode(body as Parameters<typeof encode>[0]))
}

function protocolList(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_PROTOCOLS) {
    throw new MalformedFrameError('a protocol table is 1-255 ids')
  }
  for (const id of value) {
    // an empty slot (a protocol closed) is the empty string
    if (id !== '' && !isProtocolId(id)) throw new MalformedFrameError('bad protocol id')
  }
  return value as string[]
}

/**
 * Decodes a control frame's payload (after the header), checking size before reading.
 * @param payload - the bytes after the header
 * @returns the message
 * @throws {MalformedFrameError} for anything else
 */
export function decodeControl(payload: Uint8Array): ControlMessage {
  if (payload.length > MAX_CONTROL_FRAME_BYTES) {
    throw new MalformedFrameError('control frame too large')
  }
  let value: unknown
  try {
    value = decode(payload, {
      maxBytes: MAX_CONTROL_FRAME_BYTES,
      maxDepth: 2,
      maxItems: MAX_PROTOCOLS + 1,
    })
  } catch (error) {
    throw new MalformedFrameError('control frame is not canonical CBOR', { cause: error })
  }
  if (!Array.isArray(value) || value[0] !== CONTROL_VERSION || typeof value[1] !== 'number') {
    throw new MalformedFrameError('unsupported control frame')
  }
  const kind = KINDS[value[1]]
  switch (kind) {
    case 'hello':
      if (
        value.length !== 5 ||
        !isBytes(value[2]) ||
        !Number.isSafeInteger(value[4]) ||
        (value[4] as number) < 1
      ) {
        throw new MalformedFrameError('bad hello')
      }
      return {
        kind,
        record: value[2],
        protocols: protocolList(value[3]),
        idleTimeoutMs: value[4] as number,
      }
    case 'protocols':
      if (value.length !== 3) throw new MalformedFrameError('bad protocol table')
      return { kind, protocols: protocolList(value[2]) }
    case 'record':
      if (value.length !== 3 || !isBytes(value[2])) throw new MalformedFrameError('bad record')
      return { kind, record: value[2] }
    case 'ping':
      if (value.length !== 2) throw new MalformedFrameError('bad ping')
      return { kind }
    default:
      throw new MalformedFrameError('unknown control frame')
  }
}
