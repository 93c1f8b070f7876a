/**
 * What every layer of a router shares: its settings, clock, randomness and stats, the
 * live connections, the outputs of the input being handled, and the sends that go out
 * over a connection. The layers (membership, shuffle, limits, cache, broadcast, repair,
 * validation) each own the rest of the state; `state.ts` composes them.
 *
 * @example
 * const core = createCore(cfg, share, self, random)
 * core.now = input.now
 * core.send(peer, { kind: 'disconnect' })
 */
import type { PeerId } from '@peerkit/identity'
import type { Bucket } from './bucket'
import { encodeFrame } from './frame-writer'
import type { Frame, FrameLimits } from './frames'
import type { ResolvedInit } from './options'
import type { GossipShare } from './shared'
import type { GossipOutput, GossipStats, PeerKey } from './types'

/** A live connection to a peer (in the active view or not). */
export interface Conn extends Bucket {
  peer: PeerId
  /** `peer.toString()`: the connection's key in `conns`. */
  key: PeerKey
  lastActivity: number
  /** Topics the peer told us it subscribes to. */
  topics: Set<string>
  messages: Bucket
  pending: number
  /** The peer's score, as of `scoreAt` (refreshed each heartbeat and after each event). */
  score: number
  scoreAt: number
  /** Whether the peer is in the active view (mirrors `active`, read per frame without a lookup). */
  active: boolean
  /** Dials this peer's membership frames may still cause (refilled one per second), as of `dialAt`. */
  dialTokens: number
  dialAt: number
  /** Per topic: when this peer was last caught up on it (catch-up runs once per `catchUpMs`). */
  caughtUp: Map<string, number> | undefined
}

/** The router's shared state (one per router; see the module comment). */
export interface Core {
  readonly cfg: ResolvedInit
  readonly share: GossipShare
  readonly self: PeerId
  readonly selfKey: PeerKey
  /** This router's own public key as a `sourceKeyOf` string (its tree as a publisher). */
  readonly selfSource: string
  readonly random: () => number
  readonly stats: GossipStats
  /** Live connections, by peer key. */
  readonly conns: Map<PeerKey, Conn>
  /** Time of the input being handled (never runs backwards). */
  now: number
  /** Outputs of the input being handled. */
  out: GossipOutput[]
  /** Bumped by `linksChanged`. */
  linksVersion: number
  /** Voids every topic's peers: call on any change of the active view, the connections or a neighbour's topics. */
  linksChanged(): void
  /** `sourceKeyText`, as the share's one string. */
  sourceKeyOf(bytes: Uint8Array): string
  /** `encodeFrame`, control frames cut from the share's slabs. */
  frameBytes(frame: Frame): Uint8Array
  sendTo(conn: Conn, bytes: Uint8Array, payloads: number): void
  sendBytes(peer: PeerKey, bytes: Uint8Array, payloads: number): void
  /** Sends a frame to a connected peer (nothing when not connected). */
  send(peer: PeerKey, frame: Frame): void
}

const SEP = '\u0000'

/** The map key of a (topic, peer) pair. */
export const pairKey = (topic: string, peer: PeerKey): string => topic + SEP + peer

/** The map key of a request batch: its pair and whether it grafts. */
export const batchKeyOf = (topic: string, peer: PeerKey, graft: boolean): string =>
  pairKey(topic, peer) + SEP + (graft ? 'g' : 'w')

/** The map key of a source (a 32-byte public key): a binary string, one character per byte. */
function sourceKeyText(bytes: Uint8Array): string {
  return String.fromCharCode.apply(null, bytes as unknown as number[])
}

/** The source bytes of a key made by `sourceKeyOf`. */
export function sourceOfKey(key: string): Uint8Array {
  const bytes = new Uint8Array(key.length)
  for (let i = 0; i < key.length; i++) bytes[i] = key.charCodeAt(i)
  return bytes
}

/** The frame limits of a router's settings. */
export function frameLimitsOf(cfg: ResolvedInit): FrameLimits {
  return {
    maxFrameBytes: cfg.maxFrameBytes,
    maxIds: cfg.maxIdsPerFrame,
    maxPeers: Math.max(
      1 + cfg.shuffleActiveCount + cfg.shufflePassiveCount,
      cfg.passiveViewSize,
      1,
    ),
    maxTopics: cfg.maxTopics,
    maxTtl: Math.max(cfg.activeRandomWalkLength, cfg.shuffleWalkLength),
    maxPeerDataBytes: cfg.maxPeerDataBytes,
  }
}

/**
 * Creates a router's shared state.
 * @param cfg - the resolved settings
 * @param share - the share the router was given (or its own)
 * @param self - the router's peer id
 * @param random - its randomness
 * @returns the core, with no connection and time 0
 */
export function createCore(
  cfg: ResolvedInit,
  share: GossipShare,
  self: PeerId,
  random: () => number,
): Core {
  const sourceKeyOf = (bytes: Uint8Array): string => share.key(sourceKeyText(bytes))
  const core: Core = {
    cfg,
    share,
    self,
    selfKey: self.toString(),
    selfSource: sourceKeyOf(self.publicKey),
    random,
    stats: {
      delivered: 0,
      published: 0,
      duplicates: 0,
      payloadsSent: 0,
      controlSent: 0,
      invalid: 0,
      replaysRejected: 0,
      framesDropped: 0,
      graftsSent: 0,
      prunesSent: 0,
      ihavesSent: 0,
      graylisted: 0,
      seenSize: 0,
      cachedMessages: 0,
      pendingValidations: 0,
    },
    conns: new Map(),
    now: 0,
    out: [],
    linksVersion: 0,
    linksChanged() {
      core.linksVersion++
    },
    sourceKeyOf,
    frameBytes: (frame) => encodeFrame(frame, share.frameBuffer),
    sendTo(conn, bytes, payloads) {
      conn.lastActivity = core.now
      core.out.push({ type: 'send', to: conn.peer, bytes, payloads })
      if (payloads > 0) core.stats.payloadsSent += payloads
      else core.stats.controlSent++
    },
    sendBytes(peer, bytes, payloads) {
      const conn = core.conns.get(peer)
      if (conn !== undefined) core.sendTo(conn, bytes, payloads)
    },
    send(peer, frame) {
      if (!core.conns.has(peer)) return
      core.sendBytes(peer, core.frameBytes(frame), frame.kind === 'gossip' ? 1 : 0)
    },
  }
  return core
}
