/**
 * Typed errors of @peerkit/identity. Each failure has its own class with a stable `name`
 * equal to the class name; match on `name` (or the guards), never on message text.
 *
 * @example
 * try { peerIdFromString(text) } catch (e) {
 *   if (isIdentityError(e) && e.name === 'InvalidPeerIdError') reject(text)
 * }
 */

/** Base class of every error thrown by this package. */
export class IdentityError extends Error {
  override name = 'IdentityError'
}

/** An argument has the wrong type or length (a programming error, not bad peer input). */
export class InvalidArgumentError extends IdentityError {
  override name = 'InvalidArgumentError'
  /** Name of the offending argument. */
  readonly argument: string
  constructor(argument: string, message = `invalid argument "${argument}"`) {
    super(message)
    this.argument = argument
  }
}

/** Why a public key was refused. */
export type InvalidPublicKeyReason =
  | 'non-canonical'
  | 'not-on-curve'
  | 'small-order'
  | 'not-in-subgroup'

/** A 32-byte string that is not a valid Ed25519 public key under the verification rule. */
export class InvalidPublicKeyError extends IdentityError {
  override name = 'InvalidPublicKeyError'
  readonly reason: InvalidPublicKeyReason
  constructor(reason: InvalidPublicKeyReason, message = `invalid Ed25519 public key (${reason})`) {
    super(message)
    this.reason = reason
  }
}

/** Why a peer id (text or bytes) was refused. */
export type InvalidPeerIdReason =
  | 'empty'
  | 'too-long'
  | 'prefix'
  | 'alphabet'
  | 'length'
  | 'multicodec'
  | 'multihash'
  | 'encoding'

/** Text or bytes that are not a peer id in any accepted form. */
export class InvalidPeerIdError extends IdentityError {
  override name = 'InvalidPeerIdError'
  readonly reason: InvalidPeerIdReason
  constructor(reason: InvalidPeerIdReason, message = `invalid peer id (${reason})`) {
    super(message)
    this.reason = reason
  }
}

/** A well-formed key or id of a type other than Ed25519 (RSA, secp256k1, ECDSA…). */
export class UnsupportedKeyTypeError extends IdentityError {
  override name = 'UnsupportedKeyTypeError'
  constructor(message = 'only Ed25519 keys are supported') {
    super(message)
  }
}

/** A key pair whose public key is not the one its seed derives. */
export class KeyPairMismatchError extends IdentityError {
  override name = 'KeyPairMismatchError'
  constructor(message = 'the public key does not match the private key seed') {
    super(message)
  }
}

/** A verification backend was named that this runtime does not have. */
export class BackendUnavailableError extends IdentityError {
  override name = 'BackendUnavailableError'
  readonly backend: string
  constructor(backend: string, message = `verification backend "${backend}" is not available`) {
    super(message)
    this.backend = backend
  }
}

/** DER bytes that are not a PKCS#8 or SPKI Ed25519 key in the one accepted encoding. */
export class InvalidKeyEncodingError extends IdentityError {
  override name = 'InvalidKeyEncodingError'
  constructor(message = 'not a DER-encoded Ed25519 key') {
    super(message)
  }
}

/** True when `error` is one of this package's errors (by `name`, so it holds across realms). */
export function isIdentityError(error: unknown): error is IdentityError {
  return (
    error instanceof Error && typeof error.name === 'string' && IDENTITY_ERROR_NAMES.has(error.name)
  )
}

/** True when `error` is an `InvalidPublicKeyError`. */
export function isInvalidPublicKeyError(error: unknown): error is InvalidPublicKeyError {
  return isIdentityError(error) && error.name === 'InvalidPublicKeyError'
}

/** True when `error` is an `InvalidPeerIdError`. */
export function isInvalidPeerIdError(error: unknown): error is InvalidPeerIdError {
  return isIdentityError(error) && error.name === 'InvalidPeerIdError'
}

/** True when `error` is an `InvalidArgumentError`. */
export function isInvalidArgumentError(error: unknown): error is InvalidArgumentError {
  return isIdentityError(error) && error.name === 'InvalidArgumentError'
}

const IDENTITY_ERROR_NAMES = new Set<string>([
  'IdentityError',
  'InvalidArgumentError',
  'InvalidPublicKeyError',
  'InvalidPeerIdError',
  'UnsupportedKeyTypeError',
  'KeyPairMismatchError',
  'BackendUnavailableError',
  'InvalidKeyEncodingError',
])

/** Registers further error names (used by the key-file and rotation modules). */
export function registerErrorName(name: string): void {
  IDENTITY_ERROR_NAMES.add(name)
}
