/**
 * A platform `WebSocket` (browsers, or any WHATWG-compatible implementation) as a
 * `ByteStream`. Browsers have no drain event, so after a write reports backpressure the
 * stream looks at `bufferedAmount` every `DRAIN_POLL_MS` until it falls below the limit.
 *
 * @example
 * const stream = byteStreamFromBrowserWebSocket(new WebSocket('ws://127.0.0.1:4002/'), settings)
 */
import { type ByteStream, MalformedFrameError } from '@peerkit/net'
import { DRAIN_POLL_MS } from './constants'
import { createMessageStream, type MessageStreamSettings } from './message-stream'

/** The part of the WHATWG `WebSocket` this stream uses. */
export interface BrowserWebSocket {
  binaryType: string
  readonly bufferedAmount: number
  send(data: Uint8Array): void
  close(code?: number, reason?: string): void
  addEventListener(type: string, listener: (event: never) => void): void
}

/**
 * Wraps a platform WebSocket (open or opening); the stream owns it from now on.
 * @param socket - the WebSocket
 * @param settings - message size, write buffer and held-bytes limits
 * @param remoteAddress - the address of the other side, when known
 * @returns the socket as a byte stream
 */
export function byteStreamFromBrowserWebSocket(
  socket: BrowserWebSocket,
  settings: MessageStreamSettings,
  remoteAddress?: string,
): ByteStream {
  let failure: Error | undefined
  let done = false
  const { stream, deliver, finish } = createMessageStream(
    {
      ...(remoteAddress === undefined ? {} : { remoteAddress }),
      send(message) {
        socket.send(message)
      },
      bufferedBytes: () => socket.bufferedAmount,
      awaitDrain(check) {
        const poll = (): void => {
          if (done || check()) return
          setTimeout(poll, DRAIN_POLL_MS)
        }
        setTimeout(poll, DRAIN_POLL_MS)
      },
      end() {
        socket.close(1000)
      },
      destroy() {
        done = true
        socket.close(1000)
      },
    },
    settings,
  )
  socket.binaryType = 'arraybuffer'
  socket.addEventListener('message', (event: { data: unknown }) => {
    const data = event.data
    if (Object.prototype.toString.call(data) !== '[object ArrayBuffer]') {
      stream.destroy(new MalformedFrameError('a text message on a binary stream'))
      return
    }
    const bytes = new Uint8Array(data as ArrayBuffer)
    // A browser cannot refuse a large message before it arrives; it is refused here unread.
    if (bytes.length > settings.maxMessageBytes) {
      stream.destroy(new MalformedFrameError('a WebSocket message over the size limit'))
      return
    }
    deliver(bytes)
  })
  socket.addEventListener('error', () => {
    failure ??= new Error('WebSocket error')
  })
  socket.addEventListener('close', (event: { code: number }) => {
    done = true
    const clean = event.code === 1000 || event.code === 1005
    finish(failure ?? (clean ? undefined : new Error(`WebSocket closed with code ${event.code}`)))
  })
  return stream
}
