/**
 * `PeerId`: who a peer is, as its Ed25519 public key. The canonical text form is the did:key
 * method-specific identifier — multibase base58btc (`z`) of the multicodec `ed25519-pub`
 * (`0xed 0x01`) followed by the key — so it reads `z6Mk…`. The bytes form (for CBOR) is the
 * same 34 bytes without the multibase prefix. did:key (`did:key:z6Mk…`) and libp2p
 * (`12D3KooW…`) strings are read and written too.
 *
 * @example
 * const id = peerIdFromPublicKey(keyPair.publicKey)
 * peerIdFromString(id.toString()).equals(id) // true
 * peerIdFromString(id.toLibp2pString()).equals(id) // true
 */

import { concatBytes } from '@peerkit/codec'
import { assertBytes, assertString } from './assert'
import { base58Decode, base58Encode } from './base58'
import { bytesEqual } from './bytes'
import {
  DID_KEY_PREFIX,
  ED25519_PUB_MULTICODEC,
  ED25519_PUB_PREFIX,
  IDENTITY_MULTIHASH,
  MAX_PEER_ID_TEXT_LENGTH,
  PEER_ID_BYTES_LENGTH,
  PUBLIC_KEY_LENGTH,
} from './constants'
import { InvalidPeerIdError, InvalidPublicKeyError, UnsupportedKeyTypeError } from './errors'
import { keyEntry } from './key-cache'
import { libp2pPublicKeyOf, publicKeyFromLibp2p } from './libp2p'
import { readVarint } from './varint'

/** A peer's identity: its Ed25519 public key, with its text and byte forms. */
export interface PeerId {
  /** The 32-byte public key (do not mutate). */
  readonly publicKey: Uint8Array
  /** Canonical text form: `z` + base58btc(`0xed 0x01` ‖ key), e.g. `z6Mk…`. */
  toString(): string
  /** Canonical bytes form: `0xed 0x01` ‖ key (34 bytes). */
  toBytes(): Uint8Array
  /** True when `other` names the same key. */
  equals(other: PeerId): boolean
  /** The did:key DID: `did:key:` + `toString()`. */
  toDidKey(): string
  /** The libp2p peer id string (`12D3KooW…`): base58btc of the identity multihash. */
  toLibp2pString(): string
  /** libp2p's protobuf PublicKey bytes (`08 01 12 20` ‖ key). */
  toLibp2pPublicKey(): Uint8Array
  /** JSON form: the canonical text. */
  toJSON(): string
}

/**
 * Multicodec codes of public keys other than Ed25519, so that a did:key of another key type
 * gets `UnsupportedKeyTypeError` rather than a generic "bad multicodec".
 */
const OTHER_KEY_MULTICODECS = new Set([
  0xe7, // secp256k1-pub
  0xec, // x25519-pub
  0xeb, // bls12_381-g2-pub
  0xea, // bls12_381-g1-pub
  0x1200, // p256-pub
  0x1201, // p384-pub
  0x1202, // p521-pub
  0x1205, // rsa-pub
  0x1300, // ed448-pub
])
const SHA2_256_MULTIHASH = 0x12

const ED25519_PUB_BYTES = Uint8Array.from(ED25519_PUB_PREFIX)

/**
 * The one `PeerId` implementation: methods on the prototype and the text form made on first
 * use, so a process holding many peers pays a few dozen bytes for each, not a closure per method.
 */
class Ed25519PeerId implements PeerId {
  readonly publicKey: Uint8Array
  #text: string | undefined
  #bytes: Uint8Array | undefined

  constructor(publicKey: Uint8Array) {
    this.publicKey = publicKey
    Object.freeze(this)
  }

  toString(): string {
    this.#text ??= 'z' + base58Encode(this.#multicodecKey())
    return this.#text
  }

  toBytes(): Uint8Array {
    // a fresh copy each time: the caller may write to it
    return this.#multicodecKey().slice()
  }

  #multicodecKey(): Uint8Array {
    if (this.#bytes === undefined) {
      const bytes = new Uint8Array(ED25519_PUB_BYTES.length + this.publicKey.length)
      bytes.set(ED25519_PUB_BYTES)
      bytes.set(this.publicKey, ED25519_PUB_BYTES.length)
      this.#bytes = bytes
    }
    return this.#bytes
  }

  equals(other: PeerId): boolean {
    return (
      other !== null &&
      typeof other === 'object' &&
      isKey(other.publicKey) &&
      bytesEqual(this.publicKey, other.publicKey)
    )
  }

  toDidKey(): string {
    return DID_KEY_PREFIX + this.toString()
  }

  toLibp2pString(): string {
    const protobuf = libp2pPublicKeyOf(this.publicKey)
    return base58Encode(concatBytes(Uint8Array.of(IDENTITY_MULTIHASH, protobuf.length), protobuf))
  }

  toLibp2pPublicKey(): Uint8Array {
    return libp2pPublicKeyOf(this.publicKey)
  }

  toJSON(): string {
    return this.toString()
  }
}

/** Builds a PeerId for a key already known to be valid (with its own copy of the key). */
export function trustedPeerId(publicKey: Uint8Array): PeerId {
  return new Ed25519PeerId(Uint8Array.from(publicKey))
}

function isKey(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array || ArrayBuffer.isView(value)
}

/**
 * Makes the PeerId of a public key, after checking the key under the verification rule
 * (canonical, not of small order, in the prime-order subgroup). The verdict is cached per key.
 * @param publicKey - 32 bytes
 * @returns the peer id
 * @throws InvalidArgumentError when `publicKey` is not 32 bytes
 * @throws InvalidPublicKeyError when the key is not a valid Ed25519 public key
 * @example
 * const id = peerIdFromPublicKey(keyPair.publicKey)
 */
export function peerIdFromPublicKey(publicKey: Uint8Array): PeerId {
  assertBytes(publicKey, 'publicKey', PUBLIC_KEY_LENGTH)
  const entry = keyEntry(publicKey)
  if (!entry.valid) throw new InvalidPublicKeyError(entry.reason ?? 'not-on-curve')
  // one PeerId per remembered key, shared by every caller; a holder who wrote into its key
  // bytes (they are documented read-only) gets a fresh one, never the changed one
  const known = entry.peerId
  if (known !== undefined && bytesEqual(known.publicKey, publicKey)) return known
  const peerId = trustedPeerId(publicKey)
  entry.peerId = peerId
  return peerId
}

/**
 * Reads the canonical bytes form (`0xed 0x01` ‖ key).
 * @param bytes - 34 bytes
 * @returns the peer id
 * @throws InvalidPeerIdError for the wrong length or multicodec
 * @throws UnsupportedKeyTypeError for the multicodec of another key type
 * @throws InvalidPublicKeyError when the key is invalid
 * @example
 * peerIdFromBytes(id.toBytes()).equals(id) // true
 */
export function peerIdFromBytes(bytes: Uint8Array): PeerId {
  assertBytes(bytes, 'bytes')
  return peerIdFromMulticodecKey(bytes)
}

function peerIdFromMulticodecKey(bytes: Uint8Array): PeerId {
  const codec = readVarint(bytes, 0)
  if (codec === undefined) throw new InvalidPeerIdError('multicodec')
  if (codec.value !== ED25519_PUB_MULTICODEC) {
    if (OTHER_KEY_MULTICODECS.has(codec.value)) {
      throw new UnsupportedKeyTypeError(
        `multicodec 0x${codec.value.toString(16)} is not ed25519-pub`,
      )
    }
    throw new InvalidPeerIdError('multicodec')
  }
  if (bytes.length !== PEER_ID_BYTES_LENGTH) throw new InvalidPeerIdError('length')
  return peerIdFromPublicKey(bytes.subarray(codec.next))
}

/**
 * Reads a peer id from text. Accepted forms: the canonical `z6Mk…`, a did:key DID
 * `did:key:z6Mk…`, and a libp2p Ed25519 peer id `12D3KooW…`. Every form gives the same
 * `PeerId`, whose `toString()` is the canonical form.
 * @param text - the peer id text (at most 128 characters)
 * @returns the peer id
 * @throws InvalidPeerIdError for bad text: wrong prefix, alphabet, length, multicodec, multihash
 * @throws UnsupportedKeyTypeError for a well-formed id of a non-Ed25519 key (RSA, secp256k1…)
 * @throws InvalidPublicKeyError when the embedded key is invalid
 * @example
 * peerIdFromString('did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK')
 */
export function peerIdFromString(text: string): PeerId {
  assertString(text, 'text')
  if (text.length === 0) throw new InvalidPeerIdError('empty')
  if (text.length > MAX_PEER_ID_TEXT_LENGTH) throw new InvalidPeerIdError('too-long')
  let multibase = text
  if (text.startsWith(DID_KEY_PREFIX)) multibase = text.slice(DID_KEY_PREFIX.length)
  else if (text.startsWith('1') || text.startsWith('Q')) return peerIdFromLibp2pText(text)
  if (!multibase.startsWith('z')) throw new InvalidPeerIdError('prefix')
  const bytes = base58Decode(multibase.slice(1))
  if (bytes === undefined) throw new InvalidPeerIdError('alphabet')
  return peerIdFromMulticodecKey(bytes)
}

function peerIdFromLibp2pText(text: string): PeerId {
  const bytes = base58Decode(text)
  if (bytes === undefined) throw new InvalidPeerIdError('alphabet')
  const code = bytes[0]
  if (code === SHA2_256_MULTIHASH) {
    // libp2p hashes keys too long to inline (RSA): no Ed25519 key can be recovered from them
    throw new UnsupportedKeyTypeError('a hashed libp2p peer id (Qm…) is not an Ed25519 key')
  }
  if (code !== IDENTITY_MULTIHASH) throw new InvalidPeerIdError('multihash')
  const length = readVarint(bytes, 1)
  if (length === undefined || length.next + length.value !== bytes.length) {
    throw new InvalidPeerIdError('length')
  }
  let key: Uint8Array
  try {
    key = publicKeyFromLibp2p(bytes.subarray(length.next))
  } catch (error) {
    if ((error as Error).name === 'InvalidKeyEncodingError')
      throw new InvalidPeerIdError('encoding')
    throw error
  }
  return peerIdFromPublicKey(key)
}

/**
 * Reads libp2p's protobuf PublicKey bytes (`08 01 12 20` ‖ key) as a peer id.
 * @param bytes - the protobuf bytes (as in libp2p's `publicKeyToProtobuf`)
 * @returns the peer id
 * @throws InvalidKeyEncodingError when the bytes are not the canonical Ed25519 protobuf
 * @throws UnsupportedKeyTypeError for other key types
 * @throws InvalidPublicKeyError when the key is invalid
 * @example
 * peerIdFromLibp2pPublicKey(id.toLibp2pPublicKey()).equals(id) // true
 */
export function peerIdFromLibp2pPublicKey(bytes: Uint8Array): PeerId {
  assertBytes(bytes, 'bytes')
  return peerIdFromPublicKey(publicKeyFromLibp2p(bytes))
}
