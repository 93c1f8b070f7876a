/**
 * The sans-IO contract of a gossip router. A router is a deterministic state machine:
 * the driver (a transport driver, the simulator, a test) feeds it `GossipInput`s, each
 * carrying the current time, and carries out the `GossipOutput`s it returns. No socket,
 * timer, clock or randomness lives inside; randomness comes in through `components`.
 *
 * `@peerkit/sim` drives every strategy (this package's router and the simulator's
 * flood and mesh baselines) through this one contract.
 *
 * @example
 * const router = createGossip(init, { self: signer.peerId, random })
 * for (const out of router.handle({ type: 'peer-connected', peer, now: 0 })) drive(out)
 */
import type { Value } from '@peerkit/codec'
import type { PeerId } from '@peerkit/identity'

/** The text form of a peer id (`PeerId.toString()`), used as a map key. */
export type PeerKey = string

/** The application's verdict on a message: deliver and forward, drop and blame, or drop. */
export type ValidationVerdict = 'accept' | 'reject' | 'ignore'

export type GossipInput =
  /**
   * A connection to `peer` is up. `outbound` says who dialed: `true` when this side did
   * (after a `connect` output, or a bootstrap connection the driver made on its behalf),
   * `false` when the peer dialed in, absent when the driver does not know.
   */
  | { type: 'peer-connected'; peer: PeerId; now: number; outbound?: boolean }
  | { type: 'peer-disconnected'; peer: PeerId; now: number }
  /** A `connect` output could not be carried out (the peer is unreachable). */
  | { type: 'connect-failed'; peer: PeerId; now: number }
  | { type: 'frame'; from: PeerId; bytes: Uint8Array; now: number }
  | { type: 'tick'; now: number }
  /** Publish a sealed `@peerkit/envelope` envelope on a topic. */
  | { type: 'publish'; topic: string; envelope: Uint8Array; now: number }
  | { type: 'subscribe'; topic: string; now: number }
  | { type: 'unsubscribe'; topic: string; now: number }
  /** The application's late answer to a `validate` output. */
  | { type: 'validation-result'; messageId: string; verdict: ValidationVerdict; now: number }
  /**
   * Sets this router's own opaque peer record (a driver's signed addresses), carried on its
   * JOIN, NEIGHBOUR and SHUFFLE frames; an empty record clears it. At most `maxPeerDataBytes`.
   */
  | { type: 'local-peer-data'; data: Uint8Array; now: number }

/**
 * How a message came over its last hop: `push` (sent unasked, on the publisher's tree),
 * `pull` (asked for at once after an announcement, no pushed copy being on its way), or
 * `repair` (asked for after a pushed copy or an earlier request did not come in time).
 */
export type DeliveryPath = 'push' | 'pull' | 'repair'

export type GossipOutput =
  /**
   * Send one wire frame to a connected peer. `payloads` counts the full messages the
   * frame carries (0 for control frames), so a driver can measure redundancy without
   * decoding frames.
   */
  | { type: 'send'; to: PeerId; bytes: Uint8Array; payloads: number }
  /** A new, valid message for the application; each message id is delivered once. */
  | {
      type: 'deliver'
      topic: string
      messageId: string
      /** The envelope bytes the router keeps to serve requests (and may share with other routers of the process): read-only. */
      envelope: Uint8Array
      /** The peer it first arrived from (the router's own id for a local publish). */
      from: PeerId
      /** Hops it travelled (0 for a local publish). */
      hops: number
      /** How it came over its last hop (absent for a local publish). */
      via?: DeliveryPath
    }
  /** Ask the application to validate; answer with a `validation-result` input. */
  | { type: 'validate'; topic: string; messageId: string; envelope: Uint8Array; from: PeerId }
  /**
   * Call `handle({ type: 'tick', now })` at or after this time. Each wake replaces the ones
   * before: keep only the latest (ticking earlier or more often is harmless, only wasted).
   */
  | { type: 'wake'; at: number }
  | { type: 'misbehaved'; peer: PeerId; reason: string }
  /**
   * Dial `peer`. `cause` names the neighbour whose membership frame (a FORWARD_JOIN or
   * SHUFFLE) led to this dial, when one did: such dials are rate-limited per neighbour.
   */
  | { type: 'connect'; peer: PeerId; cause?: PeerId }
  | { type: 'disconnect'; peer: PeerId }
  /**
   * A peer record learned from a membership frame (the peer's own, or passed along by
   * others). The router does not interpret it: the driver verifies it before using it.
   * Repeated when it differs from the record the router keeps for that peer.
   */
  | { type: 'peer-data'; peer: PeerId; data: Uint8Array }

/** Anything the simulator and the drivers can run. */
export interface GossipRouter {
  handle(input: GossipInput): GossipOutput[]
}

/** Per-peer events a router reports to its score hook. */
export type PeerEventName =
  | 'first-delivery'
  | 'duplicate'
  | 'invalid-message'
  | 'broken-promise'
  | 'protocol-violation'

/**
 * Where a router reports what peers did and asks what they are worth. `@peerkit/reputation`'s
 * scorer satisfies it; the router compares `score` with its own thresholds before it
 * gossips to, accepts from, or grafts a peer.
 */
export interface ScoreHook {
  record(peer: PeerKey, event: PeerEventName, now: number): void
  score(peer: PeerKey, now: number): number
}

/** A message as the application's validator sees it: opened, signature checked. */
export interface GossipMessage {
  readonly topic: string
  readonly messageId: string
  /** The signer of the envelope (the publisher). */
  readonly signer: PeerId
  /** The application data inside the envelope. */
  readonly data: Value
  /** The envelope's timestamp (ms since the epoch). */
  readonly timestamp: number
  /** The sealed envelope bytes, as received; the router keeps them, so they are read-only. */
  readonly envelope: Uint8Array
  /** The neighbour it arrived from. */
  readonly from: PeerId
}

/** A synchronous verdict, or `'pending'` to answer later with a `validation-result` input. */
export type Validator = (message: GossipMessage) => ValidationVerdict | 'pending'

/** Counters a router keeps about itself (monotone since creation, except the sizes). */
export interface GossipStats {
  /** Messages delivered to the application (own publishes included). */
  delivered: number
  /** Messages published locally. */
  published: number
  /** Full messages received that were already seen. */
  duplicates: number
  /** Frames carrying a full message sent (eager pushes and answers to requests). */
  payloadsSent: number
  /** Control frames sent (membership, IHAVE, IWANT, GRAFT, PRUNE, subscriptions). */
  controlSent: number
  /** Messages rejected: envelope failed to open, or the validator said `reject`. */
  invalid: number
  /** Replays: envelopes rejected as expired or not yet valid. */
  replaysRejected: number
  /** Frames dropped as malformed, oversized, unknown or over a limit. */
  framesDropped: number
  /** GRAFTs sent to repair a missing message. */
  graftsSent: number
  /** PRUNEs sent. */
  prunesSent: number
  /** IHAVE frames sent. */
  ihavesSent: number
  /** Peers cut off for a score under the graylist threshold. */
  graylisted: number
  /** Current number of ids in the seen cache. */
  seenSize: number
  /** Current number of messages kept to answer requests. */
  cachedMessages: number
  /** Current number of messages waiting for the application's verdict. */
  pendingValidations: number
}

/** The router plus read-only introspection for simulators, tests and dashboards. */
export interface Gossip extends GossipRouter {
  readonly self: PeerId
  /** Peers in the active view (connected, symmetric links used for broadcast). */
  activeView(): PeerId[]
  /** Peers in the passive view (known, not connected; used for repair). */
  passiveView(): PeerId[]
  /** Topics this router subscribes to. */
  topics(): string[]
  /**
   * Active peers this router pushes full messages of `topic` to: its children in the tree
   * of `source` (a publisher), or in any source's tree when `source` is omitted.
   */
  eagerPeers(topic: string, source?: PeerId): PeerId[]
  /** Subscribed active peers that get only announcements (IHAVE) of `topic` (from `source`). */
  lazyPeers(topic: string, source?: PeerId): PeerId[]
  /** The neighbour that pushes `source`'s messages of `topic` to this router, if any. */
  parent(topic: string, source: PeerId): PeerId | undefined
  /** Topics an active peer told us it subscribes to. */
  peerTopics(peer: PeerId): string[]
  /** The latest record this router keeps for `peer` (learned from membership frames), if any. */
  peerData(peer: PeerId): Uint8Array | undefined
  /** Whether `messageId` is in the seen cache. */
  hasSeen(messageId: string): boolean
  stats(): GossipStats
  /**
   * A digest of the protocol state (views, trees, subscriptions, caches, pending work):
   * equal digests mean equal state. Accounting that records misbehaviour (rate buckets,
   * counters) is left out, since reporting a bad frame is its purpose.
   */
  stateDigest(): string
}
