/**
 * Bad input is data, not a crash: random bytes and mutated real frames from a connected
 * peer never throw, and every frame the router rejects leaves its state exactly as it was.
 */

import type { GossipOutput, ScoreHook } from '@peerkit/gossip'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createNetwork } from './harness'

const RUNS = Number(process.env.PEERKIT_FC_RUNS ?? 300)

/** Records events, never lowers a score: the property is about router state alone. */
function neutralHook(): ScoreHook & { events: string[] } {
  const events: string[] = []
  return { events, record: (peer, event) => void events.push(`${peer} ${event}`), score: () => 0 }
}

async function setup() {
  const hooks = new Map<number, ReturnType<typeof neutralHook>>()
  const net = createNetwork({
    nodes: 12,
    seed: 5,
    scoreHook: (i) => {
      const h = neutralHook()
      hooks.set(i, h)
      return h
    },
  })
  const captured: Uint8Array[] = []
  for (const n of net.nodes) {
    n.filter = (o: GossipOutput) => {
      if (o.type === 'send' && captured.length < 400) captured.push(o.bytes)
      return true
    }
  }
  net.subscribeAll('t')
  net.bootstrap(2)
  net.run(net.now + 3_000)
  for (let i = 0; i < 6; i++) {
    await net.publish(i, 't', `m${i}`)
    net.run(net.now + 1_000)
  }
  const node = net.nodes[0]!
  const peer = node.router.activeView()[0]!
  const now = net.now
  node.router.handle({ type: 'tick', now })
  return { net, node, peer, now, captured, hook: hooks.get(0)! }
}

describe('robustness', () => {
  it('property: rejected frames leave the state unchanged, and nothing throws', async () => {
    const { node, peer, now, captured, hook } = await setup()
    expect(captured.length).toBeGreaterThan(50)
    const mutated = fc
      .tuple(
        fc.constantFrom(...captured),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.nat(),
      )
      .map(([frame, edits, cut]) => {
        const copy = frame.slice()
        for (const [at, value] of edits) copy[at % copy.length] = value
        return cut % 4 === 0 ? copy.subarray(0, cut % copy.length) : copy
      })
    const input = fc.oneof(fc.uint8Array({ maxLength: 200 }), mutated)
    let rejected = 0
    fc.assert(
      fc.property(input, (bytes) => {
        const before = node.router.stateDigest()
        const out = node.router.handle({ type: 'frame', from: peer, bytes, now })
        const blamed = out.some((o) => o.type === 'misbehaved' && o.peer.equals(peer))
        if (blamed) {
          rejected++
          expect(node.router.stateDigest()).toBe(before)
        }
      }),
      { numRuns: RUNS },
    )
    expect(rejected).toBeGreaterThan(RUNS / 4)
    expect(hook.events.some((e) => e.endsWith('protocol-violation'))).toBe(true)
  })

  it('drops frames from peers that are not connected, without blame', async () => {
    const { net, node, now } = await setup()
    // no connection at all (a peer outside the active view may still hold one)
    const linked = net.linked(node.index)
    const stranger = net.nodes.find((n) => n !== node && !linked.includes(n.index))!
    const before = node.router.stateDigest()
    const out = node.router.handle({
      type: 'frame',
      from: stranger.peer,
      bytes: new Uint8Array([1, 2]),
      now,
    })
    expect(out.filter((o) => o.type !== 'wake')).toEqual([])
    expect(node.router.stateDigest()).toBe(before)
  })
})
