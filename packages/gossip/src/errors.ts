/**
 * Typed errors of @peerkit/gossip. Each failure has its own class with a stable `name`;
 * match on `name` (or use `isGossipError`), never on message text. Remote input never
 * throws out of a router (it becomes a `misbehaved` output); these errors are for the
 * local caller's mistakes and for the frame decoder.
 *
 * @example
 * try { router.handle({ type: 'publish', topic, envelope, now }) }
 * catch (e) { if (isGossipError(e, 'PublishRejectedError')) console.warn(e.reason) }
 */

export type GossipErrorName =
  | 'InvalidArgumentError'
  | 'InvalidTopicError'
  | 'PublishRejectedError'
  | 'DuplicatePublishError'
  | 'MalformedFrameError'
  | 'UnsupportedFrameVersionError'
  | 'FrameTooLargeError'
  | 'PeerDataTooLargeError'

/** The base of every error this package throws. */
export class GossipError extends Error {
  override readonly name: GossipErrorName

  constructor(name: GossipErrorName, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = name
  }
}

/** An argument or init option is out of range or of the wrong type. */
export class InvalidArgumentError extends GossipError {
  /** The argument's name. */
  readonly argument: string

  constructor(argument: string, message = 'invalid argument') {
    super('InvalidArgumentError', `${argument}: ${message}`)
    this.argument = argument
  }
}

/** A topic is empty, too long, or not a string. */
export class InvalidTopicError extends GossipError {
  constructor(message = 'invalid topic') {
    super('InvalidTopicError', message)
  }
}

/** A local publish carried an envelope that does not open under the router's rules. */
export class PublishRejectedError extends GossipError {
  /** Why: the envelope error's `name`, or `'topic-mismatch'` / `'payload-shape'`. */
  readonly reason: string

  constructor(reason: string, options?: { cause?: unknown }) {
    super('PublishRejectedError', `publish rejected: ${reason}`, options)
    this.reason = reason
  }
}

/** A local publish of an envelope this router has already seen. */
export class DuplicatePublishError extends GossipError {
  readonly messageId: string

  constructor(messageId: string) {
    super('DuplicatePublishError', `message ${messageId} was already seen`)
    this.messageId = messageId
  }
}

/** A wire frame that is not one of the frames of this version. */
export class MalformedFrameError extends GossipError {
  constructor(message = 'malformed frame', options?: { cause?: unknown }) {
    super('MalformedFrameError', message, options)
  }
}

/** A wire frame of another protocol version. */
export class UnsupportedFrameVersionError extends GossipError {
  readonly version: unknown

  constructor(version: unknown) {
    super('UnsupportedFrameVersionError', `unsupported frame version ${String(version)}`)
    this.version = version
  }
}

/** A wire frame larger than the router accepts (nothing was decoded). */
export class FrameTooLargeError extends GossipError {
  constructor(size: number, limit: number) {
    super('FrameTooLargeError', `frame of ${size} bytes exceeds the limit of ${limit}`)
  }
}

/** A `local-peer-data` record larger than the router's `maxPeerDataBytes` (nothing changed). */
export class PeerDataTooLargeError extends GossipError {
  readonly size: number
  readonly limit: number

  constructor(size: number, limit: number) {
    super('PeerDataTooLargeError', `peer data of ${size} bytes exceeds the limit of ${limit}`)
    this.size = size
    this.limit = limit
  }
}

/**
 * True when `error` is an error of this package (by `name`, so it works across duplicate
 * installs), optionally of one kind.
 * @param error - anything caught
 * @param name - the error name to match
 * @returns whether it matches
 * @example if (isGossipError(e, 'InvalidTopicError')) …
 */
export function isGossipError(error: unknown, name?: GossipErrorName): error is GossipError {
  if (typeof error !== 'object' || error === null) return false
  const n = (error as { name?: unknown }).name
  if (typeof n !== 'string' || !GOSSIP_ERROR_NAMES.has(n)) return false
  return name === undefined || n === name
}

const GOSSIP_ERROR_NAMES: ReadonlySet<string> = new Set<GossipErrorName>([
  'InvalidArgumentError',
  'InvalidTopicError',
  'PublishRejectedError',
  'DuplicatePublishError',
  'MalformedFrameError',
  'UnsupportedFrameVersionError',
  'FrameTooLargeError',
  'PeerDataTooLargeError',
])
