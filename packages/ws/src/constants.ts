/**
 * Named defaults and limits of the WebSocket transport. Every one can be changed per
 * transport through `ws(init)`.
 *
 * @example
 * const transport = ws({ maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES / 2 })
 */

/** Authenticated inbound links one transport keeps open at once; more upgrades are refused. */
export const DEFAULT_MAX_INBOUND_LINKS = 256

/** Inbound connections still in their HTTP upgrade or Noise handshake at once; more are refused. */
export const DEFAULT_MAX_PENDING_HANDSHAKES = 64

/** The Noise handshake (either side) must complete by then, or fail with `HandshakeTimeoutError`. */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000

/** A dial whose WebSocket is not open by then fails with `DialTimeoutError`. */
export const DEFAULT_DIAL_TIMEOUT_MS = 10_000

/** The largest link frame sent or accepted (1 MiB). */
export const DEFAULT_MAX_FRAME_BYTES = 1024 * 1024

/**
 * The largest WebSocket message sent or accepted (256 KiB: four Noise messages). Messages are
 * chunks of the encrypted byte stream, not frames, so this bounds memory per message while a
 * frame of any allowed size still passes in several messages. The server's `maxPayload`.
 */
export const DEFAULT_MAX_MESSAGE_BYTES = 256 * 1024

/** Bytes queued for sending on a socket before `write` returns `false` (1 MiB). */
export const DEFAULT_WRITE_BUFFER_BYTES = 1024 * 1024

/** Bytes received before the first reader is attached that a stream holds; more closes it. */
export const DEFAULT_MAX_HELD_BYTES = 1024 * 1024

/** How often a browser stream looks at `bufferedAmount` while it waits for a drain. */
export const DRAIN_POLL_MS = 10

/** The path a listener serves when its address has none. */
export const DEFAULT_PATH = '/'
