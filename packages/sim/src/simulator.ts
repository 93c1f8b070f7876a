/**
 * The deterministic discrete-event engine. It holds N nodes, each running a sans-IO core
 * (`handle(input)` → outputs) through a `ProtocolAdapter` (default: the gossip router's,
 * `createGossipProtocol`), and carries out their outputs over simulated links: frames arrive after
 * the link's delay (or are lost, or fall into a partition), connections open in one
 * round trip and close when an end leaves or crashes, wake requests become ticks (a node's
 * latest wake replaces its earlier ones, so a tick it no longer wants never reaches it), and
 * validation requests are answered by the simulated application. Time is virtual; all
 * randomness comes from the seed; the same seed and the same calls give the same run.
 *
 * Events at the same time run in a fixed order that does not depend on how the run is
 * processed: by the node whose action scheduled them (the driver's `at` callbacks first),
 * then in the order that node scheduled them. So a run split into parts on several threads
 * (`parts`) is the same run, byte for byte, as on one: each part holds the routers of its
 * nodes (node i belongs to part i mod count), every part runs the same driver calls, and
 * the parts advance in windows of a quarter of the shortest link delay, posting the frames
 * and connection events that cross between them at each window's end. A frame sent in a
 * window cannot arrive before the fourth window after it, so a part waits only for what
 * the others sent four windows back, and a part held up for a moment (a collection) does
 * not stop the others at once.
 *
 * @example
 * const sim = createSimulator({ seed: 1 })
 * const a = sim.addNode({ peerId: ids[0], create: () => floodRouter(0) })
 * sim.start(a); sim.connect(a, b); sim.publish(a, 'news', envelope)
 * sim.runUntil(5_000)
 */

import { createBatchWriter, readBatch } from './batch'
import { createConnTable } from './conn-table'
import { type ConnectionLog, createConnectionLogWriter } from './connection-log'
import { DEFAULT_LATENCY, DEFAULT_TICK_RESOLUTION_MS } from './constants'
import type { GossipInput, GossipOutput, PeerId, ValidationVerdict } from './contract'
import { InvalidOptionError } from './errors'
import { createEventQueue } from './event-queue'
import { createGossipProtocol, type GossipDelivery } from './gossip-protocol'
import { assertLatencyModel, type LatencyModel, linkLatency, minLinkLatency } from './latency'
import type { ProtocolAdapter, ProtocolEffects, SansIoCore } from './protocol'
import { createRandom, type Random } from './random'

const FRAME = 1
const TICK = 2
const ACCEPT = 3
const CONNECTED = 4
const CONNECT_FAILED = 5
const CLOSED = 6
const CALL = 7
const INPUT = 8

/** Why a frame did not arrive. */
export type DropReason = 'loss' | 'partition' | 'not-connected' | 'receiver-down' | 'closed'

/** Callbacks for whoever measures a run; every callback is optional. `D`: what a core delivers. */
export interface SimObserver<D = GossipDelivery> {
  /** A router asked to send a frame (called before loss and partitions apply). */
  send?(from: number, to: number, bytes: Uint8Array, payloads: number, now: number): void
  /** A frame reached a router. */
  receive?(to: number, from: number, bytes: Uint8Array, payloads: number, now: number): void
  /** A frame was dropped on the way. */
  drop?(from: number, to: number, payloads: number, reason: DropReason, now: number): void
  /** A router delivered a message to its application. */
  deliver?(node: number, output: D, now: number): void
  /** A router reported a peer. */
  misbehaved?(node: number, peer: number, reason: string, now: number): void
  /** Both ends of a connection hold it open (called at the dialled end). */
  opened?(a: number, b: number, now: number): void
  /** One end of a connection closed it, or learnt that the other end did. */
  closed?(node: number, peer: number, now: number): void
  /** A node crashed. */
  crashed?(node: number, now: number): void
  /** A node (re)started with fresh state. */
  started?(node: number, now: number): void
  /** A router threw; the input is dropped and the run goes on when `routerErrors` is 'count'. */
  routerError?(node: number, error: unknown, now: number): void
}

/** What the simulator needs to know about a node (`I`, `O`: its core's inputs and outputs). */
export interface NodeSpec<I = GossipInput, O = GossipOutput> {
  /** The node's identity, as its core and its peers see it. */
  peerId: PeerId
  /** Builds the node's core with fresh state; called at each (re)start. */
  create(context: NodeContext): SansIoCore<I, O>
}

/** Passed to `NodeSpec.create`. */
export interface NodeContext {
  /** The node's index in the simulator. */
  index: number
  /** How many times the node has started before (0 at the first start). */
  incarnation: number
  /** The node's own random stream (a fresh fork per incarnation). */
  random: () => number
}

export interface SimulatorOptions<I = GossipInput, O = GossipOutput, D = GossipDelivery> {
  /**
   * How the engine drives the nodes' cores (default: the gossip router's adapter, built
   * from `validate` and `validationDelayMs`).
   */
  protocol?: ProtocolAdapter<I, O, D>
  /** Seed of every random choice (link delays, loss, node streams). */
  seed: number
  /** Virtual time at the start, in ms since the Unix epoch (default 0). */
  startTime?: number
  /** One-way link delays (default uniform 10–100 ms). */
  latency?: LatencyModel
  /** Extra delay per frame, uniform in [0, jitterMs]; frames keep their order per connection. */
  jitterMs?: number
  /** Probability that a frame is lost (default 0). */
  loss?: number
  /**
   * How long after a crash its peers notice the connection is gone (default: the link's
   * delay, as when the peer's host resets the connection).
   */
  crashDetectMs?: number
  /** Wake requests are rounded up to a multiple of this (default 10 ms). */
  tickResolutionMs?: number
  /** Gossip only: the simulated application's verdict on `validate` outputs (default: accept). */
  validate?(node: number, topic: string, envelope: Uint8Array): ValidationVerdict
  /** Gossip only: delay of the application's verdict (default 0). */
  validationDelayMs?: number
  /** What to do when a router throws: rethrow (default) or report to the observer and go on. */
  routerErrors?: 'throw' | 'count'
  observer?: SimObserver<D>
  /** Run as one part of a run split across threads (see `SimParts`). */
  parts?: SimParts
}

/**
 * One part of a run split across threads. Every part adds the same nodes and makes the
 * same driver calls (`start`, `crash`, `at`, …); a part creates routers only for its own
 * nodes (node i belongs to part `i % count`), ignores `input`, `connect` and `disconnect`
 * for other parts' nodes, and reports to its observer only what happens at its own nodes.
 * Frames and connection events between parts travel as buffers over numbered channels
 * (0: events, 1: connection views), in order per channel and pair of parts.
 */
export interface SimParts {
  /** This part's index, in [0, count). */
  index: number
  /** Number of parts. */
  count: number
  /** Hands `buffer` (transferred) to part `to` on `channel`. */
  post(to: number, channel: number, buffer: ArrayBuffer): void
  /** The next buffer part `from` posted to this part on `channel`; blocks until it comes. */
  receive(from: number, channel: number): ArrayBuffer
}

/** Windows per shortest link delay in a split run (how far parts may drift apart). */
export const SPLIT_WINDOWS_PER_DELAY = 4

const EVENTS_CHANNEL = 0
const VIEW_CHANNEL = 1

/** Options of `Simulator.partition`. */
export interface PartitionOptions {
  /**
   * Also close every connection that crosses the cut (both ends are told after the link's
   * delay). Default false: the cut is a black hole and connections stay open until healed.
   */
  sever?: boolean
}

/** The engine. Node arguments are indices returned by `addNode`. */
export interface Simulator<I = GossipInput, O = GossipOutput> {
  /** Current virtual time. */
  readonly now: number
  /** Number of nodes added. */
  readonly size: number
  /** Events processed so far. */
  readonly events: number
  /** Adds a node (down until `start`). @returns its index */
  addNode(spec: NodeSpec<I, O>): number
  /** Starts a node with fresh router state (a first start, or a rejoin after a crash). */
  start(node: number): void
  /** Crashes a node: its state is lost and its peers notice after `crashDetectMs`. */
  crash(node: number): void
  isUp(node: number): boolean
  /** `a` dials `b`, as if `a`'s router had output `connect`. */
  connect(a: number, b: number): void
  /** `a` closes its connection to `b`. */
  disconnect(a: number, b: number): void
  /** Feeds an input to a node's router now (ignored when the node is down). */
  input(node: number, input: I): void
  /**
   * Hands `bytes` to `to` now as a frame from `from`, as if it had just come over their
   * connection: no delay, loss or partition, and the observer hears of no send or receive.
   * This is how a test plays an adversary that writes its own frames, or looks at what one
   * frame makes a core do. The core's outputs are carried out as any others and returned.
   * @returns the outputs; none when `to` is down, another part's, or holds no connection
   * to `from`
   */
  inject(from: number, to: number, bytes: Uint8Array): readonly O[]
  /** Splits the network: nodes with different `sides[i]` cannot reach each other. */
  partition(sides: ArrayLike<number>, options?: PartitionOptions): void
  /** Removes the partition. */
  heal(): void
  /** Whether frames can pass between two nodes (no partition between them). */
  reachable(a: number, b: number): boolean
  /** Runs `fn` at virtual time `time` (>= now), in order with the other events. */
  at(time: number, fn: () => void): void
  /**
   * Processes events up to and including `time`, then sets the clock to `time`.
   * `onProgress` is called every `progressEvery` events (default 65,536).
   */
  runUntil(time: number, onProgress?: (now: number, events: number) => void): void
  /**
   * The peers a node holds an open connection to. In a part of a split run, another
   * part's nodes answer as of the last `syncView`.
   */
  connections(node: number): number[]
  /** Number of open connections of a node. */
  degree(node: number): number
  peerIdOf(node: number): PeerId
  /** The index of a peer id, or -1 when it is not in the simulation. */
  indexOf(peerId: PeerId): number
  /** The one-way delay of the link between two nodes. */
  latency(a: number, b: number): number
  /**
   * In a part of a split run, fetches every other part's connections, so `connections`
   * and `degree` answer for all nodes (every part must call it at the same point of the
   * run); nothing to do in a whole run.
   */
  syncView(): void
  /**
   * Marks the connections of this part's nodes (all nodes in a whole run) as they are now,
   * without waiting for the other parts. The first mark starts a log of their opens and
   * closes (`connectionLog`), from which the whole graph at every mark can be rebuilt once
   * the parts' logs are together (`createConnectionReplay`); every part must mark at the
   * same points of the run.
   * @returns the mark's number (0, 1, …)
   */
  markConnections(): number
  /** This part's connection log up to its last mark (a copy; empty before the first mark). */
  connectionLog(): ConnectionLog
}

interface NodeState<I, O> {
  spec: NodeSpec<I, O>
  /** peer index → connection id, for open connections. */
  conns: Map<number, number>
  /** Peers this node is dialling. */
  dialing: Set<number> | undefined
  /** Tick times scheduled and not yet fired. */
  ticks: number[]
  /** The time of the node's latest wake: the only tick it still wants (-1: none). */
  wake: number
}

/**
 * Creates a simulator of gossip routers, or of any core when `protocol` is given.
 * @param options - seed, links, loss, protocol, application, observer
 * @returns the simulator
 * @throws InvalidOptionError when an option is out of range
 * @example
 * const sim = createSimulator({ seed: 7, loss: 0.01 })
 */
export function createSimulator(options: SimulatorOptions): Simulator
export function createSimulator<I, O, D>(
  options: SimulatorOptions<I, O, D> & { protocol: ProtocolAdapter<I, O, D> },
): Simulator<I, O>
export function createSimulator<I, O, D>(options: SimulatorOptions<I, O, D>): Simulator<I, O> {
  const protocol =
    options.protocol ??
    (createGossipProtocol({
      ...(options.validate === undefined ? {} : { validate: options.validate }),
      ...(options.validationDelayMs === undefined
        ? {}
        : { validationDelayMs: options.validationDelayMs }),
    }) as unknown as ProtocolAdapter<I, O, D>)
  if (
    options.protocol !== undefined &&
    (options.validate ?? options.validationDelayMs) !== undefined
  ) {
    throw new InvalidOptionError(
      'validate',
      'validate and validationDelayMs belong to the gossip protocol',
    )
  }
  const seed = options.seed
  if (!Number.isSafeInteger(seed))
    throw new InvalidOptionError('seed', 'seed must be a safe integer')
  const model = options.latency ?? DEFAULT_LATENCY
  assertLatencyModel(model)
  const loss = options.loss ?? 0
  if (!(loss >= 0 && loss <= 1)) throw new InvalidOptionError('loss', 'loss must be in [0, 1]')
  const jitter = options.jitterMs ?? 0
  if (!(jitter >= 0 && Number.isFinite(jitter))) throw new InvalidOptionError('jitterMs')
  const resolution = options.tickResolutionMs ?? DEFAULT_TICK_RESOLUTION_MS
  if (!(resolution > 0 && Number.isFinite(resolution))) {
    throw new InvalidOptionError('tickResolutionMs')
  }
  const detectMs = options.crashDetectMs
  if (detectMs !== undefined && !(detectMs >= 0 && Number.isFinite(detectMs))) {
    throw new InvalidOptionError('crashDetectMs')
  }
  const throwErrors = (options.routerErrors ?? 'throw') === 'throw'
  const observer = options.observer ?? {}

  const parts = options.parts
  const partCount = parts?.count ?? 1
  const me = parts?.index ?? 0
  if (parts !== undefined) {
    if (!(Number.isSafeInteger(partCount) && partCount >= 1))
      throw new InvalidOptionError('parts.count')
    if (!(Number.isSafeInteger(me) && me >= 0 && me < partCount)) {
      throw new InvalidOptionError('parts.index')
    }
  }
  /**
   * The parts advance in windows this long: no event one part schedules at another's node
   * (a frame, a connection event) arrives sooner.
   */
  const lookahead = Math.min(minLinkLatency(model), detectMs ?? Number.POSITIVE_INFINITY)
  if (partCount > 1 && !(lookahead >= 1)) {
    throw new InvalidOptionError(
      'parts',
      'a split run needs every link delay (and crashDetectMs) to be at least 1 ms',
    )
  }

  const queue = createEventQueue(4096)
  /** The same connections as the nodes' `conns` maps, for the per-frame lookups. */
  const connTable = createConnTable()
  /** Opens and closes of this part's nodes' connections from the first mark on. */
  const connectionLog = createConnectionLogWriter()
  const nodeRandom: Random = createRandom(seed).fork(0x90de)
  const linkRandomRoot: Random = createRandom(seed).fork(0x1ee7)
  /** Each sender's stream for loss and jitter (made when first needed). */
  const linkRandoms: Array<Random | undefined> = []
  const nodes: NodeState<I, O>[] = []
  /** Each node's core while it is up (dense, beside `nodes`: a frame reaches it in one read). */
  const routers: (SansIoCore<I, O> | undefined)[] = []
  /** Each node's peer id, by index (read for every frame delivered). */
  const peerIds: PeerId[] = []
  let up = new Uint8Array(64)
  let incarnation = new Int32Array(64)
  /** Events scheduled so far by the driver (slot 0) and by each node (slot node + 1). */
  let scheduled = new Float64Array(65)
  let sides: Int32Array | undefined
  const byObject = new Map<PeerId, number>()
  const byKey = new Map<string, number>()
  const learned = new WeakMap<PeerId, number>()
  /** connection id * 2 + direction → last arrival time; only used with jitter. */
  const lastArrival = new Map<number, number>()
  const outboxes = Array.from({ length: partCount }, (_, j) =>
    j === me ? undefined : createBatchWriter(),
  )
  /**
   * Other parts' nodes' connections as of the last `syncView`: for node n, the peers
   * `viewPeers[viewStart[n] .. viewStart[n + 1])` (empty for this part's nodes).
   */
  let viewStart = new Int32Array(1)
  let viewPeers = new Int32Array(0)
  const remotePeers = (node: number): Int32Array =>
    node + 1 < viewStart.length
      ? viewPeers.subarray(viewStart[node]!, viewStart[node + 1]!)
      : viewPeers.subarray(0, 0)
  let now = options.startTime ?? 0
  if (!Number.isSafeInteger(now)) throw new InvalidOptionError('startTime')
  let events = 0
  let nextConnection = 1

  const isLocal = (node: number): boolean => partCount === 1 || node % partCount === me

  /**
   * Schedules an event caused by `origin` (a node, or -1 for the driver): here when the
   * event's node is this part's, else in the batch for that node's part.
   */
  const schedule = (
    origin: number,
    time: number,
    kind: number,
    node: number,
    peer: number,
    tag: number,
    count: number,
    ref: unknown,
  ): void => {
    const slot = origin + 1
    // distinct keys in the order each origin scheduled: exact below 2^21 nodes
    const order = slot * 4_294_967_296 + scheduled[slot]!
    scheduled[slot] = scheduled[slot]! + 1
    if (node < 0 || isLocal(node)) {
      queue.push(time, order, kind, node, peer, tag, count, ref)
      return
    }
    if (kind !== FRAME && ref !== undefined) {
      throw new InvalidOptionError('parts', 'only frames carry data between parts')
    }
    outboxes[node % partCount]!.event(
      time,
      order,
      kind,
      node,
      peer,
      tag,
      count,
      ref as Uint8Array | undefined,
    )
  }

  const linkRandom = (from: number): Random => {
    let stream = linkRandoms[from]
    if (stream === undefined) {
      stream = linkRandomRoot.fork(from)
      linkRandoms[from] = stream
    }
    return stream
  }

  const resolve = (peerId: PeerId): number => {
    const direct = byObject.get(peerId)
    if (direct !== undefined) return direct
    const seen = learned.get(peerId)
    if (seen !== undefined) return seen
    const index = byKey.get(peerId.toString()) ?? -1
    if (index >= 0) learned.set(peerId, index)
    return index
  }

  const assertNode = (node: number): NodeState<I, O> => {
    const state = nodes[node]
    if (state === undefined) throw new InvalidOptionError('node', `no node ${node}`)
    return state
  }

  const linkDelay = (a: number, b: number): number => linkLatency(model, a, b, seed)

  const none: readonly O[] = []

  /** Hands `input` to a node's core and carries out its outputs. @returns the outputs */
  const feed = (node: number, input: I): readonly O[] => {
    const router = routers[node]
    if (router === undefined) return none
    let outputs: readonly O[]
    try {
      outputs = router.handle(input)
    } catch (error) {
      if (throwErrors) throw error
      observer.routerError?.(node, error, now)
      return none
    }
    for (let i = 0; i < outputs.length; i++) protocol.apply(node, outputs[i]!, effects)
    return outputs
  }

  const effects: ProtocolEffects<I, D> = {
    send: (node, to, bytes, payloads) => send(node, resolve(to), bytes, payloads),
    deliver: (node, delivery) => observer.deliver?.(node, delivery, now),
    wake: (node, at) => wake(node, at),
    later: (node, delayMs, input) => {
      schedule(node, now + delayMs, INPUT, node, -1, incarnation[node]!, 0, input)
    },
    misbehaved: (node, peer, reason) => observer.misbehaved?.(node, resolve(peer), reason, now),
    connect: (node, peer) => {
      const to = resolve(peer)
      if (to < 0) {
        schedule(
          node,
          now,
          INPUT,
          node,
          -1,
          incarnation[node]!,
          0,
          protocol.connectFailed(peer, now),
        )
        return
      }
      dial(node, to)
    },
    disconnect: (node, peer) => {
      const to = resolve(peer)
      if (to >= 0) close(node, to)
    },
  }

  const send = (from: number, to: number, bytes: Uint8Array, payloads: number): void => {
    observer.send?.(from, to, bytes, payloads, now)
    if (to < 0) {
      observer.drop?.(from, to, payloads, 'not-connected', now)
      return
    }
    const connection = connTable.get(from, to)
    if (connection === 0) {
      observer.drop?.(from, to, payloads, 'not-connected', now)
      return
    }
    if (sides !== undefined && sides[from] !== sides[to]) {
      observer.drop?.(from, to, payloads, 'partition', now)
      return
    }
    if (loss > 0 && linkRandom(from).next() < loss) {
      observer.drop?.(from, to, payloads, 'loss', now)
      return
    }
    let at = now + linkDelay(from, to)
    if (jitter > 0) {
      at += Math.floor(linkRandom(from).next() * (jitter + 1))
      const key = connection * 2 + (from < to ? 0 : 1)
      const last = lastArrival.get(key) ?? 0
      if (at < last) at = last
      lastArrival.set(key, at)
    }
    schedule(from, at, FRAME, to, from, connection, payloads, bytes)
  }

  const wake = (node: number, at: number): void => {
    let time = Math.ceil(at / resolution) * resolution
    if (!(time > now)) time = now
    const state = nodes[node]!
    state.wake = time
    // a tick already due by then passes the wake on when it fires (see TICK), so a wake
    // moved later and later costs no event
    if (tickBy(state.ticks, time)) return
    addTick(node, state.ticks, time)
  }

  /** Whether one of `ticks` comes at or before `time`. */
  const tickBy = (ticks: number[], time: number): boolean => {
    for (let i = 0; i < ticks.length; i++) if (ticks[i]! <= time) return true
    return false
  }

  const addTick = (node: number, ticks: number[], time: number): void => {
    ticks.push(time)
    schedule(node, time, TICK, node, -1, incarnation[node]!, 0, undefined)
  }

  const dial = (a: number, b: number): void => {
    const state = nodes[a]!
    if (a === b) return
    if (state.conns.has(b)) {
      // Already connected: say so again, as a transport answers a dial to an open peer.
      schedule(a, now, INPUT, a, -1, incarnation[a]!, 0, protocol.connected(peerIds[b]!, true, now))
      return
    }
    if (state.dialing?.has(b)) return
    state.dialing ??= new Set()
    state.dialing.add(b)
    schedule(a, now + linkDelay(a, b), ACCEPT, b, a, incarnation[a]!, 0, undefined)
  }

  /**
   * `node` now holds connection `connection` to `peer`: in its map, the per-frame table and
   * (from the first mark) the connection log, which sees an open only when there was none.
   */
  const hold = (state: NodeState<I, O>, node: number, peer: number, connection: number): void => {
    if (connectionLog.started && !state.conns.has(peer)) connectionLog.opened(node, peer)
    state.conns.set(peer, connection)
    connTable.set(node, peer, connection)
  }

  /** `node` no longer holds its connection to `peer` (the counterpart of `hold`). */
  const release = (state: NodeState<I, O>, node: number, peer: number): void => {
    state.conns.delete(peer)
    connTable.delete(node, peer)
    if (connectionLog.started) connectionLog.closed(node, peer)
  }

  const close = (a: number, b: number): void => {
    const state = nodes[a]!
    const connection = state.conns.get(b)
    if (connection === undefined) return
    release(state, a, b)
    observer.closed?.(a, b, now)
    schedule(a, now + linkDelay(a, b), CLOSED, b, a, connection, 0, undefined)
  }

  const process = (slot: number): void => {
    const kind = queue.kind[slot]!
    const node = queue.node[slot]!
    const peer = queue.peer[slot]!
    const tag = queue.tag[slot]!
    switch (kind) {
      case FRAME: {
        const bytes = queue.ref[slot] as Uint8Array
        const payloads = queue.count[slot]!
        if (up[node] === 0) {
          observer.drop?.(peer, node, payloads, 'receiver-down', now)
          return
        }
        if (connTable.get(node, peer) !== tag) {
          observer.drop?.(peer, node, payloads, 'closed', now)
          return
        }
        observer.receive?.(node, peer, bytes, payloads, now)
        feed(node, protocol.frame(peerIds[peer]!, bytes, now))
        return
      }
      case TICK: {
        if (incarnation[node] !== tag || up[node] === 0) return
        const state = nodes[node]!
        const ticks = state.ticks
        const at = ticks.indexOf(now)
        if (at >= 0) {
          ticks[at] = ticks[ticks.length - 1]!
          ticks.pop()
        }
        const wanted = state.wake
        if (wanted !== now) {
          // a later wake replaced this one: the router has nothing due now
          if (wanted > now && !tickBy(ticks, wanted)) addTick(node, ticks, wanted)
          return
        }
        state.wake = -1
        feed(node, protocol.tick(now))
        return
      }
      case ACCEPT: {
        // `node` is the dialled end; `peer` dialled it at incarnation `tag`.
        if (incarnation[peer] !== tag || up[peer] === 0) return
        const state = nodes[node]!
        const cut = sides !== undefined && sides[node] !== sides[peer]
        // Both ends dialled each other: the dial from the lower index wins, decided at
        // each end from what that end knows.
        const crossed = state.dialing?.has(peer) === true && node < peer
        if (up[node] === 0 || cut || state.conns.has(peer) || crossed) {
          schedule(node, now + linkDelay(node, peer), CONNECT_FAILED, peer, node, tag, 0, undefined)
          return
        }
        const connection = nextConnection++ * partCount + me
        hold(state, node, peer, connection)
        schedule(
          node,
          now + linkDelay(node, peer),
          CONNECTED,
          peer,
          node,
          connection,
          tag,
          undefined,
        )
        observer.opened?.(node, peer, now)
        feed(node, protocol.connected(peerIds[peer]!, false, now))
        return
      }
      case CONNECTED: {
        // `node` dialled `peer` at incarnation `count`; the connection is `tag`. Should
        // `peer` close it or crash meanwhile, its CLOSED comes after this.
        if (incarnation[node] !== queue.count[slot] || up[node] === 0) return
        const state = nodes[node]!
        state.dialing?.delete(peer)
        if (up[peer] === 0) {
          feed(node, protocol.connectFailed(peerIds[peer]!, now))
          return
        }
        hold(state, node, peer, tag)
        feed(node, protocol.connected(peerIds[peer]!, true, now))
        return
      }
      case CONNECT_FAILED: {
        if (incarnation[node] !== tag || up[node] === 0) return
        const state = nodes[node]!
        state.dialing?.delete(peer)
        // the other end's own dial may have connected the pair meanwhile
        const connected = state.conns.has(peer)
        feed(
          node,
          connected
            ? protocol.connected(peerIds[peer]!, true, now)
            : protocol.connectFailed(peerIds[peer]!, now),
        )
        return
      }
      case CLOSED: {
        const state = nodes[node]!
        if (up[node] === 0 || state.conns.get(peer) !== tag) return
        release(state, node, peer)
        observer.closed?.(node, peer, now)
        feed(node, protocol.disconnected(peerIds[peer]!, now))
        return
      }
      case CALL:
        ;(queue.ref[slot] as () => void)()
        return
      case INPUT: {
        if (incarnation[node] !== tag || up[node] === 0) return
        feed(node, protocol.stamp(queue.ref[slot] as I, now))
        return
      }
    }
  }

  /** Posts this window's events for every other part. */
  const postWindow = (): void => {
    for (let j = 0; j < partCount; j++) {
      const box = outboxes[j]
      if (box !== undefined) parts!.post(j, EVENTS_CHANNEL, box.finish())
    }
  }

  /** Takes in one window's events from every other part. */
  const receiveWindow = (): void => {
    for (let j = 0; j < partCount; j++) {
      if (j === me) continue
      readBatch(
        parts!.receive(j, EVENTS_CHANNEL),
        (time, order, kind, node, peer, tag, count, bytes) => {
          queue.push(time, order, kind, node, peer, tag, count, bytes)
        },
      )
    }
  }

  const step = (): void => {
    const slot = queue.pop()
    now = queue.time[slot]!
    // every part runs the driver's calls: part 0 counts them
    if (me === 0 || queue.kind[slot] !== CALL) events++
    try {
      process(slot)
    } finally {
      queue.release(slot)
    }
  }

  const sim: Simulator<I, O> = {
    get now() {
      return now
    },
    get size() {
      return nodes.length
    },
    get events() {
      return events
    },
    addNode(spec) {
      const index = nodes.length
      if (byKey.has(spec.peerId.toString())) {
        throw new InvalidOptionError('peerId', 'two nodes share a peer id')
      }
      nodes.push({
        spec,
        conns: new Map(),
        dialing: undefined,
        ticks: [],
        wake: -1,
      })
      if (index >= up.length) {
        const grownUp = new Uint8Array(up.length * 2)
        grownUp.set(up)
        up = grownUp
        const grownIncarnation = new Int32Array(incarnation.length * 2)
        grownIncarnation.set(incarnation)
        incarnation = grownIncarnation
      }
      if (index + 1 >= scheduled.length) {
        const grown = new Float64Array(scheduled.length * 2)
        grown.set(scheduled)
        scheduled = grown
      }
      incarnation[index] = -1
      peerIds.push(spec.peerId)
      routers.push(undefined)
      byObject.set(spec.peerId, index)
      byKey.set(spec.peerId.toString(), index)
      return index
    },
    start(node) {
      const state = assertNode(node)
      if (up[node] === 1) return
      incarnation[node] = incarnation[node]! + 1
      up[node] = 1
      state.ticks = []
      state.wake = -1
      state.dialing = undefined
      if (!isLocal(node)) return
      const stream = nodeRandom.fork(node * 65_536 + incarnation[node]!)
      routers[node] = state.spec.create({
        index: node,
        incarnation: incarnation[node]!,
        random: stream.next,
      })
      observer.started?.(node, now)
    },
    crash(node) {
      const state = assertNode(node)
      if (up[node] === 0) return
      up[node] = 0
      routers[node] = undefined
      state.ticks = []
      state.wake = -1
      state.dialing = undefined
      if (!isLocal(node)) return
      observer.crashed?.(node, now)
      for (const [peer, connection] of state.conns) {
        const delay = detectMs ?? linkDelay(node, peer)
        schedule(node, now + delay, CLOSED, peer, node, connection, 0, undefined)
        release(state, node, peer)
      }
    },
    isUp(node) {
      assertNode(node)
      return up[node] === 1
    },
    connect(a, b) {
      assertNode(a)
      assertNode(b)
      if (up[a] === 1 && isLocal(a)) dial(a, b)
    },
    disconnect(a, b) {
      assertNode(a)
      assertNode(b)
      if (up[a] === 1 && isLocal(a)) close(a, b)
    },
    input(node, input) {
      assertNode(node)
      if (isLocal(node)) feed(node, input)
    },
    inject(from, to, bytes) {
      assertNode(from)
      assertNode(to)
      if (!isLocal(to) || up[to] === 0 || connTable.get(to, from) === 0) return none
      return feed(to, protocol.frame(peerIds[from]!, bytes, now))
    },
    partition(assigned, partitionOptions) {
      const next = new Int32Array(nodes.length)
      for (let i = 0; i < nodes.length; i++) next[i] = assigned[i] ?? 0
      sides = next
      if (partitionOptions?.sever === true) {
        for (let a = 0; a < nodes.length; a++) {
          if (!isLocal(a)) continue
          for (const [b, connection] of nodes[a]!.conns) {
            // each end learns of the break after the link's delay
            if (next[a] !== next[b]) {
              schedule(a, now + linkDelay(a, b), CLOSED, a, b, connection, 0, undefined)
            }
          }
        }
      }
    },
    heal() {
      sides = undefined
    },
    reachable(a, b) {
      return sides === undefined || sides[a] === sides[b]
    },
    at(time, fn) {
      if (!(time >= now)) throw new InvalidOptionError('time', 'cannot schedule in the past')
      schedule(-1, time, CALL, -1, -1, 0, 0, fn)
    },
    runUntil(time, onProgress) {
      if (!(time >= now)) throw new InvalidOptionError('time', 'cannot run backwards')
      let reported = events
      const progress = (): void => {
        if (onProgress !== undefined && events - reported >= 0x10000) {
          reported = events
          onProgress(now, events)
        }
      }
      if (partCount === 1) {
        while (queue.size > 0 && queue.peekTime() <= time) {
          step()
          progress()
        }
      } else {
        // Window i covers [start + i·w, start + (i + 1)·w); what another part posts after
        // window i arrives at start + (i + SPLIT_WINDOWS_PER_DELAY)·w or later.
        const start = now
        const width = lookahead / SPLIT_WINDOWS_PER_DELAY
        let window = 0
        for (;;) {
          if (window >= SPLIT_WINDOWS_PER_DELAY) receiveWindow()
          const end = start + (window + 1) * width
          while (queue.size > 0) {
            const t = queue.peekTime()
            if (t >= end || t > time) break
            step()
            progress()
          }
          postWindow()
          if (end > time) break
          window++
        }
        // what the last windows posted is for later: take it in, so every channel is empty
        for (let k = Math.max(0, window - SPLIT_WINDOWS_PER_DELAY + 1); k <= window; k++) {
          receiveWindow()
        }
      }
      now = time
    },
    connections(node) {
      const state = assertNode(node)
      return isLocal(node) ? [...state.conns.keys()] : Array.from(remotePeers(node))
    },
    degree(node) {
      const state = assertNode(node)
      return isLocal(node) ? state.conns.size : remotePeers(node).length
    },
    peerIdOf(node) {
      return assertNode(node).spec.peerId
    },
    indexOf(peerId) {
      return resolve(peerId)
    },
    latency(a, b) {
      assertNode(a)
      assertNode(b)
      return linkDelay(a, b)
    },
    syncView() {
      if (partCount === 1) return
      // this part's nodes, each as [node, n, peer × n]
      let length = 0
      for (let node = me; node < nodes.length; node += partCount) {
        const n = nodes[node]!.conns.size
        if (n > 0) length += 2 + n
      }
      const packed = new Int32Array(length)
      let at = 0
      for (let node = me; node < nodes.length; node += partCount) {
        const conns = nodes[node]!.conns
        if (conns.size === 0) continue
        packed[at++] = node
        packed[at++] = conns.size
        for (const peer of conns.keys()) packed[at++] = peer
      }
      for (let j = 0; j < partCount; j++) {
        if (j !== me) parts!.post(j, VIEW_CHANNEL, packed.buffer.slice(0))
      }
      const counts = new Int32Array(nodes.length)
      const received: Int32Array[] = []
      let total = 0
      for (let j = 0; j < partCount; j++) {
        if (j === me) continue
        const ints = new Int32Array(parts!.receive(j, VIEW_CHANNEL))
        received.push(ints)
        for (let k = 0; k + 1 < ints.length; k += 2 + ints[k + 1]!) {
          counts[ints[k]!] = ints[k + 1]!
          total += ints[k + 1]!
        }
      }
      viewStart = new Int32Array(nodes.length + 1)
      for (let node = 0; node < nodes.length; node++) {
        viewStart[node + 1] = viewStart[node]! + counts[node]!
      }
      viewPeers = new Int32Array(total)
      for (const ints of received) {
        for (let k = 0; k + 1 < ints.length; k += 2 + ints[k + 1]!) {
          viewPeers.set(ints.subarray(k + 2, k + 2 + ints[k + 1]!), viewStart[ints[k]!]!)
        }
      }
    },
    markConnections() {
      if (!connectionLog.started) {
        connectionLog.start()
        for (let node = me; node < nodes.length; node += partCount) {
          for (const peer of nodes[node]!.conns.keys()) connectionLog.opened(node, peer)
        }
      }
      return connectionLog.mark()
    },
    connectionLog() {
      return connectionLog.log(me, partCount)
    },
  }
  return sim
}
