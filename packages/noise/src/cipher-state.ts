/**
 * The Noise cipher state: a ChaCha20-Poly1305 key and a 64-bit nonce counter. Each message
 * uses the next nonce; the last one (2^64 - 1) is reserved, so reaching it ends the session
 * with `NonceExhaustedError`. No message may exceed 65,535 bytes.
 *
 * @example
 * const sending = new CipherState(noiseCrypto(), key)
 * const ciphertext = sending.encryptWithAd(new Uint8Array(0), plaintext)
 */
import { KEY_BYTES, MAX_MESSAGE_BYTES, TAG_BYTES } from './constants'
import type { NoiseCrypto, SealedPieces } from './crypto'
import { InvalidArgumentError, MessageTooLargeError, NonceExhaustedError } from './errors'

const NONCE_BYTES = 12
const COUNTER_OFFSET = 4
const MAX_NONCE = (1n << 64n) - 1n

/** A Noise `CipherState`. Without a key it passes bytes through (the start of a handshake). */
export class CipherState {
  readonly #crypto: NoiseCrypto
  #key: Uint8Array | undefined
  // the 96-bit ChaCha20-Poly1305 nonce: 32 zero bits, then the counter little-endian
  readonly #nonce = new Uint8Array(NONCE_BYTES)

  /**
   * @param crypto - the backend
   * @param key - a 32-byte key (copied), or none yet
   * @throws InvalidArgumentError for a key of the wrong size
   */
  constructor(crypto: NoiseCrypto, key?: Uint8Array) {
    this.#crypto = crypto
    if (key !== undefined) this.initializeKey(key)
  }

  /** Whether a key is set. */
  hasKey(): boolean {
    return this.#key !== undefined
  }

  /**
   * Sets a new key and resets the nonce to zero.
   * @param key - 32 bytes (copied)
   * @throws InvalidArgumentError for a key of the wrong size
   */
  initializeKey(key: Uint8Array): void {
    if (!(key instanceof Uint8Array) || key.length !== KEY_BYTES) {
      throw new InvalidArgumentError('key', `must be ${KEY_BYTES} bytes`)
    }
    this.#key = Uint8Array.from(key)
    this.#nonce.fill(0)
  }

  /** The next nonce, as a bigint (for tests and diagnostics). */
  get nonce(): bigint {
    let value = 0n
    for (let i = NONCE_BYTES - 1; i >= COUNTER_OFFSET; i--) {
      value = (value << 8n) | BigInt(this.#nonce[i] as number)
    }
    return value
  }

  /**
   * Sets the nonce counter (the Noise `SetNonce`).
   * @param value - from 0 to 2^64 - 1
   * @throws InvalidArgumentError when out of range
   */
  setNonce(value: bigint): void {
    if (typeof value !== 'bigint' || value < 0n || value > MAX_NONCE) {
      throw new InvalidArgumentError('nonce', 'must be a bigint from 0 to 2^64 - 1')
    }
    let rest = value
    for (let i = COUNTER_OFFSET; i < NONCE_BYTES; i++) {
      this.#nonce[i] = Number(rest & 0xffn)
      rest >>= 8n
    }
  }

  /**
   * Encrypts one message (the Noise `EncryptWithAd`); passes `plaintext` through without a key.
   * @param ad - associated data
   * @param plaintext - at most 65,519 bytes
   * @returns ciphertext ‖ tag
   * @throws MessageTooLargeError when the message would exceed 65,535 bytes
   * @throws NonceExhaustedError once the nonces are used up
   */
  encryptWithAd(ad: Uint8Array, plaintext: Uint8Array): Uint8Array {
    const key = this.#key
    if (key === undefined) {
      if (plaintext.length > MAX_MESSAGE_BYTES) {
        throw new MessageTooLargeError(plaintext.length, MAX_MESSAGE_BYTES)
      }
      return Uint8Array.from(plaintext)
    }
    if (plaintext.length + TAG_BYTES > MAX_MESSAGE_BYTES) {
      throw new MessageTooLargeError(plaintext.length + TAG_BYTES, MAX_MESSAGE_BYTES)
    }
    this.#checkNonce()
    const ciphertext = this.#crypto.encrypt(key, this.#nonce, ad, plaintext)
    this.#increment()
    return ciphertext
  }

  /**
   * Encrypts the message `head ‖ body` as pieces to write in order, the first starting with
   * `reserve` bytes left for the caller (zero); passes the bytes through without a key.
   * @param ad - associated data
   * @param head - the start of the plaintext (a record header)
   * @param body - the rest of the plaintext
   * @param reserve - bytes to leave in front, e.g. the length prefix
   * @returns reserved bytes ‖ sealed head, sealed body, tag (without a key: the plain head
   *   and body, and an empty tag)
   * @throws MessageTooLargeError when the message would exceed 65,535 bytes
   * @throws NonceExhaustedError once the nonces are used up
   */
  encryptParts(ad: Uint8Array, head: Uint8Array, body: Uint8Array, reserve: number): SealedPieces {
    const key = this.#key
    const length = head.length + body.length
    if (key === undefined) {
      if (length > MAX_MESSAGE_BYTES) throw new MessageTooLargeError(length, MAX_MESSAGE_BYTES)
      const first = new Uint8Array(reserve + head.length)
      first.set(head, reserve)
      return [first, Uint8Array.from(body), new Uint8Array(0)] as const
    }
    if (length + TAG_BYTES > MAX_MESSAGE_BYTES) {
      throw new MessageTooLargeError(length + TAG_BYTES, MAX_MESSAGE_BYTES)
    }
    this.#checkNonce()
    const sealed = this.#crypto.seal(key, this.#nonce, ad, head, body, reserve)
    this.#increment()
    return sealed
  }

  /**
   * Decrypts one message (the Noise `DecryptWithAd`); passes bytes through without a key.
   * A failed message leaves the nonce where it was.
   * @param ad - associated data
   * @param ciphertext - at most 65,535 bytes
   * @returns the plaintext
   * @throws MessageTooLargeError for a message over 65,535 bytes
   * @throws DecryptionError when authentication fails
   * @throws NonceExhaustedError once the nonces are used up
   */
  decryptWithAd(ad: Uint8Array, ciphertext: Uint8Array): Uint8Array {
    if (ciphertext.length > MAX_MESSAGE_BYTES) {
      throw new MessageTooLargeError(ciphertext.length, MAX_MESSAGE_BYTES)
    }
    const key = this.#key
    if (key === undefined) return Uint8Array.from(ciphertext)
    this.#checkNonce()
    const plaintext = this.#crypto.decrypt(key, this.#nonce, ad, ciphertext)
    this.#increment()
    return plaintext
  }

  #checkNonce(): void {
    const nonce = this.#nonce
    for (let i = COUNTER_OFFSET; i < NONCE_BYTES; i++) if (nonce[i] !== 0xff) return
    throw new NonceExhaustedError()
  }

  #increment(): void {
    const nonce = this.#nonce
    for (let i = COUNTER_OFFSET; i < NONCE_BYTES; i++) {
      const next = ((nonce[i] as number) + 1) & 0xff
      nonce[i] = next
      if (next !== 0) return
    }
  }
}
