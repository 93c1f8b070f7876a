/**
 * What the engine needs to drive a sans-IO core: the core itself (`handle(input)` returns
 * outputs, nothing else) and a `ProtocolAdapter` that says how the engine's events become
 * the core's inputs (a frame arrived, a tick is due, a connection opened, failed or closed)
 * and how the core's outputs become the engine's effects (send, connect, disconnect, wake,
 * deliver, report, feed an input later). The gossip router is one protocol
 * (`gossipProtocol`); any other core runs through the same engine with its own adapter.
 *
 * @example
 * const echo: ProtocolAdapter<EchoInput, EchoOutput, string> = {
 *   frame: (from, bytes, now) => ({ type: 'frame', from, bytes, now }),
 *   tick: (now) => ({ type: 'tick', now }),
 *   connected: (peer, outbound, now) => ({ type: 'up', peer, outbound, now }),
 *   connectFailed: (peer, now) => ({ type: 'down', peer, now }),
 *   disconnected: (peer, now) => ({ type: 'down', peer, now }),
 *   stamp: (input, now) => ({ ...input, now }),
 *   apply(node, output, effects) { if (output.type === 'send') effects.send(node, output.to, output.bytes, 1) },
 * }
 */
import type { PeerId } from '@peerkit/identity'

/** A sans-IO core: it does nothing but turn one input into outputs. */
export interface SansIoCore<I, O> {
  handle(input: I): readonly O[]
}

/**
 * What an adapter may ask of the engine while it carries out one output of node `node`.
 * Peers are named by id; an id the simulation does not know is dropped or refused as a
 * transport would.
 */
export interface ProtocolEffects<I, D> {
  /** Sends a frame carrying `payloads` application payloads (what metrics count). */
  send(node: number, to: PeerId, bytes: Uint8Array, payloads: number): void
  /** Dials `peer` (its answer comes back as `connected` or `connectFailed`). */
  connect(node: number, peer: PeerId): void
  /** Closes the connection to `peer` (the peer learns after the link's delay). */
  disconnect(node: number, peer: PeerId): void
  /** Asks for a tick at `at` (rounded up to the tick resolution; the latest wake wins). */
  wake(node: number, at: number): void
  /** Hands a delivery to the observer. */
  deliver(node: number, delivery: D): void
  /** The core reported a peer. */
  misbehaved(node: number, peer: PeerId, reason: string): void
  /** Feeds `input` to the node after `delayMs` (dropped should the node restart meanwhile). */
  later(node: number, delayMs: number, input: I): void
}

/**
 * How one protocol's core meets the engine. `I` is the core's input, `O` its output, `D`
 * what the observer's `deliver` receives.
 */
export interface ProtocolAdapter<I, O, D> {
  /** A frame from `from` arrived. */
  frame(from: PeerId, bytes: Uint8Array, now: number): I
  /** A tick the core asked for is due. */
  tick(now: number): I
  /** A connection to `peer` is open (`outbound`: this node dialled). */
  connected(peer: PeerId, outbound: boolean, now: number): I
  /** A dial to `peer` failed. */
  connectFailed(peer: PeerId, now: number): I
  /** The connection to `peer` closed. */
  disconnected(peer: PeerId, now: number): I
  /** The same input at the time it is handed over (for inputs fed `later`). */
  stamp(input: I, now: number): I
  /** Carries out one output of node `node`. */
  apply(node: number, output: O, effects: ProtocolEffects<I, D>): void
}
