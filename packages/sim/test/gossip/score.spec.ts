/**
 * The score hook: the five peer events are reported, and scores are consulted before the
 * router gossips to, takes messages from, grafts, or keeps a peer at all.
 */

import { encodeFrame, type ScoreHook } from '@peerkit/gossip'
import { idKeyOf } from '@peerkit/gossip/frames'
import { describe, expect, it } from 'vitest'
import { createLine } from './harness'

function hookWith(scores: Map<string, number> = new Map()): ScoreHook & { events: string[] } {
  const events: string[] = []
  return {
    events,
    record: (peer, event) => void events.push(`${peer} ${event}`),
    score: (peer) => scores.get(peer) ?? 0,
  }
}

describe('score hook', () => {
  it('reports first deliveries, duplicates, protocol violations and broken promises', async () => {
    const hook = hookWith()
    const net = createLine({
      nodes: 3,
      seed: 6,
      scoreHook: (i) => (i === 1 ? hook : undefined),
    })
    const envelope = await net.seal(0, 't', 'x')
    net.input(0, { type: 'publish', topic: 't', envelope, now: net.now })
    net.run(net.now + 500)
    const a = net.nodes[0]!.key
    const c = net.nodes[2]!.key
    expect(hook.events).toContain(`${a} first-delivery`)
    net.inject(0, 1, encodeFrame({ kind: 'gossip', topic: 't', hops: 1, envelope }))
    expect(hook.events).toContain(`${a} duplicate`)
    net.inject(2, 1, new Uint8Array([0xff]))
    expect(hook.events).toContain(`${c} protocol-violation`)
    // node 2 announces a message it does not have, then never sends it
    const ghost = await net.seal(2, 't', 'ghost')
    const bytes = (await import('@peerkit/gossip')).messageIdOf(ghost).bytes
    const ihave = encodeFrame({
      kind: 'ihave',
      topic: 't',
      ids: [{ id: { bytes, key: idKeyOf(bytes) }, hops: 1, source: net.nodes[2]!.peer.publicKey }],
    })
    net.inject(2, 1, ihave)
    net.run(net.now + 2_000)
    expect(hook.events).toContain(`${c} broken-promise`)
  })

  it('reports invalid messages', async () => {
    const hook = hookWith()
    const net = createLine({
      nodes: 2,
      seed: 7,
      scoreHook: (i) => (i === 1 ? hook : undefined),
    })
    const envelope = await net.seal(0, 'other-topic', 'x')
    net.inject(0, 1, encodeFrame({ kind: 'gossip', topic: 't', hops: 1, envelope }))
    expect(hook.events).toContain(`${net.nodes[0]!.key} invalid-message`)
    expect(net.nodes[1]!.reports).toEqual([`${net.nodes[0]!.key} topic-mismatch`])
  })

  it('does not gossip to a peer under the gossip threshold', async () => {
    const scores = new Map<string, number>()
    const net = createLine({
      nodes: 3,
      seed: 1,
      scoreHook: (i) => (i === 1 ? hookWith(scores) : undefined),
    })
    scores.set(net.nodes[2]!.key, -15)
    net.run(net.now + 2_000) // let the cached score refresh at a heartbeat
    const id = await net.publish(0, 't', 'x')
    net.run(net.now + 2_000)
    expect(net.nodes.map((n) => n.delivered.get(id) ?? 0)).toEqual([1, 1, 0])
  })

  it('graylists a peer: ignores it and asks to disconnect', async () => {
    const scores = new Map<string, number>()
    const net = createLine({
      nodes: 2,
      seed: 2,
      scoreHook: (i) => (i === 1 ? hookWith(scores) : undefined),
    })
    scores.set(net.nodes[0]!.key, -100)
    net.run(net.now + 2_000)
    expect(net.linked(1)).toEqual([])
    expect(net.nodes[1]!.router.activeView()).toEqual([])
    expect(net.nodes[1]!.router.stats().graylisted).toBe(1)
  })
})
