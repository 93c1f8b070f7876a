/**
 * The cacophony vectors (haskell-cryptography/cacophony, public domain) for
 * Noise_XX_25519_ChaChaPoly_SHA256, byte for byte on every backend.
 */
import { describe, expect, test } from 'vitest'
import { availableCryptoBackends, noiseCrypto } from '../src/crypto'
import { runVector } from './run-vectors'
import { loadVectors } from './vectors'

const vectors = loadVectors('cacophony_xx_25519_chachapoly_sha256.json')

describe.each(availableCryptoBackends())('noise-cacophony on the %s backend', (backend) => {
  test('the file holds vectors', () => expect(vectors.length).toBeGreaterThan(0))
  test.each(vectors.map((vector, index) => [index, vector] as const))('vector %i', (_, vector) => {
    runVector(vector, noiseCrypto(backend))
  })
})

test('both backends run here', () => {
  expect(availableCryptoBackends()).toEqual(['node', 'js'])
})
