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

// The node driver

/** The control protocol every link speaks first: hello, protocol tables, keepalive. */
export const CONTROL_PROTOCOL = '/peerkit/net/control/1'

/** The protocol the driver runs its gossip router on. */
export const GOSSIP_PROTOCOL = '/peerkit/gossip/1'

/** The envelope domain of signed peer records. */
export const PEER_RECORD_DOMAIN = 'peerkit/peer-record/1'

/** The largest sealed peer record read or sent (1 KiB, what a gossip router carries on membership frames by default). */
export const MAX_PEER_RECORD_BYTES = 1024

/** The longest address a peer record carries. */
export const MAX_RECORD_ADDRESS_LENGTH = 256

/** Most addresses one peer record carries. */
export const MAX_RECORD_ADDRESSES = 16

/** Most protocols one node runs (the frame header is one byte; 0 is the control protocol). */
export const MAX_PROTOCOLS = 255

/** The longest protocol id (`/peerkit/escrow/1`). */
export const MAX_PROTOCOL_ID_LENGTH = 128

/** The largest control frame read (a hello with a record and a full protocol table). */
export const MAX_CONTROL_FRAME_BYTES = 48 * 1024

/** Peers the address book remembers (oldest unconnected forgotten first). */
export const DEFAULT_MAX_ADDRESS_BOOK_ENTRIES = 4096

/** Bytes queued for one peer before the lowest-priority frames are dropped (4 MiB). */
export const DEFAULT_MAX_QUEUE_BYTES_PER_PEER = 4 * 1024 * 1024

/** Bytes queued for all peers together (64 MiB): one memory cap for every queue. */
export const DEFAULT_MAX_QUEUED_BYTES = 64 * 1024 * 1024

/** How long an overflowing peer has to drain its queue before it is disconnected. */
export const DEFAULT_DRAIN_TIMEOUT_MS = 5_000

/** Inbound bytes per second one peer may send (token bucket refill; 8 MiB/s). */
export const DEFAULT_MAX_BYTES_PER_PEER_PER_SECOND = 8 * 1024 * 1024

/** Inbound frames per second one peer may send (token bucket refill). */
export const DEFAULT_MAX_FRAMES_PER_PEER_PER_SECOND = 5_000

/** Seconds of rate a peer may spend at once (the bucket's depth). */
export const DEFAULT_RATE_BURST_SECONDS = 2

/** Open links at most; further inbound links are refused with `LinkLimitError`. */
export const DEFAULT_MAX_LINKS = 128

/** Links whose hello has not arrived yet, at most. */
export const DEFAULT_MAX_PENDING_HANDSHAKES = 32

/** Dials in flight at most. */
export const DEFAULT_MAX_PENDING_DIALS = 32

/** How long a new link has to send its hello (a peer that links and sends nothing). */
export const DEFAULT_HELLO_TIMEOUT_MS = 10_000

/** How long one dial may take. */
export const DEFAULT_DIAL_TIMEOUT_MS = 10_000

/** A link that sent nothing for this long sends a keepalive. */
export const DEFAULT_KEEPALIVE_MS = 15_000

/** The shortest keepalive interval a peer's idle timeout can ask of this node. */
export const MIN_KEEPALIVE_MS = 1_000

/** A link that received nothing for this long is closed with `IdleTimeoutError`. */
export const DEFAULT_IDLE_TIMEOUT_MS = 45_000

/** First retry delay of a failed dial (doubled per failure, jittered by +-50%). */
export const DEFAULT_DIAL_BACKOFF_MS = 1_000

/** The longest dial backoff. */
export const DEFAULT_MAX_DIAL_BACKOFF_MS = 60_000

/** Dial attempts of a bootstrap address before it is given up. */
export const DEFAULT_BOOTSTRAP_ATTEMPTS = 8

/** How long an asynchronous validator may take before its message is ignored. */
export const DEFAULT_VALIDATOR_TIMEOUT_MS = 5_000

/** How long `stop()` waits for queues to drain before closing links anyway. */
export const DEFAULT_STOP_TIMEOUT_MS = 2_000
