/**
 * The typed errors a WebSocket transport raises: the shared classes of `@peerkit/net`, so one
 * guard (`isNetError(error, 'DialError')`) serves every transport.
 *
 * @example
 * try { await transport.dial('ws://127.0.0.1:1/') } catch (error) { isNetError(error, 'DialError') } // true
 */
export {
  DialAbortedError,
  DialError,
  DialTimeoutError,
  FrameTooLargeError,
  HandshakeError,
  HandshakeTimeoutError,
  InvalidAddressError,
  InvalidArgumentError,
  isNetError,
  LinkClosedError,
  ListenError,
  MalformedFrameError,
  NetError,
  PeerMismatchError,
  QueueOverflowError,
} from '@peerkit/net'
