/**
 * HyParView membership: a failed active link is replaced from the passive view (dialing,
 * skipping peers that cannot be reached), DISCONNECT moves a peer to the passive view, and
 * shuffles keep the passive views filled.
 */

import { encodeFrame } from '@peerkit/gossip'
import { describe, expect, it } from 'vitest'
import { createNetwork, type Network } from './harness'

async function formed(nodes: number, seed: number): Promise<Network> {
  const net = createNetwork({ nodes, seed, init: { shuffleIntervalMs: 2_000 } })
  net.subscribeAll('t')
  net.bootstrap(2)
  net.run(net.now + nodes * 20 + 20_000)
  return net
}

const keys = (peers: { toString(): string }[]): string[] => peers.map(String)

/** Sizes of the components of the active-view graph among the alive nodes, largest first. */
function activeComponents(net: Network): number[] {
  const byKey = new Map(net.nodes.map((n) => [n.key, n]))
  const seen = new Set<number>()
  const sizes: number[] = []
  for (const start of net.alive()) {
    if (seen.has(start.index)) continue
    seen.add(start.index)
    const stack = [start]
    let size = 0
    while (stack.length > 0) {
      const n = stack.pop()!
      size++
      for (const p of keys(n.router.activeView())) {
        const m = byKey.get(p)!
        if (m.alive && !seen.has(m.index)) {
          seen.add(m.index)
          stack.push(m)
        }
      }
    }
    sizes.push(size)
  }
  return sizes.sort((a, b) => b - a)
}

/** Nodes `from`…`to - 1` join through one random earlier node of the range, 2 ms apart. */
function joinFast(net: Network, from: number, to: number): void {
  for (let i = from + 1; i < to; i++) {
    net.connect(i, from + Math.floor(net.random() * (i - from)))
    net.run(net.now + 2)
  }
}

describe('membership', () => {
  it('fills passive views through joins and shuffles, never with itself or active peers', async () => {
    const net = await formed(40, 1)
    for (const n of net.nodes) {
      const passive = keys(n.router.passiveView())
      expect(passive.length).toBeGreaterThan(0)
      expect(passive).not.toContain(n.key)
      for (const p of keys(n.router.activeView())) expect(passive).not.toContain(p)
    }
  })

  it('replaces a crashed neighbour from the passive view, skipping unreachable candidates', async () => {
    const net = await formed(40, 2)
    const node = net.nodes[0]!
    const byKey = new Map(net.nodes.map((n) => [n.key, n]))
    // make most of the passive view unreachable, then crash an active neighbour
    const passive = keys(node.router.passiveView())
    for (const p of passive.slice(0, Math.max(1, passive.length - 2)))
      net.crash(byKey.get(p)!.index)
    const victim = byKey.get(keys(node.router.activeView())[0]!)!
    const sizeBefore = node.router.activeView().length
    net.crash(victim.index)
    net.run(net.now + 5_000)
    const active = keys(node.router.activeView())
    expect(active).not.toContain(victim.key)
    for (const p of active) expect(byKey.get(p)!.alive).toBe(true)
    expect(active.length).toBeGreaterThanOrEqual(Math.min(sizeBefore, 2))
  })

  it('a DISCONNECT moves the peer to the passive view and closes the link', async () => {
    const net = await formed(20, 3)
    const node = net.nodes[5]!
    const peerKey = keys(node.router.activeView())[0]!
    const peer = net.nodes.find((n) => n.key === peerKey)!
    const out = net.inject(peer.index, node.index, encodeFrame({ kind: 'disconnect' }))
    expect(out.some((o) => o.type === 'disconnect' && o.peer.toString() === peerKey)).toBe(true)
    expect(keys(node.router.activeView())).not.toContain(peerKey)
    expect(keys(node.router.passiveView())).toContain(peerKey)
  })

  it('200 nodes joining within half a second end in one connected overlay, and stay so after 30% crash', async () => {
    // joins overlap (links take 10–50 ms): a node is often a contact before its own join
    // is answered, which used to leave groups that never met the rest
    const net = createNetwork({ nodes: 200, seed: 11 })
    net.subscribeAll('t')
    joinFast(net, 0, 200)
    net.run(net.now + 15_000)
    expect(activeComponents(net)).toEqual([200])
    // a node whose passive view the joins left empty grows its view from shuffles (every
    // 10 s), so the view sizes are checked after two of them
    net.run(net.now + 10_000)
    for (const n of net.nodes) expect(n.router.activeView().length).toBeGreaterThanOrEqual(4)
    for (const n of net.nodes.slice(1)) if (net.random() < 0.3) net.crash(n.index)
    net.run(net.now + 3_000)
    expect(activeComponents(net)).toHaveLength(1)
  })

  it('a short view asks with high priority once low priority is refused', async () => {
    // node 40 joins a saturated 40-node overlay, then loses all but one link: its peers
    // are full and refuse low-priority requests, so it must escalate to fill its view
    const net = createNetwork({ nodes: 41, seed: 5 })
    net.subscribeAll('t')
    joinFast(net, 0, 40)
    net.run(net.now + 10_000)
    net.connect(40, 0)
    net.run(net.now + 2_000)
    const node = net.nodes[40]!
    const byKey = new Map(net.nodes.map((n) => [n.key, n]))
    for (const p of keys(node.router.activeView()).slice(1)) {
      net.inject(byKey.get(p)!.index, 40, encodeFrame({ kind: 'disconnect' }))
    }
    expect(node.router.activeView().length).toBe(1)
    net.run(net.now + 5_000)
    expect(node.router.activeView().length).toBeGreaterThanOrEqual(5)
  })

  it('swaps merge two saturated islands that know of each other through one link', async () => {
    const net = createNetwork({
      nodes: 60,
      seed: 9,
      // small passive views and rare shuffles, so the one foreign peer is not pushed out
      init: { swapIntervalMs: 2_000, shuffleIntervalMs: 60_000, passiveViewSize: 8 },
    })
    net.subscribeAll('t')
    joinFast(net, 0, 30)
    joinFast(net, 30, 60)
    net.run(net.now + 10_000)
    expect(activeComponents(net)).toEqual([30, 30])
    // a node of one island dials a node of the other: its view is full, so it only keeps
    // the peer as a passive candidate; without swaps the islands would stay apart
    net.connect(1, 31)
    net.run(net.now + 120_000)
    expect(activeComponents(net)).toEqual([60])
  })
})
