/**
 * The tuning of a WebSocket transport and its checked, resolved form, shared by the Node
 * and browser builds.
 *
 * @example
 * const settings = resolveSettings({ maxInboundLinks: 64 })
 */
import { InvalidArgumentError, type NetError } from '@peerkit/net'
import {
  DEFAULT_DIAL_TIMEOUT_MS,
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_MAX_FRAME_BYTES,
  DEFAULT_MAX_HELD_BYTES,
  DEFAULT_MAX_INBOUND_LINKS,
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_MAX_PENDING_HANDSHAKES,
  DEFAULT_WRITE_BUFFER_BYTES,
} from './constants'

/** Tuning of a WebSocket transport; every field has a named default in `constants.ts`. */
export interface WsInit {
  /** Authenticated inbound links open at once (default 256); more upgrades are refused. */
  readonly maxInboundLinks?: number
  /** Inbound connections in their upgrade or handshake at once (default 64); more are refused. */
  readonly maxPendingHandshakes?: number
  /** Deadline of the Noise handshake on either side, and of a request's headers (default 10 s). */
  readonly handshakeTimeoutMs?: number
  /** Deadline of a dial's WebSocket opening (default 10 s). */
  readonly dialTimeoutMs?: number
  /** The largest link frame sent or accepted (default 1 MiB). */
  readonly maxFrameBytes?: number
  /** The largest WebSocket message sent or accepted (default 256 KiB; the server's `maxPayload`). */
  readonly maxMessageBytes?: number
  /** Bytes queued for sending before a socket reports backpressure (default 1 MiB). */
  readonly writeBufferBytes?: number
  /** Called with the typed error of each inbound connection that failed before it became a link. */
  readonly onInboundError?: (error: NetError, remoteAddress: string | undefined) => void
}

/** `WsInit` checked, with every default filled in. */
export interface WsSettings {
  readonly maxInboundLinks: number
  readonly maxPendingHandshakes: number
  readonly handshakeTimeoutMs: number
  readonly dialTimeoutMs: number
  readonly maxFrameBytes: number
  readonly maxMessageBytes: number
  readonly writeBufferBytes: number
  readonly maxHeldBytes: number
  readonly onInboundError:
    | ((error: NetError, remoteAddress: string | undefined) => void)
    | undefined
}

/**
 * Checks `init` and fills in the defaults.
 * @throws InvalidArgumentError when a limit is not a positive safe integer
 */
export function resolveSettings(init: WsInit): WsSettings {
  if (init.onInboundError !== undefined && typeof init.onInboundError !== 'function') {
    throw new InvalidArgumentError('onInboundError', 'must be a function')
  }
  return {
    maxInboundLinks: positive(init.maxInboundLinks, 'maxInboundLinks', DEFAULT_MAX_INBOUND_LINKS),
    maxPendingHandshakes: positive(
      init.maxPendingHandshakes,
      'maxPendingHandshakes',
      DEFAULT_MAX_PENDING_HANDSHAKES,
    ),
    handshakeTimeoutMs: positive(
      init.handshakeTimeoutMs,
      'handshakeTimeoutMs',
      DEFAULT_HANDSHAKE_TIMEOUT_MS,
    ),
    dialTimeoutMs: positive(init.dialTimeoutMs, 'dialTimeoutMs', DEFAULT_DIAL_TIMEOUT_MS),
    maxFrameBytes: positive(init.maxFrameBytes, 'maxFrameBytes', DEFAULT_MAX_FRAME_BYTES),
    maxMessageBytes: positive(init.maxMessageBytes, 'maxMessageBytes', DEFAULT_MAX_MESSAGE_BYTES),
    writeBufferBytes: positive(
      init.writeBufferBytes,
      'writeBufferBytes',
      DEFAULT_WRITE_BUFFER_BYTES,
    ),
    maxHeldBytes: DEFAULT_MAX_HELD_BYTES,
    onInboundError: init.onInboundError,
  }
}

function positive(value: number | undefined, argument: string, fallback: number): number {
  if (value === undefined) return fallback
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new InvalidArgumentError(argument, 'must be a positive safe integer')
  }
  return value
}
