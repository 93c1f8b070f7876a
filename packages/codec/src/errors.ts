/**
 * Typed errors of @peerkit/codec. Each failure has its own class with a stable `name`;
 * match on `name` (or use `isCodecError`), never on message text.
 *
 * @example
 * try { decode(bytes) } catch (e) { if (isCodecError(e, 'NonCanonicalError')) drop(bytes) }
 */

export type CodecErrorName =
  | 'NonCanonicalError'
  | 'LimitExceededError'
  | 'UnsupportedTypeError'
  | 'TrailingBytesError'
  | 'MalformedError'
  | 'InvalidContentIdError'

/** The base of every error this package throws. */
export class CodecError extends Error {
  override readonly name: CodecErrorName
  /** Byte offset in the input where decoding failed, when there is one. */
  readonly offset: number | undefined

  constructor(name: CodecErrorName, message: string, offset?: number) {
    super(offset === undefined ? message : `${message} (at byte ${offset})`)
    this.name = name
    this.offset = offset
  }
}

/** Input is valid CBOR but not the one canonical encoding of its value. */
export class NonCanonicalError extends CodecError {
  constructor(message = 'not the canonical encoding', offset?: number) {
    super('NonCanonicalError', message, offset)
  }
}

/** A size, depth or count limit was exceeded; nothing past the limit was read. */
export class LimitExceededError extends CodecError {
  /** Which limit: `maxBytes`, `maxDepth`, `maxItems` or `maxTotalItems`. */
  readonly limit: string
  constructor(limit: string, message = `limit ${limit} exceeded`, offset?: number) {
    super('LimitExceededError', message, offset)
    this.limit = limit
  }
}

/** A value (or an encoded item) outside peerkit's CBOR profile. */
export class UnsupportedTypeError extends CodecError {
  constructor(message = 'unsupported type', offset?: number) {
    super('UnsupportedTypeError', message, offset)
  }
}

/** Bytes follow the one top-level item. */
export class TrailingBytesError extends CodecError {
  constructor(message = 'trailing bytes after the item', offset?: number) {
    super('TrailingBytesError', message, offset)
  }
}

/** Input is not well-formed CBOR (truncated, reserved values, invalid UTF-8, stray break). */
export class MalformedError extends CodecError {
  constructor(message = 'malformed input', offset?: number) {
    super('MalformedError', message, offset)
  }
}

/** A content id's text or bytes are not a valid peerkit content id. */
export class InvalidContentIdError extends CodecError {
  constructor(message = 'invalid content id') {
    super('InvalidContentIdError', message)
  }
}

const names = new Set<string>([
  'NonCanonicalError',
  'LimitExceededError',
  'UnsupportedTypeError',
  'TrailingBytesError',
  'MalformedError',
  'InvalidContentIdError',
])

/**
 * True when `error` is an error of this package (of the given name, if one is given).
 * Works across duplicate installs: it checks the `name`, not the class.
 * @param error - anything caught
 * @param name - optionally, the one error name to accept
 * @returns whether it is such a codec error
 * @example
 * if (isCodecError(e, 'LimitExceededError')) console.log(e.limit)
 */
export function isCodecError<N extends CodecErrorName>(
  error: unknown,
  name?: N,
): error is CodecError & { name: N } {
  if (typeof error !== 'object' || error === null) return false
  const n = (error as { name?: unknown }).name
  if (typeof n !== 'string' || !names.has(n)) return false
  return name === undefined || n === name
}
