import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { peerIdFromLibp2p, privateKeyFromSeed, signerFromPrivateKey } from '../src/index'
import { identityFromSeed } from './fixtures/nodes'

describe('one identity from one seed', () => {
  it('makes the libp2p key and the peerkit signer of the same PeerId', async () => {
    const { seed, signer } = identityFromSeed()
    const privateKey = await privateKeyFromSeed(seed)
    const libp2pPeer = peerIdFromPrivateKey(privateKey)
    expect(libp2pPeer.toString()).toBe(signer.peerId.toLibp2pString())
    expect(peerIdFromLibp2p(libp2pPeer).equals(signer.peerId)).toBe(true)
    expect(signerFromPrivateKey(privateKey).peerId.equals(signer.peerId)).toBe(true)
  })

  it('refuses other key types with UnsupportedKeyTypeError', async () => {
    const secp = await generateKeyPair('secp256k1')
    expect(() => signerFromPrivateKey(secp)).toThrow(
      expect.objectContaining({ name: 'UnsupportedKeyTypeError' }),
    )
    expect(() => peerIdFromLibp2p(peerIdFromPrivateKey(secp))).toThrow(
      expect.objectContaining({ name: 'UnsupportedKeyTypeError' }),
    )
  })

  it('refuses a seed of the wrong length', async () => {
    await expect(privateKeyFromSeed(new Uint8Array(31))).rejects.toMatchObject({
      name: 'InvalidArgumentError',
    })
  })
})
