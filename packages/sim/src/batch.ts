/**
 * Events in flight between the parts of a split run (see `simulator.ts`), packed into one
 * buffer per window and destination: a header (the bytes used), then fixed-size event
 * records, each frame followed by its bytes. The writer hands its buffer over whole (no
 * copy) and starts a new one; the reader hands out each frame as a view into the batch (no
 * copy either: routers copy what they keep of a frame, so a batch lives only as long as
 * its frames are in flight).
 *
 * @example
 * const out = createBatchWriter()
 * out.event(120, order, FRAME, 7, 3, connection, 1, bytes)
 * const buffer = out.finish()
 * readBatch(buffer, (time, order, kind, node, peer, tag, count, ref) => queue.push(…))
 */
import { InvalidOptionError } from './errors'

const HEADER_BYTES = 8
/** time f64, order f64, tag f64, node i32, peer i32, count i32, kind u32, frame length u32 */
const RECORD_BYTES = 48

/** One event of a batch, as written and as read back. */
export type BatchEvent = (
  time: number,
  order: number,
  kind: number,
  node: number,
  peer: number,
  tag: number,
  count: number,
  bytes: Uint8Array | undefined,
) => void

/** Collects the events for one destination part during a window. */
export interface BatchWriter {
  event: BatchEvent
  /**
   * Seals the batch and starts a new one.
   * @returns the buffer to hand over (the writer keeps no reference; transfer it)
   */
  finish(): ArrayBuffer
}

/**
 * Creates a writer for one destination.
 * @returns the writer
 */
export function createBatchWriter(): BatchWriter {
  let capacity = 4096
  let buffer = new ArrayBuffer(capacity)
  let view = new DataView(buffer)
  let bytes = new Uint8Array(buffer)
  let length = HEADER_BYTES
  const reserve = (extra: number): void => {
    if (length + extra <= capacity) return
    while (capacity < length + extra) capacity *= 2
    const next = new ArrayBuffer(capacity)
    new Uint8Array(next).set(bytes.subarray(0, length))
    buffer = next
    view = new DataView(buffer)
    bytes = new Uint8Array(buffer)
  }
  return {
    event(time, order, kind, node, peer, tag, n, frame) {
      const frameLength = frame === undefined ? 0 : frame.length
      reserve(RECORD_BYTES + frameLength)
      view.setFloat64(length, time, true)
      view.setFloat64(length + 8, order, true)
      view.setFloat64(length + 16, tag, true)
      view.setInt32(length + 24, node, true)
      view.setInt32(length + 28, peer, true)
      view.setInt32(length + 32, n, true)
      view.setUint32(length + 36, kind, true)
      view.setUint32(length + 40, frame === undefined ? 0xffffffff : frameLength, true)
      length += RECORD_BYTES
      if (frame !== undefined) {
        bytes.set(frame, length)
        length += frameLength
      }
    },
    finish() {
      view.setUint32(0, length, true)
      const sealed = buffer
      // the next window's buffer: as large as this one needed, so it rarely grows
      capacity = Math.max(4096, 2 ** Math.ceil(Math.log2(length)))
      buffer = new ArrayBuffer(capacity)
      view = new DataView(buffer)
      bytes = new Uint8Array(buffer)
      length = HEADER_BYTES
      return sealed
    },
  }
}

/**
 * Reads a batch, calling `onEvent` for each event in the order written.
 * @param buffer - a buffer made by `BatchWriter.finish`
 * @param onEvent - receives each event; frames come as views into `buffer`
 * @throws InvalidOptionError when the buffer is not a well-formed batch
 */
export function readBatch(buffer: ArrayBuffer, onEvent: BatchEvent): void {
  if (buffer.byteLength < HEADER_BYTES) throw new InvalidOptionError('batch', 'batch too short')
  const view = new DataView(buffer)
  const all = new Uint8Array(buffer)
  const used = view.getUint32(0, true)
  if (used < HEADER_BYTES || used > buffer.byteLength) {
    throw new InvalidOptionError('batch', 'bad batch length')
  }
  let at = HEADER_BYTES
  while (at < used) {
    if (at + RECORD_BYTES > used) {
      throw new InvalidOptionError('batch', 'truncated event record')
    }
    const frameLength = view.getUint32(at + 40, true)
    const start = at + RECORD_BYTES
    const hasFrame = frameLength !== 0xffffffff
    const end = hasFrame ? start + frameLength : start
    if (end > used) throw new InvalidOptionError('batch', 'truncated frame')
    onEvent(
      view.getFloat64(at, true),
      view.getFloat64(at + 8, true),
      view.getUint32(at + 36, true),
      view.getInt32(at + 24, true),
      view.getInt32(at + 28, true),
      view.getFloat64(at + 16, true),
      view.getInt32(at + 32, true),
      hasFrame ? all.subarray(start, end) : undefined,
    )
    at = end
  }
}
