/**
 * A libp2p stream as a peerkit link. libp2p streams carry chunks, not frames, so frames are
 * length-prefixed (`@peerkit/net` framing, with the frame limit checked before allocation);
 * `send` returns what the stream's `send` returns and a `drain` follows, so the driver's
 * per-peer queues feel libp2p's backpressure. A framing fault resets this stream only: the
 * libp2p connection and its other protocols carry on.
 *
 * @example
 * const link = streamToLink(stream, connection.remotePeer, { maxFrameBytes: 1 << 20 })
 * link.on('frame', (frame) => console.log(frame.length))
 */
import type { Stream } from '@libp2p/interface'
import type { PeerId } from '@peerkit/identity'
import {
  createFrameDecoder,
  createLinkEmitter,
  encodeFrameHeader,
  FrameTooLargeError,
  InvalidArgumentError,
  isBytes,
  isNetError,
  type Link,
  LinkClosedError,
  type LinkCloseEvent,
  type LinkDirection,
  type LinkEvents,
  type LinkStatus,
  MalformedFrameError,
  type NetError,
  QueueOverflowError,
} from '@peerkit/net'
import { concat } from 'uint8arrays/concat'
import {
  DEFAULT_COALESCE_BYTES,
  DEFAULT_MAX_BUFFERED_BYTES,
  DEFAULT_MAX_FRAME_BYTES,
  DEFAULT_MAX_HELD_BYTES,
} from './constants'

/** Limits of one stream link. */
export interface StreamLinkOptions {
  readonly maxFrameBytes?: number
  /** Frames held for a link without a frame listener before the stream is paused. */
  readonly maxHeldBytes?: number
  /** Bytes queued for sending past which the stream is reset with `QueueOverflowError`. */
  readonly maxBufferedBytes?: number
  readonly remoteAddress?: string
  /** Bytes of gathered frames past which they are handed to the stream at once, not at the end of the turn. */
  readonly coalesceBytes?: number
}

/** Runs `task` after the I/O callbacks of this turn (`setImmediate`), or after this task where there is none. */
const schedule: (task: () => void) => void =
  typeof globalThis.setImmediate === 'function'
    ? (task) => {
        globalThis.setImmediate(task)
      }
    : (task) => queueMicrotask(task)

/** The part of a chunk list (`Uint8ArrayList`) used here: it iterates its chunks. */
type Chunk = Uint8Array | Iterable<Uint8Array>

/**
 * Wraps a libp2p stream as a link to `remotePeer`.
 * @param stream - an open libp2p stream of the peerkit protocol
 * @param remotePeer - the peerkit PeerId of the connection's remote peer (proved by libp2p's handshake)
 * @param options - frame and buffer limits
 * @returns a `Link`
 */
export function streamToLink(
  stream: Stream,
  remotePeer: PeerId,
  options?: StreamLinkOptions,
): Link {
  const maxFrameBytes = options?.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES
  const maxHeldBytes = options?.maxHeldBytes ?? DEFAULT_MAX_HELD_BYTES
  stream.maxWriteBufferLength = options?.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES
  const decoder = createFrameDecoder({ maxFrameBytes })
  let status = 'open' as LinkStatus
  let needDrain = false
  let held: Uint8Array[] = []
  let heldBytes = 0
  let closeEmitted = false
  // Frames sent in one turn of the event loop leave in one `stream.send`: one yamux frame,
  // one Noise message and one socket write for all of them, instead of one each.
  let outgoing: Uint8Array[] = []
  let outgoingBytes = 0
  let flushQueued = false
  let closeError: NetError | undefined
  const coalesceBytes = options?.coalesceBytes ?? DEFAULT_COALESCE_BYTES
  /** Hands the gathered frames to the stream; a stream that throws ends the link. */
  const flush = (): void => {
    if (outgoingBytes === 0 || status === 'closed') return
    const wire = concat(outgoing, outgoingBytes)
    outgoing = []
    outgoingBytes = 0
    let accepted: boolean
    try {
      accepted = stream.send(wire)
    } catch (error) {
      // The stream reset itself (its write buffer passed the bound, or it broke).
      const typed =
        (error as Error)?.name === 'StreamBufferError'
          ? new QueueOverflowError('the remote side does not read')
          : new LinkClosedError(`stream failed: ${(error as Error)?.name}`)
      closeError = typed
      finish({ local: true, error: typed })
      return
    }
    if (!accepted) needDrain = true
  }
  const flushQueuedFrames = (): void => {
    flushQueued = false
    flush()
  }
  /** Read through a call, since listeners called in between may close the link. */
  const isClosed = (): boolean => status === 'closed'

  const release = (): void => {
    const frames = held
    held = []
    heldBytes = 0
    for (const frame of frames) {
      if (status === 'closed') return
      events.emit('frame', frame)
    }
    if (status === 'open' && stream.readStatus === 'paused') stream.resume()
  }

  const events = createLinkEmitter(() => queueMicrotask(release))

  const finish = (event: LinkCloseEvent): void => {
    if (closeEmitted) return
    status = 'closed'
    closeEmitted = true
    needDrain = false
    stream.removeEventListener('message', onMessage)
    events.emit('close', event)
  }
  const fault = (error: NetError): void => {
    if (status === 'closed') return
    stream.abort(error)
    finish({ local: false, error })
  }

  const onMessage = (event: Event): void => {
    if (status === 'closed') return
    const data = (event as Event & { data: Chunk }).data
    const chunks: Iterable<Uint8Array> = isBytes(data) ? [data] : data
    for (const chunk of chunks) {
      let frames: Uint8Array[]
      try {
        frames = decoder.push(chunk)
      } catch (error) {
        fault(isNetError(error) ? error : new MalformedFrameError('bad framing', { cause: error }))
        return
      }
      for (const frame of frames) {
        if (isClosed()) return
        if (events.count('frame') > 0 && held.length === 0) {
          events.emit('frame', frame)
          continue
        }
        held.push(frame)
        heldBytes += frame.length
        if (heldBytes > maxHeldBytes && stream.readStatus === 'readable') stream.pause()
      }
    }
  }

  stream.addEventListener('message', onMessage)
  stream.addEventListener('drain', () => {
    if (!needDrain || status === 'closed') return
    needDrain = false
    events.emit('drain', undefined)
  })
  // The remote closed its writing end: what it sent has been read, so the link is over.
  stream.addEventListener('remoteCloseWrite', () => {
    if (status === 'closed') return
    // Frames still held for a listener that never came are discarded with the link.
    finish({ local: false })
    stream.close().catch(() => stream.abort(new LinkClosedError()))
  })
  stream.addEventListener('close', (event) => {
    const error = (event as Event & { error?: Error }).error
    if (status === 'closed') return
    if (error === undefined) {
      finish({ local: false })
      return
    }
    const typed = isNetError(error)
      ? error
      : error.name === 'StreamBufferError'
        ? new QueueOverflowError(error.message)
        : new LinkClosedError(`stream closed: ${error.name}`)
    finish({ local: false, error: typed })
  })

  const link: Link = {
    remotePeer,
    direction: stream.direction as LinkDirection,
    ...(options?.remoteAddress === undefined ? {} : { remoteAddress: options.remoteAddress }),
    get status() {
      return status
    },
    get bufferedBytes() {
      return stream.writeBufferLength + outgoingBytes
    },
    maxFrameBytes,
    send(frame: Uint8Array): boolean {
      if (status === 'closed') throw new LinkClosedError()
      if (stream.writeStatus !== 'writable') {
        // The stream ended under the link before its close event: the link ends with it.
        const error = new LinkClosedError(`stream ${stream.status}`)
        finish({ local: false, error })
        throw error
      }
      if (!isBytes(frame)) throw new InvalidArgumentError('frame', 'must be a Uint8Array')
      if (frame.length > maxFrameBytes) throw new FrameTooLargeError(frame.length, maxFrameBytes)
      const header = encodeFrameHeader(frame.length)
      outgoing.push(header, frame)
      outgoingBytes += header.length + frame.length
      if (outgoingBytes >= coalesceBytes) {
        flush()
        if (isClosed()) throw closeError ?? new LinkClosedError()
      } else if (!flushQueued) {
        flushQueued = true
        schedule(flushQueuedFrames)
      }
      return !needDrain
    },
    close(error?: NetError): void {
      if (status === 'closed') return
      flush()
      if (isClosed()) return
      status = 'closed'
      finish({ local: true, ...(error === undefined ? {} : { error }) })
      // Flush what was sent, then end the stream; a stuck flush ends in a reset.
      stream.close().catch(() => stream.abort(error ?? new LinkClosedError()))
    },
    on<E extends keyof LinkEvents>(event: E, listener: (value: LinkEvents[E]) => void): () => void {
      return events.on(event, listener)
    },
  }
  return link
}
