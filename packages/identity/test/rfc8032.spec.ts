import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { keyPairFromSeed, signerFromKeyPair } from '../src/index'
import { ALL_BACKENDS, hex, toHex, verdict } from './fixtures/helpers'

interface Rfc8032Vector {
  name: string
  secretKey: string
  publicKey: string
  message: string
  signature: string
}
const vectors = (
  JSON.parse(readFileSync(new URL('./vectors/rfc8032_ed25519.json', import.meta.url), 'utf8')) as {
    tests: Rfc8032Vector[]
  }
).tests

describe('RFC 8032 §7.1', () => {
  it('has the five Ed25519 vectors', () => {
    expect(vectors.map((v) => v.name)).toEqual([
      'TEST 1',
      'TEST 2',
      'TEST 3',
      'TEST 1024',
      'TEST SHA(abc)',
    ])
    expect(hex(vectors[3]!.message)).toHaveLength(1023)
  })

  for (const vector of vectors) {
    it(`${vector.name}: derives the key and signs the same bytes with both signers`, async () => {
      const keyPair = keyPairFromSeed(hex(vector.secretKey))
      expect(toHex(keyPair.publicKey)).toBe(vector.publicKey)
      for (const backend of ['js', 'node'] as const) {
        const signer = signerFromKeyPair(keyPair, { backend })
        expect(toHex(await signer.sign(hex(vector.message)))).toBe(vector.signature)
      }
    })

    it(`${vector.name}: verifies on every backend, and fails once any bit flips`, async () => {
      const publicKey = hex(vector.publicKey)
      const message = hex(vector.message)
      const signature = hex(vector.signature)
      for (const backend of ALL_BACKENDS) {
        expect(await verdict(backend, publicKey, message, signature)).toBe(true)
        const flipped = Uint8Array.from(signature)
        flipped[vector.name.length % 64]! ^= 0x01
        expect(await verdict(backend, publicKey, message, flipped)).toBe(false)
        const otherMessage = Uint8Array.from([...message, 0])
        expect(await verdict(backend, publicKey, otherMessage, signature)).toBe(false)
      }
    })
  }
})
