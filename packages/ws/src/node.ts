/**
 * The WebSocket transport for Node: dials with the `ws` client and listens with a `ws`
 * server on its own HTTP server, at `ws://host:port/path`. Every connection runs the Noise
 * XX handshake before it becomes a `Link`. Limits hold at the socket: connections beyond
 * the inbound and pending bounds are dropped at the HTTP upgrade before a WebSocket exists,
 * request headers have a deadline, the server's `maxPayload` bounds each message, and the
 * handshake has a deadline.
 *
 * @example
 * const transport = ws()({ signer })
 * const listener = await transport.listen('ws://127.0.0.1:0/peerkit', (link) => link.on('frame', print))
 * const link = await otherTransport.dial(listener.addresses[0]!)
 */
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import type { Signer } from '@peerkit/identity'
import {
  DialAbortedError,
  DialError,
  type DialOptions,
  DialTimeoutError,
  InvalidAddressError,
  InvalidArgumentError,
  type Link,
  LinkClosedError,
  type LinkHandler,
  ListenError,
  type Listener,
  type NetError,
  type Transport,
  type TransportFactory,
} from '@peerkit/net'
import WebSocket, { WebSocketServer } from 'ws'
import { formatWebSocketAddress, parseWebSocketAddress } from './address'
import { byteStreamFromWebSocket } from './node-socket'
import { type IdentityCache, secureInbound, secureOutbound } from './secure'
import { resolveSettings, type WsInit, type WsSettings } from './settings'

/** How a Node dialer checks the TLS certificate of a `wss://` listener. */
export interface WsTlsOptions {
  /** Certificates to trust in place of the system's (PEM), e.g. a private CA or a self-signed one. */
  readonly ca?: string | Uint8Array | readonly (string | Uint8Array)[]
  /** `false` accepts any certificate (default `true`); Noise still proves the peer. */
  readonly rejectUnauthorized?: boolean
  /** The name the certificate must carry, when it differs from the address's host. */
  readonly servername?: string
}

/** Options of the Node transport: `WsInit` and how `wss://` dials check certificates. */
export interface NodeWsInit extends WsInit {
  /** TLS options of `wss://` dials (default: the system's trusted certificates). */
  readonly tls?: WsTlsOptions
}

/**
 * Makes the WebSocket transport factory (Node: `ws` client and server).
 * @param init - limits, deadlines and the TLS options of `wss://` dials (see `NodeWsInit`)
 * @returns a factory the node calls with its signer
 * @throws InvalidArgumentError when a limit is not a positive safe integer
 * @example
 * const node = await createNode({ signer, transports: [ws()], listen: ['ws://127.0.0.1:0/'] })
 */
export function ws(init: NodeWsInit = {}): TransportFactory {
  const settings = resolveSettings(init)
  const tls = resolveTls(init.tls)
  return (components) => createNodeTransport(components.signer, settings, tls)
}

function isPem(value: unknown): value is string | Uint8Array {
  return typeof value === 'string' || value instanceof Uint8Array
}

function resolveTls(tls: WsTlsOptions | undefined): WsTlsOptions {
  if (tls === undefined) return {}
  if (typeof tls !== 'object' || tls === null) {
    throw new InvalidArgumentError('tls', 'must be an object')
  }
  const { ca, rejectUnauthorized, servername } = tls
  if (ca !== undefined && !isPem(ca) && !(Array.isArray(ca) && ca.every(isPem))) {
    throw new InvalidArgumentError('tls.ca', 'must be PEM text or bytes, or a list of them')
  }
  if (rejectUnauthorized !== undefined && typeof rejectUnauthorized !== 'boolean') {
    throw new InvalidArgumentError('tls.rejectUnauthorized', 'must be a boolean')
  }
  if (servername !== undefined && typeof servername !== 'string') {
    throw new InvalidArgumentError('tls.servername', 'must be a string')
  }
  return {
    ...(ca === undefined ? {} : { ca: typeof ca === 'object' && !isPem(ca) ? [...ca] : ca }),
    ...(rejectUnauthorized === undefined ? {} : { rejectUnauthorized }),
    ...(servername === undefined ? {} : { servername }),
  }
}

interface ListenerEntry {
  readonly server: Server
  readonly pending: Set<Duplex>
  closed: boolean
}

function createNodeTransport(signer: Signer, settings: WsSettings, tls: WsTlsOptions): Transport {
  const links = new Set<Link>()
  const inbound = new Set<Link>()
  const pending = new Set<{ terminate(): void }>()
  const listeners = new Set<ListenerEntry>()
  const identity: IdentityCache = {}
  let closed = false

  const track = (link: Link, direction: Set<Link> | undefined): void => {
    links.add(link)
    direction?.add(link)
    link.on('close', () => {
      links.delete(link)
      direction?.delete(link)
    })
  }

  const upgrade = (
    entry: ListenerEntry,
    path: string,
    wss: WebSocketServer,
    onLink: LinkHandler,
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
  ): void => {
    const full =
      entry.pending.size >= settings.maxPendingHandshakes ||
      inbound.size + entry.pending.size >= settings.maxInboundLinks
    if (closed || entry.closed || full) {
      socket.destroy()
      return
    }
    if (requestPath(request.url) !== path) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
      return
    }
    entry.pending.add(socket)
    socket.once('close', () => entry.pending.delete(socket))
    const remote = request.socket.remoteAddress
    const remoteAddress =
      remote === undefined
        ? undefined
        : formatWebSocketAddress({
            secure: false,
            host: remote,
            port: request.socket.remotePort ?? 0,
            path: '/',
          })
    wss.handleUpgrade(request, socket, head, (websocket) => {
      const stream = byteStreamFromWebSocket(websocket, settings, remoteAddress)
      secureInbound(stream, signer, settings, identity).then(
        (link) => {
          entry.pending.delete(socket)
          if (closed || entry.closed) {
            link.close()
            return
          }
          track(link, inbound)
          try {
            onLink(link)
          } catch {
            link.close()
          }
        },
        (error: NetError) => {
          entry.pending.delete(socket)
          settings.onInboundError?.(error, remoteAddress)
        },
      )
    })
  }

  return {
    name: 'ws',

    canDial(address: string): boolean {
      // Any well-formed address of the scheme, port 0 included: a node picks the transport
      // of its listen addresses this way too (dialing port 0 is refused by \`dial\`).
      try {
        parseWebSocketAddress(address)
        return true
      } catch {
        return false
      }
    },

    async dial(address: string, options?: DialOptions): Promise<Link> {
      if (closed) throw new LinkClosedError('transport closed')
      const parsed = parseWebSocketAddress(address)
      if (parsed.port === 0) throw new InvalidAddressError(address, 'port 0 cannot be dialed')
      const signal = options?.signal
      if (signal?.aborted) throw new DialAbortedError()
      const url = formatWebSocketAddress(parsed)
      const socket = new WebSocket(url, {
        maxPayload: settings.maxMessageBytes,
        perMessageDeflate: false,
        ...(parsed.secure ? (tls as WebSocket.ClientOptions) : {}),
      })
      const handle = { terminate: () => socket.terminate() }
      pending.add(handle)
      try {
        await opened(socket, address, settings, signal)
        const stream = byteStreamFromWebSocket(socket, settings, url)
        const link = await secureOutbound(stream, signer, settings, identity, options)
        if (closed) {
          link.close()
          throw new LinkClosedError('transport closed')
        }
        track(link, undefined)
        return link
      } finally {
        pending.delete(handle)
      }
    },

    async listen(address: string, onLink: LinkHandler): Promise<Listener> {
      if (closed) throw new LinkClosedError('transport closed')
      const parsed = parseWebSocketAddress(address)
      if (parsed.secure) throw new ListenError(address, 'wss:// is served by a TLS front end')
      if (typeof onLink !== 'function')
        throw new InvalidArgumentError('onLink', 'must be a function')
      // Node looks at header deadlines on this interval (30 s by default).
      const checkingMs = Math.min(1_000, Math.max(50, Math.floor(settings.handshakeTimeoutMs / 2)))
      const server = createServer(
        { connectionsCheckingInterval: checkingMs },
        (_request, response) => {
          response.writeHead(426, { Connection: 'close', Upgrade: 'websocket' })
          response.end()
        },
      )
      // Bounds a client that opens a connection and dribbles its request headers.
      server.headersTimeout = settings.handshakeTimeoutMs
      server.requestTimeout = settings.handshakeTimeoutMs
      server.maxConnections = settings.maxInboundLinks + settings.maxPendingHandshakes
      const wss = new WebSocketServer({
        noServer: true,
        maxPayload: settings.maxMessageBytes,
        perMessageDeflate: false,
        clientTracking: false,
      })
      const entry: ListenerEntry = { server, pending: new Set(), closed: false }
      server.on('upgrade', (request, socket, head) =>
        upgrade(entry, parsed.path, wss, onLink, request, socket, head),
      )
      await new Promise<void>((resolve, reject) => {
        const onError = (error: NodeJS.ErrnoException): void => {
          reject(new ListenError(address, error.code ?? 'cannot listen', { cause: error }))
        }
        server.once('error', onError)
        server.listen({ host: parsed.host, port: parsed.port }, () => {
          server.off('error', onError)
          resolve()
        })
      })
      server.on('error', () => {})
      server.on('clientError', (_error, socket) => socket.destroy())
      const bound = server.address() as AddressInfo
      const addresses = [
        formatWebSocketAddress({
          secure: false,
          host: bound.address,
          port: bound.port,
          path: parsed.path,
        }),
      ]
      listeners.add(entry)
      return { addresses, close: () => closeListener(entry, listeners) }
    },

    async close(): Promise<void> {
      if (closed) return
      closed = true
      await Promise.all([...listeners].map((entry) => closeListener(entry, listeners)))
      for (const handle of pending) handle.terminate()
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
  for (const socket of entry.pending) socket.destroy()
  entry.pending.clear()
  // Stops accepting at once; links made here stay open, so the close callback is not awaited.
  entry.server.close()
}

function requestPath(url: string | undefined): string {
  if (url === undefined) return ''
  const query = url.indexOf('?')
  return query < 0 ? url : url.slice(0, query)
}

function opened(
  socket: WebSocket,
  address: string,
  settings: WsSettings,
  signal: AbortSignal | undefined,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
      socket.off('error', onError)
      socket.off('open', onOpen)
    }
    const fail = (error: NetError): void => {
      cleanup()
      // An error listener stays so that a late socket error is not unhandled.
      socket.on('error', () => {})
      socket.terminate()
      reject(error)
    }
    const onError = (error: NodeJS.ErrnoException): void => {
      const reason = error.code ?? error.message
      fail(new DialError(address, reason, { cause: error }))
    }
    const onAbort = (): void => fail(new DialAbortedError())
    const onOpen = (): void => {
      cleanup()
      resolve()
    }
    const timer = setTimeout(() => fail(new DialTimeoutError()), settings.dialTimeoutMs)
    signal?.addEventListener('abort', onAbort, { once: true })
    socket.once('error', onError)
    socket.once('open', onOpen)
  })
}
