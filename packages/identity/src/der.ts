/**
 * The DER forms of Ed25519 keys (RFC 8410): SPKI for public keys and PKCS#8 for private
 * seeds, as Node's `KeyObject` and WebCrypto import and export them.
 *
 * @example
 * const der = publicKeyToSpki(publicKey)   // 44 bytes: 302a300506032b6570032100 ‖ key
 * publicKeyFromSpki(der)                   // the 32-byte key again
 */

import { concatBytes } from '@peerkit/codec'
import { assertBytes } from './assert'
import { bytesEqual } from './bytes'
import { PUBLIC_KEY_LENGTH, SEED_LENGTH } from './constants'
import { InvalidKeyEncodingError, KeyPairMismatchError } from './errors'
import { assertKeyPair, type KeyPair, keyPairFromSeed } from './keys'

/** `SEQUENCE { SEQUENCE { OID 1.3.101.112 } BIT STRING (0 unused bits) …` */
const SPKI_PREFIX = Uint8Array.of(
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
)
/** `SEQUENCE { INTEGER 0, SEQUENCE { OID 1.3.101.112 }, OCTET STRING { OCTET STRING …` */
const PKCS8_V1_PREFIX = Uint8Array.of(
  0x30,
  0x2e,
  0x02,
  0x01,
  0x00,
  0x30,
  0x05,
  0x06,
  0x03,
  0x2b,
  0x65,
  0x70,
  0x04,
  0x22,
  0x04,
  0x20,
)
/** RFC 8410 OneAsymmetricKey v2 with only the `[1] publicKey` field after the seed. */
const PKCS8_V2_PREFIX = Uint8Array.of(
  0x30,
  0x51,
  0x02,
  0x01,
  0x01,
  0x30,
  0x05,
  0x06,
  0x03,
  0x2b,
  0x65,
  0x70,
  0x04,
  0x22,
  0x04,
  0x20,
)
const PKCS8_V2_PUBLIC_KEY_TAG = Uint8Array.of(0x81, 0x21, 0x00)

/**
 * Encodes a 32-byte Ed25519 public key as DER SubjectPublicKeyInfo.
 * @param publicKey - the raw 32-byte key
 * @returns 44 bytes of DER
 * @throws InvalidArgumentError when the key is not 32 bytes
 * @example
 * crypto.createPublicKey({ key: publicKeyToSpki(pk), format: 'der', type: 'spki' })
 */
export function publicKeyToSpki(publicKey: Uint8Array): Uint8Array {
  assertBytes(publicKey, 'publicKey', PUBLIC_KEY_LENGTH)
  return concatBytes(SPKI_PREFIX, publicKey)
}

/**
 * Reads the raw public key out of DER SubjectPublicKeyInfo (only the Ed25519 form).
 * The key itself is not validated here; `peerIdFromPublicKey` does that.
 * @param der - SPKI bytes
 * @returns the 32-byte key
 * @throws InvalidKeyEncodingError for anything but the one Ed25519 SPKI encoding
 * @example
 * publicKeyFromSpki(keyObject.export({ format: 'der', type: 'spki' }))
 */
export function publicKeyFromSpki(der: Uint8Array): Uint8Array {
  assertBytes(der, 'der')
  if (der.length !== SPKI_PREFIX.length + PUBLIC_KEY_LENGTH) {
    throw new InvalidKeyEncodingError('not an Ed25519 SPKI key (wrong length)')
  }
  if (!bytesEqual(der.subarray(0, SPKI_PREFIX.length), SPKI_PREFIX)) {
    throw new InvalidKeyEncodingError('not an Ed25519 SPKI key')
  }
  return Uint8Array.from(der.subarray(SPKI_PREFIX.length))
}

/**
 * Encodes a 32-byte seed as DER PKCS#8 (RFC 8410 v1, as Node and WebCrypto export it).
 * @param seed - the 32-byte private key seed
 * @returns 48 bytes of DER
 * @throws InvalidArgumentError when the seed is not 32 bytes
 * @example
 * crypto.createPrivateKey({ key: seedToPkcs8(seed), format: 'der', type: 'pkcs8' })
 */
export function seedToPkcs8(seed: Uint8Array): Uint8Array {
  assertBytes(seed, 'seed', SEED_LENGTH)
  return concatBytes(PKCS8_V1_PREFIX, seed)
}

/** A seed read from PKCS#8, with the public key when the encoding carried one. */
export interface Pkcs8Contents {
  readonly seed: Uint8Array
  readonly publicKey?: Uint8Array
}

/**
 * Reads the seed out of DER PKCS#8: RFC 8410 v1, or v2 carrying only the public key.
 * @param der - PKCS#8 bytes
 * @returns the seed, and the embedded public key for v2
 * @throws InvalidKeyEncodingError for any other encoding
 * @example
 * seedFromPkcs8(keyObject.export({ format: 'der', type: 'pkcs8' })).seed
 */
export function seedFromPkcs8(der: Uint8Array): Pkcs8Contents {
  assertBytes(der, 'der')
  const v1Length = PKCS8_V1_PREFIX.length + SEED_LENGTH
  if (
    der.length === v1Length &&
    bytesEqual(der.subarray(0, PKCS8_V1_PREFIX.length), PKCS8_V1_PREFIX)
  ) {
    return { seed: Uint8Array.from(der.subarray(PKCS8_V1_PREFIX.length)) }
  }
  const v2Length = v1Length + PKCS8_V2_PUBLIC_KEY_TAG.length + PUBLIC_KEY_LENGTH
  if (
    der.length === v2Length &&
    bytesEqual(der.subarray(0, PKCS8_V2_PREFIX.length), PKCS8_V2_PREFIX) &&
    bytesEqual(
      der.subarray(v1Length, v1Length + PKCS8_V2_PUBLIC_KEY_TAG.length),
      PKCS8_V2_PUBLIC_KEY_TAG,
    )
  ) {
    return {
      seed: Uint8Array.from(der.subarray(PKCS8_V2_PREFIX.length, v1Length)),
      publicKey: Uint8Array.from(der.subarray(v1Length + PKCS8_V2_PUBLIC_KEY_TAG.length)),
    }
  }
  throw new InvalidKeyEncodingError('not an Ed25519 PKCS#8 key')
}

/**
 * Encodes a key pair's seed as DER PKCS#8 v1 (the form Node's `KeyObject.export` and
 * WebCrypto's `exportKey('pkcs8')` produce).
 * @param keyPair - the key pair
 * @returns 48 bytes of DER
 * @throws InvalidArgumentError when the key pair is malformed
 * @example
 * await crypto.subtle.importKey('pkcs8', keyPairToPkcs8(keyPair), 'Ed25519', false, ['sign'])
 */
export function keyPairToPkcs8(keyPair: KeyPair): Uint8Array {
  assertKeyPair(keyPair)
  return seedToPkcs8(keyPair.privateKey)
}

/**
 * Reads a key pair from DER PKCS#8, deriving its public key (and checking it against the one
 * a v2 encoding carries).
 * @param der - PKCS#8 bytes
 * @returns the key pair
 * @throws InvalidKeyEncodingError for anything but an Ed25519 PKCS#8 key
 * @throws KeyPairMismatchError when a v2 encoding carries another public key
 * @example
 * keyPairFromPkcs8(keyObject.export({ format: 'der', type: 'pkcs8' }))
 */
export function keyPairFromPkcs8(der: Uint8Array): KeyPair {
  const contents = seedFromPkcs8(der)
  const keyPair = keyPairFromSeed(contents.seed)
  if (contents.publicKey !== undefined && !bytesEqual(contents.publicKey, keyPair.publicKey)) {
    throw new KeyPairMismatchError()
  }
  return keyPair
}
