/**
 * Named defaults and hard limits of @peerkit/codec.
 */

/** Default largest input `decode` accepts: 1 MiB. */
export const DEFAULT_MAX_BYTES = 1024 * 1024

/** Default deepest nesting of arrays and maps (the top-level item is depth 1). */
export const DEFAULT_MAX_DEPTH = 32

/**
 * Default most items (array elements or map entries) in one container. Protocols that
 * need more raise it for their own frames. At 8,192 an array's backing store stays below
 * the engine's large-object size, where filling it would cost the collector far more.
 */
export const DEFAULT_MAX_ITEMS = 8_192

/**
 * Default most items in all containers of one input together. With it, the densest input
 * the defaults accept (one-byte items) decodes in well under 50 ms per MiB.
 */
export const DEFAULT_MAX_TOTAL_ITEMS = 65_536

/** Smallest integer of the profile: -2^63, the least a signed 64-bit integer holds. */
export const MIN_INTEGER = -(2n ** 63n)

/** Largest integer of the profile: 2^64 - 1, the most an unsigned 64-bit integer holds. */
export const MAX_INTEGER = 2n ** 64n - 1n

/**
 * Hard ceiling on `maxDepth`, whatever the caller asks: the decoder and encoder recurse
 * once per level, and this keeps them far from the engine's stack limit.
 */
export const MAX_DEPTH_CEILING = 512

/** Multihash code of sha2-256. */
export const SHA2_256 = 0x12

/** Multicodec code of CBOR, named in content ids. */
export const CBOR_CODEC = 0x51

/** CID version of content ids. */
export const CID_VERSION = 1
