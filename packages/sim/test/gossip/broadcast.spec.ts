/**
 * Plumtree behaviour of gossip routers on the simulator: reliability, redundancy (RMR),
 * last delivery hop against flooding's, exactly-once delivery, repair after crashes.
 */
import {
  DEFAULT_ACTIVE_VIEW_SIZE,
  DEFAULT_FIRST_PUSH_HOPS,
  DEFAULT_HOP_LIMIT,
} from '@peerkit/gossip'
import { describe, expect, it } from 'vitest'
import { createNetwork, type Network } from './harness'

const TOPIC = 'news'

async function formed(nodes: number, seed: number, init = {}): Promise<Network> {
  const net = createNetwork({ nodes, seed, init })
  net.subscribeAll(TOPIC)
  net.bootstrap(2)
  net.run(net.now + nodes * 20 + 5_000)
  return net
}

/** Breadth-first hop distance from `source` over the active views: flooding's hop count. */
function floodHops(net: Network, source: number): number {
  const index = new Map(net.nodes.map((n) => [n.key, n.index]))
  const dist = new Map<number, number>([[source, 0]])
  const queue = [source]
  while (queue.length > 0) {
    const at = queue.shift()!
    for (const p of net.nodes[at]!.router.activeView()) {
      const j = index.get(p.toString())!
      if (!dist.has(j) && net.nodes[j]!.alive) {
        dist.set(j, dist.get(at)! + 1)
        queue.push(j)
      }
    }
  }
  return Math.max(...dist.values())
}

function ldh(net: Network, id: string): number {
  return Math.max(...net.alive().map((n) => n.hops.get(id) ?? 0))
}

describe('broadcast', () => {
  it.each([
    [1, 'announced and pulled beyond the publisher'],
    [DEFAULT_FIRST_PUSH_HOPS, 'pushed two hops out, then pulled'],
    [DEFAULT_HOP_LIMIT, 'pushed to every neighbour'],
  ])(
    'reaches everyone with RMR <= 0.1 once the tree has formed, and LDH close to flooding (firstPushHops %s: first messages %s)',
    async (firstPushHops) => {
      const N = 150
      const net = await formed(N, 7, { firstPushHops })
      // warm-up
      for (let i = 0; i < 3; i++) {
        await net.publish(i, TOPIC, `warm ${i}`)
        net.run(net.now + 2_000)
      }
      // per kind of message: payloads sent and deliveries beyond the publisher
      const later = { payloads: 0, deliveries: 0 }
      const first = { payloads: 0, deliveries: 0 }
      let worstRatio = 0
      const M = 12
      for (let i = 0; i < M; i++) {
        // every third message comes from a publisher seen before: its tree is in place; the
        // others are their publisher's first
        const known = i % 3 === 0
        const source = known ? 0 : (i * 37) % N
        const before = net.payloadSends
        const id = await net.publish(source, TOPIC, `m ${i}`)
        net.run(net.now + 2_000)
        expect(net.reached(id)).toBe(N)
        const kind = known ? later : first
        kind.payloads += net.payloadSends - before
        kind.deliveries += N - 1
        worstRatio = Math.max(worstRatio, ldh(net, id) / floodHops(net, source))
      }
      expect(later.payloads / later.deliveries - 1).toBeLessThanOrEqual(0.1)
      const firstRmr = first.payloads / first.deliveries - 1
      if (firstPushHops === DEFAULT_HOP_LIMIT) {
        // a pushed first message costs at most a flood's payloads: each node pushes it to its
        // other neighbours once, and the duplicates prune the tree
        expect(firstRmr).toBeGreaterThan(1)
        expect(firstRmr).toBeLessThanOrEqual(DEFAULT_ACTIVE_VIEW_SIZE - 1)
      } else if (firstPushHops === 2) {
        // pushed by the publisher and its neighbours: at most one copy per neighbour of each
        // of them beyond the one per node, whatever the network's size
        expect(firstRmr).toBeGreaterThan(0.1)
        expect(firstRmr).toBeLessThanOrEqual((DEFAULT_ACTIVE_VIEW_SIZE ** 2 + 8) / N)
      } else {
        // pulled, it costs one copy per node, as a later message does
        expect(firstRmr).toBeLessThanOrEqual(0.1)
      }
      // against breadth-first hops on the same overlay (a lower bound for flooding's LDH)
      expect(worstRatio).toBeLessThanOrEqual(1.6)
      for (const n of net.nodes) for (const count of n.delivered.values()) expect(count).toBe(1)
    },
  )

  it('keeps the active views symmetric and bounded, and the overlay connected', async () => {
    const net = await formed(120, 3)
    for (const n of net.nodes) {
      const view = n.router.activeView()
      expect(view.length).toBeGreaterThan(0)
      expect(view.length).toBeLessThanOrEqual(DEFAULT_ACTIVE_VIEW_SIZE)
      expect(n.router.passiveView().length).toBeLessThanOrEqual(30)
      for (const p of view) {
        const other = net.nodes.find((m) => m.key === p.toString())!
        expect(other.router.activeView().map(String)).toContain(n.key)
      }
    }
    expect(floodHops(net, 0)).toBeLessThan(120)
    const reachable = new Set<number>()
    const index = new Map(net.nodes.map((n) => [n.key, n.index]))
    const stack = [0]
    while (stack.length > 0) {
      const at = stack.pop()!
      if (reachable.has(at)) continue
      reachable.add(at)
      for (const p of net.nodes[at]!.router.activeView()) stack.push(index.get(p.toString())!)
    }
    expect(reachable.size).toBe(120)
  })

  it('repairs after 30% of the nodes crash at once: every later message reaches every live node', async () => {
    const net = await formed(120, 11, { heartbeatIntervalMs: 1_000 })
    for (let i = 0; i < 3; i++) {
      await net.publish(i, TOPIC, `warm ${i}`)
      net.run(net.now + 2_000)
    }
    const crashed = new Set<number>()
    while (crashed.size < 36) crashed.add(Math.floor(net.random() * 120))
    for (const c of crashed) net.crash(c)
    // three heartbeat rounds
    net.run(net.now + 3_000)
    for (const n of net.alive()) {
      expect(n.router.activeView().length).toBeGreaterThan(0)
      for (const p of n.router.activeView())
        expect(crashed.has(net.nodes.findIndex((m) => m.key === p.toString()))).toBe(false)
    }
    const alive = net.alive()
    for (let i = 0; i < 6; i++) {
      const source = alive[(i * 13) % alive.length]!.index
      const id = await net.publish(source, TOPIC, `after ${i}`)
      net.run(net.now + 3_000)
      expect(net.reached(id)).toBe(alive.length)
    }
  })

  it('stops forwarding at the hop limit', async () => {
    const net = createNetwork({ nodes: 6, seed: 2, init: { hopLimit: 2 } })
    net.subscribeAll(TOPIC)
    // a line 0-1-2-3-4-5: each node already has its left neighbour when it dials the right one
    for (let i = 0; i < 5; i++) {
      net.connect(i, i + 1)
      net.run(net.now + 500)
    }
    expect([...net.connections()].sort()).toEqual(['0-1', '1-2', '2-3', '3-4', '4-5'])
    const id = await net.publish(0, TOPIC, 'far')
    net.run(net.now + 5_000)
    expect(net.nodes.map((n) => n.delivered.get(id) ?? 0)).toEqual([1, 1, 1, 0, 0, 0])
  })
})

describe('catch-up for new neighbours', () => {
  async function late(init: { catchUpMs?: number }) {
    const net = createNetwork({ nodes: 3, seed: 4, init })
    net.subscribeAll(TOPIC)
    net.connect(0, 1)
    net.run(net.now + 1_000)
    const ids = [await net.publish(0, TOPIC, 'a'), await net.publish(0, TOPIC, 'b')]
    net.run(net.now + 1_000)
    // node 2 was cut off while they went out; it now finds a neighbour
    net.connect(2, 1)
    net.run(net.now + 3_000)
    return { net, ids }
  }

  it('a node that gains a neighbour pulls the messages accepted there lately, once each', async () => {
    const { net, ids } = await late({})
    for (const id of ids) {
      expect(net.reached(id)).toBe(3)
      expect(net.nodes[2]!.delivered.get(id)).toBe(1)
    }
  })

  it('a neighbour whose subscription comes after the link is caught up when it comes', async () => {
    const net = createNetwork({ nodes: 3, seed: 4 })
    for (const i of [0, 1]) net.input(i, { type: 'subscribe', topic: TOPIC, now: net.now })
    net.connect(0, 1)
    net.run(net.now + 1_000)
    const ids = [await net.publish(0, TOPIC, 'a'), await net.publish(0, TOPIC, 'b')]
    net.run(net.now + 1_000)
    net.connect(2, 1)
    net.run(net.now + 1_000)
    for (const id of ids) expect(net.nodes[2]!.delivered.get(id)).toBeUndefined()
    // node 2 subscribes only now: node 1 announces what node 2 missed on that topic
    net.input(2, { type: 'subscribe', topic: TOPIC, now: net.now })
    net.run(net.now + 3_000)
    for (const id of ids) expect(net.nodes[2]!.delivered.get(id)).toBe(1)
  })

  it('with catchUpMs 0 it does not, and messages older than catchUpMs are not announced', async () => {
    const off = await late({ catchUpMs: 0 })
    for (const id of off.ids) expect(off.net.reached(id)).toBe(2)
    const short = await late({ catchUpMs: 500 })
    for (const id of short.ids) expect(short.net.reached(id)).toBe(2)
  })
})
