import { generateKeyPair, signerFromKeyPair, verifySignature } from '@peerkit/identity'
import { expect, test } from 'vitest'

test('keys are generated and signatures verify in the browser', async () => {
  const signer = signerFromKeyPair(generateKeyPair())
  const message = new TextEncoder().encode('hello from chromium')
  const signature = await signer.sign(message)
  expect(signature.length).toBe(64)
  expect(typeof navigator.userAgent).toBe('string')
  expect(await verifySignature(signer.peerId.publicKey, message, signature)).toBe(true)
})
