/**
 * Named sizes, defaults and limits of @peerkit/identity.
 *
 * @example
 * import { PUBLIC_KEY_LENGTH } from './constants'
 * if (key.length !== PUBLIC_KEY_LENGTH) throw new Error('not an Ed25519 key')
 */

/** Bytes in an Ed25519 public key. */
export const PUBLIC_KEY_LENGTH = 32
/** Bytes in an Ed25519 private key seed (RFC 8032 secret key). */
export const SEED_LENGTH = 32
/** Bytes in an Ed25519 signature (`R ‖ S`). */
export const SIGNATURE_LENGTH = 64

/** Multicodec code of `ed25519-pub` (varint `0xed 0x01`). */
export const ED25519_PUB_MULTICODEC = 0xed
/** Varint prefix of the `ed25519-pub` multicodec. */
export const ED25519_PUB_PREFIX: readonly number[] = [0xed, 0x01]
/** Bytes in `PeerId.toBytes()`: the multicodec prefix and the 32-byte key. */
export const PEER_ID_BYTES_LENGTH = 34
/** Prefix of a did:key identifier. */
export const DID_KEY_PREFIX = 'did:key:'
/** Longest text `peerIdFromString` looks at; anything longer is rejected before decoding. */
export const MAX_PEER_ID_TEXT_LENGTH = 128

/** libp2p protobuf `KeyType` of Ed25519. */
export const LIBP2P_KEY_TYPE_ED25519 = 1
/** Bytes of libp2p's protobuf PublicKey for an Ed25519 key: `08 01 12 20` and 32 key bytes. */
export const LIBP2P_PUBLIC_KEY_LENGTH = 36
/** Multihash code of the identity hash. */
export const IDENTITY_MULTIHASH = 0x00

/** Public keys whose validity (and decoded point) the verifier remembers. */
export const KEY_CACHE_SIZE = 4096
/**
 * Keys for which the `js` backend keeps a precomputed table of multiples (about 120 KiB each);
 * a table is built on a key's second verification.
 */
export const KEY_TABLE_CACHE_SIZE = 64
/** Verifications with one key before the `js` backend builds its table. */
export const KEY_TABLE_MIN_USES = 2
