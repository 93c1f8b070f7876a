/**
 * Catch-up from a publisher that does not subscribe: a neighbour whose subscription
 * arrives after the publish is told of the message (IHAVE) and gets it when it asks, over
 * a GRAFT or an IWANT, though the publisher is in no tree of the topic.
 */
import { describe, expect, it } from 'vitest'
import { createNetwork } from './harness'

describe('catch-up from a publisher outside the topic', () => {
  it('a neighbour subscribing after the publish gets the message, and the publisher delivers nothing', async () => {
    const net = createNetwork({ nodes: 2, seed: 7 })
    net.connect(1, 0)
    net.run(net.now + 1_000)
    expect(net.linked(0)).toEqual([1])
    const id = await net.publish(0, 't', 'before anyone listened')
    net.run(net.now + 1_000)
    expect(net.reached(id)).toBe(0)
    net.input(1, { type: 'subscribe', topic: 't', now: net.now })
    net.run(net.now + 2_000)
    expect(net.nodes[1]!.delivered.get(id)).toBe(1)
    expect(net.nodes[0]!.delivered.has(id)).toBe(false)
    expect(net.nodes[0]!.router.topics()).toEqual([])
    expect(net.nodes[0]!.reports).toEqual([])
    expect(net.nodes[1]!.reports).toEqual([])
  })

  it('the late subscriber passes what it caught up on to a neighbour subscribed all along', async () => {
    // 0 publishes without subscribing; 1 subscribes late; 2 subscribed all along beside 1
    const net = createNetwork({ nodes: 3, seed: 11 })
    net.input(2, { type: 'subscribe', topic: 't', now: net.now })
    net.connect(1, 0)
    net.connect(2, 1)
    net.run(net.now + 1_000)
    const id = await net.publish(0, 't', 'early')
    net.run(net.now + 1_000)
    expect(net.reached(id)).toBe(0)
    net.input(1, { type: 'subscribe', topic: 't', now: net.now })
    net.run(net.now + 3_000)
    expect(net.nodes[1]!.delivered.get(id)).toBe(1)
    // 1 forwards what it caught up on to its subscribed neighbour
    expect(net.nodes[2]!.delivered.get(id)).toBe(1)
  })
})
