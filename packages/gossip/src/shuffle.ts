/**
 * The other half of membership: shuffles, which refresh the passive view by a random
 * walk that trades a sample of each end's views, and peer records, the opaque data each
 * router carries on its membership frames (its own, set by the application, and the
 * latest of each peer it heard of, bounded, passed on by shuffles).
 *
 * @example
 * const shuffles = createShuffle(core, cfg, limits, membership)
 * shuffles.setLocalData(bytes)
 * shuffles.maybeShuffle() // each heartbeat
 */
import { equalBytes, isBytes } from '@peerkit/codec'
import type { PeerId } from '@peerkit/identity'
import type { Core } from './core'
import { InvalidArgumentError, PeerDataTooLargeError } from './errors'
import type { Limits } from './limits'
import type { Membership } from './membership'
import type { ShuffleConfig } from './options'
import { pick, pickKey, sample } from './random'
import type { PeerKey } from './types'

export interface Shuffle {
  /** The latest record of each peer learned from membership frames, oldest update first. */
  readonly peerData: ReadonlyMap<PeerKey, Uint8Array>
  /** Records kept at most. */
  readonly maxPeerData: number
  localData(): Uint8Array | undefined
  /** Sets this router's own record (empty: none). @throws for non-bytes or too large a record */
  setLocalData(data: Uint8Array): void
  /** Takes in a peer record: reported to the driver when it differs from the one kept. */
  learnData(peer: PeerId, data: Uint8Array | undefined): void
  forgetData(key: PeerKey): void
  onShuffle(
    from: PeerKey,
    origin: PeerId,
    ttl: number,
    peers: PeerId[],
    data: (Uint8Array | undefined)[] | undefined,
  ): void
  onShuffleReply(key: PeerKey, peers: PeerId[], data: (Uint8Array | undefined)[] | undefined): void
  /** Sets the shuffle timer (at the first input). */
  start(): void
  /** Heartbeat: replies no longer expected. */
  expire(): void
  /** Heartbeat: shuffles when the shuffle timer is due. */
  maybeShuffle(): void
}

/**
 * Creates the shuffle layer.
 * @param core - the router's shared state
 * @param cfg - shuffle settings
 * @param limits - graylisting and violations
 * @param membership - the views
 * @returns the layer
 */
export function createShuffle(
  core: Core,
  cfg: ShuffleConfig,
  limits: Limits,
  membership: Membership,
): Shuffle {
  const { self, selfKey, random } = core
  const { active, passive } = membership
  let localData: Uint8Array | undefined
  /** Bounded: when full, records of peers in no view go first, then the oldest. */
  const peerData = new Map<PeerKey, Uint8Array>()
  const maxPeerData = 2 * (cfg.activeViewSize + cfg.passiveViewSize) + 8
  let shuffleRepliesExpected = 0
  let shuffleReplyDeadline = 0
  let nextShuffle = 0

  function learnData(peer: PeerId, data: Uint8Array | undefined): void {
    if (data === undefined) return
    const key = peer.toString()
    if (key === selfKey || limits.cut.has(key)) return
    const known = peerData.get(key)
    if (known !== undefined && equalBytes(known, data)) return
    const kept = data.slice()
    if (known !== undefined) peerData.delete(key)
    else if (peerData.size >= maxPeerData) trimPeerData()
    peerData.set(key, kept)
    core.out.push({ type: 'peer-data', peer, data: kept })
  }

  /** Makes room in `peerData`: records of peers in no view first, else the oldest one. */
  function trimPeerData(): void {
    const { neighborRequests, dials } = membership
    for (const key of peerData.keys()) {
      if (!active.has(key) && !passive.has(key) && !neighborRequests.has(key) && !dials.has(key))
        peerData.delete(key)
    }
    if (peerData.size >= maxPeerData) {
      const oldest = peerData.keys().next().value
      if (oldest !== undefined) peerData.delete(oldest)
    }
  }

  /** The records of `peers` as a shuffle list carries them (undefined when none has one). */
  function dataOf(peers: PeerId[]): (Uint8Array | undefined)[] | undefined {
    let any = false
    const data = peers.map((p) => {
      const key = p.toString()
      const d = key === selfKey ? localData : peerData.get(key)
      if (d !== undefined) any = true
      return d
    })
    return any ? data : undefined
  }

  function learnAll(peers: PeerId[], data: (Uint8Array | undefined)[] | undefined): void {
    if (data === undefined) return
    for (let i = 0; i < peers.length; i++) learnData(peers[i]!, data[i])
  }

  function shuffle(): void {
    const target = pickKey(active, random)
    if (target === undefined) return
    const peers = [
      self,
      ...sample(
        [...active.entries()].filter(([k]) => k !== target).map(([, p]) => p),
        cfg.shuffleActiveCount,
        random,
      ),
      ...sample([...passive.values()], cfg.shufflePassiveCount, random),
    ]
    shuffleRepliesExpected = Math.min(shuffleRepliesExpected + 1, 4)
    shuffleReplyDeadline = core.now + 4 * cfg.heartbeatIntervalMs
    core.send(target, {
      kind: 'shuffle',
      origin: self,
      ttl: cfg.shuffleWalkLength,
      peers,
      data: dataOf(peers),
    })
  }

  return {
    peerData,
    maxPeerData,
    localData: () => localData,
    setLocalData(data) {
      if (!isBytes(data)) throw new InvalidArgumentError('input.data', 'expected bytes')
      if (data.length > cfg.maxPeerDataBytes)
        throw new PeerDataTooLargeError(data.length, cfg.maxPeerDataBytes)
      localData = data.length === 0 ? undefined : data.slice()
    },
    learnData,
    forgetData(key) {
      peerData.delete(key)
    },

    onShuffle(from, origin, ttl, peers, data) {
      const originKey = origin.toString()
      if (originKey === selfKey || limits.cut.has(originKey)) return
      if (ttl > 0 && active.size > 1) {
        const next = pick(
          [...active.keys()].filter((k) => k !== from && k !== originKey),
          random,
        )
        if (next !== undefined) {
          learnAll(peers, data)
          core.send(next, { kind: 'shuffle', origin, ttl: ttl - 1, peers, data })
          return
        }
      }
      if (!membership.mayDial(originKey, from)) return
      const offered = new Set(peers.map((p) => p.toString()))
      const reply = sample(
        [...passive.entries()]
          .filter(([k]) => !offered.has(k) && k !== originKey)
          .map(([, p]) => p),
        peers.length,
        random,
      )
      membership.sendOrDial(
        origin,
        { kind: 'shuffle-reply', peers: reply, data: dataOf(reply) },
        from,
      )
      // the peers enter the view before their records, so a trim keeps those records
      for (const p of peers) membership.addPassive(p)
      learnAll(peers, data)
    },

    onShuffleReply(key, peers, data) {
      if (shuffleRepliesExpected === 0 || core.now > shuffleReplyDeadline) {
        limits.violation(key, 'unsolicited-shuffle-reply')
        return
      }
      shuffleRepliesExpected--
      for (const p of peers) membership.addPassive(p)
      learnAll(peers, data)
    },

    start() {
      nextShuffle = core.now + cfg.shuffleIntervalMs
    },
    expire() {
      if (core.now > shuffleReplyDeadline) shuffleRepliesExpected = 0
    },
    maybeShuffle() {
      // the passive view is refreshed by a shuffle every shuffle interval (a view that runs
      // low is not refilled sooner: see "A router cut off joins again" in docs/gossip.md)
      if (core.now >= nextShuffle) {
        nextShuffle = core.now + cfg.shuffleIntervalMs
        shuffle()
      }
    },
  }
}
