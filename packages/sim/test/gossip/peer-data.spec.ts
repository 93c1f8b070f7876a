/**
 * Peer records in a network of routers: a router carries its own opaque record on JOIN,
 * NEIGHBOUR and SHUFFLE, passes others' records along FORWARD_JOIN and SHUFFLE walks,
 * reports each record it learns, and keeps them for its views within a bound.
 */
import { encode } from '@peerkit/codec'
import { encodeFrame, type GossipOutput } from '@peerkit/gossip'
import { describe, expect, it } from 'vitest'
import { createNetwork, signerAt } from './harness'

const record = (i: number, size = 40): Uint8Array =>
  new Uint8Array(size).map((_, j) => (i * 31 + j) & 0xff)

describe('peer data in the router', () => {
  it('spreads every record through joins and shuffles, reports only true ones, and follows updates', async () => {
    const n = 30
    const net = createNetwork({ nodes: n, seed: 3, init: { shuffleIntervalMs: 2_000 } })
    const truth = new Map(net.nodes.map((node) => [node.key, record(node.index)]))
    const learned = net.nodes.map(() => new Map<string, Uint8Array>())
    for (const node of net.nodes) {
      node.filter = (o: GossipOutput) => {
        if (o.type === 'peer-data') learned[node.index]!.set(o.peer.toString(), o.data)
        return true
      }
      net.input(node.index, { type: 'local-peer-data', data: truth.get(node.key)!, now: net.now })
    }
    net.subscribeAll('t')
    net.bootstrap(2)
    net.run(net.now + 30_000)
    let total = 0
    for (const node of net.nodes) {
      const mine = learned[node.index]!
      expect(mine.has(node.key)).toBe(false)
      total += mine.size
      for (const [key, data] of mine) expect(data).toEqual(truth.get(key))
      // every peer in a view has its record
      for (const p of [...node.router.activeView(), ...node.router.passiveView()])
        expect(node.router.peerData(p)).toEqual(truth.get(p.toString()))
    }
    expect(total).toBeGreaterThan(n * 5)
    // a new record replaces the old one as shuffles pass it on
    const fresh = record(99)
    net.input(0, { type: 'local-peer-data', data: fresh, now: net.now })
    net.run(net.now + 40_000)
    const knowers = net.nodes.filter((node) => learned[node.index]!.get(net.nodes[0]!.key))
    const updated = knowers.filter((node) => {
      const d = learned[node.index]!.get(net.nodes[0]!.key)!
      return d.length === fresh.length && d.every((b, i) => b === fresh[i])
    })
    expect(updated.length).toBeGreaterThan(0)
  })

  it('keeps at most a bounded number of records, whatever shuffles name', async () => {
    const net = createNetwork({ nodes: 3, seed: 5 })
    net.connect(0, 1)
    net.run(net.now + 1_000)
    const router = net.nodes[1]!.router
    let reported = 0
    net.nodes[1]!.filter = (o) => {
      if (o.type === 'peer-data') reported++
      return true
    }
    const named = Array.from({ length: 400 }, (_, i) => signerAt(100 + i).peerId)
    for (let i = 0; i < named.length; i += 8) {
      const list = named.slice(i, i + 8)
      const frame = encodeFrame({
        kind: 'shuffle',
        // the neighbour's own shuffle: answering it needs no dial (dials are rate-limited)
        origin: net.nodes[0]!.peer,
        ttl: 0,
        peers: list,
        data: list.map((_, j) => record(i + j)),
      })
      net.inject(0, 1, frame)
    }
    expect(reported).toBe(named.length)
    const kept = named.filter((p) => router.peerData(p) !== undefined).length
    const bound = 2 * (5 + 30) + 8
    expect(kept).toBeGreaterThan(0)
    expect(kept).toBeLessThanOrEqual(bound)
    // every passive entry keeps its record
    for (const p of router.passiveView()) expect(router.peerData(p)).toBeDefined()
  })

  it('a frame with an oversized record is a violation and teaches nothing', async () => {
    const net = createNetwork({ nodes: 2, seed: 7, init: { maxPeerDataBytes: 32 } })
    net.connect(0, 1)
    net.run(net.now + 1_000)
    const stranger = signerAt(50).peerId
    const bytes = encode([1, 6, [[stranger.toBytes(), record(1, 33)]]])
    const out = net.inject(0, 1, bytes)
    expect(out.some((o) => o.type === 'peer-data')).toBe(false)
    expect(out.some((o) => o.type === 'misbehaved' && o.reason === 'MalformedFrameError')).toBe(
      true,
    )
    expect(net.nodes[1]!.router.peerData(stranger)).toBeUndefined()
  })
})
