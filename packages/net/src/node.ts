/**
 * The node driver: one call builds a node from a signer, transports and addresses, and runs
 * peerkit's sans-IO gossip router on real links. It owns everything the cores leave out:
 * listening and dialing (jittered backoff, one link per peer), an address book fed by signed
 * peer records, several protocols on each link by protocol id, per-peer outbound queues with
 * priorities and bounds, inbound limits (frame size, rate, links, handshakes), keepalive and
 * idle timeouts, and a `stop()` that flushes what was promised.
 *
 * @example
 * const network = createMemoryNetwork()
 * const node = await createNode({ signer, transports: [memory(network)], listen: ['memory://a'] })
 * node.gossip.subscribe('news', (message) => console.log(message.data))
 * await node.gossip.publish('news', { text: 'hello' })
 * await node.stop()
 */
import type { VerifyCache } from '@peerkit/envelope'
import type { GossipInit, ScoreHook } from '@peerkit/gossip'
import type { PeerId, Signer } from '@peerkit/identity'
import { type AddressBook, type AddressBookEntry, createAddressBook } from './address-book'
import { type Clock, systemClock } from './clock'
import * as C from './constants'
import {
  DialError,
  DialTimeoutError,
  FrameTooLargeError,
  HandshakeError,
  HandshakeTimeoutError,
  IdleTimeoutError,
  InvalidArgumentError,
  InvalidPeerRecordError,
  isNetError,
  LinkClosedError,
  LinkLimitError,
  MalformedFrameError,
  type NetError,
  NodeStoppedError,
  QueueOverflowError,
  RateLimitError,
  UnknownProtocolError,
  UnsupportedAddressError,
  type ValidatorError,
} from './errors'
import { createGossipService, type GossipService, type NodeGossip } from './gossip-service'
import { openPeerRecord, type PeerRecord, sealPeerRecord } from './peer-record'
import {
  CONTROL_CODE,
  type ControlMessage,
  decodeControl,
  encodeControl,
  isProtocolId,
  withHeader,
} from './protocols'
import {
  createMemoryBudget,
  createOutboundQueue,
  type MemoryBudget,
  type OutboundQueue,
  type Priority,
} from './queue'
import { createTokenBucket, type TokenBucket } from './rate-limit'
import type { Link, Listener, Transport, TransportFactory } from './types'

/** Limits and timings of a node; every field is optional (defaults in `constants.ts`). */
export interface NodeLimits {
  /** Open links at most (inbound ones past it are refused with `LinkLimitError`). */
  readonly maxLinks?: number
  /** Links waiting for their hello, at most. */
  readonly maxPendingHandshakes?: number
  /** Dials in flight, at most. */
  readonly maxPendingDials?: number
  /** Bytes queued for one peer before its lowest-priority frames are dropped. */
  readonly maxQueueBytesPerPeer?: number
  /** Bytes queued for all peers together. */
  readonly maxQueuedBytes?: number
  /** How long an overflowing peer has to drain before it is disconnected. */
  readonly drainTimeoutMs?: number
  /** Inbound bytes per second per peer. */
  readonly maxBytesPerPeerPerSecond?: number
  /** Inbound frames per second per peer. */
  readonly maxFramesPerPeerPerSecond?: number
  /** Seconds of rate a peer may use at once. */
  readonly rateBurstSeconds?: number
  /** How long a new link has to send its hello. */
  readonly helloTimeoutMs?: number
  /** How long one dial may take. */
  readonly dialTimeoutMs?: number
  /** A link that sent nothing this long sends a keepalive. */
  readonly keepaliveMs?: number
  /** A link that received nothing this long is closed. */
  readonly idleTimeoutMs?: number
  /** First retry delay of a failed dial (doubled per failure, jittered). */
  readonly dialBackoffMs?: number
  /** The longest retry delay. */
  readonly maxDialBackoffMs?: number
  /** Attempts per bootstrap address. */
  readonly bootstrapAttempts?: number
  /** Default timeout of an asynchronous gossip validator. */
  readonly validatorTimeoutMs?: number
  /** How long `stop()` waits for queues to drain. */
  readonly stopTimeoutMs?: number
  /** Peers the address book remembers. */
  readonly maxAddressBookEntries?: number
}

/** What `createNode` takes. */
export interface NodeInit {
  /** The node's identity: it signs publishes and peer records, transports prove it. */
  readonly signer: Signer
  readonly transports: readonly TransportFactory[]
  /** Addresses to listen on (none: the node only dials). */
  readonly listen?: readonly string[]
  /** Addresses to dial at start, retried with backoff. */
  readonly bootstrap?: readonly string[]
  /** Addresses put in this node's peer record (default: its listening addresses). */
  readonly announce?: readonly string[]
  /** Tuning of the gossip router. */
  readonly gossip?: GossipInit
  /** Time and timers (default: the system clock). */
  readonly clock?: Clock
  /** Uniform randomness in [0, 1) for the router and dial jitter (default `Math.random`). */
  readonly random?: () => number
  /** Where the router reports peer events and reads scores. */
  readonly scoreHook?: ScoreHook
  /** A signature cache shared by the routers of one process. */
  readonly verifyCache?: VerifyCache
  readonly limits?: NodeLimits
}

/** What a direct protocol's handler receives. */
export interface ProtocolHandler {
  /** One frame from `peer`, as it was passed to `send` (a view: copy it to keep it). */
  onFrame(peer: PeerId, frame: Uint8Array): void
  /** A link to `peer`, which runs this protocol too, is open. */
  onPeerConnected?(peer: PeerId): void
  /** That link closed. */
  onPeerDisconnected?(peer: PeerId): void
}

/** Options of a direct protocol. */
export interface ProtocolOptions {
  /** The largest frame sent or accepted (default: the link's limit). */
  readonly maxFrameBytes?: number
  /** Its place in the outbound queues (default `publish`, just below control). */
  readonly priority?: Priority
}

/** A direct protocol registered on a node. */
export interface Protocol {
  readonly id: string
  /**
   * Queues `frame` for `peer`.
   * @returns false when `peer` is not connected, does not run this protocol, or its queue is full
   * @throws {FrameTooLargeError} for a frame over the protocol's limit
   */
  send(peer: PeerId, frame: Uint8Array): boolean
  /** Connected peers that run this protocol. */
  peers(): PeerId[]
  /** Stops handling frames; the id stays taken on this node. */
  close(): void
}

/** A report of a peer that broke a rule. */
export interface MisbehaviourReport {
  readonly peer: PeerId
  /** The typed error's name for driver faults, the router's reason for gossip ones. */
  readonly reason: string
  /** The driver's typed error (absent for reports of the gossip router). */
  readonly error?: NetError
}

/** The events of a node. */
export interface NodeEvents {
  'peer-connected': PeerId
  'peer-disconnected': { readonly peer: PeerId; readonly error?: NetError }
  misbehaved: MisbehaviourReport
  'validator-failed': ValidatorError
}

/** A running node. */
export interface Node {
  readonly peerId: PeerId
  /** The addresses it listens on. */
  addresses(): string[]
  readonly gossip: NodeGossip
  /**
   * Registers a direct protocol, multiplexed on the same links as gossip.
   * @throws {InvalidArgumentError} for a bad or taken id, or past 254 protocols
   */
  protocol(id: string, handler: ProtocolHandler, options?: ProtocolOptions): Protocol
  /**
   * Opens a link to an address, or to a peer at the addresses the book has for it; resolves
   * once the hellos are exchanged.
   * @throws {UnsupportedAddressError} | {DialError} | {DialTimeoutError} | {LinkLimitError} | {NodeStoppedError}
   */
  dial(target: string | PeerId, options?: { signal?: AbortSignal }): Promise<PeerId>
  /** Peers with an open link. */
  peers(): PeerId[]
  /** What the node knows of other peers. */
  addressBook(): AddressBookEntry[]
  on<E extends keyof NodeEvents>(event: E, listener: (value: NodeEvents[E]) => void): () => void
  /** Publishes started are sealed and queued, queues drain (up to a timeout), every link closes. */
  stop(): Promise<void>
}

interface Registered {
  readonly id: string
  readonly code: number
  readonly handler: ProtocolHandler | undefined
  readonly maxFrameBytes: number
  readonly priority: Priority
  closed: boolean
}

interface Connection {
  readonly key: string
  readonly peer: PeerId
  link: Link
  state: 'hello' | 'open' | 'closed'
  readonly openedAt: number
  lastSent: number
  lastReceived: number
  /** When a direct protocol last carried a frame either way. */
  lastDirect: number
  writable: boolean
  readonly queue: OutboundQueue
  /** When frames were first dropped for this peer since its queue was last empty. */
  overflowAt: number | undefined
  /** The remote's table: protocol id → its code. */
  remoteCodes: Map<string, number>
  /** Direct protocols told of this peer. */
  readonly told: Set<string>
  attached: boolean
  /** Send a keepalive after this long without sending: ours, or less when the peer's idle timeout asks. */
  keepaliveMs: number
  readonly bytesIn: TokenBucket
  readonly framesIn: TokenBucket
  offs: (() => void)[]
  readonly waiters: { resolve: (peer: PeerId) => void; reject: (error: unknown) => void }[]
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let index = 0; index < a.length; index++) if (a[index] !== b[index]) return false
  return true
}

function positive(value: number | undefined, fallback: number, name: string): number {
  const v = value ?? fallback
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
    throw new InvalidArgumentError(`limits.${name}`, 'expected a positive number')
  }
  return v
}

function resolveLimits(limits: NodeLimits = {}) {
  return {
    maxLinks: positive(limits.maxLinks, C.DEFAULT_MAX_LINKS, 'maxLinks'),
    maxPendingHandshakes: positive(
      limits.maxPendingHandshakes,
      C.DEFAULT_MAX_PENDING_HANDSHAKES,
      'maxPendingHandshakes',
    ),
    maxPendingDials: positive(
      limits.maxPendingDials,
      C.DEFAULT_MAX_PENDING_DIALS,
      'maxPendingDials',
    ),
    maxQueueBytesPerPeer: positive(
      limits.maxQueueBytesPerPeer,
      C.DEFAULT_MAX_QUEUE_BYTES_PER_PEER,
      'maxQueueBytesPerPeer',
    ),
    maxQueuedBytes: positive(limits.maxQueuedBytes, C.DEFAULT_MAX_QUEUED_BYTES, 'maxQueuedBytes'),
    drainTimeoutMs: positive(limits.drainTimeoutMs, C.DEFAULT_DRAIN_TIMEOUT_MS, 'drainTimeoutMs'),
    maxBytesPerPeerPerSecond: positive(
      limits.maxBytesPerPeerPerSecond,
      C.DEFAULT_MAX_BYTES_PER_PEER_PER_SECOND,
      'maxBytesPerPeerPerSecond',
    ),
    maxFramesPerPeerPerSecond: positive(
      limits.maxFramesPerPeerPerSecond,
      C.DEFAULT_MAX_FRAMES_PER_PEER_PER_SECOND,
      'maxFramesPerPeerPerSecond',
    ),
    rateBurstSeconds: positive(
      limits.rateBurstSeconds,
      C.DEFAULT_RATE_BURST_SECONDS,
      'rateBurstSeconds',
    ),
    helloTimeoutMs: positive(limits.helloTimeoutMs, C.DEFAULT_HELLO_TIMEOUT_MS, 'helloTimeoutMs'),
    dialTimeoutMs: positive(limits.dialTimeoutMs, C.DEFAULT_DIAL_TIMEOUT_MS, 'dialTimeoutMs'),
    keepaliveMs: positive(limits.keepaliveMs, C.DEFAULT_KEEPALIVE_MS, 'keepaliveMs'),
    idleTimeoutMs: positive(limits.idleTimeoutMs, C.DEFAULT_IDLE_TIMEOUT_MS, 'idleTimeoutMs'),
    dialBackoffMs: positive(limits.dialBackoffMs, C.DEFAULT_DIAL_BACKOFF_MS, 'dialBackoffMs'),
    maxDialBackoffMs: positive(
      limits.maxDialBackoffMs,
      C.DEFAULT_MAX_DIAL_BACKOFF_MS,
      'maxDialBackoffMs',
    ),
    bootstrapAttempts: positive(
      limits.bootstrapAttempts,
      C.DEFAULT_BOOTSTRAP_ATTEMPTS,
      'bootstrapAttempts',
    ),
    validatorTimeoutMs: positive(
      limits.validatorTimeoutMs,
      C.DEFAULT_VALIDATOR_TIMEOUT_MS,
      'validatorTimeoutMs',
    ),
    stopTimeoutMs: positive(limits.stopTimeoutMs, C.DEFAULT_STOP_TIMEOUT_MS, 'stopTimeoutMs'),
    maxAddressBookEntries: positive(
      limits.maxAddressBookEntries,
      C.DEFAULT_MAX_ADDRESS_BOOK_ENTRIES,
      'maxAddressBookEntries',
    ),
  }
}

type Listeners = { [E in keyof NodeEvents]?: Set<(value: NodeEvents[E]) => void> }

/**
 * Builds and starts a node: listens, seals its peer record, starts its gossip router and
 * dials its bootstrap addresses (in the background, with backoff).
 * @param init - signer, transports, addresses, tuning
 * @returns the running node
 * @throws {InvalidArgumentError} for bad options; `ListenError` and friends from transports
 * @example
 * const node = await createNode({ signer, transports: [memory(network)], listen: ['memory://a'], bootstrap: ['memory://b'] })
 */
export async function createNode(init: NodeInit): Promise<Node> {
  if (typeof init !== 'object' || init === null) {
    throw new InvalidArgumentError('init', 'expected an object')
  }
  if (typeof init.signer?.sign !== 'function' || init.signer.peerId === undefined) {
    throw new InvalidArgumentError('init.signer', 'expected a Signer')
  }
  if (!Array.isArray(init.transports) || init.transports.length === 0) {
    throw new InvalidArgumentError('init.transports', 'expected at least one transport factory')
  }
  const limits = resolveLimits(init.limits)
  const clock = init.clock ?? systemClock()
  const random = init.random ?? Math.random
  const signer = init.signer
  const self = signer.peerId
  const selfKey = self.toString()
  const transports: Transport[] = init.transports.map((factory) => factory({ signer }))
  const book: AddressBook = createAddressBook({ maxEntries: limits.maxAddressBookEntries })
  const budget: MemoryBudget = createMemoryBudget(limits.maxQueuedBytes)
  const connections = new Map<string, Connection>()
  const listeners: Listener[] = []
  const events: Listeners = {}
  const dialing = new Map<string, Promise<PeerId>>()
  const aborts = new Set<AbortController>()
  const backoffs = new Map<string, { failures: number; until: number }>()
  const timers = new Set<unknown>()
  const table: Registered[] = []
  let handshakes = 0
  let stopped = false
  let stopping: Promise<void> | undefined
  let recordSequence = -1
  let record: Uint8Array = new Uint8Array(0)
  let helloFrame: Uint8Array | undefined
  let lastGossipRaw: Uint8Array | undefined
  let lastGossipFramed: Uint8Array | undefined

  function emit<E extends keyof NodeEvents>(event: E, value: NodeEvents[E]): void {
    const set = events[event] as Set<(value: NodeEvents[E]) => void> | undefined
    if (set === undefined) return
    for (const listener of [...set]) {
      try {
        listener(value)
      } catch {
        // a listener's fault must not break the driver
      }
    }
  }

  function later(fn: () => void, ms: number): void {
    const handle = clock.setTimeout(() => {
      timers.delete(handle)
      fn()
    }, ms)
    timers.add(handle)
  }

  // ---- protocols ----------------------------------------------------------------------

  function register(
    id: string,
    handler: ProtocolHandler | undefined,
    options: ProtocolOptions = {},
  ): Registered {
    if (!isProtocolId(id)) {
      throw new InvalidArgumentError('id', 'expected 2-128 printable characters starting with /')
    }
    if (table.some((entry) => entry.id === id)) {
      throw new InvalidArgumentError('id', `${id} is already registered`)
    }
    if (table.length >= C.MAX_PROTOCOLS) {
      throw new InvalidArgumentError('id', `at most ${C.MAX_PROTOCOLS} protocols`)
    }
    const maxFrameBytes = options.maxFrameBytes ?? C.DEFAULT_MAX_FRAME_BYTES - 1
    if (!Number.isSafeInteger(maxFrameBytes) || maxFrameBytes < 1) {
      throw new InvalidArgumentError('options.maxFrameBytes', 'expected an integer >= 1')
    }
    const priority = options.priority ?? 'publish'
    if (!['control', 'publish', 'forward', 'lazy'].includes(priority)) {
      throw new InvalidArgumentError('options.priority', 'expected a priority')
    }
    const entry: Registered = {
      id,
      code: table.length,
      handler,
      maxFrameBytes,
      priority,
      closed: false,
    }
    table.push(entry)
    helloFrame = undefined
    return entry
  }

  const protocolIds = (): string[] => table.map((entry) => (entry.closed ? '' : entry.id))

  function hello(): Uint8Array {
    helloFrame ??= encodeControl({
      kind: 'hello',
      record,
      protocols: protocolIds(),
      idleTimeoutMs: Math.round(limits.idleTimeoutMs),
    })
    return helloFrame
  }

  register(C.CONTROL_PROTOCOL, undefined, { maxFrameBytes: C.MAX_CONTROL_FRAME_BYTES })
  const gossipEntry = register(C.GOSSIP_PROTOCOL, undefined)

  // ---- sending --------------------------------------------------------------------------

  function write(connection: Connection, frame: Uint8Array): boolean {
    try {
      connection.writable = connection.link.send(frame)
      connection.lastSent = clock.now()
      return true
    } catch (error) {
      // a closed link reports itself through its close event; an oversized frame is dropped
      if (!isNetError(error, 'LinkClosedError') && !isNetError(error, 'FrameTooLargeError')) {
        throw error
      }
      return false
    }
  }

  function enqueue(connection: Connection, frame: Uint8Array, priority: Priority): boolean {
    if (connection.state === 'closed') return false
    if (connection.writable && connection.queue.length === 0) return write(connection, frame)
    const result = connection.queue.push(frame, priority)
    if (result.dropped > 0 && connection.overflowAt === undefined) {
      connection.overflowAt = clock.now()
      const error = new QueueOverflowError(
        `outbound queue of ${connection.queue.bytes} bytes is full; dropped ${result.dropped} frames`,
      )
      emit('misbehaved', { peer: connection.peer, reason: error.name, error })
    }
    return result.accepted
  }

  function flush(connection: Connection): void {
    while (connection.writable && connection.state !== 'closed') {
      const frame = connection.queue.shift()
      if (frame === undefined) break
      write(connection, frame)
    }
    if (connection.queue.length === 0) {
      connection.overflowAt = undefined
      if (stopped) checkDrained()
    }
  }

  function sendControl(connection: Connection, message: ControlMessage): void {
    enqueue(connection, encodeControl(message), 'control')
  }

  // ---- links ---------------------------------------------------------------------------

  function fault(connection: Connection, error: NetError): void {
    if (connection.state === 'closed') return
    emit('misbehaved', { peer: connection.peer, reason: error.name, error })
    connection.link.close(error)
  }

  const dialerOf = (link: Link): string =>
    link.direction === 'outbound' ? selfKey : link.remotePeer.toString()

  /** Of two links to one peer dialed by different sides, the lower peer id's stays (both agree). */
  function prefer(link: Link, existing: Link): boolean {
    return dialerOf(link) < dialerOf(existing)
  }

  function bind(connection: Connection, link: Link): void {
    for (const off of connection.offs) off()
    connection.link = link
    connection.writable = true
    connection.offs = [
      link.on('frame', (frame) => {
        if (connection.link === link) onFrame(connection, frame)
      }),
      link.on('drain', () => {
        if (connection.link !== link) return
        connection.writable = true
        flush(connection)
      }),
      link.on('close', (event) => {
        if (connection.link === link) onClose(connection, event.error)
      }),
    ]
  }

  function acceptLink(link: Link, address?: string): void {
    const key = link.remotePeer.toString()
    if (stopped) {
      link.close(new NodeStoppedError())
      return
    }
    if (key === selfKey) {
      link.close(new DialError(address ?? 'self', 'a link to this node itself'))
      return
    }
    const existing = connections.get(key)
    let waiters: Connection['waiters'] = []
    if (existing !== undefined && dialerOf(link) === dialerOf(existing.link)) {
      // A side dials a peer again only once its old link is over for it, though that link's
      // close may still be on its way here: the newer link replaces the older, and both sides
      // start over on it (a refusal here would leave the two peers with no link at all).
      waiters = existing.waiters.splice(0)
      const old = existing.link
      onClose(existing, undefined)
      old.close()
    } else if (existing !== undefined) {
      if (!prefer(link, existing.link)) {
        link.close()
        return
      }
      const old = existing.link
      bind(existing, link)
      write(existing, hello())
      old.close()
      flush(existing)
      return
    }
    let refused: LinkLimitError | undefined
    if (connections.size >= limits.maxLinks) {
      refused = new LinkLimitError(`at most ${limits.maxLinks} links`)
    } else if (handshakes >= limits.maxPendingHandshakes) {
      refused = new LinkLimitError(`at most ${limits.maxPendingHandshakes} pending handshakes`)
    }
    if (refused !== undefined) {
      link.close(refused)
      for (const waiter of waiters) waiter.reject(refused)
      return
    }
    const now = clock.now()
    const burst = limits.rateBurstSeconds
    const connection: Connection = {
      key,
      peer: link.remotePeer,
      link,
      state: 'hello',
      openedAt: now,
      lastSent: now,
      lastReceived: now,
      lastDirect: Number.NEGATIVE_INFINITY,
      writable: true,
      queue: createOutboundQueue({ maxBytes: limits.maxQueueBytesPerPeer, budget }),
      overflowAt: undefined,
      remoteCodes: new Map(),
      told: new Set(),
      attached: false,
      keepaliveMs: limits.keepaliveMs,
      bytesIn: createTokenBucket({
        ratePerSecond: limits.maxBytesPerPeerPerSecond,
        burst: limits.maxBytesPerPeerPerSecond * burst,
        now,
      }),
      framesIn: createTokenBucket({
        ratePerSecond: limits.maxFramesPerPeerPerSecond,
        burst: limits.maxFramesPerPeerPerSecond * burst,
        now,
      }),
      offs: [],
      waiters,
    }
    connections.set(key, connection)
    handshakes++
    bind(connection, link)
    if (link.status !== 'open') {
      onClose(connection, new LinkClosedError())
      return
    }
    write(connection, hello())
  }

  function tellProtocols(connection: Connection): void {
    for (const entry of table) {
      if (entry.handler === undefined || entry.closed || connection.told.has(entry.id)) continue
      if (!connection.remoteCodes.has(entry.id)) continue
      connection.told.add(entry.id)
      try {
        entry.handler.onPeerConnected?.(connection.peer)
      } catch {
        // the application's fault
      }
    }
  }

  function setTable(connection: Connection, protocols: readonly string[]): void {
    const codes = new Map<string, number>()
    protocols.forEach((id, code) => {
      if (id !== '') codes.set(id, code)
    })
    connection.remoteCodes = codes
  }

  function learnRecord(bytes: Uint8Array, expected: PeerId): PeerRecord {
    // hellos and membership frames carry the same record again and again: its signature was
    // checked when the book took it
    const known = book.get(expected.toString())?.record
    if (known !== undefined && sameBytes(known.envelope, bytes)) return known
    const learned = openPeerRecord(bytes, { expectedPeer: expected })
    book.putRecord(learned)
    return learned
  }

  function onControl(connection: Connection, payload: Uint8Array): void {
    const message = decodeControl(payload)
    if (connection.state === 'hello' && message.kind !== 'hello') {
      throw new HandshakeError(`${message.kind} before hello`)
    }
    switch (message.kind) {
      case 'hello': {
        learnRecord(message.record, connection.peer)
        setTable(connection, message.protocols)
        connection.keepaliveMs = Math.min(
          limits.keepaliveMs,
          Math.max(C.MIN_KEEPALIVE_MS, Math.floor(message.idleTimeoutMs / 3)),
        )
        if (connection.state === 'hello') {
          connection.state = 'open'
          handshakes--
          backoffs.delete(connection.key)
          attach(connection, connection.link.direction === 'outbound')
          tellProtocols(connection)
          emit('peer-connected', connection.peer)
          for (const waiter of connection.waiters.splice(0)) waiter.resolve(connection.peer)
        } else {
          tellProtocols(connection)
        }
        flush(connection)
        return
      }
      case 'protocols':
        setTable(connection, message.protocols)
        tellProtocols(connection)
        return
      case 'record':
        learnRecord(message.record, connection.peer)
        return
      case 'ping':
        return
    }
  }

  function onFrame(connection: Connection, frame: Uint8Array): void {
    if (connection.state === 'closed') return
    const now = clock.now()
    connection.lastReceived = now
    if (!connection.framesIn.take(1, now) || !connection.bytesIn.take(frame.length, now)) {
      fault(connection, new RateLimitError(`more than the rate of ${connection.key.slice(0, 16)}…`))
      return
    }
    if (frame.length === 0) {
      fault(connection, new MalformedFrameError('empty frame'))
      return
    }
    const code = frame[0] as number
    const entry = table[code]
    if (entry === undefined) {
      fault(connection, new UnknownProtocolError(`#${code}`))
      return
    }
    const payload = frame.subarray(1)
    if (payload.length > entry.maxFrameBytes) {
      fault(connection, new FrameTooLargeError(payload.length, entry.maxFrameBytes))
      return
    }
    if (code === CONTROL_CODE) {
      try {
        onControl(connection, payload)
      } catch (error) {
        fault(
          connection,
          isNetError(error)
            ? error
            : new MalformedFrameError('bad control frame', { cause: error }),
        )
      }
      return
    }
    if (connection.state !== 'open') {
      fault(connection, new HandshakeError('a frame before hello'))
      return
    }
    // a protocol closed here is still in the remote's table for a moment: its frames are dropped
    if (entry.closed) return
    if (entry === gossipEntry) {
      if (connection.attached) gossip.frame(connection.peer, payload)
      return
    }
    connection.lastDirect = now
    try {
      entry.handler?.onFrame(connection.peer, payload)
    } catch {
      // the application's fault, not the peer's
    }
  }

  function onClose(connection: Connection, error: NetError | undefined): void {
    if (connection.state === 'closed') return
    const wasOpen = connection.state === 'open'
    if (connection.state === 'hello') handshakes--
    connection.state = 'closed'
    for (const off of connection.offs) off()
    connection.offs = []
    connection.queue.clear()
    if (connections.get(connection.key) === connection) connections.delete(connection.key)
    for (const waiter of connection.waiters.splice(0)) {
      waiter.reject(error ?? new LinkClosedError('the link closed during its hello'))
    }
    if (!wasOpen) return
    if (connection.attached) {
      connection.attached = false
      gossip.detach(connection.peer)
    }
    for (const entry of table) {
      if (!connection.told.has(entry.id)) continue
      try {
        entry.handler?.onPeerDisconnected?.(connection.peer)
      } catch {
        // the application's fault
      }
    }
    emit(
      'peer-disconnected',
      error === undefined ? { peer: connection.peer } : { peer: connection.peer, error },
    )
    if (stopped) checkDrained()
  }

  // ---- gossip ---------------------------------------------------------------------------

  function attach(connection: Connection, outbound: boolean): void {
    if (connection.attached || !connection.remoteCodes.has(C.GOSSIP_PROTOCOL)) return
    connection.attached = true
    gossip.attach(connection.peer, outbound)
  }

  function connectFor(peer: PeerId): void {
    const key = peer.toString()
    const connection = connections.get(key)
    if (connection !== undefined) {
      if (connection.state === 'open') attach(connection, true)
      return
    }
    const backoff = backoffs.get(key)
    if (stopped || (backoff !== undefined && clock.now() < backoff.until)) {
      gossip.connectFailed(peer)
      return
    }
    dial(peer).then(
      () => {
        const opened = connections.get(key)
        if (opened !== undefined) attach(opened, true)
      },
      () => {
        failed(key)
        gossip.connectFailed(peer)
      },
    )
  }

  /** Records a failed dial of `key`: the next is allowed after a jittered, doubling delay. */
  function failed(key: string): number {
    const previous = backoffs.get(key)
    const failures = (previous?.failures ?? 0) + 1
    const base = Math.min(limits.maxDialBackoffMs, limits.dialBackoffMs * 2 ** (failures - 1))
    const delay = Math.round(base * (0.5 + random()))
    backoffs.delete(key)
    backoffs.set(key, { failures, until: clock.now() + delay })
    while (backoffs.size > limits.maxAddressBookEntries) {
      backoffs.delete(backoffs.keys().next().value as string)
    }
    return delay
  }

  const gossip: GossipService = createGossipService({
    signer,
    clock,
    random,
    validatorTimeoutMs: limits.validatorTimeoutMs,
    ...(init.gossip === undefined ? {} : { init: init.gossip }),
    ...(init.scoreHook === undefined ? {} : { scoreHook: init.scoreHook }),
    ...(init.verifyCache === undefined ? {} : { verifyCache: init.verifyCache }),
    hooks: {
      send(peer, bytes, priority) {
        const connection = connections.get(peer.toString())
        if (connection === undefined || !connection.attached) return
        const code = connection.remoteCodes.get(C.GOSSIP_PROTOCOL)
        if (code === undefined) return
        // the router sends one frame to many peers: frame it once
        if (bytes !== lastGossipRaw || lastGossipFramed?.[0] !== code) {
          lastGossipRaw = bytes
          lastGossipFramed = withHeader(code, bytes)
        }
        enqueue(connection, lastGossipFramed as Uint8Array, priority)
      },
      connect: connectFor,
      disconnect(peer) {
        const connection = connections.get(peer.toString())
        if (connection === undefined || !connection.attached) return
        connection.attached = false
        // the link also carries direct protocols: it stays while they use it
        if (clock.now() - connection.lastDirect >= limits.keepaliveMs) connection.link.close()
      },
      misbehaved(peer, reason) {
        emit('misbehaved', { peer, reason })
      },
      peerData(peer, data) {
        try {
          learnRecord(data, peer)
        } catch (error) {
          if (!isNetError(error, 'InvalidPeerRecordError')) throw error
          // passed along by others: nobody to blame for sure, so it is only dropped
        }
      },
      validatorFailed(error) {
        emit('validator-failed', error)
      },
    },
  })

  // ---- dialing --------------------------------------------------------------------------

  function transportFor(address: string): Transport {
    const transport = transports.find((t) => t.canDial(address))
    if (transport === undefined) throw new UnsupportedAddressError(address)
    return transport
  }

  function waitOpen(connection: Connection): Promise<PeerId> {
    if (connection.state === 'open') return Promise.resolve(connection.peer)
    return new Promise((resolve, reject) => connection.waiters.push({ resolve, reject }))
  }

  async function dialAddress(
    address: string,
    expectedPeer?: PeerId,
    signal?: AbortSignal,
  ): Promise<PeerId> {
    const transport = transportFor(address)
    if (aborts.size >= limits.maxPendingDials) {
      throw new LinkLimitError(`at most ${limits.maxPendingDials} dials in flight`)
    }
    const controller = new AbortController()
    aborts.add(controller)
    const onAbort = (): void => controller.abort()
    signal?.addEventListener('abort', onAbort, { once: true })
    let timedOut = false
    const timer = clock.setTimeout(() => {
      timedOut = true
      controller.abort()
    }, limits.dialTimeoutMs)
    try {
      const options: Parameters<Transport['dial']>[1] = { signal: controller.signal }
      if (expectedPeer !== undefined) Object.assign(options, { expectedPeer })
      let link: Link
      try {
        link = await transport.dial(address, options)
      } catch (error) {
        if (timedOut) throw new DialTimeoutError(`dial of ${address.slice(0, 200)} timed out`)
        if (stopped) throw new NodeStoppedError()
        throw error
      }
      if (stopped) {
        link.close(new NodeStoppedError())
        throw new NodeStoppedError()
      }
      book.addAddress(link.remotePeer, address)
      acceptLink(link, address)
      const connection = connections.get(link.remotePeer.toString())
      if (connection === undefined) throw new DialError(address, 'the link was refused')
      return await waitOpen(connection)
    } finally {
      clock.clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
      aborts.delete(controller)
    }
  }

  function dial(target: string | PeerId, options: { signal?: AbortSignal } = {}): Promise<PeerId> {
    if (stopped) return Promise.reject(new NodeStoppedError())
    let key: string
    let run: () => Promise<PeerId>
    if (typeof target === 'string') {
      key = `address ${target}`
      run = () => dialAddress(target, undefined, options.signal)
    } else {
      if (typeof target?.toString !== 'function' || !(target.publicKey instanceof Uint8Array)) {
        return Promise.reject(new InvalidArgumentError('target', 'expected an address or a PeerId'))
      }
      const peerKey = target.toString()
      const connection = connections.get(peerKey)
      if (connection !== undefined) return waitOpen(connection)
      key = `peer ${peerKey}`
      run = async () => {
        const addresses = book.addresses(peerKey)
        if (addresses.length === 0) throw new DialError(peerKey, 'no known address of the peer')
        let last: unknown
        for (const address of addresses) {
          try {
            return await dialAddress(address, target, options.signal)
          } catch (error) {
            last = error
            if (stopped) throw error
          }
        }
        throw last
      }
    }
    const inFlight = dialing.get(key)
    if (inFlight !== undefined) return inFlight
    const task = run().finally(() => dialing.delete(key))
    dialing.set(key, task)
    return task
  }

  /** Bootstrap addresses being dialed (at start, or again after every link was lost). */
  let bootstrapping = 0
  /** Since when the node has had no link, no dial and no bootstrap in flight. */
  let aloneSince: number | undefined
  /** How long it waits alone before dialing its bootstrap addresses again (grows per rejoin). */
  let rejoinAfter = limits.dialBackoffMs

  function bootstrap(address: string): void {
    bootstrapping++
    const attempt = (n: number): void => {
      if (stopped) return
      dial(address).then(
        () => {
          bootstrapping--
        },
        (error: unknown) => {
          if (
            stopped ||
            n + 1 >= limits.bootstrapAttempts ||
            isNetError(error, 'UnsupportedAddressError')
          ) {
            bootstrapping--
            return
          }
          later(() => attempt(n + 1), failed(`address ${address}`))
        },
      )
    }
    attempt(0)
  }

  /**
   * A node left with no link at all (every neighbour gone, nothing in the router's views to
   * try) dials its bootstrap addresses again; the router joins through the first link as a
   * newcomer does. Without this it would stay alone for good. The wait starts at one dial
   * backoff and grows like a failed dial's with every rejoin (a bootstrap peer that accepts
   * and then drops it is not dialed in a loop).
   */
  function rejoin(now: number): void {
    const addresses = init.bootstrap ?? []
    if (addresses.length === 0 || connections.size > 0 || dialing.size > 0 || bootstrapping > 0) {
      aloneSince = undefined
      return
    }
    aloneSince ??= now
    if (now - aloneSince < rejoinAfter) return
    aloneSince = undefined
    rejoinAfter = failed('rejoin')
    for (const address of addresses) bootstrap(address)
  }

  // ---- upkeep ----------------------------------------------------------------------------

  const upkeepMs = Math.max(
    1,
    Math.min(
      limits.helloTimeoutMs,
      limits.keepaliveMs,
      limits.idleTimeoutMs,
      limits.drainTimeoutMs,
    ) / 4,
  )

  function upkeep(): void {
    if (stopped) return
    const now = clock.now()
    for (const connection of [...connections.values()]) {
      if (connection.state === 'hello') {
        if (now - connection.openedAt >= limits.helloTimeoutMs) {
          fault(connection, new HandshakeTimeoutError('no hello in time'))
        }
        continue
      }
      if (now - connection.lastReceived >= limits.idleTimeoutMs) {
        fault(connection, new IdleTimeoutError())
        continue
      }
      if (
        connection.overflowAt !== undefined &&
        connection.queue.length > 0 &&
        now - connection.overflowAt >= limits.drainTimeoutMs
      ) {
        fault(connection, new QueueOverflowError('the peer did not drain its queue in time'))
        continue
      }
      if (
        !connection.attached &&
        now - connection.lastDirect >= limits.keepaliveMs &&
        now - connection.openedAt >= limits.keepaliveMs
      ) {
        // neither gossip nor a direct protocol uses it
        connection.link.close()
        continue
      }
      if (now - connection.lastSent >= connection.keepaliveMs)
        sendControl(connection, { kind: 'ping' })
    }
    rejoin(now)
    later(upkeep, upkeepMs)
  }

  // ---- stop ------------------------------------------------------------------------------

  let drained: (() => void) | undefined

  function checkDrained(): void {
    if (drained === undefined) return
    for (const connection of connections.values()) {
      if (connection.state === 'open' && connection.queue.length > 0) return
    }
    drained()
  }

  async function stop(): Promise<void> {
    stopped = true
    await gossip.settled()
    await new Promise<void>((resolve) => {
      const handle = clock.setTimeout(() => done(), limits.stopTimeoutMs)
      const done = (): void => {
        clock.clearTimeout(handle)
        drained = undefined
        resolve()
      }
      drained = done
      checkDrained()
    })
    gossip.close()
    for (const controller of aborts) controller.abort()
    for (const handle of timers) clock.clearTimeout(handle)
    timers.clear()
    for (const connection of [...connections.values()]) connection.link.close()
    await Promise.allSettled(listeners.map((listener) => listener.close()))
    await Promise.allSettled(transports.map((transport) => transport.close()))
    await Promise.allSettled([...dialing.values()])
  }

  // ---- start -----------------------------------------------------------------------------

  try {
    for (const address of init.listen ?? []) {
      listeners.push(await transportFor(address).listen(address, (link) => acceptLink(link)))
    }
  } catch (error) {
    await Promise.allSettled(listeners.map((listener) => listener.close()))
    await Promise.allSettled(transports.map((transport) => transport.close()))
    throw error
  }
  const listening = (): string[] => listeners.flatMap((listener) => [...listener.addresses])

  async function publishRecord(): Promise<void> {
    recordSequence = Math.max(recordSequence + 1, clock.now())
    const addresses = init.announce ?? listening()
    record = await sealPeerRecord(signer, { addresses, sequence: recordSequence })
    helloFrame = undefined
    gossip.setPeerData(record)
  }

  try {
    await publishRecord()
  } catch (error) {
    await stop()
    throw error instanceof InvalidArgumentError
      ? error
      : new InvalidPeerRecordError('own record', { cause: error })
  }
  later(upkeep, upkeepMs)
  for (const address of init.bootstrap ?? []) bootstrap(address)

  return {
    peerId: self,
    addresses: listening,
    gossip: {
      router: gossip.router,
      subscribe: gossip.subscribe,
      validate: gossip.validate,
      publish: (topic, data, options) =>
        stopped ? Promise.reject(new NodeStoppedError()) : gossip.publish(topic, data, options),
    },
    protocol(id, handler, options) {
      if (stopped) throw new NodeStoppedError()
      if (typeof handler?.onFrame !== 'function') {
        throw new InvalidArgumentError('handler.onFrame', 'expected a function')
      }
      const entry = register(id, handler, options)
      // a link still in its hello has sent the old table: it hears of the new protocol too
      for (const connection of connections.values()) {
        if (connection.state !== 'closed')
          sendControl(connection, { kind: 'protocols', protocols: protocolIds() })
      }
      return {
        id,
        send(peer, frame) {
          if (!(frame instanceof Uint8Array))
            throw new InvalidArgumentError('frame', 'expected bytes')
          if (frame.length > entry.maxFrameBytes) {
            throw new FrameTooLargeError(frame.length, entry.maxFrameBytes)
          }
          if (entry.closed) return false
          const connection = connections.get(peer.toString())
          if (connection === undefined || connection.state !== 'open') return false
          const code = connection.remoteCodes.get(id)
          if (code === undefined) return false
          connection.lastDirect = clock.now()
          return enqueue(connection, withHeader(code, frame), entry.priority)
        },
        peers() {
          const out: PeerId[] = []
          for (const connection of connections.values()) {
            if (connection.state === 'open' && connection.remoteCodes.has(id))
              out.push(connection.peer)
          }
          return out
        },
        close() {
          if (entry.closed) return
          entry.closed = true
          helloFrame = undefined
          for (const connection of connections.values()) {
            if (connection.state !== 'closed') {
              sendControl(connection, { kind: 'protocols', protocols: protocolIds() })
            }
          }
        },
      }
    },
    dial,
    peers() {
      const out: PeerId[] = []
      for (const connection of connections.values()) {
        if (connection.state === 'open') out.push(connection.peer)
      }
      return out
    },
    addressBook: () => book.entries(),
    on(event, listener) {
      let set = events[event] as Set<typeof listener> | undefined
      if (set === undefined) {
        set = new Set()
        ;(events as Record<string, Set<typeof listener>>)[event] = set
      }
      set.add(listener)
      return () => {
        set.delete(listener)
      }
    },
    stop() {
      stopping ??= stop()
      return stopping
    },
  }
}
