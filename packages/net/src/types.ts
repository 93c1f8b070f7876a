/**
 * The connection contract of peerkit: message-oriented, authenticated links with
 * backpressure (the shape of libp2p 3 streams), the transports that make them, and the
 * raw byte streams a secure channel upgrades into links. Every transport (memory, TCP,
 * WebSocket, libp2p) implements it; the node driver consumes only it.
 *
 * @example
 * const link = await transport.dial('memory://bob', { expectedPeer: bob })
 * link.on('frame', (frame) => console.log(frame.length))
 * if (!link.send(frame)) link.on('drain', resume)
 */
import type { PeerId, Signer } from '@peerkit/identity'
import type { NetError } from './errors'

/** Who opened a link: this side (`outbound`) or the remote side (`inbound`). */
export type LinkDirection = 'inbound' | 'outbound'

/** `open` until `close()` is called or the other side goes away; then `closed`, for good. */
export type LinkStatus = 'open' | 'closed'

/** Why a link closed: by whom, and the typed error when it was not a clean close. */
export interface LinkCloseEvent {
  /** `true` when this side called `close()`. */
  readonly local: boolean
  /** Absent for a clean close from either side. */
  readonly error?: NetError
}

/** The events of a link and what their listeners receive. */
export interface LinkEvents {
  /** One whole frame, exactly as the remote side passed it to `send`, in order. */
  frame: Uint8Array
  /** The write buffer fell below its limit after a `send` returned `false`. */
  drain: undefined
  /** The link is closed (emitted once). */
  close: LinkCloseEvent
}

/**
 * An authenticated, ordered, message-oriented link to one remote peer.
 *
 * Rules every implementation keeps (the compliance suite checks each):
 * - frames arrive whole and in order; a frame is never split or merged;
 * - frames received before the first `frame` listener is added are held (within the
 *   link's inbound limit) and delivered to it in order;
 * - `send` never throws for backpressure: it queues the frame and returns `false` once
 *   `bufferedBytes` passes the write limit; a `drain` event follows when it falls below;
 * - `send` on a closed link throws `LinkClosedError`; a frame over `maxFrameBytes` throws
 *   `FrameTooLargeError` and leaves the link open;
 * - an inbound frame over the limit, or any protocol fault below the link, closes it
 *   with a typed error in the `close` event;
 * - `close()` is idempotent; frames sent before it are flushed first (best effort);
 *   `close` is emitted exactly once, on both sides.
 */
export interface Link {
  /** The authenticated remote peer (proved by the transport's handshake). */
  readonly remotePeer: PeerId
  readonly direction: LinkDirection
  /** The remote address in the transport's text form, when known. */
  readonly remoteAddress?: string
  readonly status: LinkStatus
  /** Bytes accepted by `send` but not yet handed to the wire. */
  readonly bufferedBytes: number
  /** The largest frame `send` accepts and the remote side may send. */
  readonly maxFrameBytes: number
  /** Queues one frame; `false` means: stop writing until `drain`. */
  send(frame: Uint8Array): boolean
  /** Closes the link; `error` is reported to both sides' `close` listeners when given. */
  close(error?: NetError): void
  /** Adds a listener; returns the function that removes it. */
  on<E extends keyof LinkEvents>(event: E, listener: (value: LinkEvents[E]) => void): () => void
}

/** Options of one dial. */
export interface DialOptions {
  /** Fail with `PeerMismatchError` unless the remote side proves it is this peer. */
  readonly expectedPeer?: PeerId
  /** Aborting it abandons the dial with `DialAbortedError`. */
  readonly signal?: AbortSignal
}

/** A listening endpoint of a transport. */
export interface Listener {
  /** The addresses others dial to reach it (a port of 0 resolved to the real one). */
  readonly addresses: readonly string[]
  /** Stops accepting; links already made stay open. */
  close(): Promise<void>
}

/** Called with each authenticated inbound link. */
export type LinkHandler = (link: Link) => void

/** A way to make links: memory, TCP, WebSocket, libp2p. */
export interface Transport {
  /** Short lowercase name, also the scheme of its addresses (`memory`, `tcp`, `ws`). */
  readonly name: string
  /** Whether `address` is one this transport dials (checked by scheme and form). */
  canDial(address: string): boolean
  /** Opens an authenticated link; rejects with a typed `NetError`. */
  dial(address: string, options?: DialOptions): Promise<Link>
  /** Accepts authenticated links at `address`. */
  listen(address: string, onLink: LinkHandler): Promise<Listener>
  /** Closes every listener and link of this transport. */
  close(): Promise<void>
}

/** What a node gives the transports it is built with. */
export interface TransportComponents {
  /** The node's identity: transports prove it to the remote side. */
  readonly signer: Signer
}

/** How a transport is configured before the node exists: `transports: [memory(network)]`. */
export type TransportFactory = (components: TransportComponents) => Transport

/** The events of a raw byte stream. */
export interface ByteStreamEvents {
  /** A chunk of bytes (no frame boundaries: a chunk may hold part of a frame or several). */
  data: Uint8Array
  drain: undefined
  /** The stream ended; `error` when it broke. */
  close: { readonly error?: Error }
}

/**
 * A raw, unauthenticated, ordered byte stream (a TCP socket, a WebSocket): what a secure
 * channel upgrades into a `Link`. Same backpressure rule as a link: `write` returns
 * `false` past the buffer limit and `drain` follows.
 */
export interface ByteStream {
  readonly remoteAddress?: string
  write(bytes: Uint8Array): boolean
  /** Ends the stream after what was written is flushed. */
  end(): void
  /** Tears the stream down at once. */
  destroy(error?: Error): void
  on<E extends keyof ByteStreamEvents>(
    event: E,
    listener: (value: ByteStreamEvents[E]) => void,
  ): () => void
}
