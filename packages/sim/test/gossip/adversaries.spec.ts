/**
 * Adversaries: invalid-message spammers are reported until they are cut off, silent
 * droppers do not cost honest nodes a message, and replays are rejected however late.
 */

import { encodeFrame, messageIdOf } from '@peerkit/gossip'
import { describe, expect, it } from 'vitest'
import { createNetwork, type Network } from './harness'

const TOPIC = 't'

/** A copy of a genuine envelope with its signature broken. */
function forged(envelope: Uint8Array): Uint8Array {
  const copy = envelope.slice()
  copy[copy.length - 20]! ^= 0xff
  return copy
}

async function spam(net: Network, spammer: number, round: number): Promise<void> {
  const envelope = await net.seal(spammer, TOPIC, `spam ${round}`)
  const bytes = encodeFrame({ kind: 'gossip', topic: TOPIC, hops: 1, envelope: forged(envelope) })
  for (const to of net.linked(spammer)) net.inject(spammer, to, bytes)
}

describe('adversaries', () => {
  it('reports an invalid-message spammer until every neighbour has cut it off', async () => {
    const net = createNetwork({ nodes: 20, seed: 4 })
    net.subscribeAll(TOPIC)
    net.bootstrap(2)
    net.run(net.now + 3_000)
    const spammer = 19
    const neighbours = net.linked(spammer)
    expect(neighbours.length).toBeGreaterThan(0)
    // each round waits out the dials a cut sets off (one link delay to learn of it, a round
    // trip to connect), so a spammer with no link left has none on the way either
    for (let round = 0; round < 20 && net.linked(spammer).length > 0; round++) {
      await spam(net, spammer, round)
      net.run(net.now + 300)
    }
    expect(net.linked(spammer)).toEqual([])
    const key = net.nodes[spammer]!.key
    for (const n of neighbours) {
      expect(net.nodes[n]!.reports.some((r) => r.startsWith(`${key} BadSignatureError`))).toBe(true)
      expect(net.nodes[n]!.router.activeView().map(String)).not.toContain(key)
    }
    // once cut off, a reconnection is refused
    const again = neighbours[0]!
    net.connect(again, spammer)
    net.run(net.now + 100)
    expect(net.linked(spammer)).toEqual([])
  })

  it('keeps honest reliability with 20% droppers and spammers, and cuts every spammer off', async () => {
    const N = 100
    const net = createNetwork({ nodes: N, seed: 9 })
    const droppers = new Set([3, 11, 19, 27, 35, 43, 51, 59, 67, 75])
    const spammers = [7, 15, 23, 31, 39, 47, 55, 63, 71, 79]
    for (const d of droppers) {
      // a silent dropper: announces like everyone, never hands over a payload
      net.nodes[d]!.filter = (o) => !(o.type === 'send' && o.payloads > 0)
    }
    net.subscribeAll(TOPIC)
    net.bootstrap(2)
    net.run(net.now + N * 20 + 3_000)
    const honest = net.nodes.filter((n) => !droppers.has(n.index) && !spammers.includes(n.index))
    let delivered = 0
    for (let i = 0; i < 20; i++) {
      for (const s of spammers) await spam(net, s, i)
      const source = honest[(i * 7) % honest.length]!.index
      const id = await net.publish(source, TOPIC, `m${i}`)
      net.run(net.now + 3_000)
      delivered += honest.filter((n) => n.delivered.get(id) === 1).length
    }
    expect(delivered / (20 * honest.length)).toBeGreaterThanOrEqual(0.999)
    // a spammer keeps finding fresh neighbours; each one cuts it off after two messages
    for (let round = 20; round < 60 && spammers.some((s) => net.linked(s).length > 0); round++) {
      for (const s of spammers) await spam(net, s, round)
      net.run(net.now + 500)
    }
    for (const s of spammers) expect(net.linked(s)).toEqual([])
  })

  it('rejects replays: a duplicate inside the window, an expired envelope after the cache forgot it', async () => {
    const init = { maxMessageAgeMs: 5_000, maxClockSkewMs: 1_000 }
    const net = createNetwork({ nodes: 3, seed: 3, init })
    net.subscribeAll(TOPIC)
    net.connect(0, 1)
    net.run(net.now + 200)
    net.connect(1, 2)
    net.run(net.now + 1_000)
    const envelope = await net.seal(0, TOPIC, 'once')
    net.input(0, { type: 'publish', topic: TOPIC, envelope, now: net.now })
    net.run(net.now + 1_000)
    const id = messageIdOf(envelope).toString()
    expect(net.nodes.map((n) => n.delivered.get(id))).toEqual([1, 1, 1])
    const frame = encodeFrame({ kind: 'gossip', topic: TOPIC, hops: 1, envelope })
    // inside the window: a duplicate, dropped before any signature work
    net.inject(2, 1, frame)
    expect(net.nodes[1]!.delivered.get(id)).toBe(1)
    // the seen cache keeps ids for maxAge + 2 × skew = 7 s; wait past that
    net.run(net.now + 8_000)
    expect(net.nodes[1]!.router.hasSeen(id)).toBe(false)
    const replaysBefore = net.nodes[1]!.router.stats().replaysRejected
    const out = net.inject(2, 1, frame)
    // expired on arrival: dropped and counted, but the forwarder is not blamed (it may have
    // accepted the message a moment earlier, or its clock may differ within the skew)
    expect(out.some((o) => o.type === 'misbehaved')).toBe(false)
    expect(out.some((o) => o.type === 'deliver')).toBe(false)
    expect(net.nodes[1]!.router.stats().replaysRejected).toBe(replaysBefore + 1)
    expect(net.nodes[1]!.delivered.get(id)).toBe(1)
  })
})
