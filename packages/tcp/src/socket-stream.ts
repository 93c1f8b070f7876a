/**
 * A `node:net` socket as a `ByteStream`: what the Noise channel upgrades into a link. Chunks
 * are handed on as plain `Uint8Array` views (no `Buffer` semantics leak out), `write`
 * reports the socket's backpressure, the writes of one tick leave together (one syscall per
 * batch), and the stream closes once, with the socket's error when it broke.
 *
 * @example
 * const stream = byteStreamFromSocket(net.connect(4001, '127.0.0.1'))
 * stream.on('data', (chunk) => console.log(chunk.length))
 * if (!stream.write(bytes)) stream.on('drain', resume)
 */
import type { Socket } from 'node:net'
import { type ByteStream, type ByteStreamEvents, IdleTimeoutError } from '@peerkit/net'
import { formatTcpAddress } from './address'
import { WRITE_BATCH_BYTES } from './constants'

/** Options of `byteStreamFromSocket`. */
export interface SocketStreamOptions {
  /** Close the socket with `IdleTimeoutError` after this long without traffic; 0 disables. */
  readonly idleTimeoutMs?: number
}

type Listeners = { [E in keyof ByteStreamEvents]: Set<(value: ByteStreamEvents[E]) => void> }

/**
 * Wraps a connected (or connecting) socket. The socket is read only once a `data` listener
 * is added, so nothing is lost before the consumer is ready.
 * @param socket - a `node:net` socket; the stream owns it from now on
 * @param options - the idle timeout
 * @returns the socket as a byte stream
 * @example
 * const stream = byteStreamFromSocket(socket, { idleTimeoutMs: 60_000 })
 */
export function byteStreamFromSocket(socket: Socket, options?: SocketStreamOptions): ByteStream {
  const listeners: Listeners = { data: new Set(), drain: new Set(), close: new Set() }
  let failure: Error | undefined
  let closed = false
  let reading = false
  let wantDrain = false
  // Writes of one tick are gathered in the corked socket and leave in one writev, flushed at
  // the end of the tick or once WRITE_BATCH_BYTES are waiting (a burst of sealed frames costs
  // a syscall per batch, not one per frame). Backpressure is read after a flush, so `write`
  // says false only when the kernel refused bytes, as without the batching.
  let corked = false
  const uncork = (): void => {
    corked = false
    socket.uncork()
  }
  const flush = (): void => {
    socket.uncork()
    socket.cork()
  }

  const remoteAddress =
    socket.remoteAddress !== undefined && socket.remotePort !== undefined
      ? formatTcpAddress(socket.remoteAddress, socket.remotePort)
      : undefined

  socket.setNoDelay(true)
  const idleTimeoutMs = options?.idleTimeoutMs ?? 0
  if (idleTimeoutMs > 0) {
    socket.setTimeout(idleTimeoutMs, () => socket.destroy(new IdleTimeoutError()))
  }
  socket.on('error', (error) => {
    failure ??= error
  })
  socket.on('drain', () => {
    if (!wantDrain || closed) return
    wantDrain = false
    for (const listener of listeners.drain) listener(undefined)
  })
  socket.on('close', () => {
    if (closed) return
    closed = true
    const event = failure === undefined ? {} : { error: failure }
    for (const listener of listeners.close) listener(event)
    listeners.data.clear()
    listeners.drain.clear()
    listeners.close.clear()
  })

  const onData = (chunk: Buffer): void => {
    const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)
    for (const listener of listeners.data) listener(bytes)
  }

  return {
    ...(remoteAddress === undefined ? {} : { remoteAddress }),
    write(bytes: Uint8Array): boolean {
      if (closed || socket.destroyed || socket.writableEnded) return false
      if (!corked) {
        corked = true
        socket.cork()
        process.nextTick(uncork)
      }
      if (!socket.write(bytes) || socket.writableLength >= WRITE_BATCH_BYTES) flush()
      if (socket.writableLength < socket.writableHighWaterMark) return true
      wantDrain = true
      return false
    },
    end(): void {
      if (!closed && !socket.writableEnded) socket.end()
    },
    destroy(error?: Error): void {
      if (closed) return
      if (error !== undefined) failure ??= error
      socket.destroy()
    },
    on(event, listener) {
      if (closed) {
        if (event === 'close') {
          const value = failure === undefined ? {} : { error: failure }
          queueMicrotask(() => (listener as (value: ByteStreamEvents['close']) => void)(value))
        }
        return () => {}
      }
      const set = listeners[event] as Set<typeof listener>
      set.add(listener)
      if (event === 'data' && !reading) {
        reading = true
        socket.on('data', onData)
      }
      return () => {
        set.delete(listener)
      }
    },
  }
}
