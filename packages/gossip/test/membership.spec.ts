/**
 * HyParView membership: a failed active link is replaced from the passive view (dialing,
 * skipping peers that cannot be reached), DISCONNECT moves a peer to the passive view, and
 * shuffles keep the passive views filled.
 */
import { describe, expect, it } from 'vitest'
import { encodeFrame } from '../src/index'
import { createNetwork, type Network } from './fixtures/network'

async function formed(nodes: number, seed: number): Promise<Network> {
  const net = await createNetwork({ nodes, seed, init: { shuffleIntervalMs: 2_000 } })
  net.subscribeAll('t')
  net.bootstrap(2)
  net.run(net.now + nodes * 20 + 20_000)
  return net
}

const keys = (peers: { toString(): string }[]): string[] => peers.map(String)

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
})
