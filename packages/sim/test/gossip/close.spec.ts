/**
 * The gossip adapter tells a router of a close it asked for, as the net driver does, and
 * the other end learns of it after the link's delay.
 */
import { describe, expect, it } from 'vitest'
import type { GossipInput, GossipOutput } from '../../src/contract'
import { createGossipProtocol } from '../../src/gossip-protocol'
import type { SansIoCore } from '../../src/protocol'
import { createSimulator } from '../../src/simulator'
import { peerIds } from '../helpers'

describe('gossip adapter', () => {
  it('a router that closes a connection hears peer-disconnected for it', () => {
    const ids = peerIds(2)
    const heard: string[][] = [[], []]
    const sim = createSimulator({
      seed: 1,
      protocol: createGossipProtocol(),
      latency: { kind: 'fixed', ms: 20 },
    })
    for (const [i, peerId] of ids.entries()) {
      const core: SansIoCore<GossipInput, GossipOutput> = {
        handle(input) {
          const peer = 'peer' in input ? ` ${input.peer === ids[1 - i] ? 'other' : '?'}` : ''
          heard[i]!.push(`${input.now} ${input.type}${peer}`)
          // node 0 closes what node 1 opened
          return i === 0 && input.type === 'peer-connected'
            ? [{ type: 'disconnect', peer: input.peer }]
            : []
        },
      }
      sim.start(sim.addNode({ peerId, create: () => core }))
    }
    sim.connect(1, 0)
    sim.runUntil(200)
    expect(heard[0]).toEqual(['20 peer-connected other', '20 peer-disconnected other'])
    expect(heard[1]).toEqual(['40 peer-connected other', '40 peer-disconnected other'])
    expect(sim.connections(0)).toEqual([])
    expect(sim.connections(1)).toEqual([])
  })
})
