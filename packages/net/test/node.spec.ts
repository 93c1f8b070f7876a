import type { GossipMessage } from '@peerkit/gossip'
import { afterEach, describe, expect, it } from 'vitest'
import { createWorld, signerOf, type World } from './fixtures/nodes'

let world: World | undefined
afterEach(async () => {
  await world?.stop()
  world = undefined
})

describe('createNode', () => {
  it('two nodes link by bootstrap, exchange records and gossip a message once', async () => {
    world = createWorld(1)
    const a = await world.node('a', 1)
    const b = await world.node('b', 2, { bootstrap: ['memory://a'] })
    await world.run(200)
    expect(a.peers().map(String)).toEqual([b.peerId.toString()])
    expect(b.peers().map(String)).toEqual([a.peerId.toString()])
    // a learned b's listen address from its hello (b dialed in)
    expect(a.addressBook().find((e) => e.peer.equals(b.peerId))?.addresses).toEqual(['memory://b'])
    const got: GossipMessage[] = []
    b.gossip.subscribe('news', (message) => got.push(message))
    a.gossip.subscribe('news', () => {})
    await world.run(500)
    const { messageId } = await a.gossip.publish('news', { text: 'hello' })
    await world.run(500)
    expect(got).toHaveLength(1)
    expect(got[0]?.messageId).toBe(messageId)
    expect(got[0]?.data).toEqual({ text: 'hello' })
    expect(got[0]?.signer.toString()).toBe(signerOf(1).peerId.toString())
    expect(got[0]?.from.toString()).toBe(a.peerId.toString())
    expect(got[0]?.timestamp).toBeGreaterThanOrEqual(1_700_000_000_000)
  })

  it('a node left with no link dials its bootstrap addresses again and rejoins', async () => {
    world = createWorld(3)
    const hub = await world.node('hub', 1)
    const b = await world.node('b', 2, { bootstrap: ['memory://hub'] })
    await world.run(300)
    expect(b.peers().map(String)).toEqual([hub.peerId.toString()])
    // the hub goes away (b's only neighbour, and nothing else in its views) and another
    // node takes its address
    const stopping = hub.stop()
    await world.run(300)
    await stopping
    world.nodes.splice(world.nodes.indexOf(hub), 1)
    await world.run(3_000)
    expect(b.peers()).toEqual([])
    const next = await world.node('hub', 3)
    await world.run(60_000, 50)
    expect(b.peers().map(String)).toEqual([next.peerId.toString()])
    expect(b.gossip.router.activeView().map(String)).toEqual([next.peerId.toString()])
    const got: unknown[] = []
    b.gossip.subscribe('news', (message) => got.push(message.data))
    next.gossip.subscribe('news', () => {})
    await world.run(500)
    await next.gossip.publish('news', { back: true })
    await world.run(500)
    expect(got).toEqual([{ back: true }])
  })

  it('a node that dialed and never subscribed publishes to the subscribers beyond its peer', async () => {
    world = createWorld(2)
    const hub = await world.node('hub', 1)
    const reader = await world.node('reader', 2, { bootstrap: ['memory://hub'] })
    const got: unknown[] = []
    const relayed: unknown[] = []
    reader.gossip.subscribe('news', (message) => got.push(message.data))
    hub.gossip.subscribe('news', (message) => relayed.push(message.data))
    await world.run(300)
    const writer = await world.node('writer', 3)
    const dialed = writer.dial('memory://hub')
    await world.run(300)
    expect((await dialed).toString()).toBe(hub.peerId.toString())
    expect(writer.gossip.router.topics()).toEqual([])
    await writer.gossip.publish('news', { n: 1 })
    await writer.gossip.publish('news', { n: 2 })
    await world.run(500)
    expect(relayed).toEqual([{ n: 1 }, { n: 2 }])
    expect(got).toEqual([{ n: 1 }, { n: 2 }])
  })
})
