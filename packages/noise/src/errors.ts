/**
 * Typed errors of the Noise core. Each failure has its own class with a stable `name`;
 * match on `name` (or `isNoiseError`), never on message text. A link made by `secureStream`
 * reports these as the `cause` of the contract's `HandshakeError` or `MalformedFrameError`.
 *
 * @example
 * try { cipher.decrypt(ad, ciphertext) } catch (error) { if (isNoiseError(error, 'DecryptionError')) drop() }
 */

export type NoiseErrorName =
  | 'InvalidArgumentError'
  | 'NonceExhaustedError'
  | 'MessageTooLargeError'
  | 'DecryptionError'
  | 'InvalidMessageError'
  | 'HandshakeStateError'
  | 'InvalidPublicKeyError'
  | 'IdentityProofError'
  | 'BackendUnavailableError'

const NAMES: ReadonlySet<string> = new Set<NoiseErrorName>([
  'InvalidArgumentError',
  'NonceExhaustedError',
  'MessageTooLargeError',
  'DecryptionError',
  'InvalidMessageError',
  'HandshakeStateError',
  'InvalidPublicKeyError',
  'IdentityProofError',
  'BackendUnavailableError',
])

/** The base of every error of the Noise core. */
export class NoiseError extends Error {
  override readonly name: NoiseErrorName
  /** Marks errors of this package (a `name` alone could collide with another package's). */
  readonly noise = true as const

  constructor(name: NoiseErrorName, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = name
  }
}

/**
 * Whether `value` is a `NoiseError` (optionally of one name), by shape rather than
 * `instanceof`, so it holds across duplicate installs.
 * @param value - anything
 * @param name - a name to match
 * @returns true for an error of this package
 * @example
 * if (isNoiseError(error, 'NonceExhaustedError')) rekeyOrClose()
 */
export function isNoiseError<N extends NoiseErrorName>(
  value: unknown,
  name?: N,
): value is NoiseError & { name: N } {
  if (!(value instanceof Error) || (value as { noise?: unknown }).noise !== true) return false
  if (!NAMES.has(value.name)) return false
  return name === undefined || value.name === name
}

/** An argument is of the wrong type or size. */
export class InvalidArgumentError extends NoiseError {
  readonly argument: string
  constructor(argument: string, message = 'invalid argument') {
    super('InvalidArgumentError', `${argument}: ${message}`)
    this.argument = argument
  }
}

/** A cipher state used its last nonce (2^64 - 1 is reserved): the session must end. */
export class NonceExhaustedError extends NoiseError {
  constructor() {
    super('NonceExhaustedError', 'nonce space exhausted')
  }
}

/** A Noise message or plaintext is larger than 65,535 bytes allow. */
export class MessageTooLargeError extends NoiseError {
  readonly size: number
  readonly limit: number
  constructor(size: number, limit: number) {
    super('MessageTooLargeError', `message of ${size} bytes exceeds the limit of ${limit}`)
    this.size = size
    this.limit = limit
  }
}

/** A ciphertext failed authentication (tampered, truncated, replayed or out of order). */
export class DecryptionError extends NoiseError {
  constructor(message = 'ciphertext failed authentication') {
    super('DecryptionError', message)
  }
}

/** A handshake message has the wrong length or shape for its position. */
export class InvalidMessageError extends NoiseError {
  constructor(message = 'invalid handshake message') {
    super('InvalidMessageError', message)
  }
}

/** A handshake step was called out of turn (writing when it is the remote side's turn). */
export class HandshakeStateError extends NoiseError {
  constructor(message = 'handshake step out of turn') {
    super('HandshakeStateError', message)
  }
}

/** A remote X25519 key gives no shared secret (a low-order point). */
export class InvalidPublicKeyError extends NoiseError {
  constructor(message = 'X25519 public key of low order') {
    super('InvalidPublicKeyError', message)
  }
}

/** The identity payload is malformed, of an unknown version, or its signature is forged. */
export class IdentityProofError extends NoiseError {
  readonly reason: 'malformed' | 'version' | 'signature'
  constructor(reason: 'malformed' | 'version' | 'signature', message?: string) {
    super('IdentityProofError', message ?? `identity proof rejected (${reason})`)
    this.reason = reason
  }
}

/** A named crypto backend is not available in this runtime. */
export class BackendUnavailableError extends NoiseError {
  readonly backend: string
  constructor(backend: string) {
    super('BackendUnavailableError', `crypto backend "${backend}" is not available here`)
    this.backend = backend
  }
}
