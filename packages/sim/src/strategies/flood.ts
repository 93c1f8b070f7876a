/**
 * Plain flooding, the reliability baseline: every node forwards every new valid message to
 * every neighbour but the one it came from. It keeps no membership of its own (it uses the
 * connections it has), drops duplicates by message id before any signature work, verifies
 * each new message, and cuts off a peer after a few invalid messages or malformed frames.
 *
 * @example
 * const router = createFloodRouter({}, { self, check })
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
import { baselineComponents, createStrikes, type StruckPeer } from './strikes'
import type { Strategy } from './types'
import { decodeBaselineFrame, encodeBaselineFrame } from './wire'

/** Tuning of the flood router. */
export interface FloodInit {
  /** Messages that travelled this many hops are not forwarded (default 64). */
  maxHops?: number
  /** How long a message id is remembered (default 120 s). */
  seenTtlMs?: number
  /** Invalid messages or malformed frames after which a peer is cut off (default 3). */
  invalidLimit?: number
}

export interface FloodComponents {
  self: PeerId
  check: MessageCheck
  scoreHook?: ScoreHook
}

type FloodPeer = StruckPeer

/**
 * Creates a flooding router.
 * @param init - tuning
 * @param components - own id and message check
 * @returns the router
 */
export function createFloodRouter(init: FloodInit, components: FloodComponents): GossipRouter {
  const maxHops = init.maxHops ?? BASELINE_MAX_HOPS
  const invalidLimit = init.invalidLimit ?? BASELINE_INVALID_LIMIT
  const { self, check, scoreHook } = components
  const seen = createSeenCache(init.seenTtlMs ?? BASELINE_SEEN_TTL_MS)
  const peers = new Map<PeerKey, FloodPeer>()
  const strikes = createStrikes(invalidLimit)
  const topics = new Set<string>()

  const strike = (key: PeerKey, peer: FloodPeer, reason: string, out: GossipOutput[]): void => {
    if (strikes.strike(key, peer, reason, out)) peers.delete(key)
  }

  const onFrame = (from: PeerId, bytes: Uint8Array, now: number, out: GossipOutput[]): void => {
    const key = from.toString()
    const peer = peers.get(key)
    if (peer === undefined) return
    let frame: ReturnType<typeof decodeBaselineFrame>
    try {
      frame = decodeBaselineFrame(bytes)
    } catch {
      scoreHook?.record(key, 'protocol-violation', now)
      strike(key, peer, 'malformed-frame', out)
      return
    }
    for (const message of frame.messages ?? []) {
      const id = check.id(message.envelope)
      if (id !== undefined && seen.has(id, now)) {
        scoreHook?.record(key, 'duplicate', now)
        continue
      }
      if (id === undefined || !check.verify(message.envelope, message.topic, now)) {
        scoreHook?.record(key, 'invalid-message', now)
        strike(key, peer, 'invalid-message', out)
        if (!peers.has(key)) return
        continue
      }
      seen.add(id, now)
      scoreHook?.record(key, 'first-delivery', now)
      const hops = message.hops + 1
      if (topics.has(message.topic)) {
        out.push({
          type: 'deliver',
          topic: message.topic,
          messageId: id,
          envelope: message.envelope,
          from,
          hops,
        })
      }
      if (hops < maxHops) forward(message.topic, hops, message.envelope, key, out)
    }
  }

  const forward = (
    topic: string,
    hops: number,
    envelope: Uint8Array,
    except: PeerKey | undefined,
    out: GossipOutput[],
  ): void => {
    let bytes: Uint8Array | undefined
    for (const [key, peer] of peers) {
      if (key === except) continue
      bytes ??= encodeBaselineFrame({ messages: [{ topic, hops, envelope }] })
      out.push({ type: 'send', to: peer.id, bytes, payloads: 1 })
    }
  }

  return {
    handle(input: GossipInput): GossipOutput[] {
      const out: GossipOutput[] = []
      switch (input.type) {
        case 'peer-connected': {
          const key = input.peer.toString()
          if (strikes.refused(key, input.peer, out)) break
          if (!peers.has(key)) peers.set(key, { id: input.peer, strikes: 0 })
          break
        }
        case 'peer-disconnected':
          peers.delete(input.peer.toString())
          break
        case 'frame':
          onFrame(input.from, input.bytes, input.now, out)
          break
        case 'publish': {
          const id = check.id(input.envelope)
          if (id === undefined || seen.has(id, input.now)) break
          seen.add(id, input.now)
          if (topics.has(input.topic)) {
            out.push({
              type: 'deliver',
              topic: input.topic,
              messageId: id,
              envelope: input.envelope,
              from: self,
              hops: 0,
            })
          }
          forward(input.topic, 0, input.envelope, undefined, out)
          break
        }
        case 'subscribe':
          topics.add(input.topic)
          break
        case 'unsubscribe':
          topics.delete(input.topic)
          break
        case 'tick':
        case 'connect-failed':
        case 'validation-result':
          break
      }
      return out
    },
  }
}

/** The flood baseline as a simulator strategy. */
export const floodStrategy: Strategy = {
  name: 'flood',
  heartbeatMs: 1_000,
  bootstrapDegree: DEFAULT_BOOTSTRAP_DEGREE,
  createRouter: (context) => createFloodRouter({}, baselineComponents(context)),
}
