/**
 * One gossip run, start to finish: N nodes join over two seconds and subscribe to one
 * topic, the overlay settles, warm-up messages let trees and meshes form, then optional
 * faults strike (a share of nodes crashes at once; Sybils push in and misbehave;
 * replayers capture frames), measured messages are published by random honest nodes at
 * a steady pace, and the metrics are computed. Everything is derived from the seed; the
 * timeline is described in `docs/sim.md`. With `workers` > 1 the run is split across that
 * many threads (`threads`, see `parallel.ts`); the figures are the same for any number.
 *
 * @example
 * const result = await runGossip({ strategy: plumtreeStrategy, nodes: 1000, messages: 100, seed: 1 })
 * result.reliability // 1
 */
import { createVerifyCache } from '@peerkit/envelope'
import { sealMessage } from '@peerkit/gossip'
import { createAdversary } from './adversaries'
import {
  DEFAULT_DRAIN_MS,
  DEFAULT_JOIN_SPREAD_MS,
  DEFAULT_PUBLISH_INTERVAL_MS,
  DEFAULT_TOPIC,
  DEFAULT_WARMUP_MESSAGES,
  DEFAULT_WARMUP_MS,
  EPOCH_MS,
} from './constants'
import type { PeerId } from './contract'
import { InvalidOptionError } from './errors'
import { createIdentities } from './identities'
import type { LatencyModel } from './latency'
import { createEnvelopeCheck, defaultEnvelopeRules } from './messages'
import {
  createMetrics,
  type Metrics,
  type MetricsState,
  type NodeRole,
  type RunFigures,
} from './metrics'
import type { SimThreads } from './parallel'
import { createRandom, sample, sampleRange, shuffleInPlace } from './random'
import { createSimulator, type SimObserver, type SimParts, type Simulator } from './simulator'
import { strategyFromName } from './strategies/index'
import type { Strategy, StrategyContext } from './strategies/types'

/** Replay attack settings of a run. */
export interface ReplayOptions {
  /** Replayer nodes added to the run (they capture frames, then re-send them verbatim). */
  replayers: number
  /** When to replay, in ms after the last measured publish (e.g. soon, and after the seen caches forgot). */
  afterMs: readonly number[]
  /**
   * Share of honest nodes that crash and restart with empty state 10 s before the last
   * replay. Make the last replay come after the envelopes' age limit: a node without
   * memory cannot tell a young replay from a late first delivery, so only the age limit
   * can protect it.
   */
  restart?: number
}

export interface GossipRunOptions {
  strategy: Strategy
  /** Nodes in the run, adversaries included. */
  nodes: number
  /** Measured messages. */
  messages: number
  seed: number
  /** Share of honest nodes that crash at once before the measured messages (default 0). */
  crash?: number
  /** Share of nodes that are Sybils: half silent droppers, half spammers, all trying to eclipse. */
  sybil?: number
  /** Frame loss probability on every link (default 0). */
  loss?: number
  latency?: LatencyModel
  replay?: ReplayOptions
  /** Time over which the nodes join, one after another (default 2 s, or 2 ms per node if less). */
  joinSpreadMs?: number
  /**
   * Distinct publishers, drawn at random from the honest nodes and taking turns (default:
   * any honest node for each message). With as many publishers as warm-up messages or
   * fewer, every measured message comes from a publisher that published before.
   */
  publishers?: number
  /** Unmeasured messages published first (default 10). */
  warmupMessages?: number
  /** Settling time between the last join and the first message (default 8 s). */
  warmupMs?: number
  /** Gap between publishes (default 200 ms). */
  publishIntervalMs?: number
  /** Time after the last publish for messages to spread (default 10 s). */
  drainMs?: number
  /** Bytes of application data in each message (default 64). */
  payloadBytes?: number
  /** A router that throws: stop the run (default) or count it and go on. */
  routerErrors?: 'throw' | 'count'
  /**
   * Threads to split the run across (default 1). Any number gives the same figures; more
   * than one needs a built-in strategy (`strategyFromName`), link delays of at least 1 ms,
   * and `threads`.
   */
  workers?: number
  /** What runs the parts of a split run (`createSimThreads` from `@peerkit/sim/threads`). */
  threads?: SimThreads
  /**
   * Called every 65,536 events with the virtual time reached and the run's end (in a split
   * run, the events of the calling thread's part).
   */
  onProgress?(status: { now: number; end: number; events: number }): void
}

/** What a worker is told to run: the options as plain data. */
type PartTask = Omit<GossipRunOptions, 'strategy' | 'onProgress' | 'threads'> & {
  strategy: string
}

/** What each part of a run saw besides its metrics (structured-cloneable). */
interface PartOutcome {
  events: number
  routerErrors: number
  replaysSent: number
  repairRounds: number | undefined
  componentsAtEnd: number[]
}

/** What a worker's part hands back. */
interface WorkerOutcome extends PartOutcome {
  metrics: MetricsState
}

/** The calling thread's part, with what the figures are computed from. */
interface LocalPart {
  outcome: PartOutcome
  metrics: Metrics
  sim: Simulator
  strategy: Strategy
  size: number
  honestNodes: number
  messages: number
  seed: number
  virtualMs: number
  replay: boolean
}

/** The result of one run: the figures, and what was run. */
export interface GossipRunResult extends Omit<RunFigures, 'curve'> {
  strategy: string
  nodes: number
  honestNodes: number
  messages: number
  seed: number
  /** Heartbeat rounds after the crash until the live overlay was connected again (crash runs). */
  repairRounds?: number
  /** Live honest nodes per connected component of the overlay at the end, largest first. */
  componentsAtEnd: number[]
  /**
   * Replay runs: 1 − (replays that got through) / (replayed frames sent), where a replay
   * got through when a node delivered a message it had delivered before, or one older than
   * the envelope age limit.
   */
  replayRejected?: number
  /** Frames the replayers re-sent (replay runs). */
  replaysSent?: number
  /** Routers that threw (with `routerErrors: 'count'`). */
  routerErrors: number
  /** Events the simulator processed. */
  events: number
  /** Virtual time the run covered, in ms. */
  virtualMs: number
  /** Wall-clock time of the whole run (keys, sealing, simulation, figures), in ms. */
  wallMs: number
  /** Delivery over time: [ms after publish, share of (message, honest receiver) pairs]. */
  deliveryCurve: Array<[number, number]>
}

const SETTLE_MS = 2_000

function share(value: number | undefined, name: string): number {
  const v = value ?? 0
  if (!(v >= 0 && v <= 1)) throw new InvalidOptionError(name, `${name} must be in [0, 1]`)
  return v
}

function count(value: number, name: string, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new InvalidOptionError(name, `${name} must be an integer >= ${min}`)
  }
  return value
}

/**
 * Runs one strategy through one scenario.
 * @param options - strategy, size, seed and faults
 * @returns the figures of the run
 * @throws InvalidOptionError when an option is out of range
 * @example
 * const { rmr } = await runGossip({ strategy: floodStrategy, nodes: 100, messages: 10, seed: 7 })
 */
export async function runGossip(options: GossipRunOptions): Promise<GossipRunResult> {
  const wallStart = performance.now()
  const workers = count(options.workers ?? 1, 'workers', 1)
  let result: GossipRunResult
  if (workers === 1) {
    result = finish(await runPart(options, undefined), [])
  } else {
    if (strategyFromName(options.strategy.name) !== options.strategy) {
      throw new InvalidOptionError('workers', 'a split run needs a built-in strategy')
    }
    const { strategy, onProgress, threads, ...rest } = options
    if (threads === undefined) {
      throw new InvalidOptionError('workers', 'a split run needs threads')
    }
    const task: PartTask = { ...rest, strategy: strategy.name }
    let local: LocalPart | undefined
    const outcomes = await threads.runInParts<PartOutcome>(workers, task, async (parts) => {
      local = await runPart(options, parts)
      return local.outcome
    })
    result = finish(local!, outcomes.slice(1) as WorkerOutcome[])
  }
  result.wallMs = Math.round(performance.now() - wallStart)
  return result
}

/**
 * Runs one part of a split run in a thread other than the caller's, from the task the
 * caller sent (see `serveSimWorker` in `@peerkit/sim/threads`).
 * @param task - the run's options as plain data
 * @param parts - how this part reaches the others
 * @returns what the part saw, metrics included (structured-cloneable)
 */
export async function runWorkerPart(task: unknown, parts: SimParts): Promise<unknown> {
  const { strategy, ...rest } = task as PartTask
  const local = await runPart({ ...rest, strategy: strategyFromName(strategy) }, parts)
  const outcome: WorkerOutcome = { ...local.outcome, metrics: local.metrics.exportState() }
  return outcome
}

/** The figures of a run from the calling thread's part and the other parts' outcomes. */
function finish(local: LocalPart, others: readonly WorkerOutcome[]): GossipRunResult {
  const { metrics, sim, outcome } = local
  for (const other of others) metrics.absorb(other.metrics)
  const all = [outcome, ...others]
  const figures = metrics.figures(sim, { cutOffGraceMs: 2 * local.strategy.heartbeatMs })
  const { curve, ...rest } = figures
  const result: GossipRunResult = {
    strategy: local.strategy.name,
    nodes: local.size,
    honestNodes: local.honestNodes,
    messages: local.messages,
    seed: local.seed,
    ...rest,
    routerErrors: all.reduce((sum, o) => sum + o.routerErrors, 0),
    componentsAtEnd: outcome.componentsAtEnd,
    events: all.reduce((sum, o) => sum + o.events, 0),
    virtualMs: local.virtualMs,
    wallMs: 0,
    deliveryCurve: curve,
  }
  if (outcome.repairRounds !== undefined) result.repairRounds = outcome.repairRounds
  if (local.replay) {
    const sent = all.reduce((sum, o) => sum + o.replaysSent, 0)
    result.replaysSent = sent
    result.replayRejected = sent === 0 ? 0 : 1 - Math.min(1, metrics.lateDeliveries / sent)
  }
  return result
}

/** Runs the whole run, or one part of a split run, and returns what that part saw. */
async function runPart(options: GossipRunOptions, parts: SimParts | undefined): Promise<LocalPart> {
  const strategy = options.strategy
  const total = count(options.nodes, 'nodes', 2)
  const messageCount = count(options.messages, 'messages', 1)
  const seed = options.seed
  if (!Number.isSafeInteger(seed)) throw new InvalidOptionError('seed', 'seed must be an integer')
  const crashShare = share(options.crash, 'crash')
  const sybilShare = share(options.sybil, 'sybil')
  if (sybilShare > 0.5) throw new InvalidOptionError('sybil', 'sybil must be at most 0.5')
  const loss = share(options.loss, 'loss')
  const warmupMessages = count(
    options.warmupMessages ?? DEFAULT_WARMUP_MESSAGES,
    'warmupMessages',
    0,
  )
  const warmupMs = count(options.warmupMs ?? DEFAULT_WARMUP_MS, 'warmupMs', 0)
  const interval = count(
    options.publishIntervalMs ?? DEFAULT_PUBLISH_INTERVAL_MS,
    'publishIntervalMs',
    1,
  )
  const drainMs = count(options.drainMs ?? DEFAULT_DRAIN_MS, 'drainMs', 0)
  const payloadBytes = count(options.payloadBytes ?? 64, 'payloadBytes', 0)
  const replay = options.replay
  const replayers = replay === undefined ? 0 : count(replay.replayers, 'replay.replayers', 1)
  const restartShare = share(replay?.restart, 'replay.restart')
  const topic = DEFAULT_TOPIC
  const random = createRandom(seed).fork(0x5ce7)

  // ------------------------------------------------------------ roles
  const sybils = Math.round(total * sybilShare)
  const roles: NodeRole[] = new Array(total + replayers).fill('honest')
  const adversaryIndices = shuffleInPlace(
    Array.from({ length: total - 1 }, (_, i) => i + 1),
    random,
  ).slice(0, sybils)
  adversaryIndices.forEach((node, i) => {
    roles[node] = i < Math.floor(sybils / 2) ? 'dropper' : 'spammer'
  })
  for (let i = 0; i < replayers; i++) roles[total + i] = 'replayer'
  const size = total + replayers
  const honest = roles.flatMap((role, i) => (role === 'honest' ? [i] : []))

  // ------------------------------------------------------------ timeline (relative ms)
  const joinSpread = count(
    options.joinSpreadMs ?? Math.min(DEFAULT_JOIN_SPREAD_MS, total * 2),
    'joinSpreadMs',
    0,
  )
  const tWarm = joinSpread + warmupMs
  const tSettled = tWarm + warmupMessages * interval + SETTLE_MS
  const crashed = new Set(sample(honest, Math.round(honest.length * crashShare), random))
  const tMeasure = tSettled + (crashed.size > 0 ? 100 : 0)
  const tLast = tMeasure + (messageCount - 1) * interval
  const restarted = new Set(
    sample(
      honest.filter((i) => !crashed.has(i)),
      Math.round(honest.length * restartShare),
      random,
    ),
  )
  const replayTimes = (replay?.afterMs ?? []).map((after) => tLast + after)
  const tEnd = Math.max(tLast + drainMs, ...replayTimes.map((t) => t + drainMs))

  // ------------------------------------------------------------ messages, sealed up front
  const identities = createIdentities(size, seed)
  const publisherPool = honest.filter((i) => !crashed.has(i) && !restarted.has(i))
  if (publisherPool.length === 0) throw new InvalidOptionError('nodes', 'no honest publisher left')
  const turns =
    options.publishers === undefined
      ? undefined
      : sample(publisherPool, count(options.publishers, 'publishers', 1), random)
  const plan: Array<{ at: number; publisher: number; measured: boolean; envelope: Uint8Array }> = []
  const data = new Uint8Array(payloadBytes)
  for (let k = 0; k < warmupMessages + messageCount; k++) {
    const measured = k >= warmupMessages
    const at = measured ? tMeasure + (k - warmupMessages) * interval : tWarm + k * interval
    const publisher =
      turns === undefined
        ? publisherPool[random.int(publisherPool.length)]!
        : turns[k % turns.length]!
    for (let b = 0; b < data.length; b++) data[b] = (k * 31 + b) & 0xff
    const envelope = await sealMessage(identities.signer(publisher), {
      topic,
      data: { n: k, bytes: data.slice() },
      timestamp: EPOCH_MS + at,
    })
    plan.push({ at, publisher, measured, envelope })
  }

  // ------------------------------------------------------------ simulator and nodes
  const metrics = createMetrics({ roles })
  let routerErrors = 0
  const observer: SimObserver = {
    ...metrics.observer,
    routerError() {
      routerErrors++
    },
  }
  const sim = createSimulator({
    seed,
    startTime: EPOCH_MS,
    loss,
    ...(options.latency === undefined ? {} : { latency: options.latency }),
    routerErrors: options.routerErrors ?? 'throw',
    observer,
    ...(parts === undefined ? {} : { parts }),
  })
  const rules = defaultEnvelopeRules(createVerifyCache({ maxEntries: 1 << 20 }))
  const check = createEnvelopeCheck(rules)
  let honestTargets: PeerId[] | undefined
  const adversaries: Array<{ stats: { replaysSent: number } }> = []
  for (let i = 0; i < size; i++) {
    const role = roles[i]!
    sim.addNode({
      peerId: identities.peerId(i),
      create(context) {
        const strategyContext: StrategyContext = {
          self: identities.peerId(i),
          random: context.random,
          rules,
          check,
        }
        const inner = strategy.createRouter(strategyContext)
        if (role === 'honest') return inner
        honestTargets ??= honest.map((h) => identities.peerId(h))
        const adversary = createAdversary({
          role,
          inner,
          random: context.random,
          targets: honestTargets,
          eclipse: role !== 'replayer',
          replayAt: replayTimes.map((t) => EPOCH_MS + t),
        })
        adversaries.push(adversary)
        return adversary
      },
    })
  }
  const at = (t: number, fn: () => void): void => sim.at(EPOCH_MS + t, fn)
  const join = (node: number, contacts: readonly number[]): void => {
    sim.start(node)
    sim.input(node, { type: 'subscribe', topic, now: sim.now })
    for (const contact of contacts) sim.connect(node, contact)
  }
  /** Nodes the driver has crashed so far. */
  let crashes = 0
  for (let i = 0; i < size; i++) {
    const node = i
    const joinAt = i < total ? Math.floor((i * joinSpread) / total) : tWarm - 1_000
    at(joinAt, () => {
      // nodes join in index order: before any crash, every node below this one is up
      if (crashes === 0) {
        join(node, sampleRange(node, strategy.bootstrapDegree, random))
        return
      }
      const candidates: number[] = []
      for (let j = 0; j < node; j++) if (sim.isUp(j)) candidates.push(j)
      join(node, sample(candidates, strategy.bootstrapDegree, random))
    })
  }
  let measuringStarted = false
  for (const step of plan) {
    at(step.at, () => {
      if (step.measured && !measuringStarted) {
        measuringStarted = true
        metrics.startMeasuring(sim.now)
      }
      metrics.publishing(sim, step.publisher, step.envelope, step.measured)
      sim.input(step.publisher, {
        type: 'publish',
        topic,
        envelope: step.envelope,
        now: sim.now,
      })
    })
  }
  // ------------------------------------------------------------ faults
  let repairRounds: number | undefined
  if (crashed.size > 0) {
    at(tSettled, () => {
      for (const node of crashed) sim.crash(node)
      crashes += crashed.size
      const crashAt = sim.now
      const check = (round: number): void => {
        if (overlayConnected(sim, honest)) {
          repairRounds = round
          return
        }
        const next = crashAt + (round + 1) * strategy.heartbeatMs
        if (next <= EPOCH_MS + tEnd) sim.at(next, () => check(round + 1))
        else repairRounds = round + 1
      }
      check(0)
    })
  }
  if (restarted.size > 0) {
    const tDown = Math.max(tLast + 1, Math.max(...replayTimes) - 10_000)
    at(tDown, () => {
      for (const node of restarted) sim.crash(node)
      crashes += restarted.size
    })
    at(tDown + 1_000, () => {
      const up: number[] = []
      for (let j = 0; j < size; j++) if (sim.isUp(j) && roles[j] === 'honest') up.push(j)
      for (const node of restarted) join(node, sample(up, strategy.bootstrapDegree, random))
    })
  }
  if (replayTimes.length > 0) {
    at(Math.min(...replayTimes), () =>
      metrics.watchLateDeliveries(rules.maxAgeMs + rules.maxSkewMs),
    )
  }

  // ------------------------------------------------------------ run
  const progress = options.onProgress
  sim.runUntil(
    EPOCH_MS + tEnd,
    progress === undefined
      ? undefined
      : (now, events) => progress({ now: now - EPOCH_MS, end: tEnd, events }),
  )

  const componentsAtEnd = overlayComponents(sim, honest)
  return {
    outcome: {
      events: sim.events,
      routerErrors,
      replaysSent: adversaries.reduce((sum, a) => sum + a.stats.replaysSent, 0),
      repairRounds,
      componentsAtEnd,
    },
    metrics,
    sim,
    strategy,
    size,
    honestNodes: honest.length,
    messages: messageCount,
    seed,
    virtualMs: tEnd,
    replay: replay !== undefined,
  }
}

/**
 * The connected components of the connection graph that contain up nodes of `members`
 * (paths may pass through any up node), as the number of members in each, largest first.
 * @param sim - the simulator
 * @param members - the nodes to group
 * @returns member counts per component
 */
export function overlayComponents(sim: Simulator, members: readonly number[]): number[] {
  sim.syncView()
  const isMember = new Uint8Array(sim.size)
  for (const node of members) isMember[node] = 1
  const seen = new Uint8Array(sim.size)
  const sizes: number[] = []
  for (const start of members) {
    if (seen[start] === 1 || !sim.isUp(start)) continue
    let count = 0
    const stack = [start]
    seen[start] = 1
    while (stack.length > 0) {
      const node = stack.pop()!
      if (isMember[node] === 1) count++
      for (const peer of sim.connections(node)) {
        if (seen[peer] === 1 || !sim.isUp(peer) || !sim.reachable(node, peer)) continue
        seen[peer] = 1
        stack.push(peer)
      }
    }
    sizes.push(count)
  }
  return sizes.sort((a, b) => b - a)
}

/**
 * Whether the up nodes among `members` form one connected component of the connection
 * graph (paths may pass through any up node).
 * @param sim - the simulator
 * @param members - the nodes that must all be reachable
 * @returns true when they are
 */
export function overlayConnected(sim: Simulator, members: readonly number[]): boolean {
  return overlayComponents(sim, members).length <= 1
}
