/**
 * Named defaults and limits of the TCP transport. Every one can be changed per transport
 * through `tcp(init)`.
 *
 * @example
 * const transport = tcp({ maxInboundLinks: DEFAULT_MAX_INBOUND_LINKS * 2 })
 */

/** Authenticated inbound links one transport keeps open at once; more are refused. */
export const DEFAULT_MAX_INBOUND_LINKS = 256

/** Inbound connections still in their handshake at once; more are refused at accept. */
export const DEFAULT_MAX_PENDING_HANDSHAKES = 64

/** A handshake (either side) that has not completed by then fails with `HandshakeTimeoutError`. */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000

/** A dial whose TCP connection is not up by then fails with `DialTimeoutError`. */
export const DEFAULT_DIAL_TIMEOUT_MS = 10_000

/** The largest link frame sent or accepted (1 MiB); a larger inbound frame closes the link. */
export const DEFAULT_MAX_FRAME_BYTES = 1024 * 1024

/** A socket that carries no byte either way for this long is closed with `IdleTimeoutError`. */
export const DEFAULT_IDLE_TIMEOUT_MS = 5 * 60_000

/** Bytes queued in a socket's write buffer before `write` returns `false` (1 MiB). */
export const DEFAULT_WRITE_BUFFER_BYTES = 1024 * 1024

/** The longest address text accepted; longer ones are refused before they are parsed. */
export const MAX_ADDRESS_LENGTH = 1024

/**
 * Bytes of writes gathered into one syscall before they are flushed within a tick (a fixed
 * bound, not one of `tcp(init)`: it trades nothing a deployment would tune).
 */
export const WRITE_BATCH_BYTES = 256 * 1024
