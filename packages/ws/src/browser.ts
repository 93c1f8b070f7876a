/**
 * @peerkit/ws for browsers: the same `ws(init)` as in Node, on the platform's `WebSocket`
 * (no `ws`, no Node API). Browsers dial only: `listen` fails with `ListenError`.
 *
 * @example
 * const node = await createNode({ signer, transports: [ws()], bootstrap: ['ws://127.0.0.1:4002/'] })
 */
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
  ListenError,
  type NetError,
  type Transport,
  type TransportFactory,
} from '@peerkit/net'
import { formatWebSocketAddress, parseWebSocketAddress } from './address'
import { type BrowserWebSocket, byteStreamFromBrowserWebSocket } from './browser-socket'
import { type IdentityCache, secureOutbound } from './secure'
import { resolveSettings, type WsInit, type WsSettings } from './settings'

export {
  formatWebSocketAddress,
  MAX_WEBSOCKET_ADDRESS_LENGTH,
  parseWebSocketAddress,
  type WebSocketAddress,
} from './address'
export { type BrowserWebSocket, byteStreamFromBrowserWebSocket } from './browser-socket'
export * from './constants'
export * from './errors'
export type { WsInit } from './settings'

/** A WHATWG `WebSocket` constructor. */
export type WebSocketConstructor = new (
  url: string,
) => BrowserWebSocket & {
  readonly readyState: number
}

/** Options of the browser transport: `WsInit` and the `WebSocket` class to use. */
export interface BrowserWsInit extends WsInit {
  /** Defaults to `globalThis.WebSocket`. */
  readonly WebSocket?: WebSocketConstructor
}

/**
 * Makes the WebSocket transport factory on the platform `WebSocket`.
 * @param init - limits and deadlines, and optionally the `WebSocket` class
 * @returns a factory the node calls with its signer
 * @throws InvalidArgumentError when a limit is out of range or no `WebSocket` exists
 * @example
 * const transport = ws()({ signer })
 * const link = await transport.dial('ws://127.0.0.1:4002/')
 */
export function ws(init: BrowserWsInit = {}): TransportFactory {
  const settings = resolveSettings(init)
  const Socket = init.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket
  if (typeof Socket !== 'function') {
    throw new InvalidArgumentError('WebSocket', 'no WebSocket on this platform')
  }
  return (components) => createBrowserTransport(components.signer, settings, Socket)
}

function createBrowserTransport(
  signer: Signer,
  settings: WsSettings,
  Socket: WebSocketConstructor,
): Transport {
  const links = new Set<Link>()
  const pending = new Set<{ close(): void }>()
  const identity: IdentityCache = {}
  let closed = false
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
      const socket = new Socket(url)
      socket.binaryType = 'arraybuffer'
      const handle = { close: () => socket.close(1000) }
      pending.add(handle)
      try {
        // Wrapped at once so that no message is missed; the stream holds what comes early.
        const stream = byteStreamFromBrowserWebSocket(socket, settings, url)
        await opened(socket, address, settings, signal)
        const link = await secureOutbound(stream, signer, settings, identity, options)
        if (closed) {
          link.close()
          throw new LinkClosedError('transport closed')
        }
        links.add(link)
        link.on('close', () => links.delete(link))
        return link
      } finally {
        pending.delete(handle)
      }
    },
    async listen(address: string): Promise<never> {
      throw new ListenError(address, 'a browser cannot listen')
    },
    async close(): Promise<void> {
      closed = true
      for (const handle of pending) handle.close()
      pending.clear()
      for (const link of links) link.close()
      links.clear()
    },
  }
}

function opened(
  socket: BrowserWebSocket & { readonly readyState: number },
  address: string,
  settings: WsSettings,
  signal: AbortSignal | undefined,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false
    const settle = (error?: NetError): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
      if (error === undefined) {
        resolve()
        return
      }
      socket.close(1000)
      reject(error)
    }
    const onAbort = (): void => settle(new DialAbortedError())
    const timer = setTimeout(() => settle(new DialTimeoutError()), settings.dialTimeoutMs)
    signal?.addEventListener('abort', onAbort, { once: true })
    socket.addEventListener('open', () => settle())
    // Browsers give no reason for a failed WebSocket: the address is all there is to report.
    socket.addEventListener('error', () => settle(new DialError(address, 'WebSocket failed')))
    socket.addEventListener('close', () => settle(new DialError(address, 'WebSocket closed')))
  })
}
