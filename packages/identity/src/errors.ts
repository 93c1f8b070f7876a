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

/** Bytes that are not a key file: truncated, malformed, non-canonical, or beyond the limits. */
export class KeyFileFormatError extends IdentityError {
  override name = 'KeyFileFormatError'
  constructor(message = 'not a valid peerkit key file') {
    super(message)
  }
}

/** A key file of a version this library does not know; it is never guessed at. */
export class UnsupportedKeyFileVersionError extends IdentityError {
  override name = 'UnsupportedKeyFileVersionError'
  readonly version: unknown
  constructor(version: unknown, message = `unsupported key file version ${String(version)}`) {
    super(message)
    this.version = version
  }
}

/**
 * A well-formed key file that does not open: the password is wrong, or some byte of the file
 * was changed (authenticated encryption cannot tell the two apart).
 */
export class KeyFileDecryptionError extends IdentityError {
  override name = 'KeyFileDecryptionError'
  constructor(message = 'wrong password, or the key file was tampered with') {
    super(message)
  }
}

/** Why a rotation statement (or chain) was refused as malformed. */
export type InvalidRotationReason = 'malformed' | 'domain' | 'too-many' | 'same-key'

/** A rotation statement that is not well formed, or a chain beyond the limits. */
export class InvalidRotationError extends IdentityError {
  override name = 'InvalidRotationError'
  readonly reason: InvalidRotationReason
  constructor(reason: InvalidRotationReason, message = `invalid rotation statement (${reason})`) {
    super(message)
    this.reason = reason
  }
}

/** A rotation statement not signed by both the key it retires and the key it introduces. */
export class RotationSignatureError extends IdentityError {
  override name = 'RotationSignatureError'
  readonly sequence: number
  constructor(sequence: number, message = `rotation ${sequence} is not signed by both keys`) {
    super(message)
    this.sequence = sequence
  }
}

/** Two different statements continue the chain from the same point: the identity forked. */
export class RotationForkError extends IdentityError {
  override name = 'RotationForkError'
  readonly sequence: number
  constructor(sequence: number, message = `two different rotations at step ${sequence}`) {
    super(message)
    this.sequence = sequence
  }
}

/** A rotation returns to a key the chain already used. */
export class RotationCycleError extends IdentityError {
  override name = 'RotationCycleError'
  readonly sequence: number
  constructor(sequence: number, message = `rotation ${sequence} returns to an earlier key`) {
    super(message)
    this.sequence = sequence
  }
}

/** A step is missing, or a statement does not start from the key the previous one ended on. */
export class RotationGapError extends IdentityError {
  override name = 'RotationGapError'
  readonly sequence: number
  constructor(sequence: number, message = `rotation chain broken at step ${sequence}`) {
    super(message)
    this.sequence = sequence
  }
}

/**
 * A rotation reveals a key other than the one the previous statement committed to, or does
 * not name the previous statement's digest: it is not the continuation the chain promised.
 */
export class RotationCommitmentError extends IdentityError {
  override name = 'RotationCommitmentError'
  readonly sequence: number
  constructor(sequence: number, message = `rotation ${sequence} reveals an uncommitted key`) {
    super(message)
    this.sequence = sequence
  }
}

/** Statements of different identities were mixed, or the chain is not of the expected root. */
export class RotationRootError extends IdentityError {
  override name = 'RotationRootError'
  constructor(message = 'rotation statements name another root identity') {
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
  'KeyFileFormatError',
  'UnsupportedKeyFileVersionError',
  'KeyFileDecryptionError',
  'InvalidRotationError',
  'RotationSignatureError',
  'RotationForkError',
  'RotationCycleError',
  'RotationGapError',
  'RotationRootError',
  'RotationCommitmentError',
])
