/**
 * Limits are misbehaviour, never a crash: requests answered per peer and message, messages
 * and frames per peer per second, frame size, ids per announcement.
 */

import { encodeFrame, type GossipInit, type GossipOutput, messageIdOf } from '@peerkit/gossip'
import { idKeyOf } from '@peerkit/gossip/frames'
import { describe, expect, it } from 'vitest'
import { createLine, type Network, sentFrames } from './harness'

const reasons = (out: readonly GossipOutput[]): string[] =>
  out.flatMap((o) => (o.type === 'misbehaved' ? [o.reason] : []))
const payloads = (out: readonly GossipOutput[]): number =>
  out.reduce((n, o) => n + (o.type === 'send' ? o.payloads : 0), 0)

async function pair(init: GossipInit) {
  const net = createLine({ nodes: 2, seed: 8, init })
  const envelope = await net.seal(0, 't', 'x')
  net.input(0, { type: 'publish', topic: 't', envelope, now: net.now })
  net.run(net.now + 500)
  const bytes = messageIdOf(envelope).bytes
  return { net, envelope, id: { bytes, key: idKeyOf(bytes) } }
}

/** Node `from`'s message `data`, and an announcement of it `hops` from its source. */
async function announced(net: Network, from: number, data: string) {
  const envelope = await net.seal(from, 't', data)
  const bytes = messageIdOf(envelope).bytes
  const source = net.nodes[from]!.peer.publicKey
  const id = { bytes, key: idKeyOf(bytes) }
  const ihave = (hops = 1): Uint8Array =>
    encodeFrame({ kind: 'ihave', topic: 't', ids: [{ id, hops, source }] })
  return { envelope, source, ihave }
}

describe('limits', () => {
  it('answers one peer at most maxRequestsPerMessage times per message', async () => {
    const { net, id } = await pair({ maxRequestsPerMessage: 2 })
    const iwant = encodeFrame({ kind: 'iwant', topic: 't', ids: [id] })
    const outs = [net.inject(1, 0, iwant), net.inject(1, 0, iwant), net.inject(1, 0, iwant)]
    expect(outs.map(payloads)).toEqual([1, 1, 0])
    expect(reasons(outs[2]!)).toEqual(['request-limit'])
  })

  it('limits full messages per peer per second', async () => {
    const { net, envelope } = await pair({ maxMessagesPerPeerPerSecond: 2 })
    const frame = encodeFrame({ kind: 'gossip', topic: 't', hops: 1, envelope })
    net.run(net.now + 3_000) // the bucket refills to its burst
    const outs = [net.inject(0, 1, frame), net.inject(0, 1, frame), net.inject(0, 1, frame)]
    expect(outs.map(reasons)).toEqual([[], [], ['message-rate']])
  })

  it('limits frames per peer per second', async () => {
    const { net } = await pair({ maxFramesPerPeerPerSecond: 3 })
    const frame = encodeFrame({ kind: 'subscriptions', subscribe: true, topics: ['t'] })
    net.run(net.now + 3_000)
    const outs = [1, 2, 3, 4].map(() => net.inject(0, 1, frame))
    expect(outs.map(reasons)).toEqual([[], [], [], ['frame-rate']])
  })

  it('keeps a message that came inside a larger buffer as a copy of its own', async () => {
    const net = createLine({ nodes: 2, seed: 8 })
    const envelope = await net.seal(0, 't', 'x')
    const frame = encodeFrame({ kind: 'gossip', topic: 't', hops: 1, envelope })
    // a transport's read buffer: the frame sits among other bytes, which it then reuses
    const buffer = new Uint8Array(4096)
    buffer.set(frame, 1000)
    const out = net.inject(0, 1, buffer.subarray(1000, 1000 + frame.length))
    const delivered = out.flatMap((o) => (o.type === 'deliver' ? [o.envelope] : []))
    buffer.fill(0)
    expect(delivered).toEqual([envelope])
    const id = messageIdOf(envelope).bytes
    const iwant = encodeFrame({ kind: 'iwant', topic: 't', ids: [{ bytes: id, key: idKeyOf(id) }] })
    const answer = net.inject(0, 1, iwant).flatMap((o) => (o.type === 'send' ? [o.bytes] : []))
    expect(answer).toEqual([encodeFrame({ kind: 'gossip', topic: 't', hops: 2, envelope })])
  })

  it('drops frames over the size limit before decoding', async () => {
    const { net } = await pair({ maxFrameBytes: 2048, maxMessageBytes: 1024 })
    const before = net.nodes[1]!.router.stateDigest()
    expect(reasons(net.inject(0, 1, new Uint8Array(3000)))).toEqual(['FrameTooLargeError'])
    expect(net.nodes[1]!.router.stateDigest()).toBe(before)
  })

  it('rejects announcements with more ids than maxIdsPerFrame', async () => {
    const { net, id } = await pair({ maxIdsPerFrame: 4 })
    const source = net.nodes[0]!.peer.publicKey
    const ids = Array.from({ length: 5 }, () => ({ id, hops: 1, source }))
    const before = net.nodes[1]!.router.stateDigest()
    expect(reasons(net.inject(0, 1, encodeFrame({ kind: 'ihave', topic: 't', ids })))).toEqual([
      'MalformedFrameError',
    ])
    expect(net.nodes[1]!.router.stateDigest()).toBe(before)
  })

  it('rejects messages claiming more hops than the hop limit', async () => {
    const { net } = await pair({ hopLimit: 4 })
    const envelope = await net.seal(0, 't', 'far')
    const frame = encodeFrame({ kind: 'gossip', topic: 't', hops: 5, envelope })
    expect(reasons(net.inject(0, 1, frame))).toEqual(['hop-limit'])
  })

  it('keeps at most maxCachedMessages to answer requests, the newest', async () => {
    const { net, id: first } = await pair({ maxCachedMessages: 2 })
    const ids = [first]
    for (const text of ['y', 'z']) {
      const envelope = await net.seal(0, 't', text)
      net.input(0, { type: 'publish', topic: 't', envelope, now: net.now })
      const bytes = messageIdOf(envelope).bytes
      ids.push({ bytes, key: idKeyOf(bytes) })
    }
    net.run(net.now + 500)
    expect(net.nodes[0]!.router.stats().cachedMessages).toBe(2)
    const ask = (i: number) =>
      payloads(net.inject(1, 0, encodeFrame({ kind: 'iwant', topic: 't', ids: [ids[i]!] })))
    expect([ask(0), ask(1), ask(2)]).toEqual([0, 1, 1])
  })

  it('forgets cached messages after messageCacheMs, and answers no more', async () => {
    const { net, id, envelope } = await pair({ messageCacheMs: 2_000 })
    const iwant = encodeFrame({ kind: 'iwant', topic: 't', ids: [id] })
    expect(payloads(net.inject(1, 0, iwant))).toBe(1)
    net.run(net.now + 3_000)
    expect(net.nodes[0]!.router.stats().cachedMessages).toBe(0)
    expect(payloads(net.inject(1, 0, iwant))).toBe(0)
    // still known as seen: a copy of it is a duplicate, not a new message
    expect(net.nodes[0]!.router.hasSeen(messageIdOf(envelope).toString())).toBe(true)
  })
})

describe('wake', () => {
  it('moves its wake later when the repair timer it was for becomes moot', async () => {
    const net = createLine({ nodes: 2, seed: 8, init: { heartbeatIntervalMs: 5_000 } })
    net.run(net.now + 6_000)
    const { envelope, ihave: announce } = await announced(net, 0, 'announced')
    const ihave = announce()
    const wakes = (out: readonly GossipOutput[]): number[] =>
      out.flatMap((o) => (o.type === 'wake' ? [o.at] : []))
    // unknown and announced: node 1 asks for it and wants a tick when the answer is late
    const asked = net.inject(0, 1, ihave)
    expect(asked.some((o) => o.type === 'send')).toBe(true)
    expect(wakes(asked)).toEqual([net.now + 500])
    // the payload comes in time: that tick is moot, and the new wake says so
    const got = net.inject(0, 1, encodeFrame({ kind: 'gossip', topic: 't', hops: 1, envelope }))
    expect(got.some((o) => o.type === 'deliver')).toBe(true)
    const [later] = wakes(got)
    expect(later).toBeGreaterThan(net.now + 500)
    // nothing changes after that: no wake again
    expect(wakes(net.inject(0, 1, ihave))).toEqual([])
  })
})

describe('pulls', () => {
  it('pulls an announced message at once while an earlier pull is still unanswered', async () => {
    const net = createLine({ nodes: 3, seed: 8, init: { heartbeatIntervalMs: 5_000 } })
    net.run(net.now + 6_000)
    const announce = async (from: number, data: string): Promise<Uint8Array> =>
      (await announced(net, from, data)).ihave()
    const grafts = (out: readonly GossipOutput[]): number =>
      out.filter((o) => o.type === 'send' && o.payloads === 0).length
    // node 1 asks node 0 for its message; the answer is still on its way...
    expect(grafts(net.inject(0, 1, await announce(0, 'first')))).toBe(1)
    // ...when node 2 announces another one: node 1 asks for it now, not when the first
    // request times out
    expect(grafts(net.inject(2, 1, await announce(2, 'second')))).toBe(1)
  })
})

describe('tree optimization', () => {
  it('moves its parent to a neighbour announcing the message optimizationThreshold hops closer', async () => {
    // (off by default: trees move to the faster announcer instead)
    const net = createLine({
      nodes: 3,
      seed: 8,
      init: { heartbeatIntervalMs: 5_000, optimizationThreshold: 3 },
    })
    net.run(net.now + 6_000)
    const { envelope, source, ihave } = await announced(net, 0, 'far')
    // node 1 gets node 0's message the long way, through node 2, 5 hops from the source
    const got = net.inject(2, 1, encodeFrame({ kind: 'gossip', topic: 't', hops: 5, envelope }))
    expect(got.some((o) => o.type === 'deliver')).toBe(true)
    // an announcement 2 hops shorter is not worth a move (threshold 3)...
    expect(sentFrames(net.inject(0, 1, ihave(3)))).toEqual([])
    // ...4 hops shorter is: graft the short path, prune the long one
    const moved = sentFrames(net.inject(0, 1, ihave(1)))
    const [a, b, c] = [0, 1, 2].map((i) => net.nodes[i]!.peer.toString())
    expect(moved).toContainEqual([a, { kind: 'graft', topic: 't', ids: [], sources: [source] }])
    expect(
      moved.some(([to, f]) => to === c && f.kind === 'prune' && f.reason === 'optimization'),
    ).toBe(true)
    expect(moved.every(([to]) => to !== b)).toBe(true)
    // once moved, the same announcement again changes nothing
    expect(sentFrames(net.inject(0, 1, ihave(1)))).toEqual([])
  })
})
