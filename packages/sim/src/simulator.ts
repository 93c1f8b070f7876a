/**
 * The deterministic discrete-event engine. It holds N nodes, each running any
 * `GossipRouter`, and carries out their outputs over simulated links: frames arrive after
 * the link's delay (or are lost, or fall into a partition), connections open in one
 * round trip and close when an end leaves or crashes, wake requests become ticks, and
 * validation requests are answered by the simulated application. Time is virtual; all
 * randomness comes from the seed; the same seed and the same calls give the same run.
 *
 * @example
 * const sim = createSimulator({ seed: 1 })
 * const a = sim.addNode({ peerId: ids[0], create: () => floodRouter(0) })
 * sim.start(a); sim.connect(a, b); sim.publish(a, 'news', envelope)
 * sim.runUntil(5_000)
 */

import { createConnTable } from './conn-table'
import { DEFAULT_LATENCY, DEFAULT_TICK_RESOLUTION_MS } from './constants'
import type { GossipInput, GossipOutput, GossipRouter, PeerId, ValidationVerdict } from './contract'
import { InvalidOptionError } from './errors'
import { createEventQueue } from './event-queue'
import { assertLatencyModel, type LatencyModel, linkLatency } from './latency'
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

/** Callbacks for whoever measures a run; every callback is optional. */
export interface SimObserver {
  /** A router asked to send a frame (called before loss and partitions apply). */
  send?(from: number, to: number, bytes: Uint8Array, payloads: number, now: number): void
  /** A frame reached a router. */
  receive?(to: number, from: number, bytes: Uint8Array, payloads: number, now: number): void
  /** A frame was dropped on the way. */
  drop?(from: number, to: number, payloads: number, reason: DropReason, now: number): void
  /** A router delivered a message to its application. */
  deliver?(node: number, output: Extract<GossipOutput, { type: 'deliver' }>, now: number): void
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

/** What the simulator needs to know about a node. */
export interface NodeSpec {
  /** The node's identity, as its router and its peers see it. */
  peerId: PeerId
  /** Builds the node's router with fresh state; called at each (re)start. */
  create(context: NodeContext): GossipRouter
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

export interface SimulatorOptions {
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
  /** The simulated application's verdict on `validate` outputs (default: accept). */
  validate?(node: number, topic: string, envelope: Uint8Array): ValidationVerdict
  /** Delay of the application's verdict (default 0). */
  validationDelayMs?: number
  /** What to do when a router throws: rethrow (default) or report to the observer and go on. */
  routerErrors?: 'throw' | 'count'
  observer?: SimObserver
}

/** Options of `Simulator.partition`. */
export interface PartitionOptions {
  /**
   * Also close every connection that crosses the cut (both ends are told after the link's
   * delay). Default false: the cut is a black hole and connections stay open until healed.
   */
  sever?: boolean
}

/** The engine. Node arguments are indices returned by `addNode`. */
export interface Simulator {
  /** Current virtual time. */
  readonly now: number
  /** Number of nodes added. */
  readonly size: number
  /** Events processed so far. */
  readonly events: number
  /** Adds a node (down until `start`). @returns its index */
  addNode(spec: NodeSpec): number
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
  input(node: number, input: GossipInput): void
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
  /** The peers a node holds an open connection to. */
  connections(node: number): number[]
  /** Number of open connections of a node. */
  degree(node: number): number
  peerIdOf(node: number): PeerId
  /** The index of a peer id, or -1 when it is not in the simulation. */
  indexOf(peerId: PeerId): number
  /** The one-way delay of the link between two nodes. */
  latency(a: number, b: number): number
}

interface NodeState {
  spec: NodeSpec
  router: GossipRouter | undefined
  /** peer index → connection id, for open connections. */
  conns: Map<number, number>
  /** Peers this node is dialling. */
  dialing: Set<number> | undefined
  /** Tick times scheduled and not yet fired. */
  ticks: number[]
}

/**
 * Creates a simulator.
 * @param options - seed, links, loss, application, observer
 * @returns the simulator
 * @throws InvalidOptionError when an option is out of range
 * @example
 * const sim = createSimulator({ seed: 7, loss: 0.01 })
 */
export function createSimulator(options: SimulatorOptions): Simulator {
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
  const validationDelay = options.validationDelayMs ?? 0
  const validateApp = options.validate
  const throwErrors = (options.routerErrors ?? 'throw') === 'throw'
  const observer = options.observer ?? {}

  const queue = createEventQueue(4096)
  /** The same connections as the nodes' `conns` maps, for the per-frame lookups. */
  const connTable = createConnTable()
  const linkRandom: Random = createRandom(seed).fork(0x1ee7)
  const nodeRandom: Random = createRandom(seed).fork(0x90de)
  const nodes: NodeState[] = []
  /** Each node's peer id, by index (read for every frame delivered). */
  const peerIds: PeerId[] = []
  let up = new Uint8Array(64)
  let incarnation = new Int32Array(64)
  let sides: Int32Array | undefined
  const byObject = new Map<PeerId, number>()
  const byKey = new Map<string, number>()
  const learned = new WeakMap<PeerId, number>()
  /** connection id * 2 + direction → last arrival time; only used with jitter. */
  const lastArrival = new Map<number, number>()
  let now = options.startTime ?? 0
  if (!Number.isSafeInteger(now)) throw new InvalidOptionError('startTime')
  let events = 0
  let nextConnection = 1

  const resolve = (peerId: PeerId): number => {
    const direct = byObject.get(peerId)
    if (direct !== undefined) return direct
    const seen = learned.get(peerId)
    if (seen !== undefined) return seen
    const index = byKey.get(peerId.toString()) ?? -1
    if (index >= 0) learned.set(peerId, index)
    return index
  }

  const assertNode = (node: number): NodeState => {
    const state = nodes[node]
    if (state === undefined) throw new InvalidOptionError('node', `no node ${node}`)
    return state
  }

  const linkDelay = (a: number, b: number): number => linkLatency(model, a, b, seed)

  const feed = (node: number, input: GossipInput): void => {
    const router = nodes[node]!.router
    if (router === undefined) return
    let outputs: GossipOutput[]
    try {
      outputs = router.handle(input)
    } catch (error) {
      if (throwErrors) throw error
      observer.routerError?.(node, error, now)
      return
    }
    for (let i = 0; i < outputs.length; i++) apply(node, outputs[i]!)
  }

  const apply = (node: number, output: GossipOutput): void => {
    switch (output.type) {
      case 'send': {
        const to = resolve(output.to)
        send(node, to, output.bytes, output.payloads)
        return
      }
      case 'deliver':
        observer.deliver?.(node, output, now)
        return
      case 'wake':
        wake(node, output.at)
        return
      case 'validate': {
        const verdict = validateApp?.(node, output.topic, output.envelope) ?? 'accept'
        const input: GossipInput = {
          type: 'validation-result',
          messageId: output.messageId,
          verdict,
          now: now + validationDelay,
        }
        queue.push(now + validationDelay, INPUT, node, -1, incarnation[node]!, 0, input)
        return
      }
      case 'misbehaved':
        observer.misbehaved?.(node, resolve(output.peer), output.reason, now)
        return
      case 'connect': {
        const to = resolve(output.peer)
        if (to < 0) {
          const input: GossipInput = { type: 'connect-failed', peer: output.peer, now }
          queue.push(now, INPUT, node, -1, incarnation[node]!, 0, input)
          return
        }
        dial(node, to)
        return
      }
      case 'disconnect': {
        const to = resolve(output.peer)
        if (to >= 0) close(node, to)
        return
      }
    }
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
    if (loss > 0 && linkRandom.next() < loss) {
      observer.drop?.(from, to, payloads, 'loss', now)
      return
    }
    let at = now + linkDelay(from, to)
    if (jitter > 0) {
      at += Math.floor(linkRandom.next() * (jitter + 1))
      const key = connection * 2 + (from < to ? 0 : 1)
      const last = lastArrival.get(key) ?? 0
      if (at < last) at = last
      lastArrival.set(key, at)
    }
    queue.push(at, FRAME, to, from, connection, payloads, bytes)
  }

  const wake = (node: number, at: number): void => {
    let time = Math.ceil(at / resolution) * resolution
    if (!(time > now)) time = now
    const ticks = nodes[node]!.ticks
    if (ticks.includes(time)) return
    ticks.push(time)
    queue.push(time, TICK, node, -1, incarnation[node]!, 0, undefined)
  }

  const dial = (a: number, b: number): void => {
    const state = nodes[a]!
    if (a === b) return
    if (state.conns.has(b)) {
      // Already connected: say so again, as a transport answers a dial to an open peer.
      const input: GossipInput = {
        type: 'peer-connected',
        peer: peerIds[b]!,
        now,
        outbound: true,
      }
      queue.push(now, INPUT, a, -1, incarnation[a]!, 0, input)
      return
    }
    if (state.dialing?.has(b)) return
    // A simultaneous open: `b`'s dial, already under way, will connect the pair.
    if (nodes[b]!.dialing?.has(a) === true && up[b] === 1) return
    state.dialing ??= new Set()
    state.dialing.add(b)
    queue.push(now + linkDelay(a, b), ACCEPT, b, a, incarnation[a]!, 0, undefined)
  }

  const close = (a: number, b: number): void => {
    const state = nodes[a]!
    const connection = state.conns.get(b)
    if (connection === undefined) return
    state.conns.delete(b)
    connTable.delete(a, b)
    observer.closed?.(a, b, now)
    queue.push(now + linkDelay(a, b), CLOSED, b, a, connection, 0, undefined)
  }

  const failDial = (a: number, b: number, dialIncarnation: number, delay: number): void => {
    queue.push(now + delay, CONNECT_FAILED, a, b, dialIncarnation, 0, undefined)
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
        feed(node, { type: 'frame', from: peerIds[peer]!, bytes, now })
        return
      }
      case TICK: {
        if (incarnation[node] !== tag || up[node] === 0) return
        const ticks = nodes[node]!.ticks
        const at = ticks.indexOf(now)
        if (at >= 0) {
          ticks[at] = ticks[ticks.length - 1]!
          ticks.pop()
        }
        feed(node, { type: 'tick', now })
        return
      }
      case ACCEPT: {
        // `node` is the dialled end; `peer` dialled it at incarnation `tag`.
        if (incarnation[peer] !== tag || up[peer] === 0) return
        const cut = sides !== undefined && sides[node] !== sides[peer]
        if (up[node] === 0 || cut || nodes[node]!.conns.has(peer)) {
          failDial(peer, node, tag, linkDelay(node, peer))
          return
        }
        const connection = nextConnection++
        nodes[node]!.conns.set(peer, connection)
        connTable.set(node, peer, connection)
        queue.push(now + linkDelay(node, peer), CONNECTED, peer, node, connection, tag, undefined)
        observer.opened?.(node, peer, now)
        feed(node, {
          type: 'peer-connected',
          peer: peerIds[peer]!,
          now,
          outbound: false,
        })
        return
      }
      case CONNECTED: {
        // `node` dialled `peer` at incarnation `count`; the connection is `tag`.
        if (incarnation[node] !== queue.count[slot] || up[node] === 0) return
        nodes[node]!.dialing?.delete(peer)
        if (up[peer] === 0 || nodes[peer]!.conns.get(node) !== tag) {
          feed(node, { type: 'connect-failed', peer: peerIds[peer]!, now })
          return
        }
        nodes[node]!.conns.set(peer, tag)
        connTable.set(node, peer, tag)
        feed(node, {
          type: 'peer-connected',
          peer: peerIds[peer]!,
          now,
          outbound: true,
        })
        return
      }
      case CONNECT_FAILED: {
        if (incarnation[node] !== tag || up[node] === 0) return
        nodes[node]!.dialing?.delete(peer)
        feed(node, { type: 'connect-failed', peer: peerIds[peer]!, now })
        return
      }
      case CLOSED: {
        const state = nodes[node]!
        if (up[node] === 0 || state.conns.get(peer) !== tag) return
        state.conns.delete(peer)
        connTable.delete(node, peer)
        observer.closed?.(node, peer, now)
        feed(node, { type: 'peer-disconnected', peer: peerIds[peer]!, now })
        return
      }
      case CALL:
        ;(queue.ref[slot] as () => void)()
        return
      case INPUT: {
        if (incarnation[node] !== tag || up[node] === 0) return
        const input = queue.ref[slot] as GossipInput
        feed(node, { ...input, now } as GossipInput)
        return
      }
    }
  }

  const sim: Simulator = {
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
      nodes.push({ spec, router: undefined, conns: new Map(), dialing: undefined, ticks: [] })
      if (index >= up.length) {
        const grownUp = new Uint8Array(up.length * 2)
        grownUp.set(up)
        up = grownUp
        const grownIncarnation = new Int32Array(incarnation.length * 2)
        grownIncarnation.set(incarnation)
        incarnation = grownIncarnation
      }
      incarnation[index] = -1
      peerIds.push(spec.peerId)
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
      state.dialing = undefined
      const stream = nodeRandom.fork(node * 65_536 + incarnation[node]!)
      state.router = state.spec.create({
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
      state.router = undefined
      state.ticks = []
      state.dialing = undefined
      observer.crashed?.(node, now)
      for (const [peer, connection] of state.conns) {
        const delay = detectMs ?? linkDelay(node, peer)
        queue.push(now + delay, CLOSED, peer, node, connection, 0, undefined)
        connTable.delete(node, peer)
      }
      state.conns.clear()
    },
    isUp(node) {
      assertNode(node)
      return up[node] === 1
    },
    connect(a, b) {
      assertNode(a)
      assertNode(b)
      if (up[a] === 1) dial(a, b)
    },
    disconnect(a, b) {
      assertNode(a)
      assertNode(b)
      if (up[a] === 1) close(a, b)
    },
    input(node, input) {
      assertNode(node)
      feed(node, input)
    },
    partition(assigned, partitionOptions) {
      const next = new Int32Array(nodes.length)
      for (let i = 0; i < nodes.length; i++) next[i] = assigned[i] ?? 0
      sides = next
      if (partitionOptions?.sever === true) {
        for (let a = 0; a < nodes.length; a++) {
          for (const b of [...nodes[a]!.conns.keys()]) {
            if (a < b && next[a] !== next[b]) {
              const connection = nodes[a]!.conns.get(b)!
              // Both ends learn of the break after the link's delay.
              queue.push(now + linkDelay(a, b), CLOSED, a, b, connection, 0, undefined)
              queue.push(now + linkDelay(a, b), CLOSED, b, a, connection, 0, undefined)
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
      queue.push(time, CALL, -1, -1, 0, 0, fn)
    },
    runUntil(time, onProgress) {
      if (!(time >= now)) throw new InvalidOptionError('time', 'cannot run backwards')
      while (queue.size > 0 && queue.peekTime() <= time) {
        const slot = queue.pop()
        now = queue.time[slot]!
        events++
        try {
          process(slot)
        } finally {
          queue.release(slot)
        }
        if (onProgress !== undefined && (events & 0xffff) === 0) onProgress(now, events)
      }
      now = time
    },
    connections(node) {
      return [...assertNode(node).conns.keys()]
    },
    degree(node) {
      return assertNode(node).conns.size
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
  }
  return sim
}
