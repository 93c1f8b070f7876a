/**
 * The identity proof: a valid proof names its signer; a forged, re-targeted, malformed,
 * non-canonical or unknown-version payload is refused with IdentityProofError.
 */
import { encode } from '@peerkit/codec'
import { generateKeyPair, signerFromKeyPair } from '@peerkit/identity'
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { IDENTITY_DOMAIN } from '../src/constants'
import {
  createIdentityProof,
  identityProofMessage,
  verifyIdentityProof,
} from '../src/identity-proof'

const signer = signerFromKeyPair(generateKeyPair())
const other = signerFromKeyPair(generateKeyPair())
const staticKey = new Uint8Array(32).fill(3)
const otherStaticKey = new Uint8Array(32).fill(4)

async function rejection(promise: Promise<unknown>): Promise<{ name: string; reason: string }> {
  try {
    await promise
  } catch (error) {
    return error as { name: string; reason: string }
  }
  throw new Error('accepted')
}

describe('identity proof', () => {
  test('a valid proof proves its signer', async () => {
    const payload = await createIdentityProof(signer, staticKey)
    expect((await verifyIdentityProof(payload, staticKey)).equals(signer.peerId)).toBe(true)
    expect(identityProofMessage(staticKey)).toEqual(encode([IDENTITY_DOMAIN, staticKey]))
  })

  test('a proof for another static key is refused (signature)', async () => {
    const payload = await createIdentityProof(signer, staticKey)
    expect(await rejection(verifyIdentityProof(payload, otherStaticKey))).toMatchObject({
      name: 'IdentityProofError',
      reason: 'signature',
    })
  })

  test('a forged proof (someone else key, the signature of another) is refused', async () => {
    const signature = await other.sign(identityProofMessage(staticKey))
    const forged = encode({ v: 1, key: signer.publicKey, sig: signature })
    expect(await rejection(verifyIdentityProof(forged, staticKey))).toMatchObject({
      reason: 'signature',
    })
  })

  test('a signature made for another domain is refused', async () => {
    const signature = await signer.sign(encode(['peerkit/other/1', staticKey]))
    const payload = encode({ v: 1, key: signer.publicKey, sig: signature })
    expect(await rejection(verifyIdentityProof(payload, staticKey))).toMatchObject({
      reason: 'signature',
    })
  })

  test('unknown versions, extra fields and wrong sizes are refused', async () => {
    const sig = await signer.sign(identityProofMessage(staticKey))
    expect(
      await rejection(verifyIdentityProof(encode({ v: 2, key: signer.publicKey, sig }), staticKey)),
    ).toMatchObject({
      reason: 'version',
    })
    for (const payload of [
      encode({ v: 1, key: signer.publicKey, sig, extra: 1 }),
      encode({ v: 1, key: signer.publicKey }),
      encode({ v: 1, key: signer.publicKey.subarray(1), sig }),
      encode({ v: 1, key: signer.publicKey, sig: sig.subarray(1) }),
      encode([1, signer.publicKey, sig]),
      encode({ v: 1, key: new Uint8Array(32), sig }),
      new Uint8Array(300),
    ]) {
      expect(await rejection(verifyIdentityProof(payload, staticKey))).toMatchObject({
        reason: 'malformed',
      })
    }
  })

  test('a non-canonical encoding of a valid proof is refused', async () => {
    const payload = await createIdentityProof(signer, staticKey)
    // the same map with its version as a two-byte integer (0x18 0x01) instead of one byte
    const index = payload.indexOf(0x01, payload.indexOf(0x76) + 1)
    const longForm = new Uint8Array([
      ...payload.subarray(0, index),
      0x18,
      0x01,
      ...payload.subarray(index + 1),
    ])
    expect(await rejection(verifyIdentityProof(longForm, staticKey))).toMatchObject({
      reason: 'malformed',
    })
  })

  test('any garbage is refused with IdentityProofError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 400 }), async (garbage) => {
        expect(await rejection(verifyIdentityProof(garbage, staticKey))).toMatchObject({
          name: 'IdentityProofError',
        })
      }),
      { numRuns: 200 },
    )
  })
})
