/**
 * How messages travel over fixed link delays: each delivery says how it came over its last
 * hop (pushed, pulled after an announcement, repaired), and a publisher's tree moves to the
 * paths of first arrival, so its later messages arrive as fast as a flood would bring them.
 */
import { createVerifyCache } from '@peerkit/envelope'
import { keyPairFromSeed, type Signer, signerFromKeyPair } from '@peerkit/identity'
import { describe, expect, it } from 'vitest'
import {
  createGossip,
  DEFAULT_FIRST_PUSH_HOPS,
  DEFAULT_LAZY_FLUSH_MS,
  type DeliveryPath,
  decodeFrame,
  type Gossip,
  type GossipInit,
  type GossipInput,
  sealMessage,
} from '../src/index'

const TOPIC = 't'
/** Limits wide enough for any frame of these tests (to name the kinds sent). */
const WIDE = {
  maxFrameBytes: 1 << 20,
  maxIds: 1_000,
  maxPeers: 100,
  maxTopics: 100,
  maxTtl: 32,
  maxPeerDataBytes: 4_096,
}
const START = 1_700_000_000_000

/** A seeded generator (mulberry32), for the routers' randomness. */
function seeded(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

interface Delivery {
  node: number
  at: number
  via: DeliveryPath | undefined
  from: number
}

/**
 * Routers on fixed links (`[a, b, ms]`, one delay each way), with a queue of timed events:
 * frames arrive after their link's delay, wakes are honoured, and deliveries are recorded.
 */
function createLinks(size: number, links: [number, number, number][], init: GossipInit = {}) {
  const signers: Signer[] = Array.from({ length: size }, (_, i) =>
    signerFromKeyPair(keyPairFromSeed(new Uint8Array(32).fill(i + 1))),
  )
  const verifyCache = createVerifyCache()
  const routers: Gossip[] = signers.map((s, i) =>
    // swaps and shuffles would move links about: off, so the delays stay as given; first
    // messages pushed all the way (a flood), so trees start from the paths of first arrival
    createGossip(
      { shuffleIntervalMs: 3_600_000, idleConnectionMs: 3_600_000, firstPushHops: 0xffff, ...init },
      { self: s.peerId, random: seeded(i + 1), verifyCache },
    ),
  )
  const index = new Map(signers.map((s, i) => [s.peerId.toString(), i]))
  const delay = new Map<string, number>()
  for (const [a, b, ms] of links) {
    delay.set(`${a}-${b}`, ms)
    delay.set(`${b}-${a}`, ms)
  }
  const queue: { at: number; seq: number; run: () => void }[] = []
  const wakes: number[] = new Array(size).fill(-1)
  const deliveries: Delivery[] = []
  /** Links (`from-to`) whose next GOSSIP frame is lost. */
  const lose = new Set<string>()
  /** Frame kinds sent, per link (`from-to`). */
  const sent = new Map<string, string[]>()
  let now = START
  let seq = 0
  const push = (at: number, run: () => void): void => {
    queue.push({ at, seq: seq++, run })
    queue.sort((x, y) => x.at - y.at || x.seq - y.seq)
  }
  const input = (node: number, event: GossipInput): void => {
    for (const out of routers[node]!.handle(event)) {
      if (out.type === 'send') {
        const to = index.get(out.to.toString())!
        const ms = delay.get(`${node}-${to}`)
        if (ms === undefined) continue
        const bytes = out.bytes
        const kind = decodeFrame(bytes, WIDE).kind
        const link = `${node}-${to}`
        sent.set(link, [...(sent.get(link) ?? []), kind])
        if (kind === 'gossip' && lose.delete(link)) continue
        push(now + ms, () => input(to, { type: 'frame', from: signers[node]!.peerId, bytes, now }))
      } else if (out.type === 'wake') {
        wakes[node] = out.at
        const at = out.at
        push(Math.max(at, now), () => {
          if (wakes[node] === at) input(node, { type: 'tick', now })
        })
      } else if (out.type === 'deliver') {
        deliveries.push({ node, at: now, via: out.via, from: index.get(out.from.toString())! })
      }
    }
  }
  const run = (until: number): void => {
    while (queue.length > 0 && queue[0]!.at <= until) {
      const event = queue.shift()!
      now = event.at
      event.run()
    }
    now = until
  }
  for (let i = 0; i < size; i++) input(i, { type: 'subscribe', topic: TOPIC, now })
  for (const [a, b, ms] of links) {
    push(now + ms, () => input(b, { type: 'peer-connected', peer: signers[a]!.peerId, now }))
    push(now + 2 * ms, () =>
      input(a, { type: 'peer-connected', peer: signers[b]!.peerId, now, outbound: true }),
    )
  }
  run(now + 5_000)
  return {
    routers,
    signers,
    deliveries,
    /** Loses the next GOSSIP frame from `from` to `to`. */
    loseNext(from: number, to: number): void {
      lose.add(`${from}-${to}`)
    },
    /** The kinds of the frames sent from `from` to `to` so far, and clears them. */
    sentKinds(from: number, to: number): string[] {
      const kinds = sent.get(`${from}-${to}`) ?? []
      sent.delete(`${from}-${to}`)
      return kinds
    },
    get now() {
      return now
    },
    run,
    async publish(node: number, n: number): Promise<number> {
      const envelope = await sealMessage(signers[node]!, {
        topic: TOPIC,
        data: n,
        timestamp: now,
      })
      const at = now
      input(node, { type: 'publish', topic: TOPIC, envelope, now })
      return at
    },
  }
}

/** Three messages from node 0, each let settle for 3 s: its tree is in place. */
async function warmUp(net: ReturnType<typeof createLinks>): Promise<void> {
  for (let n = 0; n < 3; n++) {
    await net.publish(0, n)
    net.run(net.now + 3_000)
  }
}

describe('paths', () => {
  // 0 publishes; 3 hears it through 1 (20 + 20 ms) or through 2 (5 + 5 ms); 1 and 2 are
  // linked too, so the pulls of the first message can go either way
  const LINKS: [number, number, number][] = [
    [0, 1, 20],
    [0, 2, 5],
    [1, 3, 20],
    [2, 3, 5],
    [1, 2, 30],
  ]

  it('the first message of a publisher is pushed to every neighbour, and so are later ones along its tree', async () => {
    const net = createLinks(4, LINKS)
    await net.publish(0, 1)
    net.run(net.now + 3_000)
    const first = net.deliveries.filter((d) => d.node !== 0)
    expect(first.map((d) => d.node).sort()).toEqual([1, 2, 3])
    // a source new to a node: it pushes to all its neighbours, not an announcement and a pull
    expect(first.every((d) => d.via === 'push')).toBe(true)
    net.deliveries.length = 0
    await net.publish(0, 2)
    net.run(net.now + 3_000)
    expect(net.deliveries.filter((d) => d.node !== 0).every((d) => d.via === 'push')).toBe(true)
    // a local publish says nothing about a path
    expect(net.deliveries.find((d) => d.node === 0)?.via).toBeUndefined()
  })

  it('by default a first message is pushed two hops out and pulled beyond, and the next one is pushed all the way', async () => {
    // a line: 0 - 1 - 2 - 3 - 4
    const line: [number, number, number][] = [
      [0, 1, 10],
      [1, 2, 10],
      [2, 3, 10],
      [3, 4, 10],
    ]
    const net = createLinks(5, line, { firstPushHops: DEFAULT_FIRST_PUSH_HOPS })
    await net.publish(0, 1)
    net.run(net.now + 3_000)
    const via = () =>
      Object.fromEntries(net.deliveries.filter((d) => d.node !== 0).map((d) => [d.node, d.via]))
    expect(DEFAULT_FIRST_PUSH_HOPS).toBe(2)
    expect(via()).toEqual({ 1: 'push', 2: 'push', 3: 'pull', 4: 'pull' })
    net.deliveries.length = 0
    await net.publish(0, 2)
    net.run(net.now + 3_000)
    expect(via()).toEqual({ 1: 'push', 2: 'push', 3: 'push', 4: 'push' })
  })

  it("moves a publisher's tree to the paths of first arrival", async () => {
    // the first message is pushed over every link, so node 5's first copy comes the fastest
    // way, through 3 (0-2-3-5 costs 26 ms, 0-1-4-5 32), and 3 is its parent from then on
    const net = createLinks(6, [
      [0, 1, 30],
      [0, 2, 5],
      [2, 3, 20],
      [1, 4, 1],
      [3, 5, 1],
      [4, 5, 1],
    ])
    const source = net.signers[0]!.peerId
    const arrival = new Map<number, number>()
    for (let n = 0; n < 4; n++) {
      net.deliveries.length = 0
      const at = await net.publish(0, n)
      net.run(net.now + 3_000)
      for (const d of net.deliveries) if (d.node !== 0) arrival.set(d.node, d.at - at)
      if (n === 0)
        expect(net.routers[5]!.parent(TOPIC, source)?.toString()).toBe(
          net.signers[3]!.peerId.toString(),
        )
    }
    // as a flood would bring them (4 hears through 5, 0-2-3-5-4, and so does 1, whose
    // direct link of 30 ms is slower than 0-2-3-5-4-1)
    expect(Object.fromEntries(arrival)).toEqual({ 1: 28, 2: 5, 3: 25, 4: 27, 5: 26 })
    expect(net.routers[5]!.parent(TOPIC, source)?.toString()).toBe(
      net.signers[3]!.peerId.toString(),
    )
    // one copy each: the slower path is pruned from the tree
    const before = net.routers.reduce((sum, r) => sum + r.stats().duplicates, 0)
    await net.publish(0, 9)
    net.run(net.now + 3_000)
    expect(net.routers.reduce((sum, r) => sum + r.stats().duplicates, 0)).toBe(before)
  })

  it('announcements of a settled tree go at most once per lazyFlushMs; each neighbour hears what it lacks', async () => {
    // 3's parent is 2 (0-2-3, 10 ms) and 1's is 0 (20 ms): 3 announces 0's messages to 1
    for (const [lazyFlushMs, frames] of [
      [DEFAULT_LAZY_FLUSH_MS, 2],
      [0, 3],
    ] as const) {
      const net = createLinks(4, LINKS, { lazyFlushMs })
      await warmUp(net)
      net.sentKinds(3, 1)
      // three messages 10 ms apart: the first announcement goes at once, the next two
      // together at the end of the window (or one each, with no window)
      const start = net.now
      for (let n = 10; n < 13; n++) {
        await net.publish(0, n)
        net.run(net.now + 10)
      }
      net.run(start + DEFAULT_LAZY_FLUSH_MS + 15)
      expect(net.sentKinds(3, 1).filter((kind) => kind === 'ihave')).toHaveLength(frames)
      net.run(net.now + 3_000)
      // nothing was pulled: the announcements were backups of the pushes
      const received = net.deliveries.filter((d) => d.at > start && d.node !== 0)
      expect(received.map((d) => d.via)).toEqual(new Array(9).fill('push'))
    }
  })

  it('a lost push is asked of an announcer and the tree stays; a second in a row moves it', async () => {
    // 3's parent is 2 (0-2-3, 10 ms); 1 announces to 3 after 40 ms
    const net = createLinks(4, LINKS)
    const source = net.signers[0]!.peerId
    const parentOf3 = () => net.routers[3]!.parent(TOPIC, source)?.toString()
    const two = net.signers[2]!.peerId.toString()
    await warmUp(net)
    expect(parentOf3()).toBe(two)
    net.sentKinds(3, 1)
    // one push from 2 to 3 lost: 3 asks 1 with IWANT, and 2 stays its parent
    net.loseNext(2, 3)
    await net.publish(0, 10)
    net.run(net.now + 200)
    const lost = net.deliveries.at(-1)
    expect(lost).toMatchObject({ node: 3, via: 'repair', from: 1 })
    expect(net.sentKinds(3, 1)).toEqual(['iwant'])
    expect(parentOf3()).toBe(two)
    // the next one lost too: asked with GRAFT, and the announcer becomes the parent
    net.loseNext(2, 3)
    await net.publish(0, 11)
    net.run(net.now + 200)
    expect(net.deliveries.at(-1)).toMatchObject({ node: 3, via: 'repair', from: 1 })
    expect(net.sentKinds(3, 1)).toEqual(['graft'])
    expect(parentOf3()).toBe(net.signers[1]!.peerId.toString())
  })

  it("a parent's push overtaken by its next one is late, not lost: no second parent", async () => {
    const net = createLinks(4, LINKS)
    await warmUp(net)
    const dups = () => net.routers[3]!.stats().duplicates
    // 0's push to 2 lost: 2 pulls it from 1 late, and meanwhile 3 asks 1 for it too; the next
    // message reaches 3 through 2 before 2's late copy of the first does
    net.loseNext(0, 2)
    await net.publish(0, 10)
    net.run(net.now + 80)
    await net.publish(0, 11)
    net.run(net.now + 3_000)
    // 3 moved its parent to the announcer; the next message brings it back to the faster
    // path through 2 (one duplicate on the way)
    await net.publish(0, 12)
    net.run(net.now + 3_000)
    expect(net.routers[3]!.parent(TOPIC, net.signers[0]!.peerId)?.toString()).toBe(
      net.signers[2]!.peerId.toString(),
    )
    // no loss was taken: no second parent, one copy per message
    const before = dups()
    for (let n = 13; n < 16; n++) {
      await net.publish(0, n)
      net.run(net.now + 3_000)
    }
    expect(dups()).toBe(before)
    expect(net.deliveries.filter((d) => d.node === 3).length).toBe(9)
  })

  it('after a lost frame a router keeps a second parent, so the next loss costs nothing, until no loss for a minute', async () => {
    const net = createLinks(4, LINKS)
    await warmUp(net)
    const dups = () => net.routers[3]!.stats().duplicates
    // what 3 asked of 1 (its announcements to 1 left out)
    const asked = () => net.sentKinds(3, 1).filter((kind) => kind !== 'ihave')
    // a lost push, and no late copy from the parent within a second: the frame was lost
    net.loseNext(2, 3)
    await net.publish(0, 10)
    net.run(net.now + 3_000)
    asked()
    // the next message: 1's announcement of it grafts 1 as a second parent for 0's tree
    await net.publish(0, 11)
    net.run(net.now + 3_000)
    expect(asked()).toEqual(['graft'])
    // from then on both push, and 1's copies are not pruned
    let before = dups()
    await net.publish(0, 12)
    net.run(net.now + 3_000)
    expect(dups()).toBe(before + 1)
    expect(asked()).toEqual([])
    // a push lost on the parent's link: the second parent's copy is there, no request
    net.deliveries.length = 0
    net.loseNext(2, 3)
    await net.publish(0, 13)
    net.run(net.now + 3_000)
    expect(net.deliveries.find((d) => d.node === 3)).toMatchObject({ via: 'push', from: 1 })
    expect(asked()).toEqual([])
    // a minute with no loss: the second parent is pruned, and one copy comes again
    net.run(net.now + 61_000)
    expect(asked()).toContain('prune')
    before = dups()
    net.deliveries.length = 0
    await net.publish(0, 14)
    net.run(net.now + 3_000)
    expect(net.deliveries.find((d) => d.node === 3)).toMatchObject({ via: 'push', from: 2 })
    expect(dups()).toBe(before)
  })
})
