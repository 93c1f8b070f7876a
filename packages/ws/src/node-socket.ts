/**
 * A `ws` WebSocket (Node) as a `ByteStream`. Backpressure is exact: every message counts as
 * buffered until `ws` calls its send callback (the bytes reached the socket), and the drain
 * check runs on each callback. A text message, or a message over `maxPayload`, breaks the
 * stream with a typed error.
 *
 * @example
 * const stream = byteStreamFromWebSocket(new WebSocket('ws://127.0.0.1:4002/'), settings)
 */
import { type ByteStream, MalformedFrameError } from '@peerkit/net'
import type WebSocket from 'ws'
import { createMessageStream, type MessageStreamSettings } from './message-stream'

/**
 * Wraps a `ws` socket (open or opening); the stream owns it from now on.
 * @param socket - the `ws` WebSocket
 * @param settings - message size, write buffer and held-bytes limits
 * @param remoteAddress - the address of the other side, when known
 * @returns the socket as a byte stream
 */
export function byteStreamFromWebSocket(
  socket: WebSocket,
  settings: MessageStreamSettings,
  remoteAddress?: string,
): ByteStream {
  let buffered = 0
  let check: (() => boolean) | undefined
  let failure: Error | undefined
  const sent = (size: number) => (): void => {
    buffered -= size
    if (check?.() === true) check = undefined
  }
  const { stream, deliver, finish } = createMessageStream(
    {
      ...(remoteAddress === undefined ? {} : { remoteAddress }),
      send(message) {
        buffered += message.length
        socket.send(message, { binary: true }, sent(message.length))
      },
      bufferedBytes: () => buffered,
      awaitDrain(next) {
        check = next
      },
      end() {
        socket.close(1000)
      },
      destroy() {
        socket.terminate()
      },
    },
    settings,
  )
  socket.binaryType = 'nodebuffer'
  socket.on('message', (data, isBinary) => {
    if (!isBinary) {
      stream.destroy(new MalformedFrameError('a text message on a binary stream'))
      return
    }
    const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer)
    deliver(new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength))
  })
  socket.on('error', (error: Error & { code?: string }) => {
    failure ??=
      error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH'
        ? new MalformedFrameError('a WebSocket message over the size limit', { cause: error })
        : error
  })
  socket.on('close', (code) => {
    const clean = code === 1000 || code === 1005
    finish(failure ?? (clean ? undefined : new Error(`WebSocket closed with code ${code}`)))
  })
  return stream
}
