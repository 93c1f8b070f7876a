/**
 * Named defaults of @peerkit/libp2p.
 *
 * @example
 * peerkit({ protocol: PEERKIT_PROTOCOL })
 */

/** The libp2p protocol id peerkit links run on (the driver multiplexes its own protocols inside). */
export const PEERKIT_PROTOCOL = '/peerkit/link/1.0.0'

/** The address the libp2p transport listens on: wherever the libp2p node itself listens. */
export const LIBP2P_LISTEN_ADDRESS = 'libp2p'

/** The largest frame on a peerkit stream (1 MiB). */
export const DEFAULT_MAX_FRAME_BYTES = 1024 * 1024

/** Decoded frames held for a link without a frame listener before the stream is paused (1 MiB; libp2p then buffers up to its read limit and resets past it). */
export const DEFAULT_MAX_HELD_BYTES = 1024 * 1024

/** Bytes queued on a stream past which it is reset (16 MiB): a peer that never reads cannot grow it further. */
export const DEFAULT_MAX_BUFFERED_BYTES = 16 * 1024 * 1024

/**
 * Bytes of frames a link gathers in one turn of the event loop before handing them to the
 * stream at once (64 KiB): each `stream.send` costs a yamux frame, a Noise message and a socket
 * write, so the frames of one turn leave together; past this many bytes they leave at once, so
 * a burst meets the stream's backpressure as it grows.
 */
export const DEFAULT_COALESCE_BYTES = 64 * 1024

/** Links accepted before the transport listens, held for the listener; more are refused. */
export const MAX_PENDING_LINKS = 64

/** Inbound and outbound peerkit streams per connection (one is used; a few allow a replaced link). */
export const MAX_STREAMS_PER_CONNECTION = 4
