/**
 * The gossip router as a simulator protocol: frames, ticks and connection events become
 * `GossipInput`s, and `GossipOutput`s become sends, dials, closes, wakes, deliveries and
 * reports. A `validate` output is answered by the simulated application after a delay,
 * as a `validation-result` input.
 *
 * @example
 * const sim = createSimulator({ seed: 1, protocol: createGossipProtocol({ validationDelayMs: 5 }) })
 */
import type { GossipInput, GossipOutput, PeerId, ValidationVerdict } from './contract'
import type { ProtocolAdapter } from './protocol'

/** What the observer's `deliver` receives from a gossip router. */
export type GossipDelivery = Extract<GossipOutput, { type: 'deliver' }>

/** The simulated application behind the routers. */
export interface GossipProtocolOptions {
  /** The application's verdict on `validate` outputs (default: accept). */
  validate?(node: number, topic: string, envelope: Uint8Array): ValidationVerdict
  /** Delay of the application's verdict (default 0). */
  validationDelayMs?: number
}

/**
 * Creates the gossip adapter.
 * @param options - the simulated application's validation
 * @returns the adapter
 */
export function createGossipProtocol(
  options: GossipProtocolOptions = {},
): ProtocolAdapter<GossipInput, GossipOutput, GossipDelivery> {
  const validate = options.validate
  const delay = options.validationDelayMs ?? 0
  return {
    frame: (from, bytes, now) => ({ type: 'frame', from, bytes, now }),
    tick: (now) => ({ type: 'tick', now }),
    connected: (peer: PeerId, outbound, now) => ({ type: 'peer-connected', peer, now, outbound }),
    connectFailed: (peer, now) => ({ type: 'connect-failed', peer, now }),
    disconnected: (peer, now) => ({ type: 'peer-disconnected', peer, now }),
    stamp: (input, now) => ({ ...input, now }) as GossipInput,
    apply(node, output, effects) {
      switch (output.type) {
        case 'send':
          effects.send(node, output.to, output.bytes, output.payloads)
          return
        case 'deliver':
          effects.deliver(node, output)
          return
        case 'wake':
          effects.wake(node, output.at)
          return
        case 'validate': {
          const verdict = validate?.(node, output.topic, output.envelope) ?? 'accept'
          effects.later(node, delay, {
            type: 'validation-result',
            messageId: output.messageId,
            verdict,
            now: 0,
          })
          return
        }
        case 'misbehaved':
          effects.misbehaved(node, output.peer, output.reason)
          return
        case 'connect':
          effects.connect(node, output.peer)
          return
        case 'disconnect':
          effects.disconnect(node, output.peer)
          return
      }
    },
  }
}
