/**
 * A gossipsub-style mesh, the baseline the real router is measured against. It follows the
 * gossipsub v1.1 specification's router with its published defaults: per-topic meshes of
 * D = 6 peers kept between D_lo = 4 and D_hi = 12 on a 1 s heartbeat, GRAFT and PRUNE with
 * a backoff, full messages pushed along the mesh, a message cache whose recent ids are
 * announced (IHAVE) to D_lazy = 6 peers outside the mesh each heartbeat and served on
 * request (IWANT, at most 3 times per peer and message), flood publishing of a node's own
 * messages, and broken-promise accounting for IHAVEs whose message never comes.
 * Peer scoring is reduced to what the comparison needs: invalid messages and malformed
 * frames count against a peer, and a peer over the limit is cut off.
 *
 * @example
 * const router = createMeshRouter({}, { self, check, random })
 * router.handle({ type: 'subscribe', topic: 'news', now })
 */
import {
  BASELINE_INVALID_LIMIT,
  BASELINE_MAX_HOPS,
  BASELINE_SEEN_TTL_MS,
  DEFAULT_BOOTSTRAP_DEGREE,
} from '../constants'
import type {
  GossipInput,
  GossipOutput,
  GossipRouter,
  PeerId,
  PeerKey,
  ScoreHook,
} from '../contract'
import type { MessageCheck } from '../messages'
import { createSeenCache } from './seen'
import { baselineComponents, createStrikes } from './strikes'
import type { Strategy } from './types'
import { type BaselineFrame, decodeBaselineFrame, encodeBaselineFrame } from './wire'

/** Tuning of the mesh router; defaults are gossipsub v1.1's. */
export interface MeshInit {
  d?: number
  dLo?: number
  dHi?: number
  dLazy?: number
  heartbeatMs?: number
  /** Heartbeats a message stays in the message cache (served to IWANT). */
  historyLength?: number
  /** Heartbeats a message id is announced in IHAVE. */
  historyGossip?: number
  pruneBackoffMs?: number
  /** Times a message is served to one peer by IWANT. */
  gossipRetransmission?: number
  /** Most ids in one IHAVE and in the IWANTs answering one peer's IHAVEs per heartbeat. */
  maxIHaveLength?: number
  /** How long an IWANT may take before the promise counts as broken. */
  iwantFollowupMs?: number
  /** Publish own messages to every subscribed peer, not only to the mesh (default true). */
  floodPublish?: boolean
  maxHops?: number
  seenTtlMs?: number
  invalidLimit?: number
}

export interface MeshComponents {
  self: PeerId
  check: MessageCheck
  random: () => number
  scoreHook?: ScoreHook
}

interface MeshPeer {
  id: PeerId
  topics: Set<string>
  strikes: number
  /** message id → times served to this peer. */
  served: Map<string, number>
  /** IWANT ids requested from this peer since the last heartbeat. */
  asked: number
}

interface CachedMessage {
  topic: string
  hops: number
  envelope: Uint8Array
}

/**
 * Creates a gossipsub-style mesh router.
 * @param init - tuning (gossipsub v1.1 defaults)
 * @param components - own id, message check, seeded randomness
 * @returns the router
 */
export function createMeshRouter(init: MeshInit, components: MeshComponents): GossipRouter {
  const d = init.d ?? 6
  const dLo = init.dLo ?? 4
  const dHi = init.dHi ?? 12
  const dLazy = init.dLazy ?? 6
  const heartbeatMs = init.heartbeatMs ?? 1_000
  const historyLength = init.historyLength ?? 5
  const historyGossip = init.historyGossip ?? 3
  const pruneBackoffMs = init.pruneBackoffMs ?? 60_000
  const gossipRetransmission = init.gossipRetransmission ?? 3
  const maxIHaveLength = init.maxIHaveLength ?? 5_000
  const iwantFollowupMs = init.iwantFollowupMs ?? 3_000
  const floodPublish = init.floodPublish ?? true
  const maxHops = init.maxHops ?? BASELINE_MAX_HOPS
  const invalidLimit = init.invalidLimit ?? BASELINE_INVALID_LIMIT
  const { self, check, random, scoreHook } = components

  const seen = createSeenCache(init.seenTtlMs ?? BASELINE_SEEN_TTL_MS)
  const peers = new Map<PeerKey, MeshPeer>()
  const strikes = createStrikes(invalidLimit)
  const subscriptions = new Set<string>()
  const mesh = new Map<string, Set<PeerKey>>()
  /** `${topic}\n${peer}` → time the backoff ends. */
  const backoff = new Map<string, number>()
  const cache = new Map<string, CachedMessage>()
  /** Message ids per heartbeat window, newest first. */
  const windows: string[][] = [[]]
  /** message id → [peer, deadline] of an IWANT not yet answered. */
  const promises = new Map<string, [PeerKey, number]>()
  let nextHeartbeat = -1

  /** Control parts gathered per peer while handling one input, sent as one frame each. */
  let pending = new Map<PeerKey, BaselineFrame>()
  const control = (key: PeerKey): BaselineFrame => {
    let frame = pending.get(key)
    if (frame === undefined) {
      frame = {}
      pending.set(key, frame)
    }
    return frame
  }
  const flush = (out: GossipOutput[]): void => {
    for (const [key, frame] of pending) {
      const peer = peers.get(key)
      if (peer === undefined) continue
      out.push({
        type: 'send',
        to: peer.id,
        bytes: encodeBaselineFrame(frame),
        payloads: frame.messages?.length ?? 0,
      })
    }
    pending = new Map()
  }

  const pick = <T>(items: T[], count: number): T[] => {
    for (let i = 0; i < Math.min(count, items.length); i++) {
      const j = i + Math.floor(random() * (items.length - i))
      const tmp = items[i]!
      items[i] = items[j]!
      items[j] = tmp
    }
    return items.slice(0, count)
  }

  const inBackoff = (topic: string, key: PeerKey, now: number): boolean =>
    (backoff.get(`${topic}\n${key}`) ?? 0) > now

  const strike = (key: PeerKey, peer: MeshPeer, reason: string, out: GossipOutput[]): void => {
    if (strikes.strike(key, peer, reason, out)) removePeer(key)
  }

  const removePeer = (key: PeerKey): void => {
    peers.delete(key)
    pending.delete(key)
    for (const members of mesh.values()) members.delete(key)
  }

  const remember = (id: string, message: CachedMessage): void => {
    cache.set(id, message)
    windows[0]!.push(id)
  }

  const forward = (message: CachedMessage, except: PeerKey | undefined, toAll: boolean): void => {
    const targets = toAll
      ? [...peers.keys()].filter((key) => peers.get(key)!.topics.has(message.topic))
      : [...(mesh.get(message.topic) ?? [])]
    for (const key of targets) {
      if (key === except) continue
      const frame = control(key)
      frame.messages ??= []
      frame.messages.push({ topic: message.topic, hops: message.hops, envelope: message.envelope })
    }
  }

  const join = (topic: string): void => {
    let members = mesh.get(topic)
    if (members === undefined) {
      members = new Set()
      mesh.set(topic, members)
    }
    const candidates = [...peers.entries()]
      .filter(([key, peer]) => peer.topics.has(topic) && !members.has(key))
      .map(([key]) => key)
    for (const key of pick(candidates, d - members.size)) {
      members.add(key)
      const frame = control(key)
      frame.graft ??= []
      frame.graft.push(topic)
    }
  }

  const onMessages = (
    key: PeerKey,
    peer: MeshPeer,
    frame: BaselineFrame,
    now: number,
    out: GossipOutput[],
  ): boolean => {
    for (const message of frame.messages ?? []) {
      const id = check.id(message.envelope)
      if (id !== undefined) promises.delete(id)
      if (id !== undefined && seen.has(id, now)) {
        scoreHook?.record(key, 'duplicate', now)
        continue
      }
      if (id === undefined || !check.verify(message.envelope, message.topic, now)) {
        scoreHook?.record(key, 'invalid-message', now)
        strike(key, peer, 'invalid-message', out)
        if (!peers.has(key)) return false
        continue
      }
      seen.add(id, now)
      scoreHook?.record(key, 'first-delivery', now)
      const hops = message.hops + 1
      if (subscriptions.has(message.topic)) {
        out.push({
          type: 'deliver',
          topic: message.topic,
          messageId: id,
          envelope: message.envelope,
          from: peer.id,
          hops,
        })
      }
      const cached = { topic: message.topic, hops, envelope: message.envelope }
      remember(id, cached)
      if (hops < maxHops) forward(cached, key, false)
    }
    return true
  }

  const onFrame = (from: PeerId, bytes: Uint8Array, now: number, out: GossipOutput[]): void => {
    const key = from.toString()
    const peer = peers.get(key)
    if (peer === undefined) return
    let frame: BaselineFrame
    try {
      frame = decodeBaselineFrame(bytes)
    } catch {
      scoreHook?.record(key, 'protocol-violation', now)
      strike(key, peer, 'malformed-frame', out)
      return
    }
    for (const [topic, subscribed] of frame.subscriptions ?? []) {
      if (subscribed) peer.topics.add(topic)
      else {
        peer.topics.delete(topic)
        mesh.get(topic)?.delete(key)
      }
    }
    if (!onMessages(key, peer, frame, now, out)) return
    for (const topic of frame.graft ?? []) {
      const members = mesh.get(topic)
      if (members === undefined || !subscriptions.has(topic) || inBackoff(topic, key, now)) {
        const reply = control(key)
        reply.prune ??= []
        reply.prune.push([topic, pruneBackoffMs])
        continue
      }
      members.add(key)
    }
    for (const [topic, backoffMs] of frame.prune ?? []) {
      mesh.get(topic)?.delete(key)
      backoff.set(`${topic}\n${key}`, now + Math.min(backoffMs, 10 * pruneBackoffMs))
    }
    if (frame.ihave !== undefined) {
      const wanted: string[] = []
      for (const [topic, ids] of frame.ihave) {
        if (!subscriptions.has(topic)) continue
        for (const id of ids) {
          if (peer.asked + wanted.length >= maxIHaveLength) break
          if (seen.has(id, now) || promises.has(id)) continue
          wanted.push(id)
          promises.set(id, [key, now + iwantFollowupMs])
        }
      }
      if (wanted.length > 0) {
        peer.asked += wanted.length
        const reply = control(key)
        reply.iwant = (reply.iwant ?? []).concat(wanted)
      }
    }
    for (const id of frame.iwant ?? []) {
      const message = cache.get(id)
      if (message === undefined) continue
      const times = peer.served.get(id) ?? 0
      if (times >= gossipRetransmission) continue
      peer.served.set(id, times + 1)
      const reply = control(key)
      reply.messages ??= []
      reply.messages.push({ topic: message.topic, hops: message.hops, envelope: message.envelope })
    }
  }

  const heartbeat = (now: number): void => {
    for (const topic of subscriptions) {
      const members = mesh.get(topic)!
      for (const key of members) if (!peers.has(key)) members.delete(key)
      if (members.size < dLo) {
        const candidates = [...peers.entries()]
          .filter(
            ([key, peer]) =>
              peer.topics.has(topic) && !members.has(key) && !inBackoff(topic, key, now),
          )
          .map(([key]) => key)
        for (const key of pick(candidates, d - members.size)) {
          members.add(key)
          const frame = control(key)
          frame.graft ??= []
          frame.graft.push(topic)
        }
      } else if (members.size > dHi) {
        const drop = pick([...members], members.size - d)
        for (const key of drop) {
          members.delete(key)
          backoff.set(`${topic}\n${key}`, now + pruneBackoffMs)
          const frame = control(key)
          frame.prune ??= []
          frame.prune.push([topic, pruneBackoffMs])
        }
      }
      // Gossip: announce recent ids to peers outside the mesh.
      const ids: string[] = []
      for (let w = 0; w < Math.min(historyGossip, windows.length); w++) {
        for (const id of windows[w]!) {
          if (cache.get(id)?.topic === topic) ids.push(id)
        }
      }
      if (ids.length > 0) {
        const outside = [...peers.entries()]
          .filter(([key, peer]) => peer.topics.has(topic) && !members.has(key))
          .map(([key]) => key)
        const announced = ids.slice(0, maxIHaveLength)
        for (const key of pick(outside, dLazy)) {
          const frame = control(key)
          frame.ihave ??= []
          frame.ihave.push([topic, announced])
        }
      }
    }
    // Broken promises: an IHAVE whose message did not come after the IWANT.
    for (const [id, [key, deadline]] of promises) {
      if (deadline > now) continue
      promises.delete(id)
      if (seen.has(id, now)) continue
      scoreHook?.record(key, 'broken-promise', now)
    }
    // Shift the message cache.
    windows.unshift([])
    while (windows.length > historyLength) {
      for (const id of windows.pop()!) cache.delete(id)
    }
    for (const peer of peers.values()) {
      peer.asked = 0
      if (peer.served.size > 0) {
        for (const id of peer.served.keys()) if (!cache.has(id)) peer.served.delete(id)
      }
    }
    for (const [entry, until] of backoff) if (until <= now) backoff.delete(entry)
  }

  return {
    handle(input: GossipInput): GossipOutput[] {
      const out: GossipOutput[] = []
      const now = input.now
      if (nextHeartbeat < 0) {
        nextHeartbeat = now + heartbeatMs
        out.push({ type: 'wake', at: nextHeartbeat })
      }
      switch (input.type) {
        case 'peer-connected': {
          const key = input.peer.toString()
          if (strikes.refused(key, input.peer, out)) break
          if (!peers.has(key)) {
            peers.set(key, {
              id: input.peer,
              topics: new Set(),
              strikes: 0,
              served: new Map(),
              asked: 0,
            })
          }
          if (subscriptions.size > 0) {
            control(key).subscriptions = [...subscriptions].map((topic) => [topic, true])
          }
          break
        }
        case 'peer-disconnected':
          removePeer(input.peer.toString())
          break
        case 'frame':
          onFrame(input.from, input.bytes, now, out)
          break
        case 'publish': {
          const id = check.id(input.envelope)
          if (id === undefined || seen.has(id, now)) break
          seen.add(id, now)
          if (subscriptions.has(input.topic)) {
            out.push({
              type: 'deliver',
              topic: input.topic,
              messageId: id,
              envelope: input.envelope,
              from: self,
              hops: 0,
            })
          }
          const message = { topic: input.topic, hops: 0, envelope: input.envelope }
          remember(id, message)
          forward(message, undefined, floodPublish || !mesh.has(input.topic))
          break
        }
        case 'subscribe':
          if (subscriptions.has(input.topic)) break
          subscriptions.add(input.topic)
          for (const key of peers.keys()) control(key).subscriptions = [[input.topic, true]]
          join(input.topic)
          break
        case 'unsubscribe': {
          if (!subscriptions.delete(input.topic)) break
          for (const key of peers.keys()) control(key).subscriptions = [[input.topic, false]]
          for (const key of mesh.get(input.topic) ?? []) {
            const frame = control(key)
            frame.prune ??= []
            frame.prune.push([input.topic, pruneBackoffMs])
          }
          mesh.delete(input.topic)
          break
        }
        case 'tick':
          if (now >= nextHeartbeat) {
            heartbeat(now)
            nextHeartbeat = now + heartbeatMs
            out.push({ type: 'wake', at: nextHeartbeat })
          }
          break
        case 'connect-failed':
        case 'validation-result':
          break
      }
      flush(out)
      return out
    },
  }
}

/** The gossipsub-style mesh baseline as a simulator strategy. */
export const meshStrategy: Strategy = {
  name: 'mesh',
  heartbeatMs: 1_000,
  bootstrapDegree: DEFAULT_BOOTSTRAP_DEGREE,
  createRouter: (context) =>
    createMeshRouter({}, { ...baselineComponents(context), random: context.random }),
}
