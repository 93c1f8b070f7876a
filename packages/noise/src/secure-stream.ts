/**
 * `secureStream`: runs the Noise XX handshake over a raw `ByteStream` (a TCP socket, a
 * WebSocket), proves both identities, and returns a `Link` of the connection contract:
 * whole frames in order, split across Noise messages when larger than one, with the
 * stream's backpressure carried to `send` and `drain`. Every Noise message on the stream
 * carries the standard 2-byte big-endian length prefix.
 *
 * @example
 * const link = await secureStream(socketStream, { signer, initiator: true, expectedPeer })
 * link.on('frame', (frame) => console.log(frame.length))
 * link.send(new TextEncoder().encode('hello'))
 */
import type { PeerId, Signer } from '@peerkit/identity'
import {
  type ByteStream,
  FrameTooLargeError,
  HandshakeError,
  HandshakeTimeoutError,
  InvalidArgumentError,
  isNetError,
  type Link,
  LinkClosedError,
  type LinkCloseEvent,
  type LinkDirection,
  type LinkEvents,
  type LinkStatus,
  NetError,
  PeerMismatchError,
  QueueOverflowError,
} from '@peerkit/net'
import {
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_INBOUND_HOLD_BYTES,
  DEFAULT_MAX_FRAME_BYTES,
  DEFAULT_WRITE_LIMIT_BYTES,
  IDENTITY_DOMAIN,
  LENGTH_PREFIX_BYTES,
  MAX_FRAME_BYTES_CEILING,
  MAX_MESSAGE_BYTES,
} from './constants'
import { type NoiseCrypto, noiseCrypto } from './crypto'
import { isNoiseError } from './errors'
import { createHandshake, type Handshake } from './handshake'
import { type VerifySignature, verifyIdentityProof } from './identity-proof'
import { MessageReader, withLengthPrefix } from './message-reader'
import { createNoiseIdentity, type NoiseIdentity } from './noise-identity'
import { SecureSession } from './session'

/** The timers `secureStream` uses (the shape of the `Clock` of @peerkit/net). */
export interface NoiseClock {
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

/** Options of `secureStream`. */
export interface SecureStreamOptions {
  /** This node's identity, proved to the remote side. */
  readonly signer: Signer
  /** `true` on the side that dialed. */
  readonly initiator: boolean
  /** Fail with `PeerMismatchError` unless the remote side proves it is this peer. */
  readonly expectedPeer?: PeerId
  /** The handshake must finish within this (default 10 s). */
  readonly handshakeTimeoutMs?: number
  /** The largest frame either side may send (default 1 MiB, at most 64 MiB). */
  readonly maxFrameBytes?: number
  /** Bytes `send` queues while the stream pushes back before returning `false` (default 1 MiB). */
  readonly writeLimitBytes?: number
  /** Bytes of frames held until a `frame` listener is added (default 4 MiB). */
  readonly inboundHoldBytes?: number
  /** Timers (default: the platform's, unreferenced). */
  readonly clock?: NoiseClock
  /** A static key and proof made once per node with `createNoiseIdentity` (default: made per link). */
  readonly identity?: NoiseIdentity
  /** The crypto backend (default: the fastest available). */
  readonly crypto?: NoiseCrypto
  /** Ephemeral key randomness (default `crypto.getRandomValues`). */
  readonly randomBytes?: (length: number) => Uint8Array
  /** The Ed25519 check of the remote proof (default `verifySignature` of @peerkit/identity). */
  readonly verifySignature?: VerifySignature
}

const EMPTY = new Uint8Array(0)
// at most the three handshake messages may be waiting while a proof is being checked
const MAX_HANDSHAKE_BUFFER = 3 * (LENGTH_PREFIX_BYTES + MAX_MESSAGE_BYTES)

function platformClock(): NoiseClock {
  return {
    setTimeout(fn, ms) {
      const handle = globalThis.setTimeout(fn, ms)
      const unref = (handle as { unref?: () => void }).unref
      if (typeof unref === 'function') unref.call(handle)
      return handle
    },
    clearTimeout(handle) {
      globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>)
    },
  }
}

function positiveInteger(
  value: unknown,
  name: string,
  fallback: number,
  ceiling = Number.MAX_SAFE_INTEGER,
): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1 || value > ceiling) {
    throw new InvalidArgumentError(name, `must be an integer from 1 to ${ceiling}`)
  }
  return value
}

function asHandshakeError(error: unknown): NetError {
  if (isNetError(error)) return error
  if (isNoiseError(error))
    return new HandshakeError(`handshake failed: ${error.message}`, { cause: error })
  return new HandshakeError('handshake failed', { cause: error })
}

/**
 * Secures a raw byte stream: the Noise XX handshake with identity proofs, then a `Link`.
 * @param stream - the unauthenticated stream; owned by the link from now on
 * @param options - signer, role, expected peer, deadline, limits; see `SecureStreamOptions`
 * @returns the authenticated link, once both sides proved who they are
 * @throws InvalidArgumentError for bad options (the stream is left untouched)
 * @throws HandshakeError for a bad message, a forged proof, or the stream closing mid-way
 * @throws HandshakeTimeoutError when the handshake misses its deadline
 * @throws PeerMismatchError when the remote side is not `expectedPeer`
 * @example
 * const link = await secureStream(stream, { signer, initiator: false, handshakeTimeoutMs: 5000 })
 */
export async function secureStream(
  stream: ByteStream,
  options: SecureStreamOptions,
): Promise<Link> {
  if (typeof stream !== 'object' || stream === null || typeof stream.write !== 'function') {
    throw new InvalidArgumentError('stream', 'must be a ByteStream')
  }
  if (typeof options !== 'object' || options === null)
    throw new InvalidArgumentError('options', 'must be an object')
  const { signer, initiator, expectedPeer, identity } = options
  if (typeof signer !== 'object' || signer === null || typeof signer.sign !== 'function') {
    throw new InvalidArgumentError('signer', 'must be a Signer')
  }
  if (typeof initiator !== 'boolean')
    throw new InvalidArgumentError('initiator', 'must be a boolean')
  if (identity !== undefined && !identity.peerId.equals(signer.peerId)) {
    throw new InvalidArgumentError('identity', 'was made for another signer')
  }
  const settings: LinkSettings = {
    handshakeTimeoutMs: positiveInteger(
      options.handshakeTimeoutMs,
      'handshakeTimeoutMs',
      DEFAULT_HANDSHAKE_TIMEOUT_MS,
    ),
    maxFrameBytes: positiveInteger(
      options.maxFrameBytes,
      'maxFrameBytes',
      DEFAULT_MAX_FRAME_BYTES,
      MAX_FRAME_BYTES_CEILING,
    ),
    writeLimitBytes: positiveInteger(
      options.writeLimitBytes,
      'writeLimitBytes',
      DEFAULT_WRITE_LIMIT_BYTES,
    ),
    inboundHoldBytes: positiveInteger(
      options.inboundHoldBytes,
      'inboundHoldBytes',
      DEFAULT_INBOUND_HOLD_BYTES,
    ),
    clock: options.clock ?? platformClock(),
  }
  const crypto = options.crypto ?? noiseCrypto()
  const channel = new SecureChannel(stream, initiator ? 'outbound' : 'inbound', settings)
  try {
    const local =
      identity ?? (await createNoiseIdentity(signer, withRandom({ crypto }, options.randomBytes)))
    channel.checkOpen()
    const handshake = createHandshake(
      withRandom(
        {
          initiator,
          staticSecretKey: local.staticSecretKey,
          prologue: new TextEncoder().encode(IDENTITY_DOMAIN),
          crypto,
        },
        options.randomBytes,
      ),
    )
    const verify = options.verifySignature
    const check = async (payload: Uint8Array, state: Handshake): Promise<PeerId> => {
      const remote = await verifyIdentityProof(payload, state.remoteStaticKey as Uint8Array, verify)
      if (expectedPeer !== undefined && !expectedPeer.equals(remote)) {
        throw new PeerMismatchError(expectedPeer.toString(), remote.toString())
      }
      return remote
    }
    let remotePeer: PeerId
    if (initiator) {
      channel.write(withLengthPrefix(handshake.writeMessage(EMPTY)))
      remotePeer = await check(handshake.readMessage(await channel.nextMessage()), handshake)
      channel.checkOpen()
      channel.write(withLengthPrefix(handshake.writeMessage(local.proof)))
    } else {
      const first = handshake.readMessage(await channel.nextMessage())
      if (first.length !== 0)
        throw new HandshakeError('the first handshake message carries a payload')
      channel.write(withLengthPrefix(handshake.writeMessage(local.proof)))
      remotePeer = await check(handshake.readMessage(await channel.nextMessage()), handshake)
    }
    return channel.open(remotePeer, new SecureSession(handshake.split(), settings.maxFrameBytes))
  } catch (error) {
    const failure = asHandshakeError(error)
    channel.abort(failure)
    throw channel.failure ?? failure
  }
}

function withRandom<T extends object>(
  base: T,
  randomBytes: ((length: number) => Uint8Array) | undefined,
): T & { randomBytes?: (length: number) => Uint8Array } {
  return randomBytes === undefined ? base : { ...base, randomBytes }
}

interface LinkSettings {
  readonly handshakeTimeoutMs: number
  readonly maxFrameBytes: number
  readonly writeLimitBytes: number
  readonly inboundHoldBytes: number
  readonly clock: NoiseClock
}

type Listener<E extends keyof LinkEvents> = (value: LinkEvents[E]) => void

/** One stream through the handshake and then as a link. */
class SecureChannel implements Link {
  readonly direction: LinkDirection
  readonly remoteAddress?: string
  readonly maxFrameBytes: number
  #remotePeer: PeerId | undefined
  readonly #stream: ByteStream
  readonly #settings: LinkSettings
  readonly #reader = new MessageReader()
  #session: SecureSession | undefined
  #status: LinkStatus = 'open'
  /** The first error of the handshake (a timeout, the stream closing), kept for the caller. */
  failure: NetError | undefined
  #waiter: { resolve: (message: Uint8Array) => void; reject: (error: NetError) => void } | undefined
  #handshakeTimer: unknown
  #lingerTimer: unknown
  readonly #unsubscribe: (() => void)[]
  // outbound: frames waiting while the stream pushes back
  #queue: Uint8Array[] = []
  #queueHead = 0
  #buffered = 0
  #blocked = false
  #needDrain = false
  // inbound: frames held until the first frame listener
  #held: Uint8Array[] = []
  #heldBytes = 0
  #flushScheduled = false
  readonly #listeners = {
    frame: new Set<Listener<'frame'>>(),
    drain: new Set<Listener<'drain'>>(),
    close: new Set<Listener<'close'>>(),
  }

  constructor(stream: ByteStream, direction: LinkDirection, settings: LinkSettings) {
    this.#stream = stream
    this.direction = direction
    this.#settings = settings
    this.maxFrameBytes = settings.maxFrameBytes
    if (stream.remoteAddress !== undefined) this.remoteAddress = stream.remoteAddress
    this.#handshakeTimer = settings.clock.setTimeout(() => {
      this.abort(
        new HandshakeTimeoutError(
          `handshake did not finish within ${settings.handshakeTimeoutMs} ms`,
        ),
      )
    }, settings.handshakeTimeoutMs)
    this.#unsubscribe = [
      stream.on('data', (chunk) => this.#onData(chunk)),
      stream.on('drain', () => this.#onDrain()),
      stream.on('close', (event) => this.#onStreamClose(event.error)),
    ]
  }

  get remotePeer(): PeerId {
    if (this.#remotePeer === undefined) throw new LinkClosedError('the handshake has not finished')
    return this.#remotePeer
  }

  get status(): LinkStatus {
    return this.#status
  }

  get bufferedBytes(): number {
    return this.#buffered
  }

  // ---- handshake phase ----

  checkOpen(): void {
    if (this.failure !== undefined) throw this.failure
  }

  write(bytes: Uint8Array): void {
    this.checkOpen()
    if (!this.#stream.write(bytes)) this.#blocked = true
  }

  nextMessage(): Promise<Uint8Array> {
    this.checkOpen()
    const message = this.#reader.next()
    if (message !== undefined) return Promise.resolve(message)
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject }
    })
  }

  /** Ends a handshake that failed: the stream is torn down and the caller told why. */
  abort(error: NetError): void {
    if (this.failure !== undefined || this.#session !== undefined) return
    this.failure = error
    this.#status = 'closed'
    this.#settings.clock.clearTimeout(this.#handshakeTimer)
    for (const off of this.#unsubscribe) off()
    this.#stream.destroy(error)
    const waiter = this.#waiter
    this.#waiter = undefined
    waiter?.reject(error)
  }

  open(remotePeer: PeerId, session: SecureSession): Link {
    this.checkOpen()
    this.#settings.clock.clearTimeout(this.#handshakeTimer)
    this.#remotePeer = remotePeer
    this.#session = session
    this.#readMessages()
    return this
  }

  // ---- stream events ----

  #onData(chunk: Uint8Array): void {
    if (this.#status === 'closed') return
    this.#reader.push(chunk)
    if (this.#session !== undefined) {
      this.#readMessages()
      return
    }
    if (this.#reader.bufferedBytes > MAX_HANDSHAKE_BUFFER) {
      this.abort(new HandshakeError('too many bytes before the handshake finished'))
      return
    }
    const waiter = this.#waiter
    if (waiter === undefined) return
    const message = this.#reader.next()
    if (message === undefined) return
    this.#waiter = undefined
    waiter.resolve(message)
  }

  #onDrain(): void {
    this.#blocked = false
    if (this.#session === undefined || this.#status === 'closed') return
    const queue = this.#queue
    while (this.#queueHead < queue.length && !this.#blocked) {
      const frame = queue[this.#queueHead] as Uint8Array
      queue[this.#queueHead++] = EMPTY
      this.#buffered -= frame.length
      if (!this.#writeFrame(frame)) return
    }
    if (this.#queueHead === queue.length) {
      this.#queue = []
      this.#queueHead = 0
    }
    if (this.#needDrain && this.#buffered < this.#settings.writeLimitBytes) {
      this.#needDrain = false
      for (const listener of [...this.#listeners.drain]) listener(undefined)
    }
  }

  #onStreamClose(error: Error | undefined): void {
    this.#settings.clock.clearTimeout(this.#lingerTimer)
    if (this.#session === undefined) {
      this.abort(new HandshakeError('the stream closed during the handshake', { cause: error }))
      return
    }
    if (this.#status === 'closed') return
    const reason =
      error === undefined
        ? new LinkClosedError('the stream ended without a close record')
        : new NetError('LinkClosedError', `the stream broke: ${error.message}`, { cause: error })
    this.#finish(false, reason, false)
  }

  // ---- link phase ----

  #readMessages(): void {
    const session = this.#session as SecureSession
    while (this.#status === 'open') {
      const message = this.#reader.next()
      if (message === undefined) return
      let opened: ReturnType<SecureSession['open']>
      try {
        opened = session.open(message)
      } catch (error) {
        this.#finish(
          false,
          isNetError(error)
            ? error
            : new NetError('MalformedFrameError', 'bad record', { cause: error }),
          true,
        )
        return
      }
      if (opened.kind === 'frame') this.#deliver(opened.frame)
      else if (opened.kind === 'close') this.#finish(false, opened.error, false)
    }
  }

  #deliver(frame: Uint8Array): void {
    const listeners = this.#listeners.frame
    if (listeners.size === 0 || this.#held.length > 0) {
      this.#heldBytes += frame.length
      if (this.#heldBytes > this.#settings.inboundHoldBytes) {
        this.#finish(
          false,
          new QueueOverflowError('frames held without a listener passed the limit'),
          true,
        )
        return
      }
      this.#held.push(frame)
      return
    }
    for (const listener of listeners.size === 1 ? listeners : [...listeners]) listener(frame)
  }

  #flushHeld(): void {
    this.#flushScheduled = false
    while (this.#held.length > 0 && this.#listeners.frame.size > 0 && this.#status === 'open') {
      const frame = this.#held.shift() as Uint8Array
      this.#heldBytes -= frame.length
      for (const listener of [...this.#listeners.frame]) listener(frame)
    }
  }

  /** Seals and writes one frame; false when the link had to close. */
  #writeFrame(frame: Uint8Array): boolean {
    let pieces: readonly Uint8Array[]
    try {
      pieces = (this.#session as SecureSession).sealFramePieces(frame)
    } catch (error) {
      this.#finish(
        true,
        new NetError('LinkClosedError', 'the link cannot encrypt any more', { cause: error }),
        false,
      )
      return false
    }
    for (const piece of pieces) if (!this.#stream.write(piece)) this.#blocked = true
    return true
  }

  send(frame: Uint8Array): boolean {
    if (!(frame instanceof Uint8Array))
      throw new InvalidArgumentError('frame', 'must be a Uint8Array')
    if (this.#status === 'closed' || this.#session === undefined) throw new LinkClosedError()
    if (frame.length > this.maxFrameBytes)
      throw new FrameTooLargeError(frame.length, this.maxFrameBytes)
    if (!this.#blocked && this.#queueHead === this.#queue.length) {
      this.#writeFrame(frame)
      return this.#status === 'open'
    }
    this.#queue.push(frame)
    this.#buffered += frame.length
    if (this.#buffered >= this.#settings.writeLimitBytes) {
      this.#needDrain = true
      return false
    }
    return true
  }

  close(error?: NetError): void {
    if (this.#status === 'closed') return
    if (this.#session === undefined) {
      this.abort(error ?? new LinkClosedError('closed during the handshake'))
      return
    }
    this.#finish(true, error, true)
  }

  /**
   * Closes the link once: flushes what was queued when this side closes, tells the remote
   * side why when `notify`, ends the stream (destroyed if it lingers), emits `close`.
   */
  #finish(local: boolean, error: NetError | undefined, notify: boolean): void {
    if (this.#status === 'closed') return
    this.#status = 'closed'
    const session = this.#session as SecureSession
    try {
      if (local) {
        for (let i = this.#queueHead; i < this.#queue.length; i++) {
          this.#stream.write(session.sealFrame(this.#queue[i] as Uint8Array))
        }
      }
      if (notify) this.#stream.write(session.sealClose(error))
    } catch {
      // the nonces ran out: the remote side sees the stream end instead
    }
    this.#queue = []
    this.#queueHead = 0
    this.#buffered = 0
    this.#held = []
    this.#heldBytes = 0
    this.#stream.end()
    this.#lingerTimer = this.#settings.clock.setTimeout(
      () => this.#stream.destroy(),
      this.#settings.handshakeTimeoutMs,
    )
    const event: LinkCloseEvent = error === undefined ? { local } : { local, error }
    for (const listener of [...this.#listeners.close]) listener(event)
  }

  on<E extends keyof LinkEvents>(event: E, listener: (value: LinkEvents[E]) => void): () => void {
    const set = this.#listeners[event] as Set<(value: LinkEvents[E]) => void> | undefined
    if (set === undefined)
      throw new InvalidArgumentError('event', `unknown event "${String(event)}"`)
    if (typeof listener !== 'function')
      throw new InvalidArgumentError('listener', 'must be a function')
    set.add(listener)
    if (event === 'frame' && this.#held.length > 0 && !this.#flushScheduled) {
      this.#flushScheduled = true
      queueMicrotask(() => this.#flushHeld())
    }
    return () => {
      set.delete(listener)
    }
  }
}
