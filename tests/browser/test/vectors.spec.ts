/**
 * Wycheproof Ed25519 in the browser: the `js` and `webcrypto` backends give every test of
 * the corpus its expected result, the same verdicts the Node suite checks on Node.
 */
import { availableBackends, isIdentityError, verifySignature } from '@peerkit/identity'
import { describe, expect, it } from 'vitest'
import corpus from '../../../packages/identity/test/vectors/wycheproof_ed25519_test.json'

const hex = (text: string): Uint8Array =>
  Uint8Array.from(text.match(/../g) ?? [], (byte) => Number.parseInt(byte, 16))

const cases = corpus.testGroups.flatMap((group) =>
  group.tests.map((test) => ({ pk: group.publicKey.pk, ...test })),
)

describe('Wycheproof Ed25519 in Chromium', () => {
  it('lists the browser backends', () => {
    const backends = availableBackends()
    expect(backends).toContain('js')
    expect(backends).not.toContain('node')
  })

  for (const backend of ['js', 'webcrypto'] as const) {
    it(`gives all 151 tests their expected result on the ${backend} backend`, async () => {
      expect(cases).toHaveLength(151)
      const wrong: number[] = []
      for (const test of cases) {
        let got: boolean | string
        try {
          got = await verifySignature(hex(test.pk), hex(test.msg), hex(test.sig), { backend })
        } catch (error) {
          got = isIdentityError(error) ? error.name : 'untyped'
        }
        const expected = test.result === 'valid'
        const ok =
          hex(test.sig).length !== 64
            ? got === 'InvalidArgumentError' && !expected
            : got === expected
        if (!ok) wrong.push(test.tcId)
      }
      expect(wrong).toEqual([])
    })
  }
})
