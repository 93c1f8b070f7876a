/**
 * Signers: anything that can sign bytes for a peer id. The interface is asynchronous so a
 * non-extractable WebCrypto key or a hardware key can implement it; `signerFromKeyPair` signs
 * with ordinary keys (Node's native Ed25519 when present, else pure JavaScript — both give the
 * same RFC 8032 bytes).
 *
 * @example
 * const signer = signerFromKeyPair(generateKeyPair())
 * const signature = await signer.sign(message)
 */
import { assertBytes } from './assert'
import { bytesEqual } from './bytes'
import { type ExpandedSeed, expandSeed, signWithExpandedSeed } from './curve'
import { seedToPkcs8 } from './der'
import { InvalidArgumentError, KeyPairMismatchError } from './errors'
import { rememberDerivedKey } from './key-cache'
import { assertKeyPair, derivedExpansion, type KeyPair } from './keys'
import { type PeerId, trustedPeerId } from './peer-id'
import { getNodeCrypto, type NodeKeyObject } from './runtime'

/** Something that signs on behalf of one peer. */
export interface Signer {
  readonly peerId: PeerId
  readonly publicKey: Uint8Array
  /** Signs `message` (Ed25519, RFC 8032): resolves to 64 bytes. */
  sign(message: Uint8Array): Promise<Uint8Array>
}

/** A signer holding its key in memory, which can also sign synchronously. */
export interface KeyPairSigner extends Signer {
  /** Signs `message` synchronously. */
  signSync(message: Uint8Array): Uint8Array
}

/** Options of `signerFromKeyPair`. */
export interface SignerOptions {
  /** `'node'` (default when present) or `'js'`: both produce identical signatures. */
  backend?: 'js' | 'node'
}

/**
 * Makes a signer from a key pair. The public key must be the one the seed derives; being
 * derived locally, it is valid by construction and skips the subgroup check.
 * @param keyPair - `{ publicKey, privateKey }` (the private key is the 32-byte seed; copied)
 * @param options - `backend` to force pure JavaScript signing
 * @returns a signer for `peerIdFromPublicKey(keyPair.publicKey)`
 * @throws InvalidArgumentError when the key pair is malformed
 * @throws KeyPairMismatchError when the public key does not match the seed
 * @example
 * const signer = signerFromKeyPair(keyPairFromSeed(seed))
 * await verifySignature(signer.publicKey, message, await signer.sign(message)) // true
 */
export function signerFromKeyPair(keyPair: KeyPair, options?: SignerOptions): KeyPairSigner {
  assertKeyPair(keyPair)
  const backend = options?.backend
  if (backend !== undefined && backend !== 'js' && backend !== 'node') {
    throw new InvalidArgumentError(
      'options.backend',
      `unknown signing backend "${String(backend)}"`,
    )
  }
  const seed = Uint8Array.from(keyPair.privateKey)
  const expanded: ExpandedSeed = derivedExpansion(keyPair) ?? expandSeed(seed)
  if (!bytesEqual(expanded.publicKey, keyPair.publicKey)) throw new KeyPairMismatchError()
  rememberDerivedKey(expanded.publicKey, expanded.point)
  const peerId = trustedPeerId(expanded.publicKey)
  const nodeCrypto = backend === 'js' ? undefined : getNodeCrypto()
  if (backend === 'node' && nodeCrypto === undefined) {
    throw new InvalidArgumentError('options.backend', 'node:crypto is not available here')
  }
  let nodeKey: NodeKeyObject | undefined
  const signSync = (message: Uint8Array): Uint8Array => {
    assertBytes(message, 'message')
    if (nodeCrypto !== undefined) {
      nodeKey ??= nodeCrypto.createPrivateKey({
        key: seedToPkcs8(seed),
        format: 'der',
        type: 'pkcs8',
      })
      const signature = nodeCrypto.sign(null, message, nodeKey)
      return new Uint8Array(signature.buffer, signature.byteOffset, signature.byteLength)
    }
    return signWithExpandedSeed(expanded, message)
  }
  return Object.freeze({
    peerId,
    publicKey: peerId.publicKey,
    signSync,
    async sign(message: Uint8Array) {
      return signSync(message)
    },
  })
}
