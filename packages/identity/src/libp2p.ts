/**
 * libp2p's protobuf `PublicKey { KeyType Type = 1; bytes Data = 2; }` for Ed25519 keys
 * (`Type = 1`). Only the deterministic encoding libp2p writes is accepted: field 1 then
 * field 2, minimal varints, nothing else.
 *
 * @example
 * libp2pPublicKeyOf(key)            // 08 01 12 20 ‖ key
 * publicKeyFromLibp2p(protobufBytes) // key
 */
import { LIBP2P_KEY_TYPE_ED25519, PUBLIC_KEY_LENGTH } from './constants'
import { InvalidKeyEncodingError, UnsupportedKeyTypeError } from './errors'
import { readVarint } from './varint'

const TYPE_TAG = 0x08 // field 1, varint
const DATA_TAG = 0x12 // field 2, length-delimited
const KEY_TYPE_NAMES = ['RSA', 'Ed25519', 'secp256k1', 'ECDSA']
/** Longest protobuf key looked at before the type is known (an RSA-4096 key is ~550 bytes). */
const MAX_PROTOBUF_LENGTH = 4096

/** libp2p protobuf PublicKey bytes of a 32-byte Ed25519 key. */
export function libp2pPublicKeyOf(publicKey: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + PUBLIC_KEY_LENGTH)
  out.set([TYPE_TAG, LIBP2P_KEY_TYPE_ED25519, DATA_TAG, PUBLIC_KEY_LENGTH])
  out.set(publicKey, 4)
  return out
}

/** The raw key inside libp2p protobuf PublicKey bytes (the key is not validated here). */
export function publicKeyFromLibp2p(bytes: Uint8Array): Uint8Array {
  if (bytes.length > MAX_PROTOBUF_LENGTH)
    throw new InvalidKeyEncodingError('libp2p public key too long')
  if (bytes[0] !== TYPE_TAG)
    throw new InvalidKeyEncodingError('libp2p public key: expected field 1 (Type)')
  const type = readVarint(bytes, 1)
  if (type === undefined) throw new InvalidKeyEncodingError('libp2p public key: bad Type varint')
  if (type.value !== LIBP2P_KEY_TYPE_ED25519) {
    const name = KEY_TYPE_NAMES[type.value]
    if (name !== undefined)
      throw new UnsupportedKeyTypeError(`libp2p ${name} keys are not supported`)
    throw new InvalidKeyEncodingError(`libp2p public key: unknown Type ${type.value}`)
  }
  if (bytes[type.next] !== DATA_TAG)
    throw new InvalidKeyEncodingError('libp2p public key: expected field 2 (Data)')
  const length = readVarint(bytes, type.next + 1)
  if (
    length === undefined ||
    length.value !== PUBLIC_KEY_LENGTH ||
    length.next + length.value !== bytes.length
  ) {
    throw new InvalidKeyEncodingError('libp2p public key: Data must be exactly 32 bytes')
  }
  return Uint8Array.from(bytes.subarray(length.next))
}
