/**
 * Cuts a byte stream into Noise messages, each carried behind a 2-byte big-endian length
 * prefix. Chunks are kept as they come and a message is copied out only when it spans
 * chunks; the prefix bounds every message to 65,535 bytes, so nothing larger is allocated.
 *
 * @example
 * const reader = new MessageReader()
 * reader.push(chunk)
 * for (let m = reader.next(); m !== undefined; m = reader.next()) handle(m)
 */
import { LENGTH_PREFIX_BYTES } from './constants'

/** Reassembles length-prefixed messages from arbitrary chunks. */
export class MessageReader {
  #chunks: Uint8Array[] = []
  #head = 0
  // offset into the first chunk
  #offset = 0
  #buffered = 0

  /** Bytes received and not yet returned by `next`. */
  get bufferedBytes(): number {
    return this.#buffered
  }

  /** Appends a chunk (kept, not copied: the caller must not reuse it). */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return
    this.#chunks.push(chunk)
    this.#buffered += chunk.length
  }

  /** The next whole message (without its prefix), or undefined until more bytes arrive. */
  next(): Uint8Array | undefined {
    if (this.#buffered < LENGTH_PREFIX_BYTES) return undefined
    const length = (this.#peekByte(0) << 8) | this.#peekByte(1)
    if (this.#buffered < LENGTH_PREFIX_BYTES + length) return undefined
    this.#skip(LENGTH_PREFIX_BYTES)
    return this.#take(length)
  }

  #peekByte(index: number): number {
    let position = this.#offset + index
    for (let i = this.#head; i < this.#chunks.length; i++) {
      const chunk = this.#chunks[i] as Uint8Array
      if (position < chunk.length) return chunk[position] as number
      position -= chunk.length
    }
    return 0
  }

  #skip(count: number): void {
    let rest = count
    while (rest > 0) {
      const chunk = this.#chunks[this.#head] as Uint8Array
      const available = chunk.length - this.#offset
      if (rest < available) {
        this.#offset += rest
        break
      }
      rest -= available
      this.#dropHead()
    }
    this.#buffered -= count
  }

  #take(length: number): Uint8Array {
    this.#buffered -= length
    const first = this.#chunks[this.#head] as Uint8Array | undefined
    if (length === 0 || first === undefined) return new Uint8Array(0)
    if (first.length - this.#offset >= length) {
      const out = first.subarray(this.#offset, this.#offset + length)
      this.#offset += length
      if (this.#offset === first.length) this.#dropHead()
      return out
    }
    const out = new Uint8Array(length)
    let filled = 0
    while (filled < length) {
      const chunk = this.#chunks[this.#head] as Uint8Array
      const piece = Math.min(chunk.length - this.#offset, length - filled)
      out.set(chunk.subarray(this.#offset, this.#offset + piece), filled)
      filled += piece
      this.#offset += piece
      if (this.#offset === chunk.length) this.#dropHead()
    }
    return out
  }

  #dropHead(): void {
    this.#head++
    this.#offset = 0
    if (this.#head === this.#chunks.length) {
      this.#chunks = []
      this.#head = 0
    } else if (this.#head > 64) {
      this.#chunks = this.#chunks.slice(this.#head)
      this.#head = 0
    }
  }
}

/**
 * Puts the 2-byte big-endian length prefix in front of a message.
 * @param message - at most 65,535 bytes (the cipher state enforces it)
 * @returns prefix ‖ message
 * @example
 * stream.write(withLengthPrefix(handshake.writeMessage(payload)))
 */
export function withLengthPrefix(message: Uint8Array): Uint8Array {
  const out = new Uint8Array(LENGTH_PREFIX_BYTES + message.length)
  out[0] = message.length >>> 8
  out[1] = message.length & 0xff
  out.set(message, LENGTH_PREFIX_BYTES)
  return out
}
