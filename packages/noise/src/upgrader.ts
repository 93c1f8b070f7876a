/**
 * The Noise upgrade a transport runs on each raw connection, for either side: one static key
 * and identity proof per upgrader (made on first use, so a handshake costs no signature of its
 * own; each link still gets fresh ephemeral keys), the transport's deadline and frame limit,
 * an abort signal for dials, the stream destroyed on any failure, and every failure a typed
 * `NetError`.
 *
 * @example
 * const upgrader = createSecureUpgrader(signer, { handshakeTimeoutMs: 10_000 })
 * const link = await upgrader.outbound(byteStreamFromSocket(socket), { expectedPeer })
 */
import type { Signer } from '@peerkit/identity'
import {
  type ByteStream,
  DialAbortedError,
  type DialOptions,
  HandshakeError,
  InvalidArgumentError,
  isNetError,
  type Link,
  type NetError,
} from '@peerkit/net'
import { createNoiseIdentity, type NoiseIdentity } from './noise-identity'
import { type SecureStreamOptions, secureStream } from './secure-stream'

/** Options of `createSecureUpgrader`: what every link of the transport shares. */
export interface SecureUpgraderOptions {
  /** The handshake deadline (default 10 s). */
  readonly handshakeTimeoutMs?: number
  /** The largest frame either side may send (default 1 MiB). */
  readonly maxFrameBytes?: number
}

/** Secures the raw streams of one transport. */
export interface SecureUpgrader {
  /**
   * Runs the handshake as the responder.
   * @throws NetError when it fails (the stream is destroyed)
   */
  inbound(stream: ByteStream): Promise<Link>
  /**
   * Runs the handshake as the initiator; aborting `options.signal` abandons it.
   * @throws DialAbortedError when aborted; PeerMismatchError, HandshakeError,
   * HandshakeTimeoutError otherwise (the stream is destroyed)
   */
  outbound(stream: ByteStream, options?: DialOptions): Promise<Link>
}

/**
 * A `NetError` as is; anything else as a `HandshakeError` with it as the cause.
 * @param error - what a handshake threw
 * @returns a typed error
 * @example
 * settings.onInboundError?.(asHandshakeError(error), stream.remoteAddress)
 */
export function asHandshakeError(error: unknown): NetError {
  if (isNetError(error)) return error
  return new HandshakeError('handshake failed', { cause: error })
}

/**
 * Makes the upgrader of one transport.
 * @param signer - the node's identity, proved on every link
 * @param options - the deadline and frame limit of its links
 * @returns `inbound` and `outbound`
 * @throws InvalidArgumentError for a malformed signer
 * @example
 * const upgrader = createSecureUpgrader(signer)
 * server.on('connection', (socket) => upgrader.inbound(byteStreamFromSocket(socket)).then(onLink))
 */
export function createSecureUpgrader(
  signer: Signer,
  options: SecureUpgraderOptions = {},
): SecureUpgrader {
  if (typeof signer !== 'object' || signer === null || typeof signer.sign !== 'function') {
    throw new InvalidArgumentError('signer', 'must be a Signer')
  }
  let identity: Promise<NoiseIdentity> | undefined
  const settings = (initiator: boolean, local: NoiseIdentity): SecureStreamOptions => ({
    signer,
    identity: local,
    initiator,
    ...(options.handshakeTimeoutMs === undefined
      ? {}
      : { handshakeTimeoutMs: options.handshakeTimeoutMs }),
    ...(options.maxFrameBytes === undefined ? {} : { maxFrameBytes: options.maxFrameBytes }),
  })
  const identityOnce = (): Promise<NoiseIdentity> => {
    identity ??= createNoiseIdentity(signer)
    return identity
  }

  return {
    async inbound(stream) {
      try {
        return await secureStream(stream, settings(false, await identityOnce()))
      } catch (error) {
        stream.destroy()
        throw asHandshakeError(error)
      }
    },
    async outbound(stream, dial) {
      const signal = dial?.signal
      const onAbort = (): void => stream.destroy(new DialAbortedError())
      signal?.addEventListener('abort', onAbort, { once: true })
      try {
        if (signal?.aborted) throw new DialAbortedError()
        const expected = dial?.expectedPeer
        const link = await secureStream(stream, {
          ...settings(true, await identityOnce()),
          ...(expected === undefined ? {} : { expectedPeer: expected }),
        })
        if (signal?.aborted) {
          link.close()
          throw new DialAbortedError()
        }
        return link
      } catch (error) {
        stream.destroy()
        if (signal?.aborted) throw new DialAbortedError()
        throw asHandshakeError(error)
      } finally {
        signal?.removeEventListener('abort', onAbort)
      }
    },
  }
}
