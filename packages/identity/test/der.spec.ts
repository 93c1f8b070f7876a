import * as nodeCrypto from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  generateKeyPair,
  keyPairFromPkcs8,
  keyPairFromSeed,
  keyPairToPkcs8,
  publicKeyFromSpki,
  publicKeyToSpki,
  seedFromPkcs8,
  signerFromKeyPair,
  verifySignature,
} from '../src/index'

const subtle = globalThis.crypto.subtle

function errorName(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (error) {
    return (error as Error).name
  }
  return undefined
}

describe('PKCS#8 and SPKI', () => {
  it('round-trips through Node KeyObject both ways', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (seed) => {
        const keyPair = keyPairFromSeed(seed)
        // ours → Node
        const privateKey = nodeCrypto.createPrivateKey({
          key: Buffer.from(keyPairToPkcs8(keyPair)),
          format: 'der',
          type: 'pkcs8',
        })
        const publicKey = nodeCrypto.createPublicKey({
          key: Buffer.from(publicKeyToSpki(keyPair.publicKey)),
          format: 'der',
          type: 'spki',
        })
        expect(privateKey.asymmetricKeyType).toBe('ed25519')
        const jwk = nodeCrypto.createPublicKey(privateKey).export({ format: 'jwk' })
        expect(Buffer.from(jwk.x as string, 'base64url').equals(keyPair.publicKey)).toBe(true)
        // Node → ours
        expect(keyPairFromPkcs8(privateKey.export({ format: 'der', type: 'pkcs8' }))).toEqual(
          keyPair,
        )
        expect(publicKeyFromSpki(publicKey.export({ format: 'der', type: 'spki' }))).toStrictEqual(
          keyPair.publicKey,
        )
        // and Node verifies our signatures with the imported key
        const message = Uint8Array.of(...seed, 1)
        const signature = signerFromKeyPair(keyPair, { backend: 'js' }).signSync(message)
        expect(nodeCrypto.verify(null, message, publicKey, signature)).toBe(true)
      }),
      { numRuns: 20 },
    )
  })

  it('reads keys Node generated itself', () => {
    const { publicKey, privateKey } = nodeCrypto.generateKeyPairSync('ed25519')
    const keyPair = keyPairFromPkcs8(privateKey.export({ format: 'der', type: 'pkcs8' }))
    expect(keyPair.publicKey).toEqual(
      Uint8Array.from(publicKeyFromSpki(publicKey.export({ format: 'der', type: 'spki' }))),
    )
    const message = Uint8Array.of(1, 2, 3)
    const nodeSignature = nodeCrypto.sign(null, message, privateKey)
    expect(signerFromKeyPair(keyPair, { backend: 'js' }).signSync(message)).toEqual(
      Uint8Array.from(nodeSignature),
    )
  })

  it('round-trips through WebCrypto both ways', async () => {
    const keyPair = generateKeyPair()
    const message = new TextEncoder().encode('webcrypto interop')
    // ours → WebCrypto
    const imported = await subtle.importKey(
      'pkcs8',
      keyPairToPkcs8(keyPair) as BufferSource,
      { name: 'Ed25519' },
      true,
      ['sign'],
    )
    const importedPublic = await subtle.importKey(
      'spki',
      publicKeyToSpki(keyPair.publicKey) as BufferSource,
      { name: 'Ed25519' },
      true,
      ['verify'],
    )
    const webSignature = new Uint8Array(await subtle.sign({ name: 'Ed25519' }, imported, message))
    expect(webSignature).toEqual(signerFromKeyPair(keyPair).signSync(message))
    expect(await subtle.verify({ name: 'Ed25519' }, importedPublic, webSignature, message)).toBe(
      true,
    )
    // WebCrypto → ours
    const generated = (await subtle.generateKey({ name: 'Ed25519' }, true, [
      'sign',
      'verify',
    ])) as CryptoKeyPair
    const pkcs8 = new Uint8Array(await subtle.exportKey('pkcs8', generated.privateKey))
    const spki = new Uint8Array(await subtle.exportKey('spki', generated.publicKey))
    const ours = keyPairFromPkcs8(pkcs8)
    expect(ours.publicKey).toEqual(publicKeyFromSpki(spki))
    const signature = new Uint8Array(
      await subtle.sign({ name: 'Ed25519' }, generated.privateKey, message),
    )
    expect(await verifySignature(ours.publicKey, message, signature, { backend: 'js' })).toBe(true)
  })

  it('reads RFC 8410 v2 (with the public key) and checks it matches', () => {
    const keyPair = keyPairFromSeed(new Uint8Array(32).fill(4))
    const v1 = keyPairToPkcs8(keyPair)
    const v2 = Uint8Array.of(
      0x30,
      0x51,
      0x02,
      0x01,
      0x01,
      ...v1.subarray(5),
      0x81,
      0x21,
      0x00,
      ...keyPair.publicKey,
    )
    expect(seedFromPkcs8(v2).publicKey).toEqual(keyPair.publicKey)
    expect(keyPairFromPkcs8(v2)).toEqual(keyPair)
    const other = generateKeyPair().publicKey
    const mismatched = Uint8Array.of(...v2.subarray(0, v2.length - 32), ...other)
    expect(errorName(() => keyPairFromPkcs8(mismatched))).toBe('KeyPairMismatchError')
  })

  it('rejects every other encoding with a typed error', () => {
    const keyPair = generateKeyPair()
    const pkcs8 = keyPairToPkcs8(keyPair)
    const spki = publicKeyToSpki(keyPair.publicKey)
    const { privateKey: x25519 } = nodeCrypto.generateKeyPairSync('x25519')
    const badPkcs8 = [
      pkcs8.subarray(0, 47),
      Uint8Array.of(...pkcs8, 0),
      x25519.export({ format: 'der', type: 'pkcs8' }),
      spki,
      new Uint8Array(0),
    ]
    for (const der of badPkcs8)
      expect(errorName(() => keyPairFromPkcs8(der))).toBe('InvalidKeyEncodingError')
    fc.assert(
      fc.property(fc.nat({ max: 15 }), fc.integer({ min: 1, max: 255 }), (at, xor) => {
        // any change in the DER structure (not in the seed) is refused
        const copy = Uint8Array.from(pkcs8)
        copy[at]! ^= xor
        expect(errorName(() => keyPairFromPkcs8(copy))).toBe('InvalidKeyEncodingError')
      }),
    )
    expect(errorName(() => publicKeyFromSpki(spki.subarray(1)))).toBe('InvalidKeyEncodingError')
    expect(errorName(() => publicKeyFromSpki(pkcs8))).toBe('InvalidKeyEncodingError')
    const { publicKey: x25519Public } = nodeCrypto.generateKeyPairSync('x25519')
    expect(
      errorName(() => publicKeyFromSpki(x25519Public.export({ format: 'der', type: 'spki' }))),
    ).toBe('InvalidKeyEncodingError')
    expect(errorName(() => publicKeyFromSpki('MCow' as never))).toBe('InvalidArgumentError')
  })
})
