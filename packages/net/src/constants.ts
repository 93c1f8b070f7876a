/**
 * Named defaults and limits of @peerkit/net. Every limit a decoder or a link enforces is
 * one of these, so a reader finds them in one place.
 *
 * @example
 * createFrameDecoder({ maxFrameBytes: DEFAULT_MAX_FRAME_BYTES })
 */

// Links and transports

/** The largest frame a link accepts by default (1 MiB). */
export const DEFAULT_MAX_FRAME_BYTES = 1024 * 1024

/** Bytes a link buffers before `send` returns `false` (256 KiB, libp2p's stream default is 4 MiB; smaller keeps queues in the driver where they are prioritised). */
export const DEFAULT_WRITE_BUFFER_BYTES = 256 * 1024

/** Bytes a memory link holds for a peer that does not read before it closes the link as overflowing (16 MiB). */
export const DEFAULT_MAX_BUFFERED_BYTES = 16 * 1024 * 1024

/** The longest address text accepted by `parseAddress`. */
export const MAX_ADDRESS_LENGTH = 1024

/** The longest name of a `memory://` address. */
export const MAX_MEMORY_NAME_LENGTH = 255

/** The longest host name (RFC 1035: 253 characters in text form). */
export const MAX_HOST_LENGTH = 253

/** A frame length prefix is at most this many varint bytes (enough for 2^35 - 1). */
export const MAX_VARINT_BYTES = 5

/** Timers `runUntilIdle` of a virtual clock fires at most, by default, before it stops. */
export const DEFAULT_RUN_UNTIL_IDLE_LIMIT = 100_000
