/**
 * Links as it-pipe duplexes: `linkToDuplex(link)` gives an async-iterable `source` of the
 * frames received and a `sink` that sends the frames of an iterable, waiting for `drain`
 * whenever `send` returns `false`. Frames stay whole; the link's frame limit applies.
 *
 * @example
 * const duplex = linkToDuplex(link)
 * await pipe(duplex, (frames) => map(frames, (frame) => frame.reverse()), duplex) // an echo that reverses
 */
import { DEFAULT_MAX_BUFFERED_BYTES } from './constants'
import { InvalidArgumentError, LinkClosedError, QueueOverflowError } from './errors'
import { isBytes } from './framing'
import type { Link, LinkCloseEvent } from './types'

/** A duplex of frames in the shape it-pipe composes. */
export interface FrameDuplex {
  /** The frames received, in order; ends when the link closes (throws its error if it had one). */
  readonly source: AsyncIterable<Uint8Array>
  /** Sends each frame of `source`, respecting backpressure; resolves once all are accepted. */
  sink(
    source: AsyncIterable<Uint8Array | ByteList> | Iterable<Uint8Array | ByteList>,
  ): Promise<void>
}

/** A list of byte chunks that can be flattened (as `Uint8ArrayList` from it-pipe's world). */
export interface ByteList {
  subarray(): Uint8Array
}

/** Options of `linkToDuplex`. */
export interface LinkToDuplexOptions {
  /** Received bytes the source holds for a slow reader before closing the link with `QueueOverflowError` (default 16 MiB). */
  readonly maxBufferedBytes?: number
  /** Close the link once the sink's source ends (default `false`: links carry replies after). */
  readonly closeOnSinkEnd?: boolean
}

/**
 * Wraps a link as a duplex for it-pipe.
 * @param link - an open link (its frame listener is added at once, so held frames go to the source)
 * @param options - the reader's buffer bound and whether the sink's end closes the link
 * @returns a `FrameDuplex`
 * @throws InvalidArgumentError when `maxBufferedBytes` is not a positive integer
 * @example
 * await pipe([encode(hello)], linkToDuplex(link), async (source) => { for await (const frame of source) onReply(frame) })
 */
export function linkToDuplex(link: Link, options?: LinkToDuplexOptions): FrameDuplex {
  const maxBufferedBytes = options?.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES
  if (!Number.isSafeInteger(maxBufferedBytes) || maxBufferedBytes < 1) {
    throw new InvalidArgumentError('maxBufferedBytes', 'must be a safe integer >= 1')
  }
  const queue: Uint8Array[] = []
  let head = 0
  let queuedBytes = 0
  let closed: LinkCloseEvent | undefined = link.status === 'closed' ? { local: true } : undefined
  let wake: (() => void) | undefined
  let sinking = false

  const notify = (): void => {
    const resolve = wake
    wake = undefined
    resolve?.()
  }
  const offFrame = link.on('frame', (frame) => {
    if (closed !== undefined) return
    if (queuedBytes + frame.length > maxBufferedBytes) {
      link.close(new QueueOverflowError('the duplex source is not read'))
      return
    }
    queue.push(frame)
    queuedBytes += frame.length
    notify()
  })
  const offClose = link.on('close', (event) => {
    closed = event
    offFrame()
    offClose()
    notify()
  })

  async function* read(): AsyncGenerator<Uint8Array, void, undefined> {
    try {
      for (;;) {
        if (head < queue.length) {
          const frame = queue[head] as Uint8Array
          queue[head] = EMPTY
          head++
          queuedBytes -= frame.length
          if (head === queue.length) {
            queue.length = 0
            head = 0
          }
          yield frame
          continue
        }
        if (closed !== undefined) {
          if (closed.error !== undefined) throw closed.error
          return
        }
        await new Promise<void>((resolve) => {
          wake = resolve
        })
      }
    } finally {
      // The reader stopped (or the link closed): keep nothing more for it.
      offFrame()
      queue.length = 0
      head = 0
      queuedBytes = 0
    }
  }

  const source = read()

  return {
    source,
    async sink(frames) {
      if (sinking) throw new InvalidArgumentError('sink', 'may be called once')
      sinking = true
      for await (const item of frames) {
        const frame = isBytes(item) ? item : toBytes(item)
        if (link.status === 'closed') throw new LinkClosedError()
        if (!link.send(frame)) await drained(link)
      }
      if (options?.closeOnSinkEnd === true) link.close()
    },
  }
}

const EMPTY = new Uint8Array(0)

function toBytes(item: unknown): Uint8Array {
  const subarray = (item as { subarray?: unknown } | null)?.subarray
  if (typeof subarray === 'function') {
    const bytes: unknown = subarray.call(item)
    if (isBytes(bytes)) return bytes
  }
  throw new InvalidArgumentError('frame', 'must be a Uint8Array or a list of bytes')
}

/** Resolves at the next `drain`; rejects with `LinkClosedError` if the link closes first. */
function drained(link: Link): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (link.status === 'closed') {
      reject(new LinkClosedError())
      return
    }
    const offDrain = link.on('drain', () => {
      offDrain()
      offClose()
      resolve()
    })
    const offClose = link.on('close', ({ error }) => {
      offDrain()
      offClose()
      reject(error ?? new LinkClosedError())
    })
  })
}
