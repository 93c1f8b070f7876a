/**
 * Length-prefixed framing for byte streams: each frame is an unsigned LEB128 varint of its
 * length, then the bytes. The decoder takes chunks cut anywhere, checks a frame's length
 * against its limit before it allocates anything for it, requires the shortest varint, and
 * copies each byte at most once (a frame lying whole inside one chunk is returned as a view).
 *
 * @example
 * const decoder = createFrameDecoder({ maxFrameBytes: 1024 })
 * const wire = encodeFrame(new Uint8Array([1, 2, 3]))
 * decoder.push(wire.subarray(0, 2)) // []
 * decoder.push(wire.subarray(2)) // [Uint8Array [1, 2, 3]]
 */
import { DEFAULT_MAX_FRAME_BYTES, MAX_VARINT_BYTES } from './constants'
import { FrameTooLargeError, InvalidArgumentError, MalformedFrameError } from './errors'

/** Options of `createFrameDecoder`. */
export interface FrameDecoderOptions {
  /** The largest frame accepted (default 1 MiB); a longer length prefix is refused at once. */
  readonly maxFrameBytes?: number
}

/** Turns chunks of a byte stream back into the frames written with `encodeFrame`. */
export interface FrameDecoder {
  /**
   * Feeds one chunk.
   * @returns the frames completed by this chunk, in order (views of `chunk` where possible)
   * @throws FrameTooLargeError when a length prefix exceeds the limit
   * @throws MalformedFrameError when a length prefix is not a minimal varint (or the decoder failed before)
   */
  push(chunk: Uint8Array): Uint8Array[]
  /**
   * Declares the end of the stream.
   * @throws MalformedFrameError when a frame is incomplete
   */
  end(): void
  /** Bytes of an incomplete frame held: the header bytes while it is being read, then the body received. */
  readonly bufferedBytes: number
  /** The limit this decoder enforces. */
  readonly maxFrameBytes: number
}

/**
 * The varint length prefix of a frame of `length` bytes.
 * @param length - a safe integer >= 0
 * @returns 1 to 5 bytes (for lengths below 2^35)
 * @throws InvalidArgumentError when `length` is negative, not an integer or 2^35 or more
 * @example
 * encodeFrameHeader(300) // Uint8Array [0xac, 0x02]
 */
export function encodeFrameHeader(length: number): Uint8Array {
  if (!Number.isSafeInteger(length) || length < 0 || length >= 2 ** (7 * MAX_VARINT_BYTES)) {
    throw new InvalidArgumentError('length', 'must be an integer in [0, 2^35)')
  }
  const bytes: number[] = []
  let rest = length
  while (rest >= 0x80) {
    bytes.push((rest % 0x80) | 0x80)
    rest = Math.floor(rest / 0x80)
  }
  bytes.push(rest)
  return Uint8Array.from(bytes)
}

/**
 * One frame with its length prefix, ready for a byte stream.
 * @param frame - the frame's bytes
 * @param maxFrameBytes - refuse frames longer than this (default 1 MiB)
 * @returns a new array: prefix ‖ frame
 * @throws InvalidArgumentError when `frame` is not a `Uint8Array`
 * @throws FrameTooLargeError when the frame exceeds `maxFrameBytes`
 * @example
 * socket.write(encodeFrame(frame))
 */
export function encodeFrame(
  frame: Uint8Array,
  maxFrameBytes = DEFAULT_MAX_FRAME_BYTES,
): Uint8Array {
  assertFrame(frame)
  if (frame.length > maxFrameBytes) throw new FrameTooLargeError(frame.length, maxFrameBytes)
  const header = encodeFrameHeader(frame.length)
  const out = new Uint8Array(header.length + frame.length)
  out.set(header, 0)
  out.set(frame, header.length)
  return out
}

/**
 * A decoder for one byte stream. Its state is its own; use one per stream.
 * @param options - `maxFrameBytes` (default 1 MiB)
 * @returns a `FrameDecoder`
 * @throws InvalidArgumentError when `maxFrameBytes` is not a safe integer >= 0
 * @example
 * socket.on('data', (chunk) => { for (const frame of decoder.push(chunk)) onFrame(frame) })
 */
export function createFrameDecoder(options?: FrameDecoderOptions): FrameDecoder {
  const maxFrameBytes = options?.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES
  if (!Number.isSafeInteger(maxFrameBytes) || maxFrameBytes < 0) {
    throw new InvalidArgumentError('maxFrameBytes', 'must be a safe integer >= 0')
  }
  // Header state: the varint read so far.
  let headerValue = 0
  let headerBytes = 0
  // Body state: the frame being filled, when its length is known and it spans chunks.
  let body: Uint8Array | undefined
  let bodyFilled = 0
  let failure: Error | undefined

  const fail = (error: Error): never => {
    failure = error
    body = undefined
    headerBytes = 0
    headerValue = 0
    throw error
  }

  return {
    maxFrameBytes,
    get bufferedBytes() {
      return headerBytes + bodyFilled
    },
    push(chunk) {
      if (failure !== undefined)
        throw new MalformedFrameError('the stream failed earlier', { cause: failure })
      assertFrame(chunk, 'chunk')
      const frames: Uint8Array[] = []
      let offset = 0
      const length = chunk.length
      while (offset < length) {
        if (body !== undefined) {
          const take = Math.min(body.length - bodyFilled, length - offset)
          body.set(chunk.subarray(offset, offset + take), bodyFilled)
          bodyFilled += take
          offset += take
          if (bodyFilled === body.length) {
            frames.push(body)
            body = undefined
            bodyFilled = 0
          }
          continue
        }
        // Read one varint byte.
        const byte = chunk[offset] as number
        offset++
        headerValue += (byte & 0x7f) * 2 ** (7 * headerBytes)
        headerBytes++
        if (byte & 0x80) {
          if (headerBytes >= MAX_VARINT_BYTES)
            fail(new MalformedFrameError('length prefix too long'))
          // Already over the limit with more bytes to come: refuse now.
          if (headerValue > maxFrameBytes) fail(new FrameTooLargeError(headerValue, maxFrameBytes))
          continue
        }
        if (byte === 0 && headerBytes > 1)
          fail(new MalformedFrameError('length prefix not minimal'))
        const frameLength = headerValue
        headerValue = 0
        headerBytes = 0
        if (frameLength > maxFrameBytes) fail(new FrameTooLargeError(frameLength, maxFrameBytes))
        if (length - offset >= frameLength) {
          frames.push(chunk.subarray(offset, offset + frameLength))
          offset += frameLength
        } else {
          body = new Uint8Array(frameLength)
          bodyFilled = 0
        }
      }
      return frames
    },
    end() {
      if (failure !== undefined) return
      if (body !== undefined || headerBytes > 0) {
        fail(new MalformedFrameError('stream ended inside a frame'))
      }
    },
  }
}

function assertFrame(value: unknown, name = 'frame'): asserts value is Uint8Array {
  if (!isBytes(value)) throw new InvalidArgumentError(name, 'must be a Uint8Array')
}

/** A `Uint8Array`, also one made in another realm (where `instanceof` fails). */
export function isBytes(value: unknown): value is Uint8Array {
  return (
    value instanceof Uint8Array ||
    (ArrayBuffer.isView(value) &&
      (value as { constructor?: { name?: unknown } }).constructor?.name === 'Uint8Array')
  )
}
