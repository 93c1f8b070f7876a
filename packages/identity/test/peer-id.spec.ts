import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { base58Decode, base58Encode } from '../src/base58'
import {
  isIdentityError,
  isInvalidPeerIdError,
  keyPairFromSeed,
  peerIdFromBytes,
  peerIdFromLibp2pPublicKey,
  peerIdFromPublicKey,
  peerIdFromString,
} from '../src/index'
import { hex } from './fixtures/helpers'

function caught(fn: () => unknown): { name?: string; reason?: string } {
  try {
    fn()
  } catch (error) {
    expect(isIdentityError(error)).toBe(true)
    return error as { name: string; reason?: string }
  }
  throw new Error('expected an error')
}

const keyPair = keyPairFromSeed(new Uint8Array(32).fill(2))
const peerId = peerIdFromPublicKey(keyPair.publicKey)

describe('PeerId', () => {
  it('reads the did:key example key of the did:key specification', () => {
    // from the did:key method specification's Ed25519 example
    const text = 'z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK'
    const id = peerIdFromString(`did:key:${text}`)
    expect(id.toString()).toBe(text)
    expect(id.toDidKey()).toBe(`did:key:${text}`)
    expect(id.toBytes().subarray(0, 2)).toEqual(Uint8Array.of(0xed, 0x01))
  })

  it('round-trips every form', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (seed) => {
        const id = peerIdFromPublicKey(keyPairFromSeed(seed).publicKey)
        expect(id.toString()).toMatch(/^z6Mk/)
        expect(id.toLibp2pString()).toMatch(/^12D3KooW/)
        expect(id.toBytes()).toHaveLength(34)
        expect(peerIdFromString(id.toString()).equals(id)).toBe(true)
        expect(peerIdFromString(id.toDidKey()).equals(id)).toBe(true)
        expect(peerIdFromString(id.toLibp2pString()).equals(id)).toBe(true)
        expect(peerIdFromBytes(id.toBytes()).equals(id)).toBe(true)
        expect(peerIdFromLibp2pPublicKey(id.toLibp2pPublicKey()).equals(id)).toBe(true)
        expect(peerIdFromString(id.toLibp2pString()).toString()).toBe(id.toString())
        expect(JSON.stringify({ id })).toBe(JSON.stringify({ id: id.toString() }))
      }),
      { numRuns: 25 },
    )
  })

  it('compares by key', () => {
    const other = peerIdFromPublicKey(keyPairFromSeed(new Uint8Array(32).fill(3)).publicKey)
    expect(peerId.equals(peerIdFromPublicKey(Uint8Array.from(keyPair.publicKey)))).toBe(true)
    expect(peerId.equals(other)).toBe(false)
    expect(peerId.equals(null as never)).toBe(false)
    expect(Object.isFrozen(peerId)).toBe(true)
  })

  it('hands out one PeerId per key, never one whose key bytes were written to', () => {
    const bytes = peerId.toBytes()
    const again = peerIdFromBytes(bytes)
    expect(again).toBe(peerIdFromPublicKey(Uint8Array.from(keyPair.publicKey)))
    expect(peerIdFromString(peerId.toString())).toBe(again)
    // toBytes gives a copy: writing to it changes nothing
    bytes.fill(0)
    expect(again.toBytes()).toEqual(peerId.toBytes())
    // a holder that writes into the (read-only) key gets no sharer hurt
    const victim = peerIdFromPublicKey(keyPairFromSeed(new Uint8Array(32).fill(4)).publicKey)
    const original = Uint8Array.from(victim.publicKey)
    victim.publicKey[0]! ^= 1
    const fresh = peerIdFromPublicKey(original)
    expect(fresh).not.toBe(victim)
    expect(fresh.publicKey).toEqual(original)
  })

  it('refuses invalid public keys with InvalidPublicKeyError and a reason', () => {
    const identity = new Uint8Array(32)
    identity[0] = 1
    expect(caught(() => peerIdFromPublicKey(identity))).toMatchObject({
      name: 'InvalidPublicKeyError',
      reason: 'small-order',
    })
    const nonCanonical = new Uint8Array(32).fill(0xff)
    nonCanonical[31] = 0x7f
    expect(caught(() => peerIdFromPublicKey(nonCanonical))).toMatchObject({
      name: 'InvalidPublicKeyError',
      reason: 'non-canonical',
    })
    const negativeZero = Uint8Array.from(identity)
    negativeZero[31] = 0x80
    expect(caught(() => peerIdFromPublicKey(negativeZero)).reason).toBe('non-canonical')
    // y = 2 is not the y of any curve point
    const offCurve = new Uint8Array(32)
    offCurve[0] = 2
    expect(caught(() => peerIdFromPublicKey(offCurve)).reason).toBe('not-on-curve')
    expect(caught(() => peerIdFromPublicKey(new Uint8Array(31))).name).toBe('InvalidArgumentError')
  })

  it('refuses keys outside the prime-order subgroup', () => {
    // a point of order 8·L: the base point plus a point of order 8 (from the Wycheproof corpus
    // style of crafted keys): found by adding torsion to a valid key
    const mixed = hex('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a')
    const error = caught(() => peerIdFromPublicKey(mixed))
    expect(error.name).toBe('InvalidPublicKeyError')
    expect(['small-order', 'not-in-subgroup']).toContain(error.reason)
  })

  it('gives a typed error for bad text of every kind', () => {
    const text = peerId.toString()
    const cases: [string, string, string?][] = [
      ['', 'InvalidPeerIdError', 'empty'],
      ['z'.repeat(200), 'InvalidPeerIdError', 'too-long'],
      [`m${text.slice(1)}`, 'InvalidPeerIdError', 'prefix'],
      ['did:web:example.com', 'InvalidPeerIdError', 'prefix'],
      [`${text.slice(0, 10)}0${text.slice(11)}`, 'InvalidPeerIdError', 'alphabet'], // '0' is not base58
      [`${text.slice(0, 10)}l${text.slice(11)}`, 'InvalidPeerIdError', 'alphabet'],
      [text.slice(0, -1), 'InvalidPeerIdError'], // a dropped digit scrambles every byte
      [
        `z${base58Encode(Uint8Array.of(0xed, 0x01, ...keyPair.publicKey.subarray(1)))}`,
        'InvalidPeerIdError',
        'length',
      ],
      [
        `z${base58Encode(Uint8Array.of(0xed, 0x01, ...keyPair.publicKey, 7))}`,
        'InvalidPeerIdError',
        'length',
      ],
      [
        `z${base58Encode(Uint8Array.of(0x55, ...keyPair.publicKey))}`,
        'InvalidPeerIdError',
        'multicodec',
      ],
      [
        `z${base58Encode(Uint8Array.of(0xe7, 0x01, 2, ...keyPair.publicKey))}`,
        'UnsupportedKeyTypeError',
      ],
      [
        `z${base58Encode(Uint8Array.of(0x80, 0x24, ...keyPair.publicKey))}`,
        'UnsupportedKeyTypeError',
      ], // p256-pub
      [
        `z${base58Encode(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x01))}`,
        'InvalidPeerIdError',
        'multicodec',
      ],
      [
        `z${base58Encode(Uint8Array.of(0xed, 0x81, 0x00, ...keyPair.publicKey))}`,
        'InvalidPeerIdError',
        'multicodec',
      ],
      ['QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N', 'UnsupportedKeyTypeError'],
      // a secp256k1 libp2p id (16Uiu2…)
      ['16Uiu2HAmLhLvBoYaoZfaMUKuibM6ac163GwKY74c5kiSLg5KvLpY', 'UnsupportedKeyTypeError'],
      [peerId.toLibp2pString().slice(0, -2), 'InvalidPeerIdError', 'length'],
      [`1${peerId.toLibp2pString()}`, 'InvalidPeerIdError', 'length'],
      ['Qa', 'InvalidPeerIdError', 'multihash'],
      ['ünïcode', 'InvalidPeerIdError', 'prefix'],
      [`z${'ü'.repeat(10)}`, 'InvalidPeerIdError', 'alphabet'],
    ]
    for (const [input, name, reason] of cases) {
      const error = caught(() => peerIdFromString(input))
      expect({ input, name: error.name }).toEqual({ input, name })
      if (reason !== undefined) expect({ input, reason: error.reason }).toEqual({ input, reason })
    }
    expect(caught(() => peerIdFromString(42 as never)).name).toBe('InvalidArgumentError')
    expect(isInvalidPeerIdError(caught(() => peerIdFromString('x')))).toBe(true)
  })

  it('refuses malformed bytes forms', () => {
    expect(caught(() => peerIdFromBytes(new Uint8Array(0))).name).toBe('InvalidPeerIdError')
    expect(caught(() => peerIdFromBytes(peerId.toBytes().subarray(0, 33))).reason).toBe('length')
    expect(
      caught(() => peerIdFromBytes(Uint8Array.of(0xed, 0x01, ...keyPair.publicKey, 0))).reason,
    ).toBe('length')
    expect(
      caught(() =>
        peerIdFromLibp2pPublicKey(Uint8Array.of(0x08, 0x02, 0x12, 0x21, ...new Uint8Array(33))),
      ).name,
    ).toBe('UnsupportedKeyTypeError')
    expect(
      caught(() =>
        peerIdFromLibp2pPublicKey(Uint8Array.of(0x12, 0x20, ...keyPair.publicKey, 0x08, 0x01)),
      ).name,
    ).toBe('InvalidKeyEncodingError')
    expect(
      caught(() =>
        peerIdFromLibp2pPublicKey(
          Uint8Array.of(0x08, 0x81, 0x00, 0x12, 0x20, ...keyPair.publicKey),
        ),
      ).name,
    ).toBe('InvalidKeyEncodingError')
  })

  it('never throws anything but typed errors on arbitrary text', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'binary' }),
          fc.constantFrom(...'z1Qd').chain((p) => fc.string().map((s) => p + s)),
        ),
        (text) => {
          try {
            peerIdFromString(text)
          } catch (error) {
            expect(isIdentityError(error)).toBe(true)
          }
        },
      ),
      { numRuns: 200 },
    )
  })
})

describe('base58btc', () => {
  it('round-trips bytes, keeping leading zeros', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(base58Decode(base58Encode(bytes))).toEqual(bytes)
      }),
    )
    expect(base58Encode(Uint8Array.of(0, 0, 1))).toBe('112')
    expect(base58Encode(new TextEncoder().encode('Hello World!'))).toBe('2NEpo7TZRRrLZSi2U')
  })
})
