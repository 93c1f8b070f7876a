/**
 * The engine drives any sans-IO core: a ping/echo protocol written here, with its own
 * inputs, outputs and adapter, runs through the same simulator as the gossip routers.
 */
import type { PeerId } from '@peerkit/identity'
import { describe, expect, it } from 'vitest'
import { isSimError } from '../src/errors'
import type { ProtocolAdapter, SansIoCore } from '../src/protocol'
import { createSimulator } from '../src/simulator'
import { peerIds } from './helpers'

type EchoInput =
  | { type: 'frame'; from: PeerId; bytes: Uint8Array; now: number }
  | { type: 'tick'; now: number }
  | { type: 'up'; peer: PeerId; outbound: boolean; now: number }
  | { type: 'failed'; peer: PeerId; now: number }
  | { type: 'down'; peer: PeerId; now: number }
  | { type: 'dial'; peer: PeerId; now: number }
  | { type: 'deferred'; note: string; now: number }

type EchoOutput =
  | { type: 'send'; to: PeerId; text: string }
  | { type: 'connect'; peer: PeerId }
  | { type: 'close'; peer: PeerId }
  | { type: 'wake'; at: number }
  | { type: 'note'; text: string }
  | { type: 'blame'; peer: PeerId; why: string }
  | { type: 'defer'; ms: number; note: string }

const text = new TextDecoder()
const bytes = new TextEncoder()

const echoProtocol: ProtocolAdapter<EchoInput, EchoOutput, string> = {
  frame: (from, data, now) => ({ type: 'frame', from, bytes: data, now }),
  tick: (now) => ({ type: 'tick', now }),
  connected: (peer, outbound, now) => ({ type: 'up', peer, outbound, now }),
  connectFailed: (peer, now) => ({ type: 'failed', peer, now }),
  disconnected: (peer, now) => ({ type: 'down', peer, now }),
  stamp: (input, now) => ({ ...input, now }),
  apply(node, output, effects) {
    switch (output.type) {
      case 'send': {
        const data = bytes.encode(output.text)
        effects.send(node, output.to, data, 1)
        return
      }
      case 'connect':
        effects.connect(node, output.peer)
        return
      case 'close':
        effects.disconnect(node, output.peer)
        return
      case 'wake':
        effects.wake(node, output.at)
        return
      case 'note':
        effects.deliver(node, output.text)
        return
      case 'blame':
        effects.misbehaved(node, output.peer, output.why)
        return
      case 'defer':
        effects.later(node, output.ms, { type: 'deferred', note: output.note, now: 0 })
        return
    }
  },
}

/**
 * A node that pings whoever it dials three times, answers pings with pongs, blames a peer
 * for any other frame, closes its links at the wake it asked for, and notes what it sees.
 */
function echoCore(name: (peer: PeerId) => string): SansIoCore<EchoInput, EchoOutput> {
  const peers = new Set<PeerId>()
  return {
    handle(input) {
      switch (input.type) {
        case 'dial':
          return [{ type: 'connect', peer: input.peer }]
        case 'up':
          peers.add(input.peer)
          return input.outbound
            ? [
                { type: 'send', to: input.peer, text: 'ping 1' },
                { type: 'wake', at: input.now + 95 },
              ]
            : [{ type: 'send', to: input.peer, text: 'hello' }]
        case 'frame': {
          const [word, count] = text.decode(input.bytes).split(' ')
          const k = Number(count)
          if (word === 'ping') return [{ type: 'send', to: input.from, text: `pong ${k}` }]
          if (word !== 'pong') return [{ type: 'blame', peer: input.from, why: `said ${word}` }]
          const note: EchoOutput = { type: 'note', text: `pong ${k} from ${name(input.from)}` }
          return k < 3
            ? [note, { type: 'send', to: input.from, text: `ping ${k + 1}` }]
            : [note, { type: 'defer', ms: 5, note: 'done' }]
        }
        case 'deferred':
          return [{ type: 'note', text: input.note }]
        case 'tick':
          return [...peers].map((peer) => ({ type: 'close', peer }))
        case 'failed':
          return [{ type: 'note', text: `cannot reach ${name(input.peer)}` }]
        case 'down':
          peers.delete(input.peer)
          return [{ type: 'note', text: `${name(input.peer)} left` }]
      }
    },
  }
}

function run(seed: number) {
  const [a, b, stranger] = peerIds(3, seed)
  const names = new Map([
    [a!.toString(), 'a'],
    [b!.toString(), 'b'],
    [stranger!.toString(), 'stranger'],
  ])
  const name = (peer: PeerId) => names.get(peer.toString()) ?? '?'
  const log: string[] = []
  const sim = createSimulator({
    seed,
    protocol: echoProtocol,
    latency: { kind: 'fixed', ms: 10 },
    tickResolutionMs: 10,
    observer: {
      deliver: (node, note, now) => log.push(`${now} ${name(sim.peerIdOf(node))}: ${note}`),
      misbehaved: (node, peer, why, now) => log.push(`${now} ${node} blames ${peer}: ${why}`),
      send: (from, to, data, _payloads, now) =>
        log.push(`${now} ${from}->${to} ${text.decode(data)}`),
      opened: (x, y, now) => log.push(`${now} open ${x}-${y}`),
      closed: (node, peer, now) => log.push(`${now} closed ${node}-${peer}`),
    },
  })
  sim.addNode({ peerId: a!, create: () => echoCore(name) })
  sim.addNode({ peerId: b!, create: () => echoCore(name) })
  sim.start(0)
  sim.start(1)
  sim.input(0, { type: 'dial', peer: b!, now: 0 })
  sim.input(0, { type: 'dial', peer: stranger!, now: 0 })
  sim.runUntil(1_000)
  return { log, sim }
}

describe('simulator: a core of its own through a protocol adapter', () => {
  it('carries out sends, dials, closes, wakes, deliveries, reports and later inputs', () => {
    const { log, sim } = run(1)
    expect(log).toEqual([
      '0 a: cannot reach stranger',
      '10 open 1-0',
      '10 1->0 hello',
      '20 0->1 ping 1',
      '20 0 blames 1: said hello',
      '30 1->0 pong 1',
      '40 a: pong 1 from b',
      '40 0->1 ping 2',
      '50 1->0 pong 2',
      '60 a: pong 2 from b',
      '60 0->1 ping 3',
      '70 1->0 pong 3',
      '80 a: pong 3 from b',
      '85 a: done',
      '120 closed 0-1',
      '130 closed 1-0',
      '130 b: a left',
    ])
    expect(sim.connections(0)).toEqual([])
    expect(sim.connections(1)).toEqual([])
  })

  it('gives the same run for the same seed', () => {
    expect(run(7).log).toEqual(run(7).log)
  })

  it('refuses gossip validation options beside another protocol', () => {
    let caught: unknown
    try {
      createSimulator({ seed: 1, protocol: echoProtocol, validationDelayMs: 5 })
    } catch (error) {
      caught = error
    }
    expect(isSimError(caught) && caught.name === 'InvalidOptionError').toBe(true)
  })
})
