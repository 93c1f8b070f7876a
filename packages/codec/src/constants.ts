/**
 * Named defaults and hard limits of @peerkit/codec.
 */

/** Default largest input `decode` accepts: 1 MiB. */
export const DEFAULT_MAX_BYTES = 1024 * 1024

/** Default deepest nesting of arrays and maps (the top-level item is depth 1). */
export const DEFAULT_MAX_DEPTH = 32

/** Default most items (array elements or map entries) in one container. */
export const DEFAULT_MAX_ITEMS = 65_536

/** Default most items in all containers of one input together. */
export const DEFAULT_MAX_TOTAL_ITEMS = 262_144

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
