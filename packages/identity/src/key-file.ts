/**
 * Password-encrypted key files. The format is one canonical-CBOR map (version 1):
 *
 * ```
 * { type: 'peerkit/identity/key-file', version: 1, publicKey: bytes(32),
 *   kdf: { name: 'scrypt', logN, r, p, salt: bytes(16..64) },
 *   cipher: { name: 'xchacha20-poly1305', nonce: bytes(24) },
 *   ciphertext: bytes(48) }
 * ```
 *
 * The key is `scrypt(password, salt, N = 2^logN, r, p)`; the plaintext is the 32-byte seed;
 * the associated data is the canonical encoding of the map without `ciphertext`, so every
 * parameter is authenticated. Pure: no file system here (see `@peerkit/identity/node`).
 *
 * @example
 * const file = await encryptKeyFile(keyPair, 'correct horse')
 * const same = await decryptKeyFile(file, 'correct horse')
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js'
import { scryptAsync } from '@noble/hashes/scrypt.js'
import { decode, encode, type Value } from '@peerkit/codec'
import { assertBytes, isBytes } from './assert'
import { bytesEqual } from './bytes'
import {
  DEFAULT_SCRYPT_LOG_N,
  DEFAULT_SCRYPT_P,
  DEFAULT_SCRYPT_R,
  KEY_FILE_CIPHERTEXT_LENGTH,
  KEY_FILE_NONCE_LENGTH,
  KEY_FILE_SALT_LENGTH,
  KEY_FILE_TYPE,
  KEY_FILE_VERSION,
  MAX_KEY_FILE_BYTES,
  MAX_KEY_FILE_SALT_LENGTH,
  MAX_SCRYPT_LOG_N,
  MAX_SCRYPT_MEMORY,
  MAX_SCRYPT_P,
  MAX_SCRYPT_R,
  MIN_SCRYPT_LOG_N,
  PUBLIC_KEY_LENGTH,
} from './constants'
import {
  InvalidArgumentError,
  KeyFileDecryptionError,
  KeyFileFormatError,
  KeyPairMismatchError,
  UnsupportedKeyFileVersionError,
} from './errors'
import { assertKeyPair, type KeyPair, keyPairFromSeed } from './keys'
import { systemRandomBytes } from './runtime'

/** A password: text (normalised to NFKC, then UTF-8) or raw bytes. */
export type Password = string | Uint8Array

/** Options of `encryptKeyFile`. */
export interface EncryptKeyFileOptions {
  /** scrypt cost as log2(N), 10..20 (default 17). */
  logN?: number
  /** scrypt block size r, 1..16 (default 8). */
  r?: number
  /** scrypt parallelism p, 1..4 (default 1). */
  p?: number
  /** Randomness for the salt and nonce (default: the runtime's CSPRNG). */
  randomBytes?: (length: number) => Uint8Array
}

/** The parameters a key file carries, readable without the password. */
export interface KeyFileInfo {
  readonly version: number
  readonly publicKey: Uint8Array
  readonly kdf: {
    readonly name: 'scrypt'
    readonly logN: number
    readonly r: number
    readonly p: number
    readonly salt: Uint8Array
  }
  readonly cipher: { readonly name: 'xchacha20-poly1305'; readonly nonce: Uint8Array }
}

interface ParsedKeyFile extends KeyFileInfo {
  readonly ciphertext: Uint8Array
}

function passwordBytes(password: Password): Uint8Array {
  if (typeof password === 'string') {
    if (password.length === 0)
      throw new InvalidArgumentError('password', 'the password must not be empty')
    return new TextEncoder().encode(password.normalize('NFKC'))
  }
  assertBytes(password, 'password')
  if (password.length === 0)
    throw new InvalidArgumentError('password', 'the password must not be empty')
  return password
}

function checkScryptParameters(
  logN: number,
  r: number,
  p: number,
  argument: string | undefined,
): void {
  const fail = (message: string): never => {
    throw argument === undefined
      ? new KeyFileFormatError(message)
      : new InvalidArgumentError(argument, message)
  }
  const inRange = (value: number, min: number, max: number) =>
    Number.isSafeInteger(value) && value >= min && value <= max
  if (!inRange(logN, MIN_SCRYPT_LOG_N, MAX_SCRYPT_LOG_N))
    fail(`scrypt logN must be in [${MIN_SCRYPT_LOG_N}, ${MAX_SCRYPT_LOG_N}]`)
  if (!inRange(r, 1, MAX_SCRYPT_R)) fail(`scrypt r must be in [1, ${MAX_SCRYPT_R}]`)
  if (!inRange(p, 1, MAX_SCRYPT_P)) fail(`scrypt p must be in [1, ${MAX_SCRYPT_P}]`)
  if (128 * 2 ** logN * r > MAX_SCRYPT_MEMORY) fail('scrypt parameters need too much memory')
}

function headerValue(info: KeyFileInfo): { [key: string]: Value } {
  return {
    type: KEY_FILE_TYPE,
    version: info.version,
    publicKey: info.publicKey,
    kdf: {
      name: info.kdf.name,
      logN: info.kdf.logN,
      r: info.kdf.r,
      p: info.kdf.p,
      salt: info.kdf.salt,
    },
    cipher: { name: info.cipher.name, nonce: info.cipher.nonce },
  }
}

async function deriveKey(password: Uint8Array, kdf: KeyFileInfo['kdf']): Promise<Uint8Array> {
  return scryptAsync(password, kdf.salt, {
    N: 2 ** kdf.logN,
    r: kdf.r,
    p: kdf.p,
    dkLen: 32,
    maxmem: MAX_SCRYPT_MEMORY + 1024 * 1024,
  })
}

/**
 * Encrypts a key pair under a password.
 * @param keyPair - the key pair to protect
 * @param password - non-empty text or bytes
 * @param options - scrypt cost and injected randomness
 * @returns the key file bytes (canonical CBOR, about 200 bytes)
 * @throws InvalidArgumentError for a malformed key pair, an empty password or out-of-range parameters
 * @throws KeyPairMismatchError when the public key is not the seed's
 * @example
 * const file = await encryptKeyFile(generateKeyPair(), 'correct horse battery staple')
 */
export async function encryptKeyFile(
  keyPair: KeyPair,
  password: Password,
  options?: EncryptKeyFileOptions,
): Promise<Uint8Array> {
  assertKeyPair(keyPair)
  const secret = passwordBytes(password)
  const logN = options?.logN ?? DEFAULT_SCRYPT_LOG_N
  const r = options?.r ?? DEFAULT_SCRYPT_R
  const p = options?.p ?? DEFAULT_SCRYPT_P
  checkScryptParameters(logN, r, p, 'options')
  if (!bytesEqual(keyPairFromSeed(keyPair.privateKey).publicKey, keyPair.publicKey)) {
    throw new KeyPairMismatchError()
  }
  // owned copy: the seed is read again after the key derivation's awaits
  const seed = Uint8Array.from(keyPair.privateKey)
  const random = options?.randomBytes ?? systemRandomBytes
  const salt = random(KEY_FILE_SALT_LENGTH)
  const nonce = random(KEY_FILE_NONCE_LENGTH)
  assertBytes(salt, 'randomBytes()', KEY_FILE_SALT_LENGTH)
  assertBytes(nonce, 'randomBytes()', KEY_FILE_NONCE_LENGTH)
  const info: KeyFileInfo = {
    version: KEY_FILE_VERSION,
    publicKey: Uint8Array.from(keyPair.publicKey),
    kdf: { name: 'scrypt', logN, r, p, salt: Uint8Array.from(salt) },
    cipher: { name: 'xchacha20-poly1305', nonce: Uint8Array.from(nonce) },
  }
  const header = headerValue(info)
  const key = await deriveKey(secret, info.kdf)
  const ciphertext = xchacha20poly1305(key, info.cipher.nonce, encode(header)).encrypt(seed)
  key.fill(0)
  seed.fill(0)
  return encode({ ...header, ciphertext })
}

/**
 * Reads the public parameters of a key file without the password (and without scrypt work).
 * @param file - key file bytes
 * @returns version, public key, KDF and cipher parameters
 * @throws KeyFileFormatError for truncated, malformed, non-canonical or out-of-limit files
 * @throws UnsupportedKeyFileVersionError for another version
 * @example
 * readKeyFileInfo(file).publicKey
 */
export function readKeyFileInfo(file: Uint8Array): KeyFileInfo {
  const { ciphertext: _ciphertext, ...info } = parseKeyFile(file)
  return info
}

/**
 * Decrypts a key file.
 * @param file - key file bytes
 * @param password - the password it was written with
 * @returns the key pair
 * @throws KeyFileFormatError for truncated, malformed, non-canonical or out-of-limit files
 * @throws UnsupportedKeyFileVersionError for another version
 * @throws KeyFileDecryptionError for a wrong password or any tampering with the contents
 * @example
 * const keyPair = await decryptKeyFile(file, 'correct horse battery staple')
 */
export async function decryptKeyFile(file: Uint8Array, password: Password): Promise<KeyPair> {
  assertBytes(file, 'file')
  // owned copy: the parsed fields are used again after the key derivation's awaits
  const parsed = parseKeyFile(file.length > MAX_KEY_FILE_BYTES ? file : Uint8Array.from(file))
  const secret = passwordBytes(password)
  const { ciphertext, ...info } = parsed
  const key = await deriveKey(secret, info.kdf)
  let seed: Uint8Array
  try {
    seed = xchacha20poly1305(key, info.cipher.nonce, encode(headerValue(info))).decrypt(ciphertext)
  } catch {
    throw new KeyFileDecryptionError()
  } finally {
    key.fill(0)
  }
  const keyPair = keyPairFromSeed(seed)
  seed.fill(0)
  // authenticated, so only a file made with the password could get here with another key
  if (!bytesEqual(keyPair.publicKey, info.publicKey)) throw new KeyPairMismatchError()
  return keyPair
}

function parseKeyFile(file: Uint8Array): ParsedKeyFile {
  assertBytes(file, 'file')
  if (file.length > MAX_KEY_FILE_BYTES) throw new KeyFileFormatError('key file too large')
  let value: Value
  try {
    value = decode(file, {
      maxBytes: MAX_KEY_FILE_BYTES,
      maxDepth: 3,
      maxItems: 16,
      maxTotalItems: 32,
    })
  } catch (error) {
    throw new KeyFileFormatError(`key file is not canonical CBOR (${(error as Error).name})`)
  }
  const top = record(
    value,
    ['type', 'version', 'publicKey', 'kdf', 'cipher', 'ciphertext'],
    'key file',
  )
  if (top.type !== KEY_FILE_TYPE) throw new KeyFileFormatError('not a peerkit key file')
  if (top.version !== KEY_FILE_VERSION) throw new UnsupportedKeyFileVersionError(top.version)
  const kdf = record(top.kdf, ['name', 'logN', 'r', 'p', 'salt'], 'kdf')
  const cipher = record(top.cipher, ['name', 'nonce'], 'cipher')
  if (kdf.name !== 'scrypt') throw new KeyFileFormatError('unknown key derivation')
  if (cipher.name !== 'xchacha20-poly1305') throw new KeyFileFormatError('unknown cipher')
  const logN = kdf.logN
  const r = kdf.r
  const p = kdf.p
  if (typeof logN !== 'number' || typeof r !== 'number' || typeof p !== 'number') {
    throw new KeyFileFormatError('scrypt parameters must be integers')
  }
  checkScryptParameters(logN, r, p, undefined)
  const salt = bytesField(kdf.salt, 'salt', KEY_FILE_SALT_LENGTH, MAX_KEY_FILE_SALT_LENGTH)
  const nonce = bytesField(cipher.nonce, 'nonce', KEY_FILE_NONCE_LENGTH, KEY_FILE_NONCE_LENGTH)
  const publicKey = bytesField(top.publicKey, 'publicKey', PUBLIC_KEY_LENGTH, PUBLIC_KEY_LENGTH)
  const ciphertext = bytesField(
    top.ciphertext,
    'ciphertext',
    KEY_FILE_CIPHERTEXT_LENGTH,
    KEY_FILE_CIPHERTEXT_LENGTH,
  )
  return {
    version: KEY_FILE_VERSION,
    publicKey,
    kdf: { name: 'scrypt', logN, r, p, salt },
    cipher: { name: 'xchacha20-poly1305', nonce },
    ciphertext,
  }
}

function record(value: Value | undefined, keys: string[], what: string): { [key: string]: Value } {
  if (
    value === null ||
    typeof value !== 'object' ||
    isBytes(value) ||
    Array.isArray(value) ||
    value instanceof Map
  ) {
    throw new KeyFileFormatError(`${what} must be a map`)
  }
  const present = Object.keys(value)
  if (present.length !== keys.length || !keys.every((key) => Object.hasOwn(value, key))) {
    throw new KeyFileFormatError(`${what} must have exactly the fields ${keys.join(', ')}`)
  }
  return value
}

function bytesField(value: Value | undefined, what: string, min: number, max: number): Uint8Array {
  if (!isBytes(value) || value.length < min || value.length > max) {
    throw new KeyFileFormatError(`${what} must be ${min === max ? min : `${min}..${max}`} bytes`)
  }
  return value
}
