/**
 * The transport phase of a secure link as a sans-IO object: frames sealed into Noise
 * transport messages and opened back. Each message's plaintext starts with a record type:
 * a whole frame (`0`), the start of a frame split across messages with its total length as a
 * u32 (`1`), a continuation (`2`), or a close with an optional reason (`3`). A split frame's
 * total is checked against `maxFrameBytes` before its buffer is allocated.
 *
 * @example
 * const session = new SecureSession(handshake.split(), 1 << 20)
 * stream.write(session.sealFrame(frame))
 * const opened = session.open(message) // { kind: 'frame', frame } | { kind: 'partial' } | { kind: 'close' }
 */
import { decode, encode } from '@peerkit/codec'
import {
  FrameTooLargeError,
  isNetError,
  LinkClosedError,
  MalformedFrameError,
  NetError,
  type NetErrorName,
} from '@peerkit/net'
import type { CipherState } from './cipher-state'
import { LENGTH_PREFIX_BYTES, MAX_CLOSE_REASON_BYTES, MAX_PLAINTEXT_BYTES } from './constants'
import type { SealedPieces } from './crypto'
import type { TransportCiphers } from './handshake'

const RECORD_WHOLE = 0
const RECORD_START = 1
const RECORD_CONTINUE = 2
const RECORD_CLOSE = 3
const START_HEADER_BYTES = 5
const EMPTY = new Uint8Array(0)
// record headers, only ever read
const WHOLE_HEADER = Uint8Array.of(RECORD_WHOLE)
const CONTINUE_HEADER = Uint8Array.of(RECORD_CONTINUE)
const CLOSE_HEADER = Uint8Array.of(RECORD_CLOSE)
const MAX_CLOSE_RECORD_BYTES = 2 * MAX_CLOSE_REASON_BYTES + 64

/** What one opened message gave. */
export type Opened =
  | { readonly kind: 'frame'; readonly frame: Uint8Array }
  | { readonly kind: 'partial' }
  | { readonly kind: 'close'; readonly error?: NetError }

/** Seals and opens the frames of one secure link. */
export class SecureSession {
  readonly #send: CipherState
  readonly #receive: CipherState
  readonly #maxFrameBytes: number
  #assembly: Uint8Array | undefined
  #filled = 0

  /**
   * @param ciphers - the transport cipher states of a finished handshake
   * @param maxFrameBytes - the largest frame accepted from the remote side
   */
  constructor(ciphers: TransportCiphers, maxFrameBytes: number) {
    this.#send = ciphers.send
    this.#receive = ciphers.receive
    this.#maxFrameBytes = maxFrameBytes
  }

  /**
   * Seals one frame into as many length-prefixed Noise messages as it needs.
   * @param frame - the frame (the caller checked its size)
   * @returns the bytes to write to the stream
   * @throws NonceExhaustedError once the sending nonces are used up
   */
  sealFrame(frame: Uint8Array): Uint8Array {
    return join(this.sealFramePieces(frame))
  }

  /**
   * `sealFrame` without joining: the pieces to write to the stream in order (three per Noise
   * message), none copied into another. A stream that gathers its writes (TCP) sends them in
   * one syscall, so a large frame is not copied once more after it is sealed.
   * @param frame - the frame (the caller checked its size)
   * @returns the pieces, whose concatenation is `sealFrame(frame)`
   * @throws NonceExhaustedError once the sending nonces are used up
   */
  sealFramePieces(frame: Uint8Array): readonly Uint8Array[] {
    if (frame.length + 1 <= MAX_PLAINTEXT_BYTES) return this.#sealRecord(WHOLE_HEADER, frame)
    const firstLength = MAX_PLAINTEXT_BYTES - START_HEADER_BYTES
    const start = new Uint8Array(START_HEADER_BYTES)
    start[0] = RECORD_START
    new DataView(start.buffer).setUint32(1, frame.length)
    const pieces: Uint8Array[] = [...this.#sealRecord(start, frame.subarray(0, firstLength))]
    for (let offset = firstLength; offset < frame.length; offset += MAX_PLAINTEXT_BYTES - 1) {
      pieces.push(
        ...this.#sealRecord(
          CONTINUE_HEADER,
          frame.subarray(offset, offset + MAX_PLAINTEXT_BYTES - 1),
        ),
      )
    }
    return pieces
  }

  /**
   * Seals the close record, with the reason when the link closes with an error.
   * @param error - the error to report to the remote side
   * @returns the bytes to write before ending the stream
   */
  sealClose(error?: NetError): Uint8Array {
    const reason =
      error === undefined
        ? EMPTY
        : encode({ name: error.name, message: error.message.slice(0, MAX_CLOSE_REASON_BYTES) })
    return join(this.#sealRecord(CLOSE_HEADER, reason))
  }

  /**
   * Opens one Noise message received from the stream.
   * @param message - the message without its length prefix
   * @returns a whole frame, `partial` while a split frame is incomplete, or the remote close
   * @throws MalformedFrameError when it fails authentication or breaks the record rules
   * @throws FrameTooLargeError for a frame over `maxFrameBytes`
   */
  open(message: Uint8Array): Opened {
    let plaintext: Uint8Array
    try {
      plaintext = this.#receive.decryptWithAd(EMPTY, message)
    } catch (error) {
      throw new MalformedFrameError('transport message failed authentication', { cause: error })
    }
    if (plaintext.length === 0) throw new MalformedFrameError('empty record')
    const type = plaintext[0]
    if (type === RECORD_WHOLE) {
      if (this.#assembly !== undefined)
        throw new MalformedFrameError('whole frame inside a split frame')
      if (plaintext.length - 1 > this.#maxFrameBytes) {
        throw new FrameTooLargeError(plaintext.length - 1, this.#maxFrameBytes)
      }
      return { kind: 'frame', frame: plaintext.subarray(1) }
    }
    if (type === RECORD_START) {
      if (this.#assembly !== undefined)
        throw new MalformedFrameError('split frame inside a split frame')
      if (plaintext.length < START_HEADER_BYTES)
        throw new MalformedFrameError('truncated frame start')
      const total = new DataView(plaintext.buffer, plaintext.byteOffset).getUint32(1)
      const piece = plaintext.length - START_HEADER_BYTES
      if (total > this.#maxFrameBytes) throw new FrameTooLargeError(total, this.#maxFrameBytes)
      if (total <= piece) throw new MalformedFrameError('split frame shorter than its first part')
      this.#assembly = new Uint8Array(total)
      this.#assembly.set(plaintext.subarray(START_HEADER_BYTES))
      this.#filled = piece
      return { kind: 'partial' }
    }
    if (type === RECORD_CONTINUE) {
      const assembly = this.#assembly
      if (assembly === undefined)
        throw new MalformedFrameError('continuation without a frame start')
      const piece = plaintext.length - 1
      if (this.#filled + piece > assembly.length)
        throw new MalformedFrameError('split frame overruns its length')
      assembly.set(plaintext.subarray(1), this.#filled)
      this.#filled += piece
      if (this.#filled < assembly.length) return { kind: 'partial' }
      this.#assembly = undefined
      this.#filled = 0
      return { kind: 'frame', frame: assembly }
    }
    if (type === RECORD_CLOSE) {
      if (plaintext.length === 1) return { kind: 'close' }
      return { kind: 'close', error: decodeCloseReason(plaintext.subarray(1)) }
    }
    throw new MalformedFrameError(`unknown record type ${String(type)}`)
  }

  /** One length-prefixed transport message of `header ‖ body`, in its three pieces. */
  #sealRecord(header: Uint8Array, body: Uint8Array): SealedPieces {
    const pieces = this.#send.encryptParts(EMPTY, header, body, LENGTH_PREFIX_BYTES)
    const [first, sealedBody, tag] = pieces
    const length = first.length - LENGTH_PREFIX_BYTES + sealedBody.length + tag.length
    first[0] = length >>> 8
    first[1] = length & 0xff
    return pieces
  }
}

function join(pieces: readonly Uint8Array[]): Uint8Array {
  let total = 0
  for (const piece of pieces) total += piece.length
  const out = new Uint8Array(total)
  let offset = 0
  for (const piece of pieces) {
    out.set(piece, offset)
    offset += piece.length
  }
  return out
}

function decodeCloseReason(bytes: Uint8Array): NetError {
  if (bytes.length > MAX_CLOSE_RECORD_BYTES) return new MalformedFrameError('close reason too long')
  let value: unknown
  try {
    value = decode(bytes, {
      maxBytes: MAX_CLOSE_RECORD_BYTES,
      maxDepth: 1,
      maxItems: 2,
      maxTotalItems: 2,
    })
  } catch (error) {
    return new MalformedFrameError('close reason is not canonical CBOR', { cause: error })
  }
  const fields = value as { name?: unknown; message?: unknown } | null
  if (
    typeof fields !== 'object' ||
    fields === null ||
    typeof fields.name !== 'string' ||
    typeof fields.message !== 'string'
  ) {
    return new MalformedFrameError('close reason is not { name, message }')
  }
  const error = new NetError(fields.name as NetErrorName, `remote side: ${fields.message}`)
  return isNetError(error)
    ? error
    : new LinkClosedError(`the remote side closed (${fields.name.slice(0, 40)})`)
}
