/**
 * One identity for libp2p and peerkit: the same Ed25519 seed makes the libp2p private key
 * (so the libp2p PeerId is the peerkit PeerId, and libp2p's Noise proves it) and the peerkit
 * signer. Other key types are refused with `UnsupportedKeyTypeError`.
 *
 * @example
 * const privateKey = await privateKeyFromSeed(seed)
 * const signer = signerFromPrivateKey(privateKey)
 * const libp2p = await createLibp2p({ privateKey, ... }) // libp2p.peerId.toString() === signer.peerId.toLibp2pString()
 */
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import type { Ed25519PrivateKey, PeerId as Libp2pPeerId, PrivateKey } from '@libp2p/interface'
import {
  type KeyPairSigner,
  keyPairFromSeed,
  type PeerId,
  peerIdFromPublicKey,
  signerFromKeyPair,
} from '@peerkit/identity'
import { UnsupportedKeyTypeError } from './errors'

/**
 * The libp2p Ed25519 private key of a 32-byte seed.
 * @param seed - the seed the peerkit key pair is made from
 * @returns a libp2p `Ed25519PrivateKey` for `createLibp2p({ privateKey })`
 * @throws InvalidArgumentError (of @peerkit/identity) when the seed is not 32 bytes
 */
export async function privateKeyFromSeed(seed: Uint8Array): Promise<Ed25519PrivateKey> {
  // Checks the seed the way peerkit does before libp2p sees it.
  keyPairFromSeed(seed)
  return generateKeyPairFromSeed('Ed25519', seed)
}

/**
 * The peerkit signer of a libp2p Ed25519 private key (same key, same PeerId).
 * @param privateKey - a libp2p private key
 * @returns a peerkit signer
 * @throws UnsupportedKeyTypeError when the key is not Ed25519
 */
export function signerFromPrivateKey(privateKey: PrivateKey): KeyPairSigner {
  if (privateKey?.type !== 'Ed25519') throw new UnsupportedKeyTypeError(String(privateKey?.type))
  const raw = (privateKey as Ed25519PrivateKey).raw
  return signerFromKeyPair(keyPairFromSeed(raw.subarray(0, 32)))
}

/**
 * The peerkit PeerId of a libp2p PeerId.
 * @param peerId - a libp2p peer id
 * @returns the peerkit PeerId of the same Ed25519 key
 * @throws UnsupportedKeyTypeError when the peer's key is not Ed25519 (or not embedded in the id)
 */
export function peerIdFromLibp2p(peerId: Libp2pPeerId): PeerId {
  if (peerId?.type !== 'Ed25519' || peerId.publicKey === undefined) {
    throw new UnsupportedKeyTypeError(String(peerId?.type))
  }
  return peerIdFromPublicKey(peerId.publicKey.raw)
}
