/**
 * A WebSocket as a `ByteStream`, for any platform: binary messages carry chunks of the byte
 * stream (their boundaries mean nothing), the writes of one task are gathered into messages of
 * at most `maxMessageBytes` (a frame sealed in pieces, or a burst of small frames, is one
 * message), and backpressure comes from the bytes the socket still has to send.
 * The platform parts (how a message is sent, how buffered bytes are read, how a drain is
 * noticed) come in as a `MessageSocketPort`, so the Node (`ws`) and browser adapters share
 * one set of rules.
 *
 * @example
 * const { stream, deliver, finish } = createMessageStream(port, settings)
 * socket.onmessage = (event) => deliver(new Uint8Array(event.data))
 * socket.onclose = () => finish()
 */
import type { ByteStream, ByteStreamEvents } from '@peerkit/net'
import { QueueOverflowError } from '@peerkit/net'

/** What the shared stream needs from one platform's WebSocket. */
export interface MessageSocketPort {
  readonly remoteAddress?: string
  /** Sends one binary message. */
  send(message: Uint8Array): void
  /** Bytes sent but not yet handed to the network. */
  bufferedBytes(): number
  /** After a write returned `false`: call `check` whenever the buffer may have shrunk, until it returns `true`. */
  awaitDrain(check: () => boolean): void
  /** Closes the socket cleanly once what was sent is flushed. */
  end(): void
  /** Tears the socket down at once. */
  destroy(): void
}

/** Limits of a message stream. */
export interface MessageStreamSettings {
  readonly maxMessageBytes: number
  readonly writeBufferBytes: number
  readonly maxHeldBytes: number
}

/** The stream and the two inputs its platform adapter feeds. */
export interface MessageStream {
  readonly stream: ByteStream
  /** One binary message received. */
  deliver(bytes: Uint8Array): void
  /** The socket closed (with an error when it broke). Idempotent. */
  finish(error?: Error): void
}

type Listeners = { [E in keyof ByteStreamEvents]: Set<(value: ByteStreamEvents[E]) => void> }

/**
 * Builds the shared byte stream over a platform port.
 * @param port - the platform's socket operations
 * @param settings - message size, write buffer and held-bytes limits
 * @returns the stream and its `deliver`/`finish` inputs
 */
export function createMessageStream(
  port: MessageSocketPort,
  settings: MessageStreamSettings,
): MessageStream {
  const listeners: Listeners = { data: new Set(), drain: new Set(), close: new Set() }
  const held: Uint8Array[] = []
  let heldBytes = 0
  let failure: Error | undefined
  let closed = false
  let waiting = false
  let emitting = false
  // writes not yet sent: joined and sent at the end of the task, or once a message is full
  let gathered: Uint8Array[] = []
  let gatheredBytes = 0

  const send = (): void => {
    if (gathered.length === 0) return
    const pieces = gathered
    const total = gatheredBytes
    gathered = []
    gatheredBytes = 0
    if (closed) return
    let bytes = pieces[0] as Uint8Array
    if (pieces.length > 1) {
      bytes = new Uint8Array(total)
      let offset = 0
      for (const piece of pieces) {
        bytes.set(piece, offset)
        offset += piece.length
      }
    }
    for (let offset = 0; offset < bytes.length; offset += settings.maxMessageBytes) {
      port.send(bytes.subarray(offset, offset + settings.maxMessageBytes))
    }
  }

  const finish = (error?: Error): void => {
    if (closed) return
    closed = true
    if (error !== undefined) failure ??= error
    held.length = 0
    heldBytes = 0
    gathered = []
    gatheredBytes = 0
    const event = failure === undefined ? {} : { error: failure }
    for (const listener of listeners.close) listener(event)
    listeners.data.clear()
    listeners.drain.clear()
    listeners.close.clear()
  }

  const destroy = (error?: Error): void => {
    if (closed) return
    if (error !== undefined) failure ??= error
    port.destroy()
    finish()
  }

  const deliver = (bytes: Uint8Array): void => {
    if (closed || bytes.length === 0) return
    if (listeners.data.size === 0) {
      heldBytes += bytes.length
      if (heldBytes > settings.maxHeldBytes) {
        destroy(new QueueOverflowError('received more than is held before the first reader'))
        return
      }
      held.push(bytes)
      return
    }
    for (const listener of listeners.data) listener(bytes)
  }

  const drained = (): boolean => {
    if (closed) return true
    if (port.bufferedBytes() >= settings.writeBufferBytes) return false
    waiting = false
    emitting = true
    try {
      for (const listener of listeners.drain) listener(undefined)
    } finally {
      emitting = false
    }
    // A drain listener that wrote past the limit again keeps this check waiting.
    return !waiting
  }

  const stream: ByteStream = {
    ...(port.remoteAddress === undefined ? {} : { remoteAddress: port.remoteAddress }),
    write(bytes: Uint8Array): boolean {
      if (closed) return false
      if (bytes.length === 0)
        return port.bufferedBytes() + gatheredBytes < settings.writeBufferBytes
      if (gathered.length === 0) queueMicrotask(send)
      gathered.push(bytes)
      gatheredBytes += bytes.length
      if (gatheredBytes >= settings.maxMessageBytes) send()
      if (port.bufferedBytes() + gatheredBytes < settings.writeBufferBytes) return true
      if (!waiting) {
        waiting = true
        if (!emitting) port.awaitDrain(drained)
      }
      return false
    },
    end(): void {
      if (closed) return
      send()
      port.end()
    },
    destroy,
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
      if (event === 'data' && held.length > 0) {
        const pending = held.splice(0)
        heldBytes = 0
        for (const bytes of pending) (listener as (value: Uint8Array) => void)(bytes)
      }
      return () => {
        set.delete(listener)
      }
    },
  }
  return { stream, deliver, finish }
}
