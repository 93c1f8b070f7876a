import { afterEach, describe, expect, it } from 'vitest'
import { CONTROL_PROTOCOL, GOSSIP_PROTOCOL } from '../src/constants'
import { isNetError } from '../src/errors'
import { memory } from '../src/memory'
import { createNode, type Node } from '../src/node'
import { sealPeerRecord } from '../src/peer-record'
import { encodeControl } from '../src/protocols'
import { createWorld, seeded, signerOf, type World } from './fixtures/nodes'

let world: World | undefined
afterEach(async () => {
  await world?.stop()
  world = undefined
})

describe('links', () => {
  it('keeps one link per peer when both dial at once (both sides agree which)', async () => {
    world = createWorld(11)
    const a = await world.node('a', 1)
    const b = await world.node('b', 2)
    const ab = a.dial('memory://b')
    const ba = b.dial('memory://a')
    await world.run(200)
    expect((await ab).toString()).toBe(b.peerId.toString())
    expect((await ba).toString()).toBe(a.peerId.toString())
    await world.run(200)
    expect(world.network.openLinks()).toBe(1)
    expect(a.peers()).toHaveLength(1)
    expect(b.peers()).toHaveLength(1)
    // and the surviving link works both ways
    const got: string[] = []
    a.gossip.subscribe('t', (m) => got.push(`a ${String(m.data)}`))
    b.gossip.subscribe('t', (m) => got.push(`b ${String(m.data)}`))
    await world.run(300)
    await a.gossip.publish('t', 'x')
    await b.gossip.publish('t', 'y')
    await world.run(300)
    expect(got.sort()).toEqual(['a x', 'a y', 'b x', 'b y'])
  })

  it('links a peer again that closes its link and dials at once, whichever of close and new link arrives first', async () => {
    // Latency of 1-20 ms per hop: over these seeds the old link's close arrives after the new
    // link about half the time (the newer link of one dialer must replace the older).
    const outcomes: string[] = []
    for (let seed = 1; seed <= 16; seed++) {
      const here = createWorld(seed, [1, 20])
      const b = await here.node('b', 2)
      const signer = signerOf(3)
      const transport = memory(here.network)({ signer })
      const record = await sealPeerRecord(signer, { addresses: [], sequence: 1 })
      const hello = encodeControl({
        kind: 'hello',
        record,
        protocols: [CONTROL_PROTOCOL, GOSSIP_PROTOCOL],
        idleTimeoutMs: 45_000,
      })
      const linkOnce = async () => {
        const dialing = transport.dial('memory://b')
        await here.run(50)
        const link = await dialing
        link.on('frame', () => {})
        if (link.status === 'open') link.send(hello)
        return link
      }
      const first = await linkOnce()
      await here.run(50)
      expect(b.peers().map(String)).toEqual([signer.peerId.toString()])
      first.close()
      const second = await linkOnce()
      await here.run(100)
      outcomes.push(`${b.peers().length} ${second.status}`)
      await transport.close()
      await here.stop()
    }
    expect(outcomes).toEqual(outcomes.map(() => '1 open'))
  })

  it('tells a neighbour of a protocol added while their link is still in its hello', async () => {
    world = createWorld(5, [40, 40])
    const a = await world.node('a', 1)
    const b = await world.node('b', 2)
    const atB: string[] = []
    const atA: string[] = []
    const onB = b.protocol('/test/late/1', {
      onFrame: (_, f) => atB.push(new TextDecoder().decode(f)),
    })
    void a.dial('memory://b')
    // the link is up at both ends, the hellos are still on their way
    await world.run(60, 1)
    const onA = a.protocol('/test/late/1', {
      onFrame: (_, f) => atA.push(new TextDecoder().decode(f)),
    })
    await world.run(400)
    expect(onA.send(b.peerId, new TextEncoder().encode('from a'))).toBe(true)
    expect(onB.send(a.peerId, new TextEncoder().encode('from b'))).toBe(true)
    await world.run(200)
    expect(atB).toEqual(['from a'])
    expect(atA).toEqual(['from b'])
  })

  it('keeps one working link when a node dials a peer it is linked to again', async () => {
    world = createWorld(13)
    const a = await world.node('a', 1)
    const b = await world.node('b', 2)
    const first = a.dial('memory://b')
    await world.run(100)
    await first
    const again = a.dial('memory://b')
    await world.run(200)
    expect((await again).toString()).toBe(b.peerId.toString())
    expect(world.network.openLinks()).toBe(1)
    expect(a.peers()).toHaveLength(1)
    expect(b.peers()).toHaveLength(1)
    const got: unknown[] = []
    b.gossip.subscribe('t', (m) => got.push(m.data))
    a.gossip.subscribe('t', () => {})
    await world.run(300)
    await a.gossip.publish('t', 'after')
    await world.run(300)
    expect(got).toEqual(['after'])
  })

  it('retries a bootstrap address with jittered backoff until the peer appears', async () => {
    world = createWorld(12)
    const b = await world.node('b', 2, {
      bootstrap: ['memory://late'],
      limits: { dialBackoffMs: 100, maxDialBackoffMs: 400 },
    })
    await world.run(1_000)
    expect(b.peers()).toHaveLength(0)
    const late = await world.node('late', 3)
    await world.run(1_500)
    expect(b.peers().map(String)).toEqual([late.peerId.toString()])
  })

  it('dials a peer by id at the addresses its record gave, learned through gossip membership', async () => {
    world = createWorld(13)
    const hub = await world.node('hub', 1)
    const spokes: Node[] = []
    for (let i = 0; i < 5; i++) {
      spokes.push(await world.node(`s${i}`, 10 + i, { bootstrap: ['memory://hub'] }))
      await world.run(100)
    }
    await world.run(2_000)
    // some spoke knows another spoke's address without having been told it by that spoke's link
    const first = spokes[0] as Node
    const known = first.addressBook().filter((e) => e.record !== undefined)
    expect(known.length).toBeGreaterThan(1)
    for (const entry of known) {
      expect(entry.record?.peer.toString()).toBe(entry.peer.toString())
      expect(entry.addresses.length).toBeGreaterThan(0)
    }
    const target = spokes[4] as Node
    const dialing = first.dial(target.peerId)
    await world.run(200)
    expect((await dialing).toString()).toBe(target.peerId.toString())
    expect(hub.peers().length).toBeGreaterThan(0)
  })

  it('refuses links past maxLinks with LinkLimitError', async () => {
    world = createWorld(14)
    const a = await world.node('a', 1, { limits: { maxLinks: 1 } })
    await world.node('b', 2, { bootstrap: ['memory://a'] })
    await world.run(200)
    const c = await world.node('c', 3)
    const dialing = c.dial('memory://a').catch((error: unknown) => error)
    await world.run(200)
    const error = await dialing
    expect(isNetError(error)).toBe(true)
    expect(a.peers()).toHaveLength(1)
  })

  it('rejects unsupported addresses and dials after stop with typed errors', async () => {
    world = createWorld(15)
    const a = await world.node('a', 1)
    await expect(a.dial('tcp://127.0.0.1:1')).rejects.toMatchObject({
      name: 'UnsupportedAddressError',
    })
    await expect(a.dial(signerOf(9).peerId)).rejects.toMatchObject({ name: 'DialError' })
    expect(() => a.protocol('no-slash', { onFrame() {} })).toThrow(/id/)
    expect(() => a.protocol('/peerkit/gossip/1', { onFrame() {} })).toThrow(/registered/)
  })
})

describe('stop', () => {
  it('flushes a publish that was started and closes every link', async () => {
    world = createWorld(16)
    const a = await world.node('a', 1)
    const b = await world.node('b', 2, { bootstrap: ['memory://a'] })
    const got: unknown[] = []
    b.gossip.subscribe('t', (m) => got.push(m.data))
    a.gossip.subscribe('t', () => {})
    await world.run(300)
    const publishing = a.gossip.publish('t', 'last words')
    const stopping = a.stop()
    await expect(a.gossip.publish('t', 'too late')).rejects.toMatchObject({
      name: 'NodeStoppedError',
    })
    await publishing
    await world.run(100)
    await stopping
    expect(got).toEqual(['last words'])
    expect(world.network.openLinks()).toBe(0)
    expect(a.peers()).toHaveLength(0)
    expect(b.peers()).toHaveLength(0)
    await expect(a.dial('memory://b')).rejects.toMatchObject({ name: 'NodeStoppedError' })
  })

  it('runs on the system clock without a virtual one', async () => {
    const { createMemoryNetwork } = await import('../src/memory')
    const network = createMemoryNetwork()
    const a = await createNode({
      signer: signerOf(1),
      transports: [memory(network)],
      listen: ['memory://a'],
      random: seeded(1),
    })
    const b = await createNode({
      signer: signerOf(2),
      transports: [memory(network)],
      bootstrap: ['memory://a'],
    })
    const connected = new Promise((resolve) => a.on('peer-connected', resolve))
    await connected
    expect(a.peers()).toHaveLength(1)
    await Promise.all([a.stop(), b.stop()])
    expect(network.openLinks()).toBe(0)
  })
})
