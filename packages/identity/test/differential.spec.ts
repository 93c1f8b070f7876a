/**
 * Differential tests: every backend, on random, bit-flipped and crafted inputs, must give the
 * verdict of the reference transcription of the rule. `PEERKIT_FC_RUNS` raises the run count.
 */
import { hashes as nobleHashes, verify as nobleVerify, Point } from '@noble/ed25519'
import { sha512 } from '@noble/hashes/sha2.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { keyPairFromSeed, signerFromKeyPair } from '../src/index'
import { ALL_BACKENDS, verdict } from './fixtures/helpers'
import {
  bigIntToLe,
  L,
  leToBigInt,
  nonCanonicalEncodings,
  referenceVerify,
  torsionPoints,
} from './fixtures/reference'

// noble's synchronous verify needs a SHA-512; only this test file uses it
nobleHashes.sha512 = sha512

const RUNS = Number(process.env.PEERKIT_FC_RUNS ?? 60)
const TORSION = torsionPoints()
const NON_CANONICAL = nonCanonicalEncodings()

async function allAgree(
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  const expected = referenceVerify(publicKey, message, signature)
  for (const backend of ALL_BACKENDS) {
    const got = await verdict(backend, publicKey, message, signature)
    if (got !== expected) {
      throw new Error(`${backend} said ${String(got)}, the rule says ${expected}`)
    }
  }
  return expected
}

/** A signature with a freely chosen nonce point `R`: S = r + k·s for R's discrete log r. */
function secretScalar(seed: Uint8Array): bigint {
  const head = sha512(seed).slice(0, 32)
  head[0]! &= 248
  head[31]! &= 127
  head[31]! |= 64
  return leToBigInt(head) % L
}

function signWithNonce(
  seed: Uint8Array,
  message: Uint8Array,
  r: bigint,
  torsion: Point,
  flipSign = false,
) {
  const s = secretScalar(seed)
  const publicKey = Point.BASE.multiply(s).toBytes()
  const R = Point.BASE.multiply(r).add(torsion).toBytes()
  if (flipSign) R[31]! ^= 0x80
  const k = leToBigInt(sha512(new Uint8Array([...R, ...publicKey, ...message]))) % L
  const S = (r + k * s) % L
  return { publicKey, signature: new Uint8Array([...R, ...bigIntToLe(S)]) }
}

/** A signature valid under the cofactorless equation for the key A + T (T of small order). */
function signUnderTorsionKey(seed: Uint8Array, message: Uint8Array, torsion: Point) {
  const s = secretScalar(seed)
  const publicKey = Point.BASE.multiply(s).add(torsion).toBytes()
  for (let r = leToBigInt(sha512(message)) % L || 1n; ; r++) {
    const R = Point.BASE.multiply(r).toBytes()
    const k = leToBigInt(sha512(new Uint8Array([...R, ...publicKey, ...message]))) % L
    if (k === 0n || !torsion.multiply(k, false).equals(Point.ZERO)) continue
    return { publicKey, signature: new Uint8Array([...R, ...bigIntToLe((r + k * s) % L)]) }
  }
}

/** Rule 3 alone (no key checks): used to show a crafted case passes the equation. */
function referenceEquationOnly(
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  const A = Point.fromBytes(publicKey, false)
  const R = signature.subarray(0, 32)
  const S = leToBigInt(signature.subarray(32))
  const k = leToBigInt(sha512(new Uint8Array([...R, ...publicKey, ...message]))) % L
  const check = Point.BASE.multiply(S, false).subtract(A.multiply(k, false)).toBytes()
  return check.every((byte, i) => byte === R[i])
}

const seedArb = fc.uint8Array({ minLength: 32, maxLength: 32 })
const messageArb = fc.uint8Array({ maxLength: 300 })

describe('differential: every backend gives the rule’s verdict', () => {
  it('torsion and non-canonical fixtures are what they claim', () => {
    expect(TORSION).toHaveLength(8)
    expect(new Set(TORSION.map((t) => t.toHex())).size).toBe(8)
    for (const t of TORSION) expect(t.multiply(8n, false).equals(Point.ZERO)).toBe(true)
    expect(NON_CANONICAL).toHaveLength(40)
  })

  it('accepts honest signatures and rejects every single bit flip', async () => {
    await fc.assert(
      fc.asyncProperty(seedArb, messageArb, fc.nat(), async (seed, message, where) => {
        const keyPair = keyPairFromSeed(seed)
        const signature = signerFromKeyPair(keyPair).signSync(message)
        expect(await allAgree(keyPair.publicKey, message, signature)).toBe(true)
        const target = where % 3
        const flipped =
          target === 0
            ? Uint8Array.from(signature)
            : target === 1
              ? Uint8Array.from(keyPair.publicKey)
              : Uint8Array.from([...message, 0])
        const bit = where % (flipped.length * 8)
        flipped[bit >> 3]! ^= 1 << (bit & 7)
        if (target === 0) expect(await allAgree(keyPair.publicKey, message, flipped)).toBe(false)
        else if (target === 1) expect(await allAgree(flipped, message, signature)).toBe(false)
        else expect(await allAgree(keyPair.publicKey, flipped, signature)).toBe(false)
      }),
      { numRuns: RUNS },
    )
  })

  it('rejects an R whose y is right and whose sign bit is wrong', async () => {
    // S is computed for the flipped R bytes, so [S]B − [k]A is the point of the original R:
    // same y, opposite sign of x
    await fc.assert(
      fc.asyncProperty(
        seedArb,
        messageArb,
        fc.bigInt({ min: 1n, max: L - 1n }),
        async (seed, message, r) => {
          const { publicKey, signature } = signWithNonce(seed, message, r, Point.ZERO, true)
          expect(await allAgree(publicKey, message, signature)).toBe(false)
        },
      ),
      { numRuns: Math.max(10, RUNS >> 1) },
    )
  })

  it('rejects keys with a torsion component even when the cofactorless equation holds', async () => {
    // with A' = A + T and k a multiple of T's order, [S]B − [k]A' = R exactly: only the key
    // check (A' is not in the prime-order subgroup) rejects these
    await fc.assert(
      fc.asyncProperty(
        seedArb,
        messageArb,
        fc.integer({ min: 1, max: 7 }),
        async (seed, message, t) => {
          const { publicKey, signature } = signUnderTorsionKey(seed, message, TORSION[t]!)
          expect(referenceEquationOnly(publicKey, message, signature)).toBe(true)
          expect(await allAgree(publicKey, message, signature)).toBe(false)
        },
      ),
      { numRuns: Math.max(8, RUNS >> 2) },
    )
  })

  it('agrees on random bytes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        messageArb,
        fc.uint8Array({ minLength: 64, maxLength: 64 }),
        async (publicKey, message, signature) => {
          await allAgree(publicKey, message, signature)
        },
      ),
      { numRuns: RUNS },
    )
  })

  it('rejects R with a small-order component, even where the cofactored equation holds', async () => {
    await fc.assert(
      fc.asyncProperty(
        seedArb,
        messageArb,
        fc.bigInt({ min: 1n, max: L - 1n }),
        fc.integer({ min: 1, max: 7 }),
        async (seed, message, r, t) => {
          const { publicKey, signature } = signWithNonce(seed, message, r, TORSION[t]!)
          // the cofactored check (noble, even with zip215: false) accepts these…
          expect(nobleVerify(signature, message, publicKey, { zip215: false })).toBe(true)
          // …the rule rejects them on every backend
          expect(await allAgree(publicKey, message, signature)).toBe(false)
          // and the same nonce without the torsion part is an honest signature
          const honest = signWithNonce(seed, message, r, Point.ZERO)
          expect(await allAgree(honest.publicKey, message, honest.signature)).toBe(true)
        },
      ),
      { numRuns: Math.max(10, RUNS >> 1) },
    )
  })

  it('rejects public keys with a small-order component added', async () => {
    await fc.assert(
      fc.asyncProperty(
        seedArb,
        messageArb,
        fc.integer({ min: 1, max: 7 }),
        async (seed, message, t) => {
          const keyPair = keyPairFromSeed(seed)
          const signature = signerFromKeyPair(keyPair).signSync(message)
          const mixed = Point.fromBytes(keyPair.publicKey).add(TORSION[t]!).toBytes()
          expect(await allAgree(mixed, message, signature)).toBe(false)
        },
      ),
      { numRuns: Math.max(10, RUNS >> 1) },
    )
  })

  it('rejects S + L (and any S ≥ L)', async () => {
    await fc.assert(
      fc.asyncProperty(
        seedArb,
        messageArb,
        fc.bigInt({ min: 0n, max: 14n }),
        async (seed, message, m) => {
          const keyPair = keyPairFromSeed(seed)
          const signature = signerFromKeyPair(keyPair).signSync(message)
          const S = leToBigInt(signature.subarray(32))
          const bigger = S + L * (m + 1n)
          fc.pre(bigger < 1n << 256n)
          const malleated = new Uint8Array([...signature.subarray(0, 32), ...bigIntToLe(bigger)])
          expect(await allAgree(keyPair.publicKey, message, malleated)).toBe(false)
        },
      ),
      { numRuns: RUNS },
    )
  })

  it('rejects every non-canonical and small-order key, and every non-canonical R', async () => {
    const keyPair = keyPairFromSeed(new Uint8Array(32).fill(9))
    const message = Uint8Array.of(1, 2, 3)
    const signature = signerFromKeyPair(keyPair).signSync(message)
    for (const encoding of [...NON_CANONICAL, ...TORSION.map((t) => t.toBytes())]) {
      expect(await allAgree(encoding, message, signature)).toBe(false)
      const withR = new Uint8Array([...encoding, ...signature.subarray(32)])
      expect(await allAgree(keyPair.publicKey, message, withR)).toBe(false)
    }
  })

  it('the identity as R with S = 0 and k·A = O never verifies (small-order keys are refused)', async () => {
    const identity = Point.ZERO.toBytes()
    const signature = new Uint8Array([...identity, ...new Uint8Array(32)])
    for (const t of TORSION) {
      expect(await allAgree(t.toBytes(), Uint8Array.of(7), signature)).toBe(false)
    }
  })

  it('exercises every backend it claims', () => {
    expect(ALL_BACKENDS).toEqual(['js', 'node', 'webcrypto'])
  })
})
