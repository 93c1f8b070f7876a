/**
 * @peerkit/identity — Ed25519 peers with one signature verdict on every runtime: keys,
 * `PeerId` text and byte forms (did:key, libp2p), signers, and verification under one rule on
 * the `js`, `node` and `webcrypto` backends.
 *
 * @example
 * const signer = signerFromKeyPair(generateKeyPair())
 * const signature = await signer.sign(message)
 * await verifySignature(signer.publicKey, message, signature) // true, on every backend
 */

export type { BackendName, SyncBackendName } from './backends'
export * from './constants'
export {
  type Pkcs8Contents,
  publicKeyFromSpki,
  publicKeyToSpki,
  seedFromPkcs8,
  seedToPkcs8,
} from './der'
export {
  BackendUnavailableError,
  IdentityError,
  InvalidArgumentError,
  InvalidKeyEncodingError,
  InvalidPeerIdError,
  type InvalidPeerIdReason,
  InvalidPublicKeyError,
  type InvalidPublicKeyReason,
  isIdentityError,
  isInvalidArgumentError,
  isInvalidPeerIdError,
  isInvalidPublicKeyError,
  KeyPairMismatchError,
  UnsupportedKeyTypeError,
} from './errors'
export { clearKeyCache } from './key-cache'
export {
  type GenerateKeyPairOptions,
  generateKeyPair,
  type KeyPair,
  keyPairFromSeed,
  publicKeyFromSeed,
} from './keys'
export {
  type PeerId,
  peerIdFromBytes,
  peerIdFromLibp2pPublicKey,
  peerIdFromPublicKey,
  peerIdFromString,
} from './peer-id'
export { type KeyPairSigner, type Signer, type SignerOptions, signerFromKeyPair } from './signer'
export {
  availableBackends,
  type VerifyOptions,
  type VerifySyncOptions,
  verifySignature,
  verifySignatureSync,
} from './verify'
