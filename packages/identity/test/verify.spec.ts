import * as nodeCrypto from 'node:crypto'
import { runInNewContext } from 'node:vm'
import { hashes as nobleHashes, verify as nobleVerify, Point } from '@noble/ed25519'
import { sha512 } from '@noble/hashes/sha2.js'
import { describe, expect, it } from 'vitest'
import { createLruCache } from '../src/cache'
import { nodeConforms, probeCases, webCryptoConforms } from '../src/conformance'
import {
  availableBackends,
  clearKeyCache,
  createVerifier,
  keyPairFromSeed,
  signerFromKeyPair,
  verifySignature,
  verifySignatureSync,
} from '../src/index'
import type { NodeCrypto } from '../src/runtime'
import { ALL_BACKENDS } from './fixtures/helpers'
import { referenceVerify } from './fixtures/reference'

nobleHashes.sha512 = sha512

const keyPair = keyPairFromSeed(new Uint8Array(32).fill(1))
const signer = signerFromKeyPair(keyPair)
const message = new TextEncoder().encode('peerkit')
const signature = signer.signSync(message)

function errorName(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (error) {
    return (error as Error).name
  }
  return undefined
}

describe('verifySignature / verifySignatureSync', () => {
  it('lists the backends of this runtime, fastest first', () => {
    expect(availableBackends()).toEqual(['node', 'webcrypto', 'js'])
  })

  it('verifies with the default and every named backend', async () => {
    expect(await verifySignature(keyPair.publicKey, message, signature)).toBe(true)
    expect(verifySignatureSync(keyPair.publicKey, message, signature)).toBe(true)
    for (const backend of ALL_BACKENDS) {
      expect(await verifySignature(keyPair.publicKey, message, signature, { backend })).toBe(true)
    }
  })

  it('throws a typed argument error for wrong lengths and non-bytes, on every backend', async () => {
    const cases: [unknown, unknown, unknown, string][] = [
      [keyPair.publicKey.subarray(1), message, signature, 'publicKey'],
      [new Uint8Array(33), message, signature, 'publicKey'],
      [keyPair.publicKey, message, signature.subarray(1), 'signature'],
      [keyPair.publicKey, message, new Uint8Array(65), 'signature'],
      [keyPair.publicKey, 'text', signature, 'message'],
      [Array.from(keyPair.publicKey), message, signature, 'publicKey'],
      [keyPair.publicKey, message, new Uint16Array(32), 'signature'],
    ]
    for (const [pk, msg, sig, argument] of cases) {
      for (const backend of ALL_BACKENDS) {
        const error = await verifySignature(
          pk as Uint8Array,
          msg as Uint8Array,
          sig as Uint8Array,
          { backend },
        ).catch((e: unknown) => e)
        expect((error as Error).name).toBe('InvalidArgumentError')
        expect((error as { argument: string }).argument).toBe(argument)
      }
      expect(
        errorName(() =>
          verifySignatureSync(pk as Uint8Array, msg as Uint8Array, sig as Uint8Array),
        ),
      ).toBe('InvalidArgumentError')
    }
  })

  it('createVerifier binds a backend', async () => {
    for (const backend of ALL_BACKENDS) {
      const verifier = createVerifier({ backend })
      expect(verifier.backend).toBe(backend)
      expect(await verifier.verify(keyPair.publicKey, message, signature)).toBe(true)
      expect(await verifier.verify(keyPair.publicKey, Uint8Array.of(1), signature)).toBe(false)
    }
    expect(createVerifier().backend).toBe('default')
    expect(errorName(() => createVerifier({ backend: 'rust' as 'js' }))).toBe(
      'InvalidArgumentError',
    )
  })

  it('rejects unknown backends with a typed error', async () => {
    const error = await verifySignature(keyPair.publicKey, message, signature, {
      backend: 'openssl' as 'js',
    }).catch((e: unknown) => e)
    expect((error as Error).name).toBe('InvalidArgumentError')
    expect(
      errorName(() =>
        verifySignatureSync(keyPair.publicKey, message, signature, {
          backend: 'webcrypto' as 'js',
        }),
      ),
    ).toBe('InvalidArgumentError')
  })

  it('accepts byte arrays from another realm and Node Buffers', () => {
    const foreign = runInNewContext('(a) => new Uint8Array(a)')(
      Array.from(keyPair.publicKey),
    ) as Uint8Array
    expect(foreign instanceof Uint8Array).toBe(false)
    expect(
      verifySignatureSync(foreign, Buffer.from(message), Buffer.from(signature), { backend: 'js' }),
    ).toBe(true)
    expect(verifySignatureSync(foreign, message, signature, { backend: 'node' })).toBe(true)
  })

  it('answers false (not an error) for a well-formed invalid key', async () => {
    const smallOrder = new Uint8Array(32)
    smallOrder[0] = 1 // the identity point
    for (const backend of ALL_BACKENDS) {
      expect(await verifySignature(smallOrder, message, signature, { backend })).toBe(false)
    }
  })

  it('refuses the universal forgery under the identity key that raw OpenSSL accepts', async () => {
    const identityKey = new Uint8Array(32)
    identityKey[0] = 1
    // R = [S]B satisfies [S]B − [k]O = R for every message
    const S = new Uint8Array(32)
    S[0] = 57
    const sB = Point.BASE.multiply(57n).toBytes()
    const forgery = Uint8Array.of(...sB, ...S)
    const spki = nodeCrypto.createPublicKey({
      key: Buffer.from([
        0x30,
        0x2a,
        0x30,
        0x05,
        0x06,
        0x03,
        0x2b,
        0x65,
        0x70,
        0x03,
        0x21,
        0x00,
        ...identityKey,
      ]),
      format: 'der',
      type: 'spki',
    })
    // OpenSSL alone checks neither small order nor the subgroup (recorded in docs/identity.md)
    expect(nodeCrypto.verify(null, message, spki, forgery)).toBe(true)
    for (const backend of ALL_BACKENDS) {
      expect(await verifySignature(identityKey, message, forgery, { backend })).toBe(false)
    }
  })

  it('gives the same verdicts after the key cache is cleared', async () => {
    clearKeyCache()
    for (const backend of ALL_BACKENDS) {
      expect(await verifySignature(keyPair.publicKey, message, signature, { backend })).toBe(true)
    }
    // the js backend builds a table for a hot key; its verdicts must not change
    for (let i = 0; i < 3; i++) {
      expect(verifySignatureSync(keyPair.publicKey, message, signature, { backend: 'js' })).toBe(
        true,
      )
      const bad = Uint8Array.from(signature)
      bad[5]! ^= 4
      expect(verifySignatureSync(keyPair.publicKey, message, bad, { backend: 'js' })).toBe(false)
    }
  })

  it('judges the bytes as they were when asked, even if the caller changes them meanwhile', async () => {
    for (const backend of ALL_BACKENDS) {
      const data = Uint8Array.from(message)
      const pending = verifySignature(keyPair.publicKey, data, signature, { backend })
      data[0]! ^= 1
      expect(await pending).toBe(true)
      const bad = Uint8Array.from(message)
      bad[0]! ^= 1
      const later = verifySignature(keyPair.publicKey, bad, signature, { backend })
      bad[0]! ^= 1
      expect(await later).toBe(false)
    }
  })

  it('is not fooled by the caller changing inputs between calls', () => {
    const key = Uint8Array.from(keyPair.publicKey)
    expect(verifySignatureSync(key, message, signature, { backend: 'js' })).toBe(true)
    key[0]! ^= 1
    expect(verifySignatureSync(key, message, signature, { backend: 'js' })).toBe(false)
    expect(verifySignatureSync(key, message, signature, { backend: 'node' })).toBe(false)
  })
})

describe('bounded LRU cache', () => {
  it('never holds more than its capacity and keeps what was used lately', () => {
    const cache = createLruCache<number, number>(4)
    for (let i = 0; i < 100; i++) {
      cache.set(i, i)
      expect(cache.size).toBeLessThanOrEqual(4)
    }
    // the latest entries are there; the first ones are gone
    expect(cache.get(99)).toBe(99)
    expect(cache.get(98)).toBe(98)
    expect(cache.get(0)).toBeUndefined()
    // an entry read while old survives the next turnover; one not read does not
    const fresh = createLruCache<number, number>(4)
    for (const i of [1, 2, 3, 4]) fresh.set(i, i)
    expect(fresh.get(1)).toBe(1)
    fresh.set(5, 5)
    fresh.set(6, 6)
    expect(fresh.get(1)).toBe(1)
    expect(fresh.get(2)).toBeUndefined()
    fresh.delete(1)
    expect(fresh.get(1)).toBeUndefined()
    fresh.clear()
    expect(fresh.size).toBe(0)
  })
})

describe('native backend probe', () => {
  it('passes on this runtime’s node:crypto and WebCrypto', async () => {
    expect(nodeConforms(nodeCrypto as unknown as NodeCrypto)).toBe(true)
    expect(await webCryptoConforms(globalThis.crypto.subtle)).toBe(true)
  })

  it('its key and valid signature are those of seed 07…07 (RFC 8032 signing, again here)', () => {
    const probe = probeCases()
    const keyPair = keyPairFromSeed(new Uint8Array(32).fill(7))
    expect(probe.publicKey).toEqual(keyPair.publicKey)
    expect(probe.valid).toEqual(
      signerFromKeyPair(keyPair, { backend: 'js' }).signSync(probe.message),
    )
    expect(new TextDecoder().decode(probe.message)).toBe('peerkit/identity/probe')
    // fresh bytes on every call: nothing a caller does to one probe reaches the next
    probe.valid.fill(0)
    expect(probeCases().valid).not.toEqual(probe.valid)
  })

  it('has crafted signatures the cofactored equation accepts and the rule rejects', () => {
    const probe = probeCases()
    expect(referenceVerify(probe.publicKey, probe.message, probe.valid)).toBe(true)
    for (const signature of probe.invalid) {
      expect(nobleVerify(signature, probe.message, probe.publicKey, { zip215: false })).toBe(true)
      expect(referenceVerify(probe.publicKey, probe.message, signature)).toBe(false)
    }
  })

  it('fails a native Ed25519 that verifies with the cofactored equation', async () => {
    // stand-ins for a runtime whose native Ed25519 is cofactored: verification by noble
    const cofactoredNode = {
      createPublicKey: ({ key }: { key: Uint8Array }) => ({ raw: key.subarray(12) }),
      verify: (_: null, data: Uint8Array, key: { raw: Uint8Array }, signature: Uint8Array) =>
        nobleVerify(signature, data, key.raw, { zip215: false }),
    } as unknown as NodeCrypto
    expect(nodeConforms(cofactoredNode)).toBe(false)
    const cofactoredSubtle = {
      importKey: async (_: string, key: Uint8Array) => key,
      verify: async (_: unknown, key: Uint8Array, signature: Uint8Array, data: Uint8Array) =>
        nobleVerify(signature, data, key, { zip215: false }),
    } as unknown as SubtleCrypto
    expect(await webCryptoConforms(cofactoredSubtle)).toBe(false)
    const missing = {
      importKey: async () => {
        throw Object.assign(new Error('no Ed25519'), { name: 'NotSupportedError' })
      },
    } as unknown as SubtleCrypto
    await expect(webCryptoConforms(missing)).rejects.toMatchObject({ name: 'NotSupportedError' })
  })
})
