/**
 * A node's Noise identity: an X25519 static key and the proof binding it to the node's
 * Ed25519 identity. Made once and shared by every link of a node, so a handshake costs no
 * signature of its own.
 *
 * @example
 * const identity = await createNoiseIdentity(signer)
 * const link = await secureStream(stream, { identity, initiator: true })
 */
import type { PeerId, Signer } from '@peerkit/identity'
import { DH_BYTES } from './constants'
import { type NoiseCrypto, noiseCrypto } from './crypto'
import { InvalidArgumentError } from './errors'
import { createIdentityProof } from './identity-proof'

/** An X25519 static key bound to an Ed25519 identity. */
export interface NoiseIdentity {
  readonly peerId: PeerId
  readonly staticSecretKey: Uint8Array
  readonly staticPublicKey: Uint8Array
  /** The handshake payload: canonical CBOR `{ v: 1, key, sig }`. */
  readonly proof: Uint8Array
}

/** Options of `createNoiseIdentity`. */
export interface NoiseIdentityOptions {
  /** The crypto backend (default: the fastest available). */
  readonly crypto?: NoiseCrypto
  /** A fixed static secret key (default: a fresh random one). */
  readonly staticSecretKey?: Uint8Array
  /** Source of the static key (default `crypto.getRandomValues`). */
  readonly randomBytes?: (length: number) => Uint8Array
}

/**
 * Makes a static key and signs it with `signer`.
 * @param signer - the node's Ed25519 signer
 * @param options - backend, a fixed static key or a source of randomness
 * @returns the identity to pass to `secureStream`
 * @throws InvalidArgumentError for a malformed signer or key
 * @example
 * const identity = await createNoiseIdentity(signerFromKeyPair(generateKeyPair()))
 */
export async function createNoiseIdentity(
  signer: Signer,
  options?: NoiseIdentityOptions,
): Promise<NoiseIdentity> {
  if (typeof signer !== 'object' || signer === null || typeof signer.sign !== 'function') {
    throw new InvalidArgumentError('signer', 'must be a Signer')
  }
  const crypto = options?.crypto ?? noiseCrypto()
  let secretKey = options?.staticSecretKey
  if (secretKey === undefined) {
    const random =
      options?.randomBytes ??
      ((length: number) => globalThis.crypto.getRandomValues(new Uint8Array(length)))
    secretKey = random(DH_BYTES)
  }
  if (!(secretKey instanceof Uint8Array) || secretKey.length !== DH_BYTES) {
    throw new InvalidArgumentError('staticSecretKey', `must be ${DH_BYTES} bytes`)
  }
  const staticSecretKey = Uint8Array.from(secretKey)
  const staticPublicKey = crypto.publicKey(staticSecretKey)
  const proof = await createIdentityProof(signer, staticPublicKey)
  return Object.freeze({ peerId: signer.peerId, staticSecretKey, staticPublicKey, proof })
}
