/**
 * Each bad input costs only the link it came on: a typed error, a report, that link closed,
 * and a third peer keeps receiving every message through the node under attack.
 */

import { afterEach, describe, expect, it } from 'vitest'
import type { NetErrorName } from '../src/errors'
import type { MisbehaviourReport, Node, NodeInit } from '../src/node'
import { withHeader } from '../src/protocols'
import { type Hostile, hostile } from './fixtures/hostile'
import { createWorld, signerOf, type World } from './fixtures/nodes'

let world: World | undefined
afterEach(async () => {
  await world?.stop()
  world = undefined
})

interface Scene {
  readonly world: World
  /** The node under attack, between `b` and `c`. */
  readonly a: Node
  readonly b: Node
  readonly c: Node
  readonly reports: MisbehaviourReport[]
  /** Message ids `b` received on `news`. */
  readonly atB: Set<string>
  /** Publishes `count` messages from `c` while time runs; returns their ids. */
  publish(count: number): Promise<string[]>
}

async function scene(limits: NodeInit['limits'] = {}): Promise<Scene> {
  const w = createWorld(7)
  world = w
  const a = await w.node('a', 1, { limits })
  const b = await w.node('b', 2, { bootstrap: ['memory://a'] })
  const c = await w.node('c', 3, { bootstrap: ['memory://a'] })
  const reports: MisbehaviourReport[] = []
  a.on('misbehaved', (report) => reports.push(report))
  const atB = new Set<string>()
  b.gossip.subscribe('news', (message) => atB.add(message.messageId))
  a.gossip.subscribe('news', () => {})
  c.gossip.subscribe('news', () => {})
  await w.run(500)
  return {
    world: w,
    a,
    b,
    c,
    reports,
    atB,
    async publish(count) {
      const ids: string[] = []
      for (let i = 0; i < count; i++) {
        ids.push((await c.gossip.publish('news', { i })).messageId)
        await w.run(20)
      }
      await w.run(500)
      return ids
    },
  }
}

const H = signerOf(66)

async function expectOnlyThatLink(s: Scene, name: NetErrorName, attacker: Hostile): Promise<void> {
  const ids = await s.publish(10)
  for (const id of ids) expect(s.atB.has(id)).toBe(true)
  expect(s.reports.some((r) => r.peer.equals(H.peerId) && r.error?.name === name)).toBe(true)
  expect(s.reports.every((r) => r.peer.equals(H.peerId))).toBe(true)
  expect(attacker.link.status).toBe('closed')
  expect(s.a.peers().map(String).sort()).toEqual([s.b.peerId, s.c.peerId].map(String).sort())
}

describe('bad input costs only its link', () => {
  it('a frame for an unknown protocol', async () => {
    const s = await scene()
    const h = await hostile(s.world, H, 'memory://a')
    await h.hello()
    await s.world.run(50)
    expect(s.a.peers()).toHaveLength(3)
    h.link.send(withHeader(200, new Uint8Array([1, 2, 3])))
    await expectOnlyThatLink(s, 'UnknownProtocolError', h)
  })

  it('an oversized frame', async () => {
    const s = await scene()
    const h = await hostile(s.world, H, 'memory://a')
    await h.hello()
    await s.world.run(50)
    h.link.send(withHeader(0, new Uint8Array(100_000)))
    await expectOnlyThatLink(s, 'FrameTooLargeError', h)
  })

  it('a malformed control frame', async () => {
    const s = await scene()
    const h = await hostile(s.world, H, 'memory://a')
    await h.hello()
    await s.world.run(50)
    h.link.send(withHeader(0, new Uint8Array([0xff, 0x00])))
    await expectOnlyThatLink(s, 'MalformedFrameError', h)
  })

  it('a flood beyond the rate', async () => {
    const s = await scene({ maxFramesPerPeerPerSecond: 200, rateBurstSeconds: 1 })
    const h = await hostile(s.world, H, 'memory://a')
    await h.hello()
    await s.world.run(50)
    const ping = withHeader(0, new Uint8Array([0x82, 0x01, 0x03]))
    for (let i = 0; i < 1_000; i++) h.link.send(ping)
    await expectOnlyThatLink(s, 'RateLimitError', h)
  })

  it('a peer that links and sends nothing', async () => {
    const s = await scene({ helloTimeoutMs: 1_000 })
    const h = await hostile(s.world, H, 'memory://a')
    await s.world.run(1_500)
    await expectOnlyThatLink(s, 'HandshakeTimeoutError', h)
  })

  it('a peer that stops sending after its hello', async () => {
    const s = await scene({ idleTimeoutMs: 3_000, keepaliveMs: 1_000 })
    const h = await hostile(s.world, H, 'memory://a')
    await h.hello()
    await s.world.run(4_000, 20)
    await expectOnlyThatLink(s, 'IdleTimeoutError', h)
    // the honest peers (keepalive 15 s by default) kept a's links alive at a's pace
    expect(s.b.peers().map(String)).toContain(s.a.peerId.toString())
  })

  it('a peer that never reads', async () => {
    const s = await scene({ maxQueueBytesPerPeer: 64 * 1024, drainTimeoutMs: 1_000 })
    const h = await hostile(s.world, H, 'memory://a', false)
    await h.hello(['/peerkit/net/control/1', '/peerkit/gossip/1', '/test/bulk/1'])
    await s.world.run(50)
    const bulk = s.a.protocol('/test/bulk/1', { onFrame() {} })
    await s.world.run(50)
    let refused = 0
    for (let i = 0; i < 100; i++) if (!bulk.send(H.peerId, new Uint8Array(10_000))) refused++
    expect(refused).toBeGreaterThan(0)
    await s.world.run(1_500, 20)
    await expectOnlyThatLink(s, 'QueueOverflowError', h)
  })
})

describe('a failing validator costs only its message', () => {
  it('a validator that throws or never answers: messages ignored, reported, others flow', async () => {
    const s = await scene({ validatorTimeoutMs: 500 })
    const failures: string[] = []
    s.a.on('validator-failed', (error) => failures.push(`${error.name} ${error.topic}`))
    s.a.gossip.validate('news', (message) => {
      const data = message.data as { i?: number; bad?: string }
      if (data.bad === 'throw') throw new Error('boom')
      if (data.bad === 'hang') return new Promise(() => {})
      return Promise.resolve('accept')
    })
    const atA: unknown[] = []
    s.a.gossip.subscribe('news', (message) => atA.push(message.data))
    await s.c.gossip.publish('news', { bad: 'throw' })
    await s.c.gossip.publish('news', { bad: 'hang' })
    const ids = await s.publish(10)
    await s.world.run(1_000)
    for (const id of ids) expect(s.atB.has(id)).toBe(true)
    // the node under attack delivered only what its validator accepted
    expect(atA).toEqual(ids.map((_, i) => ({ i })))
    expect(failures.sort()).toEqual(['ValidatorError news', 'ValidatorError news'])
    expect(s.a.peers()).toHaveLength(2)
    expect(s.reports).toEqual([])
  })
})
