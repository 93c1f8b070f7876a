/**
 * Crypto backends of the Noise core: X25519, ChaCha20-Poly1305 and SHA-256. `js` is pure
 * JavaScript (@noble) and runs everywhere; `node` is Node's native OpenSSL, reached through
 * `process.getBuiltinModule` (no static Node import), and gives the same bytes and the same
 * verdicts. The `node` backend imports raw X25519 keys as JWK and makes ephemeral keys with
 * OpenSSL, keeping each key object for the life of its array. A backend is a plain object made
 * per call of `noiseCrypto`: nothing is cached at module level.
 *
 * @example
 * const crypto = noiseCrypto() // 'node' in Node, 'js' elsewhere
 * const shared = crypto.dh(secretKey, remotePublicKey)
 */
import { chacha20poly1305 } from '@noble/ciphers/chacha.js'
import { x25519 } from '@noble/curves/ed25519.js'
import { hmac } from '@noble/hashes/hmac.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { DH_BYTES, TAG_BYTES } from './constants'
import {
  BackendUnavailableError,
  DecryptionError,
  InvalidArgumentError,
  InvalidPublicKeyError,
} from './errors'

/** Names of the crypto backends. */
export type CryptoBackendName = 'js' | 'node'

/** An X25519 key pair, raw: a 32-byte secret and its 32-byte public key. */
export interface X25519KeyPair {
  readonly secretKey: Uint8Array
  readonly publicKey: Uint8Array
}

/** A sealed message in order: reserved bytes and sealed head, sealed body, tag. */
export type SealedPieces = readonly [Uint8Array, Uint8Array, Uint8Array]

/** The primitives of `Noise_XX_25519_ChaChaPoly_SHA256`. Arguments are trusted (checked by callers). */
export interface NoiseCrypto {
  readonly name: CryptoBackendName
  /** The X25519 public key of a 32-byte secret. */
  publicKey(secretKey: Uint8Array): Uint8Array
  /** A fresh X25519 key pair from the backend's own randomness (the handshake's ephemeral key). */
  generateKeyPair(): X25519KeyPair
  /** X25519; throws `InvalidPublicKeyError` when the result is all zero (a low-order point). */
  dh(secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array
  /** ChaCha20-Poly1305 with a 12-byte nonce: ciphertext ‖ 16-byte tag. */
  encrypt(key: Uint8Array, nonce: Uint8Array, ad: Uint8Array, plaintext: Uint8Array): Uint8Array
  /**
   * ChaCha20-Poly1305 of `head ‖ body` as three pieces whose concatenation is the message:
   * `reserve` bytes left for the caller (a length prefix) with the sealed head, the sealed
   * body, then the 16-byte tag. Saves the copies of building the plaintext, of prefixing the
   * result and of joining the pieces (a stream writes them together).
   */
  seal(
    key: Uint8Array,
    nonce: Uint8Array,
    ad: Uint8Array,
    head: Uint8Array,
    body: Uint8Array,
    reserve: number,
  ): SealedPieces
  /** The inverse of `encrypt`; throws `DecryptionError` when authentication fails. */
  decrypt(key: Uint8Array, nonce: Uint8Array, ad: Uint8Array, ciphertext: Uint8Array): Uint8Array
  /** SHA-256. */
  hash(data: Uint8Array): Uint8Array
  /** HMAC-SHA-256. */
  hmac(key: Uint8Array, data: Uint8Array): Uint8Array
}

/** The part of `node:crypto` the `node` backend uses, typed structurally. */
interface NodeCrypto {
  createPrivateKey(
    input: { key: Uint8Array; format: 'der'; type: 'pkcs8' } | { key: X25519Jwk; format: 'jwk' },
  ): NodeKey
  createPublicKey(input: NodeKey | { key: X25519Jwk; format: 'jwk' }): NodeKey
  generateKeyPairSync(type: 'x25519'): { privateKey: NodeKey; publicKey: NodeKey }
  diffieHellman(input: { privateKey: NodeKey; publicKey: NodeKey }): Uint8Array
  createCipheriv(
    algorithm: 'chacha20-poly1305',
    key: Uint8Array,
    iv: Uint8Array,
    options: { authTagLength: number },
  ): NodeCipher
  createDecipheriv(
    algorithm: 'chacha20-poly1305',
    key: Uint8Array,
    iv: Uint8Array,
    options: { authTagLength: number },
  ): NodeDecipher
  createHash(algorithm: 'sha256'): { update(data: Uint8Array): { digest(): Uint8Array } }
  createHmac(
    algorithm: 'sha256',
    key: Uint8Array,
  ): { update(data: Uint8Array): { digest(): Uint8Array } }
  getCiphers(): string[]
}
interface X25519Jwk {
  kty: 'OKP'
  crv: 'X25519'
  x: string
  d?: string
}
interface NodeKey {
  export(options: { format: 'jwk' }): { x?: string; d?: string }
}
interface NodeCipher {
  setAAD(ad: Uint8Array, options: { plaintextLength: number }): void
  update(data: Uint8Array): Uint8Array
  final(): Uint8Array
  getAuthTag(): Uint8Array
}
interface NodeDecipher {
  setAAD(ad: Uint8Array, options: { plaintextLength: number }): void
  setAuthTag(tag: Uint8Array): void
  update(data: Uint8Array): Uint8Array
  final(): Uint8Array
}
/** The part of `node:buffer` used: base64url of JWK keys. */
interface NodeBuffer {
  from(bytes: Uint8Array): { toString(encoding: 'base64url'): string }
  from(text: string, encoding: 'base64url'): Uint8Array
}

// The PKCS#8 DER wrapper of a raw X25519 secret (RFC 8410). Only a fallback: Node parses a
// PKCS#8 X25519 key about ten times slower than a JWK one
const PKCS8_PREFIX = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20,
])

function prefixed(prefix: Uint8Array, key: Uint8Array): Uint8Array {
  const out = new Uint8Array(prefix.length + key.length)
  out.set(prefix)
  out.set(key, prefix.length)
  return out
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number)
  return diff === 0
}

function isAllZero(bytes: Uint8Array): boolean {
  let acc = 0
  for (const byte of bytes) acc |= byte
  return acc === 0
}

/**
 * The pure JavaScript backend (@noble/curves, @noble/ciphers, @noble/hashes).
 * @returns the `js` backend
 * @example
 * const crypto = jsCrypto()
 */
export function jsCrypto(): NoiseCrypto {
  return Object.freeze({
    name: 'js' as const,
    publicKey: (secretKey: Uint8Array) => x25519.getPublicKey(secretKey),
    generateKeyPair() {
      const secretKey = x25519.utils.randomSecretKey()
      return { secretKey, publicKey: x25519.getPublicKey(secretKey) }
    },
    dh(secretKey: Uint8Array, publicKey: Uint8Array) {
      let shared: Uint8Array
      try {
        shared = x25519.getSharedSecret(secretKey, publicKey)
      } catch {
        throw new InvalidPublicKeyError()
      }
      if (isAllZero(shared)) throw new InvalidPublicKeyError()
      return shared
    },
    encrypt: (key: Uint8Array, nonce: Uint8Array, ad: Uint8Array, plaintext: Uint8Array) =>
      chacha20poly1305(key, nonce, ad).encrypt(plaintext),
    seal(
      key: Uint8Array,
      nonce: Uint8Array,
      ad: Uint8Array,
      head: Uint8Array,
      body: Uint8Array,
      reserve: number,
    ) {
      const length = head.length + body.length
      const out = new Uint8Array(reserve + length + TAG_BYTES)
      const plaintext = out.subarray(reserve, reserve + length)
      plaintext.set(head)
      plaintext.set(body, head.length)
      out.set(chacha20poly1305(key, nonce, ad).encrypt(plaintext), reserve)
      const bodyStart = reserve + head.length
      return [
        out.subarray(0, bodyStart),
        out.subarray(bodyStart, reserve + length),
        out.subarray(reserve + length),
      ] as const
    },
    decrypt(key: Uint8Array, nonce: Uint8Array, ad: Uint8Array, ciphertext: Uint8Array) {
      if (ciphertext.length < TAG_BYTES)
        throw new DecryptionError('ciphertext shorter than its tag')
      try {
        return chacha20poly1305(key, nonce, ad).decrypt(ciphertext)
      } catch {
        throw new DecryptionError()
      }
    },
    hash: (data: Uint8Array) => sha256(data),
    hmac: (key: Uint8Array, data: Uint8Array) => hmac(sha256, key, data),
  })
}

function findNodeCrypto(): NodeCrypto | undefined {
  try {
    const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } })
      .process
    const mod = proc?.getBuiltinModule?.('node:crypto') as NodeCrypto | undefined
    if (
      mod === undefined ||
      typeof mod.diffieHellman !== 'function' ||
      typeof mod.createCipheriv !== 'function' ||
      !mod.getCiphers().includes('chacha20-poly1305')
    ) {
      return undefined
    }
    return mod
  } catch {
    return undefined
  }
}

function findNodeBuffer(): NodeBuffer | undefined {
  try {
    const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } })
      .process
    const mod = proc?.getBuiltinModule?.('node:buffer') as { Buffer?: NodeBuffer } | undefined
    return typeof mod?.Buffer?.from === 'function' ? mod.Buffer : undefined
  } catch {
    return undefined
  }
}

/**
 * Node's native backend (OpenSSL), or undefined outside Node or when it lacks
 * ChaCha20-Poly1305 or X25519.
 * @returns the `node` backend, when present
 * @example
 * const crypto = nodeCrypto() ?? jsCrypto()
 */
export function nodeCrypto(): NoiseCrypto | undefined {
  const native = findNodeCrypto()
  const buffer = findNodeBuffer()
  if (native === undefined || buffer === undefined) return undefined
  const base64url = (bytes: Uint8Array): string => buffer.from(bytes).toString('base64url')
  const raw = (text: string | undefined): Uint8Array => {
    const bytes = text === undefined ? new Uint8Array(0) : buffer.from(text, 'base64url')
    if (bytes.length !== DH_BYTES) throw new InvalidPublicKeyError()
    return Uint8Array.from(bytes)
  }
  // Key objects of the raw keys this backend has seen, keyed by the caller's array and checked
  // against a copy of its bytes (an array changed since is imported again). They live as long
  // as the arrays and the backend: a handshake uses its keys two or three times each.
  const privateKeys = new WeakMap<
    Uint8Array,
    { readonly bytes: Uint8Array; readonly key: NodeKey }
  >()
  const publicKeys = new WeakMap<
    Uint8Array,
    { readonly bytes: Uint8Array; readonly key: NodeKey }
  >()
  const remember = (
    cache: WeakMap<Uint8Array, { readonly bytes: Uint8Array; readonly key: NodeKey }>,
    bytes: Uint8Array,
    key: NodeKey,
  ): NodeKey => {
    cache.set(bytes, { bytes: Uint8Array.from(bytes), key })
    return key
  }
  const importPrivate = (secretKey: Uint8Array): NodeKey => {
    // Node builds an OKP private key from `d` alone (`x` must only be a string); DER is the
    // fallback should a runtime insist on a matching `x`
    try {
      return native.createPrivateKey({
        key: { kty: 'OKP', crv: 'X25519', d: base64url(secretKey), x: '' },
        format: 'jwk',
      })
    } catch {
      return native.createPrivateKey({
        key: prefixed(PKCS8_PREFIX, secretKey),
        format: 'der',
        type: 'pkcs8',
      })
    }
  }
  const privateKeyOf = (secretKey: Uint8Array): NodeKey => {
    const known = privateKeys.get(secretKey)
    if (known !== undefined && sameBytes(known.bytes, secretKey)) return known.key
    return remember(privateKeys, secretKey, importPrivate(secretKey))
  }
  const publicKeyOf = (publicKey: Uint8Array): NodeKey => {
    const known = publicKeys.get(publicKey)
    if (known !== undefined && sameBytes(known.bytes, publicKey)) return known.key
    return remember(
      publicKeys,
      publicKey,
      native.createPublicKey({
        key: { kty: 'OKP', crv: 'X25519', x: base64url(publicKey) },
        format: 'jwk',
      }),
    )
  }
  const asView = (bytes: Uint8Array): Uint8Array =>
    new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  return Object.freeze({
    name: 'node' as const,
    publicKey(secretKey: Uint8Array) {
      return raw(native.createPublicKey(privateKeyOf(secretKey)).export({ format: 'jwk' }).x)
    },
    generateKeyPair() {
      const pair = native.generateKeyPairSync('x25519')
      const secretKey = raw(pair.privateKey.export({ format: 'jwk' }).d)
      const publicKey = raw(pair.publicKey.export({ format: 'jwk' }).x)
      remember(privateKeys, secretKey, pair.privateKey)
      return { secretKey, publicKey }
    },
    dh(secretKey: Uint8Array, publicKey: Uint8Array) {
      let shared: Uint8Array
      try {
        shared = native.diffieHellman({
          privateKey: privateKeyOf(secretKey),
          publicKey: publicKeyOf(publicKey),
        })
      } catch {
        // OpenSSL refuses an all-zero result (a low-order point), as the js backend does
        throw new InvalidPublicKeyError()
      }
      if (shared.length !== DH_BYTES || isAllZero(shared)) throw new InvalidPublicKeyError()
      return asView(shared)
    },
    encrypt(key: Uint8Array, nonce: Uint8Array, ad: Uint8Array, plaintext: Uint8Array) {
      const cipher = native.createCipheriv('chacha20-poly1305', key, nonce, {
        authTagLength: TAG_BYTES,
      })
      cipher.setAAD(ad, { plaintextLength: plaintext.length })
      const body = cipher.update(plaintext)
      cipher.final()
      const out = new Uint8Array(plaintext.length + TAG_BYTES)
      out.set(body)
      out.set(cipher.getAuthTag(), plaintext.length)
      return out
    },
    seal(
      key: Uint8Array,
      nonce: Uint8Array,
      ad: Uint8Array,
      head: Uint8Array,
      body: Uint8Array,
      reserve: number,
    ) {
      const cipher = native.createCipheriv('chacha20-poly1305', key, nonce, {
        authTagLength: TAG_BYTES,
      })
      cipher.setAAD(ad, { plaintextLength: head.length + body.length })
      const first = new Uint8Array(reserve + head.length)
      first.set(cipher.update(head), reserve)
      const sealedBody = asView(cipher.update(body))
      cipher.final()
      return [first, sealedBody, asView(cipher.getAuthTag())] as const
    },
    decrypt(key: Uint8Array, nonce: Uint8Array, ad: Uint8Array, ciphertext: Uint8Array) {
      if (ciphertext.length < TAG_BYTES)
        throw new DecryptionError('ciphertext shorter than its tag')
      const bodyLength = ciphertext.length - TAG_BYTES
      try {
        const decipher = native.createDecipheriv('chacha20-poly1305', key, nonce, {
          authTagLength: TAG_BYTES,
        })
        decipher.setAAD(ad, { plaintextLength: bodyLength })
        decipher.setAuthTag(ciphertext.subarray(bodyLength))
        const body = decipher.update(ciphertext.subarray(0, bodyLength))
        decipher.final()
        return asView(body)
      } catch {
        throw new DecryptionError()
      }
    },
    hash: (data: Uint8Array) => asView(native.createHash('sha256').update(data).digest()),
    hmac: (key: Uint8Array, data: Uint8Array) =>
      asView(native.createHmac('sha256', key).update(data).digest()),
  })
}

/**
 * The backends this runtime has, fastest first.
 * @returns e.g. `['node', 'js']` in Node, `['js']` in a browser
 * @example
 * for (const name of availableCryptoBackends()) runVectors(noiseCrypto(name))
 */
export function availableCryptoBackends(): CryptoBackendName[] {
  return findNodeCrypto() === undefined ? ['js'] : ['node', 'js']
}

/**
 * A backend by name, or the fastest available.
 * @param backend - `'js'` or `'node'` (default: `node` when present, else `js`)
 * @returns the backend
 * @throws BackendUnavailableError when `node` is asked for and missing
 * @throws InvalidArgumentError for an unknown name
 * @example
 * const crypto = noiseCrypto('js')
 */
export function noiseCrypto(backend?: CryptoBackendName): NoiseCrypto {
  if (backend === undefined) return nodeCrypto() ?? jsCrypto()
  if (backend === 'js') return jsCrypto()
  if (backend === 'node') {
    const native = nodeCrypto()
    if (native === undefined) throw new BackendUnavailableError('node')
    return native
  }
  throw new InvalidArgumentError('backend', `unknown backend "${String(backend)}"`)
}
