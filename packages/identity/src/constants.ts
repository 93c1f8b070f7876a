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

/**
 * Public keys whose validity (and decoded point) the verifier remembers (least recently used
 * forgotten first). Large enough for one process that holds many peers (a simulation of
 * 10,000 routers, a busy relay), so a key it has already accepted is not put through the
 * subgroup check (about 0.3 ms) again. Memory bound: an entry holds the key and its decoded
 * point, about 300 bytes (measured), plus the native key handles once a backend has made
 * them, under 1 KiB in all; so about 20 MiB when full, and at most about 64 MiB.
 */
export const KEY_CACHE_SIZE = 65_536
/**
 * Keys for which the `js` backend keeps a precomputed table of multiples (about 120 KiB each);
 * a table is built on a key's second verification.
 */
export const KEY_TABLE_CACHE_SIZE = 64
/** Verifications with one key before the `js` backend builds its table. */
export const KEY_TABLE_MIN_USES = 2

/** Value of the `type` field of a key file. */
export const KEY_FILE_TYPE = 'peerkit/identity/key-file'
/** The key file format version this library writes (and the only one it reads). */
export const KEY_FILE_VERSION = 1
/** Largest key file read; anything longer is refused before decoding. */
export const MAX_KEY_FILE_BYTES = 1024
/** Default scrypt cost: N = 2^17, r = 8, p = 1 (128 MiB, about a second in JavaScript). */
export const DEFAULT_SCRYPT_LOG_N = 17
export const DEFAULT_SCRYPT_R = 8
export const DEFAULT_SCRYPT_P = 1
/** Scrypt parameters a key file may ask for; checked before any work is spent. */
export const MIN_SCRYPT_LOG_N = 10
export const MAX_SCRYPT_LOG_N = 20
export const MAX_SCRYPT_R = 16
export const MAX_SCRYPT_P = 4
/** Upper bound on scrypt memory (128 · N · r bytes) a key file may ask for: 256 MiB. */
export const MAX_SCRYPT_MEMORY = 256 * 1024 * 1024
/** Salt sizes a key file may carry (16 written). */
export const KEY_FILE_SALT_LENGTH = 16
export const MAX_KEY_FILE_SALT_LENGTH = 64
/** XChaCha20-Poly1305 nonce bytes. */
export const KEY_FILE_NONCE_LENGTH = 24
/** Ciphertext of a 32-byte seed with its 16-byte Poly1305 tag. */
export const KEY_FILE_CIPHERTEXT_LENGTH = 48

/** Domain tag of a rotation statement (inside the signed bytes). */
export const ROTATION_DOMAIN = 'peerkit/identity/rotation/2'
/** Domain tag of a next-key commitment (inside the hashed bytes). */
export const NEXT_KEY_DIGEST_DOMAIN = 'peerkit/identity/next-key/1'
/** Longest rotation chain `resolveRotation` accepts. */
export const MAX_ROTATION_CHAIN = 256
/** Largest encoded rotation statement accepted. */
export const MAX_ROTATION_STATEMENT_BYTES = 512
