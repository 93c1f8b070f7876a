/**
 * Named sizes, limits and defaults of @peerkit/noise.
 *
 * @example
 * import { MAX_MESSAGE_BYTES } from '@peerkit/noise'
 * if (ciphertext.length > MAX_MESSAGE_BYTES) reject()
 */

/** The one protocol this package speaks. */
export const PROTOCOL_NAME = 'Noise_XX_25519_ChaChaPoly_SHA256'

/** Largest Noise message, ciphertext and tag included (the Noise specification, section 3). */
export const MAX_MESSAGE_BYTES = 65_535

/** Bytes of a ChaCha20-Poly1305 authentication tag. */
export const TAG_BYTES = 16

/** Bytes of an X25519 key or shared secret. */
export const DH_BYTES = 32

/** Bytes of a ChaCha20-Poly1305 key. */
export const KEY_BYTES = 32

/** Largest plaintext of one transport message. */
export const MAX_PLAINTEXT_BYTES = MAX_MESSAGE_BYTES - TAG_BYTES

/** Bytes of the big-endian length prefix in front of each Noise message on a stream. */
export const LENGTH_PREFIX_BYTES = 2

/** The domain tag of the identity proof and the handshake prologue. */
export const IDENTITY_DOMAIN = 'peerkit/noise/1'

/** Version of the identity payload. */
export const PAYLOAD_VERSION = 1

/** Largest identity payload accepted (it holds a 32-byte key and a 64-byte signature). */
export const MAX_PAYLOAD_BYTES = 256

/** Default handshake deadline of `secureStream`. */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000

/** Default largest frame of a link (1 MiB). */
export const DEFAULT_MAX_FRAME_BYTES = 1024 * 1024

/** Largest frame a link may be configured for (64 MiB): a bound on what one frame may allocate. */
export const MAX_FRAME_BYTES_CEILING = 64 * 1024 * 1024

/** Default bytes `send` queues while the stream pushes back before it returns `false`. */
export const DEFAULT_WRITE_LIMIT_BYTES = 1024 * 1024

/** Default bytes of frames held for a link that has no `frame` listener yet (4 MiB). */
export const DEFAULT_INBOUND_HOLD_BYTES = 4 * 1024 * 1024

/** Largest close reason sent to the remote side, in bytes of its message text. */
export const MAX_CLOSE_REASON_BYTES = 512
