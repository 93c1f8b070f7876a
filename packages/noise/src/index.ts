/**
 * @peerkit/noise: `Noise_XX_25519_ChaChaPoly_SHA256` whose static key is bound to the
 * peer's Ed25519 identity. A sans-IO core (cipher state, symmetric state, the XX handshake,
 * the identity proof, the transport session) and `secureStream`, which turns a raw byte
 * stream into an authenticated `Link` of @peerkit/net.
 *
 * @example
 * const link = await secureStream(stream, { signer, initiator: true, expectedPeer })
 * link.on('frame', (frame) => console.log(frame))
 * link.send(new TextEncoder().encode('hello'))
 */
export { CipherState } from './cipher-state'
export * from './constants'
export {
  availableCryptoBackends,
  type CryptoBackendName,
  jsCrypto,
  type NoiseCrypto,
  nodeCrypto,
  noiseCrypto,
  type SealedPieces,
  type X25519KeyPair,
} from './crypto'
export {
  BackendUnavailableError,
  DecryptionError,
  HandshakeStateError,
  IdentityProofError,
  InvalidArgumentError,
  InvalidMessageError,
  InvalidPublicKeyError,
  isNoiseError,
  MessageTooLargeError,
  NoiseError,
  type NoiseErrorName,
  NonceExhaustedError,
} from './errors'
export {
  createHandshake,
  type Handshake,
  type HandshakeOptions,
  type TransportCiphers,
} from './handshake'
export {
  createIdentityProof,
  identityProofMessage,
  type VerifySignature,
  verifyIdentityProof,
} from './identity-proof'
export { MessageReader, withLengthPrefix } from './message-reader'
export {
  createNoiseIdentity,
  type NoiseIdentity,
  type NoiseIdentityOptions,
} from './noise-identity'
export { type NoiseClock, type SecureStreamOptions, secureStream } from './secure-stream'
export { type Opened, SecureSession } from './session'
export { type NoiseHash, SymmetricState, sha256Hash } from './symmetric-state'
