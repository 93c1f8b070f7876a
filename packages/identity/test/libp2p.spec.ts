/**
 * Interop with js-libp2p: peer id strings and protobuf public keys, checked against
 * @libp2p/peer-id and @libp2p/crypto themselves.
 */
import {
  generateKeyPairFromSeed,
  publicKeyFromProtobuf,
  publicKeyToProtobuf,
} from '@libp2p/crypto/keys'
import {
  peerIdFromPublicKey as libp2pPeerIdFromPublicKey,
  peerIdFromString as libp2pPeerIdFromString,
} from '@libp2p/peer-id'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  keyPairFromSeed,
  peerIdFromLibp2pPublicKey,
  peerIdFromPublicKey,
  peerIdFromString,
  signerFromKeyPair,
  verifySignature,
} from '../src/index'

describe('libp2p interop', () => {
  it('writes the peer id string and protobuf key libp2p writes, and reads libp2p’s', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 32, maxLength: 32 }), async (seed) => {
        const theirs = await generateKeyPairFromSeed('Ed25519', seed)
        const theirId = libp2pPeerIdFromPublicKey(theirs.publicKey)
        const ours = peerIdFromPublicKey(keyPairFromSeed(seed).publicKey)
        expect(ours.toLibp2pString()).toBe(theirId.toString())
        expect(ours.toLibp2pPublicKey()).toEqual(publicKeyToProtobuf(theirs.publicKey))
        expect(peerIdFromString(theirId.toString()).equals(ours)).toBe(true)
        expect(peerIdFromLibp2pPublicKey(publicKeyToProtobuf(theirs.publicKey)).equals(ours)).toBe(
          true,
        )
        // and libp2p reads ours
        expect(libp2pPeerIdFromString(ours.toLibp2pString()).equals(theirId)).toBe(true)
        expect(publicKeyFromProtobuf(ours.toLibp2pPublicKey()).equals(theirs.publicKey)).toBe(true)
      }),
      { numRuns: 15 },
    )
  })

  it('verifies libp2p signatures, and libp2p verifies ours', async () => {
    const seed = new Uint8Array(32).fill(11)
    const theirs = await generateKeyPairFromSeed('Ed25519', seed)
    const signer = signerFromKeyPair(keyPairFromSeed(seed))
    const message = new TextEncoder().encode('hello libp2p')
    const theirSignature = await theirs.sign(message)
    expect(await verifySignature(signer.publicKey, message, theirSignature)).toBe(true)
    expect(await theirs.publicKey.verify(message, await signer.sign(message))).toBe(true)
  })

  it('refuses libp2p ids of other key types with a typed error', async () => {
    const secp = await import('@libp2p/crypto/keys').then((m) => m.generateKeyPair('secp256k1'))
    const id = libp2pPeerIdFromPublicKey(secp.publicKey).toString()
    expect(id.startsWith('16Uiu2')).toBe(true)
    expect(() => peerIdFromString(id)).toThrow(
      expect.objectContaining({ name: 'UnsupportedKeyTypeError' }),
    )
    expect(() => peerIdFromLibp2pPublicKey(publicKeyToProtobuf(secp.publicKey))).toThrow(
      expect.objectContaining({ name: 'UnsupportedKeyTypeError' }),
    )
  })
})
