/**
 * The Noise symmetric state: the chaining key, the handshake hash and the cipher state of a
 * handshake, with `MixKey`, `MixHash`, `EncryptAndHash`, `DecryptAndHash` and `Split`. The
 * hash is SHA-256 unless another `NoiseHash` is given (used only to check the state machine
 * against implementations that hash with BLAKE2b).
 *
 * @example
 * const state = new SymmetricState(noiseCrypto(), sha256Hash(crypto), 'Noise_XX_25519_ChaChaPoly_SHA256')
 * state.mixHash(prologue)
 */
import { CipherState } from './cipher-state'
import { KEY_BYTES } from './constants'
import type { NoiseCrypto } from './crypto'

/** A Noise hash function: its name in the protocol name, its output length, and HMAC. */
export interface NoiseHash {
  readonly name: string
  /** `HASHLEN`: 32 or 64. */
  readonly length: number
  hash(data: Uint8Array): Uint8Array
  hmac(key: Uint8Array, data: Uint8Array): Uint8Array
}

/**
 * SHA-256 from a backend.
 * @param crypto - the backend
 * @returns the Noise `SHA256` hash
 * @example
 * const hash = sha256Hash(noiseCrypto())
 */
export function sha256Hash(crypto: NoiseCrypto): NoiseHash {
  return { name: 'SHA256', length: 32, hash: crypto.hash, hmac: crypto.hmac }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length)
  out.set(a)
  out.set(b, a.length)
  return out
}

/** The Noise `HKDF` with two or three outputs. */
function hkdf(
  hash: NoiseHash,
  chainingKey: Uint8Array,
  input: Uint8Array,
  outputs: 2 | 3,
): Uint8Array[] {
  const tempKey = hash.hmac(chainingKey, input)
  const first = hash.hmac(tempKey, Uint8Array.of(1))
  const second = hash.hmac(tempKey, concat(first, Uint8Array.of(2)))
  if (outputs === 2) return [first, second]
  return [first, second, hash.hmac(tempKey, concat(second, Uint8Array.of(3)))]
}

/** A Noise `SymmetricState`. */
export class SymmetricState {
  readonly #crypto: NoiseCrypto
  readonly #hash: NoiseHash
  #chainingKey: Uint8Array
  #handshakeHash: Uint8Array
  readonly #cipher: CipherState

  /**
   * @param crypto - the backend
   * @param hash - the hash function
   * @param protocolName - the full Noise protocol name
   */
  constructor(crypto: NoiseCrypto, hash: NoiseHash, protocolName: string) {
    this.#crypto = crypto
    this.#hash = hash
    const name = new TextEncoder().encode(protocolName)
    let h: Uint8Array
    if (name.length <= hash.length) {
      h = new Uint8Array(hash.length)
      h.set(name)
    } else {
      h = hash.hash(name)
    }
    this.#handshakeHash = h
    this.#chainingKey = Uint8Array.from(h)
    this.#cipher = new CipherState(crypto)
  }

  /** The handshake hash `h` (a copy). */
  get handshakeHash(): Uint8Array {
    return Uint8Array.from(this.#handshakeHash)
  }

  /** Whether a key has been mixed in (payloads are encrypted from then on). */
  hasKey(): boolean {
    return this.#cipher.hasKey()
  }

  /** `MixHash(data)`: h = HASH(h ‖ data). */
  mixHash(data: Uint8Array): void {
    this.#handshakeHash = this.#hash.hash(concat(this.#handshakeHash, data))
  }

  /** `MixKey(input)`: a new chaining key and cipher key from a DH output. */
  mixKey(input: Uint8Array): void {
    const [chainingKey, tempKey] = hkdf(this.#hash, this.#chainingKey, input, 2) as [
      Uint8Array,
      Uint8Array,
    ]
    this.#chainingKey = chainingKey
    this.#cipher.initializeKey(tempKey.subarray(0, KEY_BYTES))
  }

  /** `EncryptAndHash(plaintext)`. */
  encryptAndHash(plaintext: Uint8Array): Uint8Array {
    const ciphertext = this.#cipher.encryptWithAd(this.#handshakeHash, plaintext)
    this.mixHash(ciphertext)
    return ciphertext
  }

  /** `DecryptAndHash(ciphertext)`; throws `DecryptionError` and changes nothing on failure. */
  decryptAndHash(ciphertext: Uint8Array): Uint8Array {
    const plaintext = this.#cipher.decryptWithAd(this.#handshakeHash, ciphertext)
    this.mixHash(ciphertext)
    return plaintext
  }

  /** `Split()`: the two transport cipher states, initiator-to-responder first. */
  split(): [CipherState, CipherState] {
    const [first, second] = hkdf(this.#hash, this.#chainingKey, new Uint8Array(0), 2) as [
      Uint8Array,
      Uint8Array,
    ]
    return [
      new CipherState(this.#crypto, first.subarray(0, KEY_BYTES)),
      new CipherState(this.#crypto, second.subarray(0, KEY_BYTES)),
    ]
  }
}
