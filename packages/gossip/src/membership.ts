/**
 * HyParView membership: a small symmetric active view of neighbours over live
 * connections, a passive view of candidates for repair, joins through a contact that
 * walks the joiner's id around (FORWARDJOIN), NEIGHBOR requests to fill the active view
 * (high priority when it runs short), swaps, and the connection events. Dials that a
 * neighbour's frame causes are rate-limited per neighbour and in total. Shuffles and peer
 * records are in `shuffle.ts`; the topics and trees a neighbour belongs to, in the
 * broadcast layer (reached through `MembershipPorts`).
 *
 * @example
 * const membership = createMembership(core, cfg, limits, ports)
 * membership.onConnected(peer, true) // a newcomer: JOIN through its first contact
 * membership.ensureActive()
 */
import type { PeerId } from '@peerkit/identity'
import { createBucket } from './bucket'
import type { Core } from './core'
import type { Frame } from './frames'
import type { Limits } from './limits'
import type { MembershipConfig } from './options'
import { pick, pickKey, sample } from './random'
import type { PeerKey } from './types'

/** A dial in progress, with the frames to send once it is up. */
interface Dial {
  peer: PeerId
  /** The neighbour whose membership frame asked for this dial, if any. */
  cause: PeerKey | undefined
  since: number
  frames: { bytes: Uint8Array; payloads: number }[]
}

/** Frames kept for a peer being dialled. */
export const MAX_QUEUED_PER_DIAL = 8

/** What membership needs of the other layers. */
export interface MembershipPorts {
  /** Takes in a peer record from a membership frame (`shuffle.ts`). */
  learnData(peer: PeerId, data: Uint8Array | undefined): void
  /** This router's own peer record. */
  localData(): Uint8Array | undefined
  /** Forgets a cut-off peer's record. */
  forgetData(key: PeerKey): void
  /** The topics this router subscribes to. */
  topicNames(): string[]
  /** Removes a peer from every tree of every topic. */
  unlink(key: PeerKey): void
  /** Announces recent messages of `topics` to a new neighbour. */
  catchUp(key: PeerKey, topics: ReadonlySet<string>): void
}

export interface Membership {
  readonly active: ReadonlyMap<PeerKey, PeerId>
  readonly passive: ReadonlyMap<PeerKey, PeerId>
  readonly dials: ReadonlyMap<PeerKey, Dial>
  readonly neighborRequests: ReadonlyMap<PeerKey, number>
  /** Whether a membership frame from `cause` may make this router dial `key`. */
  mayDial(key: PeerKey, cause: PeerKey | undefined): boolean
  /** Sends now when connected, else dials first (naming the neighbour that caused it). */
  sendOrDial(peer: PeerId, frame: Frame, cause?: PeerKey): void
  addPassive(peer: PeerId): void
  ensureActive(): void
  /** See `LimitsPorts.evict`. */
  evict(key: PeerKey): void
  onJoin(key: PeerKey, data: Uint8Array | undefined): void
  onForwardJoin(from: PeerKey, joiner: PeerId, ttl: number, data: Uint8Array | undefined): void
  onNeighbor(key: PeerKey, high: boolean, data: Uint8Array | undefined): void
  onNeighborReply(key: PeerKey, accepted: boolean): void
  onDisconnectFrame(key: PeerKey): void
  onConnected(peer: PeerId, outbound: boolean | undefined): void
  onDisconnected(peer: PeerId): void
  onConnectFailed(peer: PeerId): void
  /** Sets the swap timer (at the first input). */
  start(): void
  /** Heartbeat, first step: every passive peer may be tried again. */
  beginRound(): void
  /** Heartbeat: NEIGHBOR requests and dials that lapsed. */
  expire(): void
  /** Heartbeat: closes idle connections outside the active view. */
  closeIdle(): void
  /** Heartbeat, last step: swaps a neighbour when the swap timer is due. */
  maybeSwap(): void
}

/**
 * Creates the membership layer.
 * @param core - the router's shared state
 * @param cfg - membership settings
 * @param limits - scores and graylisting
 * @param ports - the other layers' part
 * @returns the layer
 */
export function createMembership(
  core: Core,
  cfg: MembershipConfig,
  limits: Limits,
  ports: MembershipPorts,
): Membership {
  const { conns, selfKey, random, stats } = core
  const { cut } = limits
  const th = cfg.scoreThresholds
  const active = new Map<PeerKey, PeerId>()
  const passive = new Map<PeerKey, PeerId>()
  const dials = new Map<PeerKey, Dial>()
  const neighborRequests = new Map<PeerKey, number>()
  /** Passive peers that refused or failed this heartbeat round; not asked again until the next. */
  const recentlyTried = new Set<PeerKey>()
  /**
   * Since when the active view has been below its target size (undefined: it is full), and
   * whether a low-priority request was refused since then. Either a refusal or a heartbeat
   * spent under target makes the next requests high priority, so a node never stays short
   * of neighbours because every peer it knows is full (HyParView's low priority alone
   * leaves islands cut off for good).
   */
  let underSince: number | undefined
  let lowRefused = false
  /** Whether this router has joined through a contact the application dialed. */
  let joined = false
  let nextSwap = 0

  function mayDial(key: PeerKey, cause: PeerKey | undefined): boolean {
    if (cause === undefined || conns.has(key) || dials.has(key)) return true
    const conn = conns.get(cause)
    if (conn === undefined) return false
    conn.dialTokens = Math.min(
      cfg.maxDialsPerPeer,
      conn.dialTokens + (core.now - conn.dialAt) / 1000,
    )
    conn.dialAt = core.now
    let pending = 0
    for (const d of dials.values()) if (d.cause !== undefined) pending++
    if (conn.dialTokens < 1 || pending >= cfg.maxPendingDials) {
      stats.framesDropped++
      return false
    }
    conn.dialTokens -= 1
    return true
  }

  function sendOrDial(peer: PeerId, frame: Frame, cause?: PeerKey): void {
    const key = peer.toString()
    if (conns.has(key)) {
      core.send(key, frame)
      return
    }
    let dial = dials.get(key)
    if (dial === undefined) {
      dial = { peer, cause, since: core.now, frames: [] }
      dials.set(key, dial)
      const by = cause === undefined ? undefined : conns.get(cause)?.peer
      core.out.push(
        by === undefined ? { type: 'connect', peer } : { type: 'connect', peer, cause: by },
      )
    }
    if (dial.frames.length < MAX_QUEUED_PER_DIAL) {
      dial.frames.push({ bytes: core.frameBytes(frame), payloads: 0 })
    }
  }

  function addPassive(peer: PeerId): void {
    const key = peer.toString()
    if (key === selfKey || active.has(key) || passive.has(key) || cut.has(key)) return
    if (cfg.passiveViewSize === 0) return
    if (passive.size >= cfg.passiveViewSize) {
      const victim = pickKey(passive, random)
      if (victim !== undefined) passive.delete(victim)
    }
    passive.set(key, peer)
  }

  function addActive(key: PeerKey): void {
    const conn = conns.get(key)
    if (conn === undefined || active.has(key) || key === selfKey || cut.has(key)) return
    if (active.size >= cfg.activeViewSize) {
      const victim = pickKey(active, random)
      if (victim !== undefined) {
        core.send(victim, { kind: 'disconnect' })
        dropActive(victim, true)
      }
    }
    active.set(key, conn.peer)
    core.linksChanged()
    conn.active = true
    passive.delete(key)
    neighborRequests.delete(key)
    noteViewSize()
    const topics = ports.topicNames()
    if (topics.length > 0) core.send(key, { kind: 'subscriptions', subscribe: true, topics })
    // topics the peer is not yet known to subscribe to are caught up when its
    // subscriptions arrive: until then nothing is announced to it
    ports.catchUp(key, conn.topics)
  }

  /** Removes a peer from the active view and every tree; optionally keeps it as passive. */
  function dropActive(key: PeerKey, toPassive: boolean): void {
    const peer = active.get(key)
    if (peer === undefined) return
    active.delete(key)
    core.linksChanged()
    const conn = conns.get(key)
    if (conn !== undefined) conn.active = false
    noteViewSize()
    ports.unlink(key)
    if (toPassive) addPassive(peer)
  }

  function requestNeighbor(peer: PeerId, high: boolean, cause?: PeerKey): void {
    const key = peer.toString()
    if (key === selfKey || active.has(key) || neighborRequests.has(key) || cut.has(key)) return
    if (!mayDial(key, cause)) return
    neighborRequests.set(key, core.now + cfg.neighborTimeoutMs)
    recentlyTried.add(key)
    sendOrDial(peer, { kind: 'neighbor', high, data: ports.localData() }, cause)
  }

  /** Tracks how long the active view has been below target (see `underSince`). */
  function noteViewSize(): void {
    if (active.size >= cfg.activeViewSize) {
      underSince = undefined
      lowRefused = false
    } else underSince ??= core.now
  }

  /**
   * Fills the active view from the passive view, a few requests at a time. Requests are
   * high priority (the receiver makes room) when the view is empty, and when it is short
   * by two or more after a low-priority request was refused or a heartbeat spent under
   * target.
   */
  function ensureActive(): void {
    noteViewSize()
    let wanted = cfg.activeViewSize - active.size - neighborRequests.size
    if (wanted <= 0) return
    const candidates = [...passive.keys()].filter(
      (k) => !recentlyTried.has(k) && !neighborRequests.has(k),
    )
    if (active.size === 0 && candidates.length === 0 && neighborRequests.size === 0) {
      // cut off: every neighbour and every passive peer is gone. A live connection outside
      // the views (a shuffle reply's, a dial of the application's) is the way back: join
      // through it, as a newcomer does, rather than wait for the application to dial
      const key = pick(
        [...conns.keys()].filter((k) => !cut.has(k)),
        random,
      )
      if (key !== undefined) {
        core.send(key, { kind: 'join', data: ports.localData() })
        addActive(key)
        return
      }
    }
    // one missing neighbour is no danger to connectivity, and making room at a full peer
    // costs that peer a link: so only views short by two or more escalate
    const high =
      active.size === 0 ||
      (active.size <= cfg.activeViewSize - 2 &&
        (lowRefused ||
          (underSince !== undefined && underSince + cfg.heartbeatIntervalMs <= core.now)))
    for (const key of sample(candidates, wanted, random)) {
      const peer = passive.get(key)!
      requestNeighbor(peer, high)
      wanted--
    }
  }

  /**
   * Forgets a passive peer that did not answer or could not be dialed, except the last peer
   * a router with no neighbour knows: that one is asked again each round (it may be back;
   * with it forgotten nothing is left to ask, and the router stays cut off for good).
   */
  function forgetPassive(key: PeerKey): void {
    if (active.size === 0 && passive.size === 1 && passive.has(key)) return
    passive.delete(key)
  }

  function evict(key: PeerKey): void {
    const peer = conns.get(key)?.peer ?? active.get(key) ?? passive.get(key) ?? dials.get(key)?.peer
    dropActive(key, false)
    passive.delete(key)
    dials.delete(key)
    neighborRequests.delete(key)
    ports.forgetData(key)
    const wasConnected = conns.delete(key)
    core.linksChanged()
    if (peer !== undefined && wasConnected) core.out.push({ type: 'disconnect', peer })
    ensureActive()
  }

  /**
   * A full active view trades one neighbour for a random passive peer: a high-priority
   * NEIGHBOR request, and once it is accepted `addActive` lets a random neighbour go. The
   * links this moves are refilled from passive views at both ends, so groups of nodes that
   * filled their views with each other keep mixing with the rest of the overlay.
   */
  function swap(): void {
    if (active.size < cfg.activeViewSize || neighborRequests.size > 0) return
    const candidates = [...passive.keys()].filter((k) => !recentlyTried.has(k))
    const key = pick(candidates, random)
    if (key !== undefined) requestNeighbor(passive.get(key)!, true)
  }

  return {
    active,
    passive,
    dials,
    neighborRequests,
    mayDial,
    sendOrDial,
    addPassive,
    ensureActive,
    evict,

    onJoin(key, data) {
      if (active.has(key)) return
      const peer = conns.get(key)!.peer
      ports.learnData(peer, data)
      addActive(key)
      for (const other of active.keys()) {
        if (other !== key)
          core.send(other, { kind: 'forward-join', peer, ttl: cfg.activeRandomWalkLength, data })
      }
    },

    onForwardJoin(from, joiner, ttl, data) {
      const key = joiner.toString()
      if (key === selfKey || cut.has(key)) return
      ports.learnData(joiner, data)
      if (ttl === 0 || active.size <= 1) {
        requestNeighbor(joiner, true, from)
        return
      }
      // every hop of the walk's passive part remembers the joiner: joiners land all over the
      // overlay, so this keeps passive views supplied with peers outside the local clique
      if (ttl <= cfg.passiveRandomWalkLength) addPassive(joiner)
      const next = pick(
        [...active.keys()].filter((k) => k !== from && k !== key),
        random,
      )
      if (next === undefined) requestNeighbor(joiner, true, from)
      else core.send(next, { kind: 'forward-join', peer: joiner, ttl: ttl - 1, data })
    },

    onNeighbor(key, high, data) {
      const requester = conns.get(key)?.peer
      if (requester !== undefined) ports.learnData(requester, data)
      if (active.has(key)) {
        core.send(key, { kind: 'neighbor-reply', accepted: true })
        return
      }
      const accept = limits.score(key) >= th.graft && (high || active.size < cfg.activeViewSize)
      core.send(key, { kind: 'neighbor-reply', accepted: accept })
      // a refused requester is not kept as a passive candidate: peers of its own choosing
      // (Sybils dialing in) must not be able to fill our passive view
      if (accept) addActive(key)
    },

    onNeighborReply(key, accepted) {
      const asked = neighborRequests.delete(key)
      if (accepted) {
        if (active.has(key)) return
        if (asked || active.size < cfg.activeViewSize) addActive(key)
        // the peer now counts us as a neighbour: tell it we do not
        else core.send(key, { kind: 'disconnect' })
        return
      }
      if (asked) {
        // full, but alive: keep it as a candidate for later (a swap, or when it has room)
        const peer = conns.get(key)?.peer
        if (peer !== undefined) addPassive(peer)
        lowRefused = true
        ensureActive()
      }
    },

    onDisconnectFrame(key) {
      const peer = conns.get(key)?.peer
      const wasActive = active.has(key)
      if (wasActive) dropActive(key, true)
      neighborRequests.delete(key)
      conns.delete(key)
      core.linksChanged()
      // the link is closed before the view is refilled, and the peer that just let us go is
      // not asked back before the next round (it stays a passive candidate): asked at once
      // it would take us by evicting another neighbour, which could do the same in turn
      if (peer !== undefined) core.out.push({ type: 'disconnect', peer })
      recentlyTried.add(key)
      if (wasActive) ensureActive()
    },

    onConnected(peer, outbound) {
      const key = peer.toString()
      if (key === selfKey) return
      if (limits.isCut(key)) {
        core.out.push({ type: 'disconnect', peer })
        return
      }
      const now = core.now
      if (!conns.has(key)) {
        core.linksChanged()
        conns.set(key, {
          peer,
          key,
          lastActivity: now,
          topics: new Set(),
          messages: createBucket(cfg.maxMessagesPerPeerPerSecond, now),
          tokens: cfg.maxFramesPerPeerPerSecond,
          at: now,
          pending: 0,
          score: 0,
          scoreAt: Number.NEGATIVE_INFINITY,
          active: false,
          dialTokens: cfg.maxDialsPerPeer,
          dialAt: now,
          caughtUp: undefined,
        })
      }
      const dial = dials.get(key)
      if (dial !== undefined) {
        dials.delete(key)
        for (const f of dial.frames) core.sendBytes(key, f.bytes, f.payloads)
        return
      }
      if (active.has(key) || outbound === false) return
      if (active.size === 0 || !joined) {
        // a newcomer: join through this contact (it always accepts, and walks our id around).
        // Also when peers joined through us before our own first contact came up: asking it
        // with low priority instead could be refused and leave our group cut off for good.
        joined = true
        core.send(key, { kind: 'join', data: ports.localData() })
        addActive(key)
      } else if (active.size + neighborRequests.size < cfg.activeViewSize) {
        requestNeighbor(peer, false)
      } else {
        // a full view: a peer the application dialed is kept as a candidate (swaps, repair)
        addPassive(peer)
      }
    },

    onDisconnected(peer) {
      const key = peer.toString()
      if (!conns.delete(key)) return
      core.linksChanged()
      neighborRequests.delete(key)
      if (active.has(key)) {
        // a failed link: the peer may be gone, so it does not go back to the passive view,
        // unless it was the last peer we know (a join whose frame was lost leaves the joiner
        // with only its contact, which closes the link as idle): then it is worth one more
        // try, and a failed dial removes it
        dropActive(key, active.size === 1 && passive.size === 0)
        ensureActive()
      }
    },

    onConnectFailed(peer) {
      const key = peer.toString()
      dials.delete(key)
      neighborRequests.delete(key)
      forgetPassive(key)
      ensureActive()
    },

    start() {
      nextSwap = core.now + Math.floor(random() * cfg.swapIntervalMs) + 1
    },

    beginRound() {
      recentlyTried.clear()
    },

    expire() {
      const now = core.now
      for (const [key, deadline] of neighborRequests) {
        if (deadline > now) continue
        neighborRequests.delete(key)
        forgetPassive(key)
      }
      for (const [key, dial] of dials) {
        if (dial.since + cfg.neighborTimeoutMs <= now) {
          dials.delete(key)
          forgetPassive(key)
        }
      }
    },

    closeIdle() {
      for (const [key, conn] of conns) {
        if (active.has(key) || neighborRequests.has(key)) continue
        if (conn.lastActivity + cfg.idleConnectionMs <= core.now) {
          conns.delete(key)
          core.linksChanged()
          core.out.push({ type: 'disconnect', peer: conn.peer })
        }
      }
    },

    maybeSwap() {
      if (cfg.swapIntervalMs > 0 && core.now >= nextSwap) {
        nextSwap = core.now + cfg.swapIntervalMs
        swap()
      }
    },
  }
}
