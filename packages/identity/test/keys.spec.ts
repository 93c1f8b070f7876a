import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  generateKeyPair,
  keyPairFromSeed,
  peerIdFromPublicKey,
  publicKeyFromSeed,
  signerFromKeyPair,
  verifySignatureSync,
} from '../src/index'

function errorName(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (error) {
    return (error as Error).name
  }
  return undefined
}

describe('keys', () => {
  it('generates distinct key pairs whose public key the seed derives', () => {
    const a = generateKeyPair()
    const b = generateKeyPair()
    expect(a.privateKey).toHaveLength(32)
    expect(a.publicKey).toHaveLength(32)
    expect(a.publicKey).not.toEqual(b.publicKey)
    expect(keyPairFromSeed(a.privateKey).publicKey).toEqual(a.publicKey)
    expect(publicKeyFromSeed(a.privateKey)).toEqual(a.publicKey)
  })

  it('takes injected randomness', () => {
    const fixed = generateKeyPair({ randomBytes: (n) => new Uint8Array(n).fill(5) })
    expect(fixed).toEqual(keyPairFromSeed(new Uint8Array(32).fill(5)))
    expect(errorName(() => generateKeyPair({ randomBytes: () => new Uint8Array(31) }))).toBe(
      'InvalidArgumentError',
    )
  })

  it('copies the seed', () => {
    const seed = new Uint8Array(32).fill(3)
    const keyPair = keyPairFromSeed(seed)
    seed[0] = 99
    expect(keyPair.privateKey[0]).toBe(3)
  })

  it('rejects seeds of the wrong length', () => {
    expect(errorName(() => keyPairFromSeed(new Uint8Array(31)))).toBe('InvalidArgumentError')
    expect(errorName(() => keyPairFromSeed(new Uint8Array(64)))).toBe('InvalidArgumentError')
  })

  it('derived keys pass the full public-key validation', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (seed) => {
        const { publicKey } = keyPairFromSeed(seed)
        expect(peerIdFromPublicKey(publicKey).publicKey).toEqual(publicKey)
      }),
      { numRuns: 20 },
    )
  })
})

describe('signerFromKeyPair', () => {
  it('signs the same bytes with node:crypto and with pure JavaScript', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ maxLength: 512 }),
        async (seed, message) => {
          const keyPair = keyPairFromSeed(seed)
          const viaNode = await signerFromKeyPair(keyPair, { backend: 'node' }).sign(message)
          const viaJs = await signerFromKeyPair(keyPair, { backend: 'js' }).sign(message)
          expect(viaNode).toEqual(viaJs)
          expect(Object.getPrototypeOf(viaNode)).toBe(Uint8Array.prototype)
          expect(verifySignatureSync(keyPair.publicKey, message, viaNode)).toBe(true)
        },
      ),
      { numRuns: 20 },
    )
  })

  it('exposes its peer id and public key', () => {
    const keyPair = generateKeyPair()
    const signer = signerFromKeyPair(keyPair)
    expect(signer.publicKey).toEqual(keyPair.publicKey)
    expect(signer.peerId.equals(peerIdFromPublicKey(keyPair.publicKey))).toBe(true)
  })

  it('refuses a key pair whose public key is not the seed’s', () => {
    const a = generateKeyPair()
    const b = generateKeyPair()
    expect(
      errorName(() => signerFromKeyPair({ publicKey: b.publicKey, privateKey: a.privateKey })),
    ).toBe('KeyPairMismatchError')
    expect(errorName(() => signerFromKeyPair({ publicKey: a.publicKey } as never))).toBe(
      'InvalidArgumentError',
    )
    expect(errorName(() => signerFromKeyPair(null as never))).toBe('InvalidArgumentError')
  })

  it('still checks a key pair from keyPairFromSeed that was changed after (no stale derivation)', () => {
    const a = keyPairFromSeed(new Uint8Array(32).fill(5))
    const b = keyPairFromSeed(new Uint8Array(32).fill(6))
    const message = new TextEncoder().encode('m')
    // unchanged: the signer matches a fresh derivation
    const signer = signerFromKeyPair(a)
    expect(signer.peerId.equals(peerIdFromPublicKey(a.publicKey))).toBe(true)
    expect(verifySignatureSync(a.publicKey, message, signer.signSync(message))).toBe(true)
    // the public key replaced in place, then the seed: each is refused
    const pub = a.publicKey.slice()
    a.publicKey.set(b.publicKey)
    expect(errorName(() => signerFromKeyPair(a))).toBe('KeyPairMismatchError')
    a.publicKey.set(pub)
    a.privateKey.set(b.privateKey)
    expect(errorName(() => signerFromKeyPair(a))).toBe('KeyPairMismatchError')
    // both replaced: it is b's key pair now, and signs as b
    a.publicKey.set(b.publicKey)
    const now = signerFromKeyPair(a)
    expect(now.peerId.equals(peerIdFromPublicKey(b.publicKey))).toBe(true)
    expect(verifySignatureSync(b.publicKey, message, now.signSync(message))).toBe(true)
  })

  it('rejects a non-byte message with a typed error', async () => {
    const signer = signerFromKeyPair(generateKeyPair())
    const error = await signer.sign('hello' as never).catch((e: unknown) => e)
    expect((error as Error).name).toBe('InvalidArgumentError')
  })
})
