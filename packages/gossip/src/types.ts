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
import type { PeerId } from '@peerkit/identity'

/** The text form of a peer id (`PeerId.toString()`), used as a map key. */
export type PeerKey = string

/** The application's verdict on a message: deliver and forward, drop and blame, or drop. */
export type ValidationVerdict = 'accept' | 'reject' | 'ignore'

export type GossipInput =
  | { type: 'peer-connected'; peer: PeerId; now: number }
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
      envelope: Uint8Array
      /** The peer it first arrived from (the router's own id for a local publish). */
      from: PeerId
      /** Hops it travelled (0 for a local publish). */
      hops: number
    }
  /** Ask the application to validate; answer with a `validation-result` input. */
  | { type: 'validate'; topic: string; messageId: string; envelope: Uint8Array; from: PeerId }
  /** Call `handle({ type: 'tick', now })` at or after this time. */
  | { type: 'wake'; at: number }
  | { type: 'misbehaved'; peer: PeerId; reason: string }
  | { type: 'connect'; peer: PeerId }
  | { type: 'disconnect'; peer: PeerId }

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
