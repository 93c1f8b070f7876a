/**
 * The Noise upgrade of a WebSocket byte stream into a link, for either side, with the
 * transport's deadline and frame limit, an abort signal for dials, and errors mapped to the
 * typed errors of `@peerkit/net`.
 *
 * @example
 * const link = await secureOutbound(stream, signer, settings, { expectedPeer })
 */
import type { Signer } from '@peerkit/identity'
import {
  type ByteStream,
  DialAbortedError,
  type DialOptions,
  HandshakeError,
  isNetError,
  type Link,
  type NetError,
} from '@peerkit/net'
import { createNoiseIdentity, type NoiseIdentity, secureStream } from '@peerkit/noise'
import type { WsSettings } from './settings'

/**
 * Where a transport keeps its one static key and identity proof, made on first use: a
 * handshake then costs no signature of its own (each link still gets fresh ephemeral keys).
 */
export interface IdentityCache {
  promise?: Promise<NoiseIdentity>
}

function identityOf(cache: IdentityCache, signer: Signer): Promise<NoiseIdentity> {
  cache.promise ??= createNoiseIdentity(signer)
  return cache.promise
}

/**
 * Runs the handshake as the responder.
 * @returns the authenticated link
 * @throws NetError when the handshake fails (the stream is destroyed)
 */
export async function secureInbound(
  stream: ByteStream,
  signer: Signer,
  settings: WsSettings,
  identity: IdentityCache,
): Promise<Link> {
  try {
    return await secureStream(stream, {
      signer,
      identity: await identityOf(identity, signer),
      initiator: false,
      handshakeTimeoutMs: settings.handshakeTimeoutMs,
      maxFrameBytes: settings.maxFrameBytes,
    })
  } catch (error) {
    stream.destroy()
    throw asNetError(error)
  }
}

/**
 * Runs the handshake as the initiator; aborting `options.signal` abandons it.
 * @returns the authenticated link
 * @throws DialAbortedError when aborted; PeerMismatchError, HandshakeError, HandshakeTimeoutError
 */
export async function secureOutbound(
  stream: ByteStream,
  signer: Signer,
  settings: WsSettings,
  identity: IdentityCache,
  options: DialOptions | undefined,
): Promise<Link> {
  const signal = options?.signal
  const onAbort = (): void => stream.destroy(new DialAbortedError())
  signal?.addEventListener('abort', onAbort, { once: true })
  try {
    const link = await secureStream(stream, {
      signer,
      identity: await identityOf(identity, signer),
      initiator: true,
      ...(options?.expectedPeer === undefined ? {} : { expectedPeer: options.expectedPeer }),
      handshakeTimeoutMs: settings.handshakeTimeoutMs,
      maxFrameBytes: settings.maxFrameBytes,
    })
    if (signal?.aborted) {
      link.close()
      throw new DialAbortedError()
    }
    return link
  } catch (error) {
    stream.destroy()
    if (signal?.aborted) throw new DialAbortedError()
    throw asNetError(error)
  } finally {
    signal?.removeEventListener('abort', onAbort)
  }
}

/** A `NetError` as is; anything else as a `HandshakeError` with it as the cause. */
function asNetError(error: unknown): NetError {
  if (isNetError(error)) return error
  return new HandshakeError('handshake failed', { cause: error })
}
