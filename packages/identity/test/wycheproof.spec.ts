import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { verifySignatureSync } from '../src/index'
import { ALL_BACKENDS, hex, verdict } from './fixtures/helpers'

interface WycheproofTest {
  tcId: number
  comment: string
  flags: string[]
  msg: string
  sig: string
  result: 'valid' | 'invalid'
}
interface WycheproofFile {
  numberOfTests: number
  testGroups: { publicKey: { pk: string }; tests: WycheproofTest[] }[]
}

const corpus = JSON.parse(
  readFileSync(new URL('./vectors/wycheproof_ed25519_test.json', import.meta.url), 'utf8'),
) as WycheproofFile
const cases = corpus.testGroups.flatMap((group) =>
  group.tests.map((test) => ({ pk: group.publicKey.pk, ...test })),
)

describe('Wycheproof Ed25519', () => {
  it('has all 151 tests', () => {
    expect(cases).toHaveLength(151)
    expect(corpus.numberOfTests).toBe(151)
  })

  for (const backend of ALL_BACKENDS) {
    it(`gives every test its expected result on the ${backend} backend`, async () => {
      const wrong: number[] = []
      let typedLengthErrors = 0
      for (const test of cases) {
        const signature = hex(test.sig)
        const got = await verdict(backend, hex(test.pk), hex(test.msg), signature)
        if (signature.length !== 64) {
          // a wrong-length signature is an argument error, which is how "invalid" is reported
          if (test.result !== 'invalid' || got !== 'InvalidArgumentError') wrong.push(test.tcId)
          typedLengthErrors++
        } else if (got !== (test.result === 'valid')) {
          wrong.push(test.tcId)
        }
      }
      expect(wrong).toEqual([])
      expect(typedLengthErrors).toBe(12)
    })
  }

  it('agrees with the synchronous entry point', () => {
    for (const test of cases) {
      const signature = hex(test.sig)
      if (signature.length !== 64) continue
      for (const backend of ['js', 'node'] as const) {
        expect(verifySignatureSync(hex(test.pk), hex(test.msg), signature, { backend })).toBe(
          test.result === 'valid',
        )
      }
    }
  })
})
