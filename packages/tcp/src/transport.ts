/**
 * The TCP transport: `tcp(init)` makes a `TransportFactory` whose transports dial and listen
 * on `tcp://host:port` over `node:net` and run the Noise XX handshake on every connection
 * before a `Link` exists. Limits are enforced at the socket: inbound links and handshakes in
 * flight are bounded (excess connections are dropped at accept, before any byte is read), a
 * handshake has a deadline, frames have a maximum size (checked by the Noise framing before
 * anything is allocated) and idle sockets are closed.
 *
 * @example
 * const transport = tcp()({ signer })
 * const listener = await transport.listen('tcp://127.0.0.1:0', (link) => link.on('frame', print))
 * const link = await otherTransport.dial(listener.addresses[0]!)
 */
import {
  type AddressInfo,
  createServer,
  type NetConnectOpts,
  connect as netConnect,
  type Server,
  type Socket,
} from 'node:net'
import type { Signer } from '@peerkit/identity'
import {
  type ByteStream,
  DialAbortedError,
  DialError,
  type DialOptions,
  DialTimeoutError,
  HandshakeError,
  InvalidAddressError,
  InvalidArgumentError,
  isNetError,
  type Link,
  LinkClosedError,
  type LinkHandler,
  ListenError,
  type Listener,
  type NetError,
  type Transport,
  type TransportFactory,
} from '@peerkit/net'
import { createNoiseIdentity, type NoiseIdentity, secureStream } from '@peerkit/noise'
import { formatTcpAddress, parseTcpAddress } from './address'
import {
  DEFAULT_DIAL_TIMEOUT_MS,
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_MAX_FRAME_BYTES,
  DEFAULT_MAX_INBOUND_LINKS,
  DEFAULT_MAX_PENDING_HANDSHAKES,
  DEFAULT_WRITE_BUFFER_BYTES,
} from './constants'
import { byteStreamFromSocket } from './socket-stream'

/** Tuning of a TCP transport; every field has a named default in `constants.ts`. */
export interface TcpInit {
  /** Authenticated inbound links open at once (default 256); more connections are dropped. */
  readonly maxInboundLinks?: number
  /** Inbound handshakes in flight at once (default 64); more connections are dropped. */
  readonly maxPendingHandshakes?: number
  /** Deadline of the Noise handshake on either side (default 10 s). */
  readonly handshakeTimeoutMs?: number
  /** Deadline of the TCP connect of a dial (default 10 s). */
  readonly dialTimeoutMs?: number
  /** The largest link frame sent or accepted (default 1 MiB). */
  readonly maxFrameBytes?: number
  /** A socket without traffic for this long is closed with `IdleTimeoutError`; 0 disables (default 5 min). */
  readonly idleTimeoutMs?: number
  /** Bytes a socket buffers for writing before it reports backpressure (default 1 MiB). */
  readonly writeBufferBytes?: number
  /** Called with the typed error of each inbound connection that failed before it became a link. */
  readonly onInboundError?: (error: NetError, remoteAddress: string | undefined) => void
}

interface Settings {
  readonly maxInboundLinks: number
  readonly maxPendingHandshakes: number
  readonly handshakeTimeoutMs: number
  readonly dialTimeoutMs: number
  readonly maxFrameBytes: number
  readonly idleTimeoutMs: number
  readonly writeBufferBytes: number
  readonly onInboundError:
    | ((error: NetError, remoteAddress: string | undefined) => void)
    | undefined
}

/**
 * Makes the TCP transport factory.
 * @param init - limits and deadlines (see `TcpInit`)
 * @returns a factory the node calls with its signer
 * @throws InvalidArgumentError when a limit is not a positive safe integer
 * @example
 * const node = await createNode({ signer, transports: [tcp({ maxInboundLinks: 64 })], listen: ['tcp://127.0.0.1:0'] })
 */
export function tcp(init: TcpInit = {}): TransportFactory {
  const settings: Settings = {
    maxInboundLinks: positive(init.maxInboundLinks, 'maxInboundLinks', DEFAULT_MAX_INBOUND_LINKS),
    maxPendingHandshakes: positive(
      init.maxPendingHandshakes,
      'maxPendingHandshakes',
      DEFAULT_MAX_PENDING_HANDSHAKES,
    ),
    handshakeTimeoutMs: positive(
      init.handshakeTimeoutMs,
      'handshakeTimeoutMs',
      DEFAULT_HANDSHAKE_TIMEOUT_MS,
    ),
    dialTimeoutMs: positive(init.dialTimeoutMs, 'dialTimeoutMs', DEFAULT_DIAL_TIMEOUT_MS),
    maxFrameBytes: positive(init.maxFrameBytes, 'maxFrameBytes', DEFAULT_MAX_FRAME_BYTES),
    idleTimeoutMs:
      init.idleTimeoutMs === 0
        ? 0
        : positive(init.idleTimeoutMs, 'idleTimeoutMs', DEFAULT_IDLE_TIMEOUT_MS),
    writeBufferBytes: positive(
      init.writeBufferBytes,
      'writeBufferBytes',
      DEFAULT_WRITE_BUFFER_BYTES,
    ),
    onInboundError: init.onInboundError,
  }
  if (settings.onInboundError !== undefined && typeof settings.onInboundError !== 'function') {
    throw new InvalidArgumentError('onInboundError', 'must be a function')
  }
  return (components) => createTcpTransport(components.signer, settings)
}

function positive(value: number | undefined, argument: string, fallback: number): number {
  if (value === undefined) return fallback
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new InvalidArgumentError(argument, 'must be a positive safe integer')
  }
  return value
}

interface ListenerEntry {
  readonly server: Server
  readonly pending: Set<ByteStream>
  closed: boolean
}

function createTcpTransport(signer: Signer, settings: Settings): Transport {
  const links = new Set<Link>()
  const inbound = new Set<Link>()
  const pending = new Set<ByteStream>()
  const listeners = new Set<ListenerEntry>()
  let closed = false

  const track = (link: Link, direction: Set<Link> | undefined): void => {
    links.add(link)
    direction?.add(link)
    link.on('close', () => {
      links.delete(link)
      direction?.delete(link)
    })
  }

  // One static key and identity proof per transport, made on first use: a handshake then
  // costs no signature of its own (each link still gets fresh ephemeral keys).
  let identity: Promise<NoiseIdentity> | undefined
  const upgrade = async (
    stream: ByteStream,
    initiator: boolean,
    expectedPeer?: DialOptions['expectedPeer'],
  ): Promise<Link> => {
    identity ??= createNoiseIdentity(signer)
    return secureStream(stream, {
      signer,
      identity: await identity,
      initiator,
      ...(expectedPeer === undefined ? {} : { expectedPeer }),
      handshakeTimeoutMs: settings.handshakeTimeoutMs,
      maxFrameBytes: settings.maxFrameBytes,
    })
  }

  const accept = (socket: Socket, entry: ListenerEntry, onLink: LinkHandler): void => {
    const full =
      entry.pending.size >= settings.maxPendingHandshakes ||
      inbound.size + entry.pending.size >= settings.maxInboundLinks
    if (closed || entry.closed || full) {
      // Dropped before a byte is read: a flood of connections costs an accept and a close.
      socket.destroy()
      return
    }
    const stream = byteStreamFromSocket(socket, { idleTimeoutMs: settings.idleTimeoutMs })
    entry.pending.add(stream)
    pending.add(stream)
    upgrade(stream, false).then(
      (link: Link) => {
        entry.pending.delete(stream)
        pending.delete(stream)
        if (closed || entry.closed) {
          link.close()
          return
        }
        track(link, inbound)
        try {
          onLink(link)
        } catch (error) {
          link.close(new HandshakeError('the link handler threw', { cause: error }))
        }
      },
      (error: unknown) => {
        entry.pending.delete(stream)
        pending.delete(stream)
        stream.destroy()
        settings.onInboundError?.(asNetError(error), stream.remoteAddress)
      },
    )
  }

  return {
    name: 'tcp',

    canDial(address: string): boolean {
      // Any well-formed address of the scheme, port 0 included: a node picks the transport
      // of its listen addresses this way too (dialing port 0 is refused by \`dial\`).
      try {
        parseTcpAddress(address)
        return true
      } catch {
        return false
      }
    },

    async dial(address: string, options?: DialOptions): Promise<Link> {
      if (closed) throw new LinkClosedError('transport closed')
      const { host, port } = parseTcpAddress(address)
      if (port === 0) throw new InvalidAddressError(address, 'port 0 cannot be dialed')
      const signal = options?.signal
      if (signal?.aborted) throw new DialAbortedError()
      const socket = await connectSocket(host, port, address, settings, signal)
      const stream = byteStreamFromSocket(socket, { idleTimeoutMs: settings.idleTimeoutMs })
      pending.add(stream)
      const onAbort = (): void => stream.destroy(new DialAbortedError())
      signal?.addEventListener('abort', onAbort, { once: true })
      try {
        const link = await upgrade(stream, true, options?.expectedPeer)
        if (signal?.aborted) {
          link.close()
          throw new DialAbortedError()
        }
        if (closed) {
          link.close()
          throw new LinkClosedError('transport closed')
        }
        track(link, undefined)
        return link
      } catch (error) {
        stream.destroy()
        if (signal?.aborted) throw new DialAbortedError()
        throw asNetError(error)
      } finally {
        signal?.removeEventListener('abort', onAbort)
        pending.delete(stream)
      }
    },

    async listen(address: string, onLink: LinkHandler): Promise<Listener> {
      if (closed) throw new LinkClosedError('transport closed')
      const { host, port } = parseTcpAddress(address)
      if (typeof onLink !== 'function')
        throw new InvalidArgumentError('onLink', 'must be a function')
      const server = createServer({ highWaterMark: settings.writeBufferBytes, noDelay: true })
      const entry: ListenerEntry = { server, pending: new Set(), closed: false }
      server.on('connection', (socket) => accept(socket, entry, onLink))
      await new Promise<void>((resolve, reject) => {
        const onError = (error: NodeJS.ErrnoException): void => {
          reject(new ListenError(address, error.code ?? 'cannot listen', { cause: error }))
        }
        server.once('error', onError)
        server.listen({ host, port }, () => {
          server.off('error', onError)
          resolve()
        })
      })
      // A listening server reports accept failures (EMFILE) here; they cost that connection only.
      server.on('error', () => {})
      const bound = server.address() as AddressInfo
      const addresses = [formatTcpAddress(bound.address, bound.port)]
      listeners.add(entry)
      return {
        addresses,
        close: () => closeListener(entry, listeners),
      }
    },

    async close(): Promise<void> {
      if (closed) return
      closed = true
      await Promise.all([...listeners].map((entry) => closeListener(entry, listeners)))
      for (const stream of pending) stream.destroy(new LinkClosedError('transport closed'))
      pending.clear()
      for (const link of links) link.close()
      links.clear()
      inbound.clear()
    },
  }
}

async function closeListener(entry: ListenerEntry, listeners: Set<ListenerEntry>): Promise<void> {
  if (entry.closed) return
  entry.closed = true
  listeners.delete(entry)
  for (const stream of entry.pending) stream.destroy(new LinkClosedError('listener closed'))
  entry.pending.clear()
  // `server.close` stops accepting at once; its callback waits for every accepted socket,
  // and links made here stay open, so it is not awaited.
  entry.server.close()
}

function connectSocket(
  host: string,
  port: number,
  address: string,
  settings: Settings,
  signal: AbortSignal | undefined,
): Promise<Socket> {
  return new Promise((resolve, reject) => {
    // `highWaterMark` reaches the socket's stream (the Node types omit it from the options).
    const connectOptions: NetConnectOpts & { highWaterMark: number } = {
      host,
      port,
      highWaterMark: settings.writeBufferBytes,
      noDelay: true,
    }
    const socket = netConnect(connectOptions)
    const cleanup = (): void => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
      socket.off('error', onError)
      socket.off('connect', onConnect)
    }
    const fail = (error: NetError): void => {
      cleanup()
      socket.destroy()
      reject(error)
    }
    const onError = (error: NodeJS.ErrnoException): void => {
      fail(new DialError(address, error.code ?? 'dial failed', { cause: error }))
    }
    const onAbort = (): void => fail(new DialAbortedError())
    const onConnect = (): void => {
      cleanup()
      resolve(socket)
    }
    const timer = setTimeout(() => fail(new DialTimeoutError()), settings.dialTimeoutMs)
    signal?.addEventListener('abort', onAbort, { once: true })
    socket.once('error', onError)
    socket.once('connect', onConnect)
  })
}

function asNetError(error: unknown): NetError {
  if (isNetError(error)) return error
  return new HandshakeError('handshake failed', { cause: error })
}
