/**
 * The memory transport: links between transports of one process, through an explicit hub
 * (`createMemoryNetwork`). It keeps the whole link contract (whole frames in order, held
 * until the first listener, a write buffer limit with `drain`, close once on both sides)
 * and can add latency and loss, deterministic under a virtual clock and a seeded random.
 * The hub authenticates links: a dialer learns the PeerId the listener registered with.
 *
 * @example
 * const network = createMemoryNetwork()
 * const bob = memory(network)({ signer: bobSigner })
 * await bob.listen('memory://bob', (link) => link.on('frame', console.log))
 * const link = await memory(network)({ signer: aliceSigner }).dial('memory://bob')
 * link.send(new Uint8Array([1]))
 */
import type { PeerId } from '@peerkit/identity'
import { parseAddress } from './address'
import { type Clock, systemClock } from './clock'
import {
  DEFAULT_MAX_BUFFERED_BYTES,
  DEFAULT_MAX_FRAME_BYTES,
  DEFAULT_WRITE_BUFFER_BYTES,
} from './constants'
import {
  DialAbortedError,
  DialError,
  FrameTooLargeError,
  InvalidArgumentError,
  LinkClosedError,
  ListenError,
  type NetError,
  PeerMismatchError,
  QueueOverflowError,
  UnsupportedAddressError,
} from './errors'
import { isBytes } from './framing'
import { createLinkEmitter, type LinkEmitter } from './link-emitter'
import type {
  DialOptions,
  Link,
  LinkDirection,
  LinkEvents,
  LinkHandler,
  LinkStatus,
  Listener,
  Transport,
  TransportComponents,
  TransportFactory,
} from './types'

/** Options of `createMemoryNetwork`. */
export interface MemoryNetworkOptions {
  /** Times latency and connection setup (default: the system clock). */
  readonly clock?: Clock
  /**
   * One-way delay of each frame, drawn uniformly in `[min, max]` whole milliseconds. Frames
   * of one link keep their order (a frame never overtakes the one before). Absent: frames
   * arrive on the next microtask, without timers.
   */
  readonly latencyMs?: readonly [number, number]
  /** Probability in `[0, 1)` that a frame is dropped on the way (default 0). */
  readonly loss?: number
  /** Uniform numbers in `[0, 1)` for latency and loss (default `Math.random`; seed it for determinism). */
  readonly random?: () => number
}

/** The hub memory transports meet on. */
export interface MemoryNetwork {
  readonly clock: Clock
  /** The addresses currently listened on. */
  addresses(): string[]
  /** Links currently open (each counted once). */
  openLinks(): number
}

/** Options of one memory transport. */
export interface MemoryTransportOptions {
  /** The largest frame its links carry (default 1 MiB; a link uses the smaller of its two ends' limits). */
  readonly maxFrameBytes?: number
  /** Buffered bytes past which `send` returns `false` (default 256 KiB). */
  readonly writeBufferBytes?: number
  /** Buffered bytes past which the link is closed with `QueueOverflowError` (default 16 MiB). */
  readonly maxBufferedBytes?: number
}

interface Endpoint {
  readonly peerId: PeerId
  readonly owner: MemoryTransportState
  readonly onLink: LinkHandler
  readonly address: string
  readonly options: Required<MemoryTransportOptions>
}

interface Hub {
  readonly clock: Clock
  readonly latency: readonly [number, number] | undefined
  readonly loss: number
  readonly random: () => number
  readonly endpoints: Map<string, Endpoint>
  open: number
}

interface MemoryTransportState {
  closed: boolean
  readonly links: Set<MemoryLink>
  readonly listeners: Set<Endpoint>
}

/** The network object holds its hub privately; `memory()` recognises its own networks. */
class MemoryNetworkHandle implements MemoryNetwork {
  readonly hub: Hub
  readonly clock: Clock
  constructor(hub: Hub) {
    this.hub = hub
    this.clock = hub.clock
  }
  addresses(): string[] {
    return [...this.hub.endpoints.keys()].map((name) => `memory://${name}`)
  }
  openLinks(): number {
    return this.hub.open
  }
}

/**
 * Makes a memory network: the hub that memory transports listen and dial on. Nothing is
 * shared between two networks.
 * @param options - clock, latency, loss and the random source
 * @returns a `MemoryNetwork`
 * @throws InvalidArgumentError when an option is out of range
 * @example
 * const clock = createVirtualClock()
 * const network = createMemoryNetwork({ clock, latencyMs: [5, 25], random: seededRandom(1) })
 */
export function createMemoryNetwork(options?: MemoryNetworkOptions): MemoryNetwork {
  const latency = options?.latencyMs
  if (latency !== undefined) {
    const [min, max] = Array.isArray(latency) ? latency : []
    if (
      latency.length !== 2 ||
      typeof min !== 'number' ||
      typeof max !== 'number' ||
      !Number.isFinite(min) ||
      !Number.isFinite(max) ||
      min < 0 ||
      max < min
    ) {
      throw new InvalidArgumentError('latencyMs', 'must be [min, max] with 0 <= min <= max')
    }
  }
  const loss = options?.loss ?? 0
  if (typeof loss !== 'number' || !(loss >= 0 && loss < 1)) {
    throw new InvalidArgumentError('loss', 'must be a number in [0, 1)')
  }
  const random = options?.random ?? Math.random
  if (typeof random !== 'function') throw new InvalidArgumentError('random', 'must be a function')
  const hub: Hub = {
    clock: options?.clock ?? systemClock(),
    latency: latency === undefined ? undefined : [latency[0], latency[1]],
    loss,
    random,
    endpoints: new Map(),
    open: 0,
  }
  return new MemoryNetworkHandle(hub)
}

/**
 * The memory transport of a network, as a factory for `createNode({ transports })`.
 * @param network - the hub from `createMemoryNetwork`
 * @param options - frame and buffer limits
 * @returns a `TransportFactory`
 * @throws InvalidArgumentError when `network` is not a memory network or a limit is out of range
 * @example
 * const node = await createNode({ signer, transports: [memory(network)], listen: ['memory://a'] })
 */
export function memory(network: MemoryNetwork, options?: MemoryTransportOptions): TransportFactory {
  if (!(network instanceof MemoryNetworkHandle)) {
    throw new InvalidArgumentError('network', 'not a network made by createMemoryNetwork')
  }
  const hub = network.hub
  const limits: Required<MemoryTransportOptions> = {
    maxFrameBytes: positiveInteger(
      options?.maxFrameBytes,
      DEFAULT_MAX_FRAME_BYTES,
      'maxFrameBytes',
    ),
    writeBufferBytes: positiveInteger(
      options?.writeBufferBytes,
      DEFAULT_WRITE_BUFFER_BYTES,
      'writeBufferBytes',
    ),
    maxBufferedBytes: positiveInteger(
      options?.maxBufferedBytes,
      DEFAULT_MAX_BUFFERED_BYTES,
      'maxBufferedBytes',
    ),
  }
  return (components: TransportComponents) => createMemoryTransport(hub, limits, components)
}

function positiveInteger(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new InvalidArgumentError(name, 'must be a safe integer >= 1')
  }
  return value
}

function memoryName(address: string): string {
  const parsed = parseAddress(address)
  if (parsed.scheme !== 'memory') throw new UnsupportedAddressError(address)
  return parsed.name
}

function createMemoryTransport(
  hub: Hub,
  limits: Required<MemoryTransportOptions>,
  components: TransportComponents,
): Transport {
  const peerId = components?.signer?.peerId
  if (peerId === undefined)
    throw new InvalidArgumentError('components.signer', 'a signer is required')
  const state: MemoryTransportState = { closed: false, links: new Set(), listeners: new Set() }

  const wait = (fn: () => void): (() => void) => {
    if (hub.latency === undefined) {
      let cancelled = false
      queueMicrotask(() => {
        if (!cancelled) fn()
      })
      return () => {
        cancelled = true
      }
    }
    const handle = hub.clock.setTimeout(fn, sampleLatency(hub))
    return () => hub.clock.clearTimeout(handle)
  }

  return {
    name: 'memory',
    canDial(address) {
      try {
        return parseAddress(address).scheme === 'memory'
      } catch {
        return false
      }
    },
    dial(address: string, options?: DialOptions): Promise<Link> {
      return new Promise<Link>((resolve, reject) => {
        let name: string
        try {
          name = memoryName(address)
        } catch (error) {
          reject(error)
          return
        }
        const signal = options?.signal
        if (signal?.aborted) {
          reject(new DialAbortedError())
          return
        }
        if (state.closed) {
          reject(new DialError(address, 'transport closed'))
          return
        }
        const onAbort = (): void => {
          cancel()
          reject(new DialAbortedError())
        }
        const cancel = wait(() => {
          signal?.removeEventListener('abort', onAbort)
          if (state.closed) {
            reject(new DialError(address, 'transport closed'))
            return
          }
          const endpoint = hub.endpoints.get(name)
          if (endpoint === undefined || endpoint.owner.closed) {
            reject(new DialError(address, 'nobody listens'))
            return
          }
          const expected = options?.expectedPeer
          if (expected !== undefined && !expected.equals(endpoint.peerId)) {
            reject(new PeerMismatchError(expected.toString(), endpoint.peerId.toString()))
            return
          }
          const maxFrameBytes = Math.min(limits.maxFrameBytes, endpoint.options.maxFrameBytes)
          const outbound = new MemoryLink(hub, state, {
            remotePeer: endpoint.peerId,
            direction: 'outbound',
            remoteAddress: endpoint.address,
            maxFrameBytes,
            writeBufferBytes: limits.writeBufferBytes,
            maxBufferedBytes: limits.maxBufferedBytes,
          })
          const inbound = new MemoryLink(hub, endpoint.owner, {
            remotePeer: peerId,
            direction: 'inbound',
            remoteAddress: undefined,
            maxFrameBytes,
            writeBufferBytes: endpoint.options.writeBufferBytes,
            maxBufferedBytes: endpoint.options.maxBufferedBytes,
          })
          outbound.peer = inbound
          inbound.peer = outbound
          hub.open++
          state.links.add(outbound)
          endpoint.owner.links.add(inbound)
          resolve(outbound)
          endpoint.onLink(inbound)
        })
        signal?.addEventListener('abort', onAbort, { once: true })
      })
    },
    async listen(address: string, onLink: LinkHandler): Promise<Listener> {
      const name = memoryName(address)
      if (typeof onLink !== 'function')
        throw new InvalidArgumentError('onLink', 'must be a function')
      if (state.closed) throw new ListenError(address, 'transport closed')
      if (hub.endpoints.has(name)) throw new ListenError(address, 'address in use')
      const canonical = `memory://${name}`
      const endpoint: Endpoint = {
        peerId,
        owner: state,
        onLink,
        address: canonical,
        options: limits,
      }
      hub.endpoints.set(name, endpoint)
      state.listeners.add(endpoint)
      return {
        addresses: [canonical],
        async close() {
          if (hub.endpoints.get(name) === endpoint) hub.endpoints.delete(name)
          state.listeners.delete(endpoint)
        },
      }
    },
    async close() {
      if (state.closed) return
      state.closed = true
      for (const endpoint of state.listeners) {
        for (const [name, registered] of hub.endpoints) {
          if (registered === endpoint) hub.endpoints.delete(name)
        }
      }
      state.listeners.clear()
      for (const link of [...state.links]) link.close()
    },
  }
}

function sampleLatency(hub: Hub): number {
  const latency = hub.latency
  if (latency === undefined) return 0
  const [min, max] = latency
  if (max === min) return min
  return Math.min(max, Math.floor(min + hub.random() * (max - min + 1)))
}

interface LinkInit {
  readonly remotePeer: PeerId
  readonly direction: LinkDirection
  readonly remoteAddress: string | undefined
  readonly maxFrameBytes: number
  readonly writeBufferBytes: number
  readonly maxBufferedBytes: number
}

/** One item travelling from a link end to its peer: a frame, or the close signal. */
interface Item {
  readonly frame: Uint8Array | undefined
  readonly error: NetError | undefined
  readonly due: number
}

class MemoryLink implements Link {
  readonly remotePeer: PeerId
  readonly direction: LinkDirection
  readonly remoteAddress?: string
  readonly maxFrameBytes: number
  peer: MemoryLink | undefined
  #status: LinkStatus = 'open'
  #buffered = 0
  #needDrain = false
  /** Items sent by this end, not yet taken by the peer. */
  readonly #outbound: Item[] = []
  #head = 0
  #lastDue = 0
  /** The pending pump: a timer handle, `true` for a microtask, or `undefined`. */
  #timer: unknown
  #timerDue = 0
  readonly #hub: Hub
  readonly #owner: MemoryTransportState
  readonly #writeBufferBytes: number
  readonly #maxBufferedBytes: number
  readonly #events: LinkEmitter

  constructor(hub: Hub, owner: MemoryTransportState, init: LinkInit) {
    this.#hub = hub
    this.#owner = owner
    this.remotePeer = init.remotePeer
    this.direction = init.direction
    if (init.remoteAddress !== undefined) this.remoteAddress = init.remoteAddress
    this.maxFrameBytes = init.maxFrameBytes
    this.#writeBufferBytes = init.writeBufferBytes
    this.#maxBufferedBytes = init.maxBufferedBytes
    // A first frame listener releases frames the peer sent before it.
    this.#events = createLinkEmitter(() => this.peer?.schedule())
  }

  get status(): LinkStatus {
    return this.#status
  }

  get bufferedBytes(): number {
    return this.#buffered
  }

  send(frame: Uint8Array): boolean {
    if (this.#status === 'closed') throw new LinkClosedError()
    if (!isBytes(frame)) throw new InvalidArgumentError('frame', 'must be a Uint8Array')
    if (frame.length > this.maxFrameBytes)
      throw new FrameTooLargeError(frame.length, this.maxFrameBytes)
    const hub = this.#hub
    if (hub.loss > 0 && hub.random() < hub.loss) return this.#buffered <= this.#writeBufferBytes
    if (this.#buffered + frame.length > this.#maxBufferedBytes) {
      this.close(new QueueOverflowError('the remote side does not read'))
      return false
    }
    this.#enqueue(frame.slice(), undefined)
    this.#buffered += frame.length
    if (this.#buffered > this.#writeBufferBytes) {
      this.#needDrain = true
      return false
    }
    return true
  }

  close(error?: NetError): void {
    if (this.#status === 'closed') return
    this.#status = 'closed'
    this.#enqueue(undefined, error)
    this.#finish({ local: true, ...(error === undefined ? {} : { error }) })
  }

  on<E extends keyof LinkEvents>(event: E, listener: (value: LinkEvents[E]) => void): () => void {
    return this.#events.on(event, listener)
  }

  #enqueue(frame: Uint8Array | undefined, error: NetError | undefined): void {
    const hub = this.#hub
    let due = 0
    if (hub.latency !== undefined) {
      due = Math.max(this.#lastDue, hub.clock.now() + sampleLatency(hub))
      this.#lastDue = due
    }
    this.#outbound.push({ frame, error, due })
    this.schedule()
  }

  /** Arranges for the peer to take what this end sent, when the peer can take it. */
  schedule(): void {
    const peer = this.peer
    const queue = this.#outbound
    const head = queue[this.#head]
    if (peer === undefined || head === undefined) return
    let due: number
    if (head.frame === undefined || peer.#status === 'closed' || peer.#events.count('frame') > 0) {
      due = head.due
    } else {
      // Frames held for a peer that does not listen yet: only a close signal behind them moves.
      const last = queue[queue.length - 1] as Item
      if (last.frame !== undefined) return
      due = last.due
    }
    const hub = this.#hub
    if (hub.latency === undefined) {
      if (this.#timer !== undefined) return
      this.#timer = true
      queueMicrotask(() => this.#pump())
      return
    }
    if (this.#timer !== undefined) {
      if (this.#timerDue <= due) return
      hub.clock.clearTimeout(this.#timer)
    }
    this.#timerDue = due
    this.#timer = hub.clock.setTimeout(() => this.#pump(), Math.max(0, due - hub.clock.now()))
  }

  /** Hands the peer every item due now: frames while it listens, then the close signal. */
  #pump(): void {
    this.#timer = undefined
    const peer = this.peer
    if (peer === undefined) return
    const hub = this.#hub
    const now = hub.latency === undefined ? 0 : hub.clock.now()
    const queue = this.#outbound
    while (this.#head < queue.length) {
      const item = queue[this.#head] as Item
      if (item.due > now) break
      const frame = item.frame
      if (frame === undefined) {
        this.#deliverClose(peer, item.error)
        break
      }
      if (peer.#status === 'closed') {
        this.#head++
        this.#buffered -= frame.length
        continue
      }
      if (peer.#events.count('frame') === 0) {
        // Held; a close signal already due behind them ends the link and discards them.
        const last = queue[queue.length - 1] as Item
        if (last.frame === undefined && last.due <= now) this.#deliverClose(peer, last.error)
        break
      }
      this.#head++
      this.#buffered -= frame.length
      peer.#events.emit('frame', frame)
    }
    if (this.#head >= queue.length) {
      queue.length = 0
      this.#head = 0
    } else if (this.#head > 1024 && this.#head * 2 > queue.length) {
      queue.splice(0, this.#head)
      this.#head = 0
    }
    if (this.#needDrain && this.#buffered <= this.#writeBufferBytes) {
      this.#needDrain = false
      if (this.#status === 'open') this.#events.emit('drain', undefined)
    }
    this.schedule()
  }

  #deliverClose(peer: MemoryLink, error: NetError | undefined): void {
    this.#outbound.length = 0
    this.#head = 0
    this.#buffered = 0
    peer.remoteClosed(error)
  }

  /** The peer closed: close this end too (once), and drop what it had not yet delivered. */
  remoteClosed(error: NetError | undefined): void {
    if (this.#status === 'closed') return
    this.#status = 'closed'
    this.#outbound.length = 0
    this.#head = 0
    this.#buffered = 0
    this.#finish({ local: false, ...(error === undefined ? {} : { error }) })
  }

  #finish(event: LinkEvents['close']): void {
    this.#needDrain = false
    this.#owner.links.delete(this)
    if (this.peer === undefined || this.peer.#status === 'closed') this.#hub.open--
    this.#events.emit('close', event)
  }
}
