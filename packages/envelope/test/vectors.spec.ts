/**
 * The wire-format vectors of test/vectors/peerkit-envelope-v1.json: sealing the same input
 * gives the same bytes, opening gives the same fields and id, and the invalid ones are
 * refused with the named error. Another implementation can run the same file.
 */
import { readFileSync } from 'node:fs'
import { decode, fromHex, toHex, type Value } from '@peerkit/codec'
import { keyPairFromSeed, signerFromKeyPair } from '@peerkit/identity'
import { describe, expect, test } from 'vitest'
import { countersign, envelopeId, open, openMulti, SIGNATURE_CONTEXT, seal } from '../src/index'
import { errorName } from './fixtures/peers'

interface ValidVector {
  description: string
  seed: string
  countersignerSeeds: string[]
  domain: string
  payload: string
  timestamp: number
  expiresAt?: number
  nonce?: string
  sequence?: string
  signer: string
  body: string
  envelope: string
  id: string
}

const file = JSON.parse(
  readFileSync(new URL('./vectors/peerkit-envelope-v1.json', import.meta.url), 'utf8'),
) as {
  signatureContext: string
  valid: ValidVector[]
  invalid: { description: string; envelope: string; error: string }[]
}

const signerOf = (seed: string) => signerFromKeyPair(keyPairFromSeed(fromHex(seed)))

describe('peerkit-envelope-v1 vectors', () => {
  test('the signature context is the one in the file', () => {
    expect(SIGNATURE_CONTEXT).toBe(file.signatureContext)
  })

  for (const vector of file.valid) {
    test(`valid: ${vector.description}`, async () => {
      const sequence = vector.sequence === undefined ? undefined : BigInt(vector.sequence)
      let bytes = await seal(signerOf(vector.seed), {
        domain: vector.domain,
        payload: decode(fromHex(vector.payload)) as Value,
        timestamp: vector.timestamp,
        expiresAt: vector.expiresAt,
        nonce: vector.nonce === undefined ? undefined : fromHex(vector.nonce),
        sequence,
      })
      for (const seed of vector.countersignerSeeds) bytes = await countersign(bytes, signerOf(seed))
      expect(toHex(bytes)).toBe(vector.envelope)
      const rules = { domain: vector.domain, now: vector.timestamp, maxSkewMs: 0, maxAgeMs: 0 }
      const opened = open(fromHex(vector.envelope), rules)
      expect(opened.signer.toString()).toBe(vector.signer)
      expect(opened.id.toString()).toBe(vector.id)
      expect(envelopeId(bytes).toString()).toBe(vector.id)
      expect(toHex((decode(bytes) as Uint8Array[])[1]!)).toBe(vector.body)
      expect(opened.payload).toEqual(decode(fromHex(vector.payload)))
      const all = [vector.seed, ...vector.countersignerSeeds].map((seed) => signerOf(seed).peerId)
      expect(
        openMulti(bytes, { ...rules, signers: all, threshold: all.length }).signers,
      ).toHaveLength(all.length)
    })
  }

  for (const vector of file.invalid) {
    test(`invalid: ${vector.description}`, () => {
      const rules = {
        domain: file.valid[0]!.domain,
        now: file.valid[0]!.timestamp,
        maxSkewMs: 0,
        maxAgeMs: 0,
      }
      expect(errorName(() => open(fromHex(vector.envelope), rules))).toBe(vector.error)
    })
  }
})
