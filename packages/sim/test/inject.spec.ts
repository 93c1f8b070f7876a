/**
 * `Simulator.inject`: a frame handed to one core now, over a connection it holds, whose
 * outputs come back and are carried out like any others; nothing reaches a core that is
 * down or not connected to the claimed sender.
 */
import type { PeerId } from '@peerkit/identity'
import { describe, expect, it } from 'vitest'
import { isSimError } from '../src/errors'
import type { ProtocolAdapter, SansIoCore } from '../src/protocol'
import { createSimulator } from '../src/simulator'
import { peerIds } from './helpers'

type Input =
  | { type: 'frame'; from: PeerId; text: string; now: number }
  | { type: 'other'; now: number }
type Output = { type: 'send'; to: PeerId; text: string } | { type: 'heard'; text: string }

const encoder = new TextEncoder()
const decoder = new TextDecoder()

const protocol: ProtocolAdapter<Input, Output, string> = {
  frame: (from, bytes, now) => ({ type: 'frame', from, text: decoder.decode(bytes), now }),
  tick: (now) => ({ type: 'other', now }),
  connected: (_peer, _outbound, now) => ({ type: 'other', now }),
  connectFailed: (_peer, now) => ({ type: 'other', now }),
  disconnected: (_peer, now) => ({ type: 'other', now }),
  stamp: (input, now) => ({ ...input, now }),
  apply(node, output, effects) {
    if (output.type === 'send') effects.send(node, output.to, encoder.encode(output.text), 1)
    else effects.deliver(node, output.text)
  },
}

/** Hears every frame; answers a `ping` with a `pong` to its sender. */
function core(): SansIoCore<Input, Output> {
  return {
    handle(input) {
      if (input.type !== 'frame') return []
      const heard: Output = { type: 'heard', text: input.text }
      return input.text === 'ping'
        ? [heard, { type: 'send', to: input.from, text: 'pong' }]
        : [heard]
    },
  }
}

function setup() {
  const heard: string[] = []
  const sim = createSimulator({
    seed: 3,
    protocol,
    latency: { kind: 'fixed', ms: 20 },
    observer: { deliver: (node, text, now) => void heard.push(`${node} ${text} @${now}`) },
  })
  const ids = peerIds(3)
  for (const peerId of ids) sim.start(sim.addNode({ peerId, create: core }))
  sim.connect(0, 1)
  sim.runUntil(100)
  return { sim, heard }
}

describe('inject', () => {
  it('hands a frame to a core now and returns its outputs, which are carried out', () => {
    const { sim, heard } = setup()
    const out = sim.inject(0, 1, encoder.encode('ping'))
    expect(out.map((o) => o.type)).toEqual(['heard', 'send'])
    // heard at once, no link delay; the answer travels the link back to node 0
    expect(heard).toEqual(['1 ping @100'])
    sim.runUntil(200)
    expect(heard).toEqual(['1 ping @100', '0 pong @120'])
  })

  it('reaches no core that is down or holds no connection to the sender', () => {
    const { sim, heard } = setup()
    expect(sim.inject(2, 1, encoder.encode('ping'))).toEqual([])
    expect(sim.inject(1, 2, encoder.encode('ping'))).toEqual([])
    sim.crash(1)
    expect(sim.inject(0, 1, encoder.encode('ping'))).toEqual([])
    sim.runUntil(500)
    expect(heard).toEqual([])
    let error: unknown
    try {
      sim.inject(0, 9, encoder.encode('ping'))
    } catch (e) {
      error = e
    }
    expect(isSimError(error, 'InvalidOptionError')).toBe(true)
  })
})
