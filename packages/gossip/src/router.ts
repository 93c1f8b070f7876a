/**
 * The gossip router: HyParView membership (a small symmetric active view, a passive view
 * for repair, joins by random walk, shuffles) and Plumtree broadcast per topic (eager push
 * on a self-forming tree, lazy IHAVE to the other neighbours, GRAFT / IWANT repair, PRUNE
 * on duplicates, tree optimization), with envelope messages, a seen cache, validation,
 * limits and score hooks. A deterministic state machine: all I/O is in the outputs.
 *
 * This file checks and decodes each input, hands it to the layer it is for (composed in
 * `state.ts`: `membership.ts`, `shuffle.ts`, `limits.ts`, `cache.ts`, `broadcast.ts`,
 * `repair.ts`, `validation.ts`), runs what is due, and merges the layers' wake times into
 * one `wake` output.
 *
 * @example
 * const router = createGossip({}, { self: signer.peerId, random: seededRandom(1) })
 * router.handle({ type: 'subscribe', topic: 'news', now: 0 })
 * router.handle({ type: 'peer-connected', peer, now: 0, outbound: true }) // → send JOIN
 */
import { isBytes } from '@peerkit/codec'
import type { PeerId } from '@peerkit/identity'
import { MAX_TOPIC_BYTES } from './constants'
import { frameLimitsOf } from './core'
import { InvalidArgumentError } from './errors'
import { announcements, createFrameReader, decodeFrame, readIhave } from './frame-reader'
import type { Frame } from './frames'
import { type GossipComponents, type GossipInit, resolveInit } from './options'
import { createGossipShare } from './shared'
import { createState, type State } from './state'
import type { Gossip, GossipInput, GossipOutput } from './types'

function assertPeer(peer: unknown, argument: string): asserts peer is PeerId {
  if (
    peer === null ||
    typeof peer !== 'object' ||
    typeof (peer as PeerId).toString !== 'function'
  ) {
    throw new InvalidArgumentError(argument, 'expected a PeerId')
  }
}

/**
 * Creates a gossip router.
 * @param init - tuning; every field defaults to the value in `constants.ts`
 * @param components - `self`, `random`, and optional `scoreHook`, `verifyCache`, `validate`
 * @returns the router, with read-only introspection
 * @throws {InvalidArgumentError} for an init option out of range or missing components
 * @example
 * const router = createGossip({ activeViewSize: 5 }, { self: peerId, random: () => rng.next() })
 * const outputs = router.handle({ type: 'tick', now: 1_000 })
 */
export function createGossip(init: GossipInit, components: GossipComponents): Gossip {
  return buildRouter(init, components).router
}

/**
 * `createGossip`, with the router's layers beside it (for the invariant checks of tests).
 * @returns the router and its state
 */
export function buildRouter(
  init: GossipInit,
  components: GossipComponents,
): { router: Gossip; state: State } {
  const resolved = resolveInit(init)
  if (components === null || typeof components !== 'object') {
    throw new InvalidArgumentError('components', 'expected an object')
  }
  const share = components.share ?? createGossipShare()
  if (typeof share?.key !== 'function' || typeof share.envelope !== 'function')
    throw new InvalidArgumentError('components.share', 'expected a GossipShare')
  const cfg = share.settings(resolved)
  const { self, random } = components
  if (
    self === null ||
    typeof self !== 'object' ||
    typeof self.toString !== 'function' ||
    !isBytes(self.publicKey)
  ) {
    throw new InvalidArgumentError('components.self', 'expected a PeerId')
  }
  if (typeof random !== 'function')
    throw new InvalidArgumentError('components.random', 'expected a function')

  const state = createState(cfg, share, components)
  const { core, limits, membership, shuffle, broadcast, repair, validation } = state
  const { conns } = core
  const frameLimits = frameLimitsOf(cfg)
  /** This router's own reader of announcements read in place. */
  const reader = createFrameReader()
  let started = false
  let scheduledWake: number | undefined

  function onFrame(from: PeerId, bytes: Uint8Array): void {
    const key = from.toString()
    const conn = conns.get(key)
    if (conn === undefined) return // not (or no longer) connected: nothing to blame
    if (limits.isCut(key)) return // cut off (until its score recovers): dropped unread
    if (!limits.frameAllowed(key, conn)) return
    // announcements of messages known or already missing are answered in place
    // (`readIhave`); the others are built from that reading, not decoded again
    const ihaveTopic = readIhave(reader, bytes, frameLimits, MAX_TOPIC_BYTES)
    if (ihaveTopic !== undefined) {
      conn.lastActivity = core.now
      if (!repair.announcedInPlace(key, conn, ihaveTopic, bytes, reader.announced))
        repair.onIhave(key, conn, ihaveTopic, announcements(reader, bytes))
      return
    }
    let frame: Frame
    try {
      frame = decodeFrame(bytes, frameLimits)
    } catch (error) {
      limits.violation(key, (error as Error).name)
      return
    }
    conn.lastActivity = core.now
    switch (frame.kind) {
      case 'join':
        membership.onJoin(key, frame.data)
        return
      case 'forward-join':
        membership.onForwardJoin(key, frame.peer, frame.ttl, frame.data)
        return
      case 'neighbor':
        membership.onNeighbor(key, frame.high, frame.data)
        return
      case 'neighbor-reply':
        membership.onNeighborReply(key, frame.accepted)
        return
      case 'disconnect':
        membership.onDisconnectFrame(key)
        return
      case 'shuffle':
        shuffle.onShuffle(key, frame.origin, frame.ttl, frame.peers, frame.data)
        return
      case 'shuffle-reply':
        shuffle.onShuffleReply(key, frame.peers, frame.data)
        return
      case 'subscriptions':
        broadcast.onSubscriptions(key, conn, frame.subscribe, frame.topics)
        return
      case 'gossip':
        validation.onGossip(key, conn, frame.topic, frame.hops, frame.envelope)
        return
      case 'ihave':
        repair.onIhave(key, conn, frame.topic, frame.ids)
        return
      case 'iwant':
        repair.onIwant(key, conn, frame.topic, frame.ids)
        return
      case 'graft':
        repair.onGraft(key, conn, frame.topic, frame.ids, frame.sources)
        return
      case 'prune':
        broadcast.onPrune(key, conn, frame.topic, frame.reason, frame.backoffMs, frame.sources)
        return
    }
  }

  /** The earliest of the layers' timers: heartbeat, lazy flush, repair. */
  function scheduleWake(): void {
    const due = broadcast.flushAt()
    if (due !== undefined && due <= core.now) broadcast.flushLazy()
    let next = state.nextHeartbeat()
    const flushAt = broadcast.flushAt()
    if (flushAt !== undefined && flushAt < next) next = flushAt
    const repairAt = repair.nextWake()
    if (repairAt !== undefined && repairAt < next) next = repairAt
    // a wake replaces the one before: say so whenever the next deadline moves, also later
    // (a repair timer made moot by the payload), so the driver does not tick in vain
    if (scheduledWake === undefined || scheduledWake <= core.now || next !== scheduledWake) {
      scheduledWake = next
      core.out.push({ type: 'wake', at: next })
    }
  }

  function dispatch(input: GossipInput): void {
    switch (input.type) {
      case 'peer-connected':
        assertPeer(input.peer, 'input.peer')
        membership.onConnected(input.peer, input.outbound)
        return
      case 'peer-disconnected':
        assertPeer(input.peer, 'input.peer')
        membership.onDisconnected(input.peer)
        return
      case 'connect-failed':
        assertPeer(input.peer, 'input.peer')
        membership.onConnectFailed(input.peer)
        return
      case 'frame':
        assertPeer(input.from, 'input.from')
        if (!isBytes(input.bytes)) throw new InvalidArgumentError('input.bytes', 'expected bytes')
        onFrame(input.from, input.bytes)
        return
      case 'tick':
        return
      case 'publish':
        validation.onPublish(input.topic, input.envelope)
        return
      case 'subscribe':
        state.subscribe(input.topic)
        return
      case 'unsubscribe':
        state.unsubscribe(input.topic)
        return
      case 'validation-result':
        validation.onValidationResult(input.messageId, input.verdict)
        return
      case 'local-peer-data':
        shuffle.setLocalData(input.data)
        return
      default:
        throw new InvalidArgumentError(
          'input.type',
          `unknown input ${String((input as { type?: unknown }).type)}`,
        )
    }
  }

  function handle(input: GossipInput): GossipOutput[] {
    if (input === null || typeof input !== 'object')
      throw new InvalidArgumentError('input', 'expected an object')
    // checked once here: every time inside the router (and the envelope rules) is a whole,
    // non-negative number of milliseconds
    if (typeof input.now !== 'number' || !Number.isSafeInteger(input.now) || input.now < 0) {
      throw new InvalidArgumentError('input.now', 'expected a non-negative integer (ms)')
    }
    core.out = []
    // time never runs backwards inside the router
    const prevNow = core.now
    core.now = Math.max(prevNow, input.now)
    try {
      dispatch(input)
    } catch (error) {
      // local misuse is thrown before any state changes
      core.now = prevNow
      throw error
    }
    if (!started) {
      started = true
      state.start()
    }
    const flushAt = broadcast.flushAt()
    if (flushAt !== undefined && flushAt <= core.now) broadcast.flushLazy()
    repair.runTimers()
    if (core.now >= state.nextHeartbeat()) state.heartbeat()
    scheduleWake()
    return core.out
  }

  return { router: { self, handle, ...state.inspect() }, state }
}
