/**
 * Typed errors of @peerkit/net and of every transport built on its contract. Each
 * failure has its own class with a stable `name`; match on `name` (or `isNetError`),
 * never on message text. Transports (`@peerkit/noise`, `@peerkit/tcp`, `@peerkit/ws`,
 * `@peerkit/libp2p`) throw these same classes, so one guard serves every transport.
 *
 * @example
 * link.on('close', ({ error }) => { if (isNetError(error, 'FrameTooLargeError')) report() })
 */

export type NetErrorName =
  | 'InvalidArgumentError'
  | 'InvalidAddressError'
  | 'UnsupportedAddressError'
  | 'DialError'
  | 'DialAbortedError'
  | 'DialTimeoutError'
  | 'PeerMismatchError'
  | 'HandshakeError'
  | 'HandshakeTimeoutError'
  | 'LinkClosedError'
  | 'FrameTooLargeError'
  | 'MalformedFrameError'
  | 'UnknownProtocolError'
  | 'RateLimitError'
  | 'QueueOverflowError'
  | 'IdleTimeoutError'
  | 'LinkLimitError'
  | 'ListenError'
  | 'NodeStoppedError'
  | 'InvalidPeerRecordError'
  | 'ValidatorError'

/** The base of every error of the connection contract. */
export class NetError extends Error {
  override readonly name: NetErrorName

  constructor(name: NetErrorName, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = name
  }
}

const NET_ERROR_NAMES: ReadonlySet<string> = new Set<NetErrorName>([
  'InvalidArgumentError',
  'InvalidAddressError',
  'UnsupportedAddressError',
  'DialError',
  'DialAbortedError',
  'DialTimeoutError',
  'PeerMismatchError',
  'HandshakeError',
  'HandshakeTimeoutError',
  'LinkClosedError',
  'FrameTooLargeError',
  'MalformedFrameError',
  'UnknownProtocolError',
  'RateLimitError',
  'QueueOverflowError',
  'IdleTimeoutError',
  'LinkLimitError',
  'ListenError',
  'NodeStoppedError',
  'InvalidPeerRecordError',
  'ValidatorError',
])

/**
 * Whether `value` is a `NetError` (optionally of one name). Checks the shape, not
 * `instanceof`, so it holds across duplicate installs of this package.
 */
export function isNetError<N extends NetErrorName>(
  value: unknown,
  name?: N,
): value is NetError & { name: N } {
  if (typeof value !== 'object' || value === null || !(value instanceof Error)) return false
  if (!NET_ERROR_NAMES.has(value.name)) return false
  return name === undefined || value.name === name
}

/** An argument or option is out of range or of the wrong type. */
export class InvalidArgumentError extends NetError {
  readonly argument: string
  constructor(argument: string, message = 'invalid argument') {
    super('InvalidArgumentError', `${argument}: ${message}`)
    this.argument = argument
  }
}

/** An address is not of the form its scheme requires. */
export class InvalidAddressError extends NetError {
  readonly address: string
  constructor(address: string, message = 'invalid address') {
    super('InvalidAddressError', `${message}: ${JSON.stringify(address.slice(0, 200))}`)
    this.address = address
  }
}

/** No transport of the node dials or listens on this address's scheme. */
export class UnsupportedAddressError extends NetError {
  readonly address: string
  constructor(address: string) {
    super('UnsupportedAddressError', `no transport for ${JSON.stringify(address.slice(0, 200))}`)
    this.address = address
  }
}

/** A dial failed (refused, unreachable, reset during setup). */
export class DialError extends NetError {
  readonly address: string
  constructor(address: string, message = 'dial failed', options?: { cause?: unknown }) {
    super('DialError', `${message}: ${address.slice(0, 200)}`, options)
    this.address = address
  }
}

/** A dial was abandoned through its `AbortSignal`. */
export class DialAbortedError extends NetError {
  constructor(message = 'dial aborted') {
    super('DialAbortedError', message)
  }
}

/** A dial did not complete within its deadline. */
export class DialTimeoutError extends NetError {
  constructor(message = 'dial timed out') {
    super('DialTimeoutError', message)
  }
}

/** The remote side proved an identity other than the `expectedPeer`. */
export class PeerMismatchError extends NetError {
  readonly expected: string
  readonly actual: string
  constructor(expected: string, actual: string) {
    super('PeerMismatchError', `expected ${expected}, the remote side is ${actual}`)
    this.expected = expected
    this.actual = actual
  }
}

/** The handshake failed: a bad message, a forged identity proof, a protocol fault. */
export class HandshakeError extends NetError {
  constructor(message = 'handshake failed', options?: { cause?: unknown }) {
    super('HandshakeError', message, options)
  }
}

/** The handshake did not complete within its deadline. */
export class HandshakeTimeoutError extends NetError {
  constructor(message = 'handshake timed out') {
    super('HandshakeTimeoutError', message)
  }
}

/** `send` on a link that is closed, or the link closed under a pending operation. */
export class LinkClosedError extends NetError {
  constructor(message = 'link closed') {
    super('LinkClosedError', message)
  }
}

/** A frame is larger than the link or protocol allows. */
export class FrameTooLargeError extends NetError {
  readonly size: number
  readonly limit: number
  constructor(size: number, limit: number) {
    super('FrameTooLargeError', `frame of ${size} bytes exceeds the limit of ${limit}`)
    this.size = size
    this.limit = limit
  }
}

/** A frame or a stream's framing is malformed (a bad length prefix, a bad header). */
export class MalformedFrameError extends NetError {
  constructor(message = 'malformed frame', options?: { cause?: unknown }) {
    super('MalformedFrameError', message, options)
  }
}

/** A frame names a protocol this node does not run. */
export class UnknownProtocolError extends NetError {
  readonly protocol: string
  constructor(protocol: string) {
    super('UnknownProtocolError', `unknown protocol ${JSON.stringify(protocol.slice(0, 100))}`)
    this.protocol = protocol
  }
}

/** A peer sent more than its rate allows. */
export class RateLimitError extends NetError {
  constructor(message = 'rate limit exceeded') {
    super('RateLimitError', message)
  }
}

/** A peer's outbound queue passed its bound (it does not read fast enough). */
export class QueueOverflowError extends NetError {
  constructor(message = 'outbound queue overflow') {
    super('QueueOverflowError', message)
  }
}

/** A link carried nothing for longer than its idle timeout. */
export class IdleTimeoutError extends NetError {
  constructor(message = 'idle timeout') {
    super('IdleTimeoutError', message)
  }
}

/** A limit on links or pending handshakes refused a new one. */
export class LinkLimitError extends NetError {
  constructor(message = 'too many links') {
    super('LinkLimitError', message)
  }
}

/** A transport could not listen on an address (in use, not permitted). */
export class ListenError extends NetError {
  readonly address: string
  constructor(address: string, message = 'cannot listen', options?: { cause?: unknown }) {
    super('ListenError', `${message}: ${address.slice(0, 200)}`, options)
    this.address = address
  }
}

/** The node was stopped; the operation cannot proceed. */
export class NodeStoppedError extends NetError {
  constructor(message = 'node stopped') {
    super('NodeStoppedError', message)
  }
}

/** A peer record that does not open, is signed by another peer, or breaks its limits. */
export class InvalidPeerRecordError extends NetError {
  constructor(message = 'invalid peer record', options?: { cause?: unknown }) {
    super('InvalidPeerRecordError', message, options)
  }
}

/** An application validator threw, rejected or did not answer in time; its message is ignored. */
export class ValidatorError extends NetError {
  readonly topic: string
  readonly messageId: string
  constructor(
    topic: string,
    messageId: string,
    message = 'validator failed',
    options?: { cause?: unknown },
  ) {
    super(
      'ValidatorError',
      `${message}: ${topic.slice(0, 100)} ${messageId.slice(0, 100)}`,
      options,
    )
    this.topic = topic
    this.messageId = messageId
  }
}
