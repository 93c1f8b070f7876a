/**
 * @peerkit/identity — Ed25519 peers with one signature verdict on every runtime: keys,
 * `PeerId` text and byte forms (did:key, libp2p), signers, verification under one rule on
 * the `js`, `node` and `webcrypto` backends, encrypted key files and key rotation.
 *
 * @example
 * const signer = signerFromKeyPair(generateKeyPair())
 * const signature = await signer.sign(message)
 * await verifySignature(signer.publicKey, message, signature) // true, on every backend
 */

export type { BackendName, SyncBackendName } from './backends'
export * from './constants'
export {
  keyPairFromPkcs8,
  keyPairToPkcs8,
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
  InvalidRotationError,
  type InvalidRotationReason,
  isIdentityError,
  isInvalidArgumentError,
  isInvalidPeerIdError,
  isInvalidPublicKeyError,
  KeyFileDecryptionError,
  KeyFileFormatError,
  KeyPairMismatchError,
  RotationCommitmentError,
  RotationCycleError,
  RotationForkError,
  RotationGapError,
  RotationRootError,
  RotationSignatureError,
  UnsupportedKeyFileVersionError,
  UnsupportedKeyTypeError,
} from './errors'
export { clearKeyCache } from './key-cache'
export {
  decryptKeyFile,
  type EncryptKeyFileOptions,
  encryptKeyFile,
  type KeyFileInfo,
  type Password,
  readKeyFileInfo,
} from './key-file'
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
export {
  decodeRotationStatement,
  inceptKey,
  nextKeyDigest,
  type ResolvedRotation,
  type ResolveRotationOptions,
  type RotateKeyOptions,
  type RotationStatement,
  resolveRotation,
  rotateKey,
} from './rotation'
export { type KeyPairSigner, type Signer, type SignerOptions, signerFromKeyPair } from './signer'
export {
  availableBackends,
  createVerifier,
  type Verifier,
  type VerifyOptions,
  type VerifySyncOptions,
  verifySignature,
  verifySignatureSync,
} from './verify'
