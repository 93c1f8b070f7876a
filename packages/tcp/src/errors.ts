/**
 * The typed errors a TCP transport raises: the shared classes of `@peerkit/net`, so one guard
 * (`isNetError(error, 'DialError')`) serves every transport. A failed dial is a `DialError`
 * whose `cause` is the socket error (its `code`, e.g. `ECONNREFUSED`, is in the message).
 *
 * @example
 * try { await transport.dial('tcp://127.0.0.1:1') } catch (error) { isNetError(error, 'DialError') } // true
 */
export {
  DialAbortedError,
  DialError,
  DialTimeoutError,
  FrameTooLargeError,
  HandshakeError,
  HandshakeTimeoutError,
  IdleTimeoutError,
  InvalidAddressError,
  InvalidArgumentError,
  isNetError,
  LinkClosedError,
  ListenError,
  MalformedFrameError,
  NetError,
  PeerMismatchError,
} from '@peerkit/net'
