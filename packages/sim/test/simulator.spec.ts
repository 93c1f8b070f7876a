import { describe, expect, it } from 'vitest'
import type { GossipInput, GossipOutput, GossipRouter } from '../src/contract'
import { isSimError } from '../src/errors'
import { createMetrics } from '../src/metrics'
import { createSimulator, type SimulatorOptions } from '../src/simulator'
import { createFloodRouter } from '../src/strategies/flood'
import { peerIds, plainCheck } from './helpers'

const TOPIC = 't'

/** A simulator of flood routers with fixed 10 ms links, and metrics over plain messages. */
function floodNetwork(count: number, options: Partial<SimulatorOptions> = {}) {
  const ids = peerIds(count)
  const metrics = createMetrics({ roles: [], idOf: plainCheck.id })
  const sim = createSimulator({
    seed: 1,
    latency: { kind: 'fixed', ms: 10 },
    observer: metrics.observer,
    ...options,
  })
  for (const id of ids) {
    sim.addNode({
      peerId: id,
      create: () => createFloodRouter({}, { self: id, check: plainCheck }),
    })
  }
  for (let i = 0; i < count; i++) {
    sim.start(i)
    sim.input(i, { type: 'subscribe', topic: TOPIC, now: 0 })
  }
  const publish = (node: number, bytes: Uint8Array, measured = true) => {
    const record = metrics.publishing(sim, node, bytes, measured)
    sim.input(node, { type: 'publish', topic: TOPIC, envelope: bytes, now: sim.now })
    return record
  }
  return { sim, metrics, publish, ids }
}

/** A router that records its inputs and sends nothing. */
function recorder(log: GossipInput[]): GossipRouter {
  return {
    handle(input) {
      log.push(input)
      return []
    },
  }
}

describe('simulator: flood on tiny networks', () => {
  it('a line of 3 nodes: RMR 0, LDH 2, latencies 10 and 20 ms', () => {
    const { sim, metrics, publish } = floodNetwork(3)
    sim.connect(0, 1)
    sim.connect(1, 2)
    sim.runUntil(100)
    expect(sim.connections(1).sort()).toEqual([0, 2])
    metrics.startMeasuring(sim.now)
    const record = publish(0, new Uint8Array([1, 2, 3]))
    sim.runUntil(200)
    expect(record.deliveries).toBe(3)
    const figures = metrics.figures(sim, { cutOffGraceMs: 0 })
    expect(figures.reliability).toBe(1)
    expect(figures.rmr).toBe(0)
    expect(figures.ldh).toBe(2)
    expect(figures.latencyP50Ms).toBe(10)
    expect(figures.latencyP99Ms).toBe(20)
    expect(figures.duplicatesPerDelivery).toBe(0)
    expect(figures.duplicateDeliveries).toBe(0)
  })

  it('a triangle: every node sends to both others, RMR 1, one duplicate per delivery', () => {
    const { sim, metrics, publish } = floodNetwork(3)
    sim.connect(0, 1)
    sim.connect(1, 2)
    sim.connect(2, 0)
    sim.runUntil(100)
    metrics.startMeasuring(sim.now)
    publish(0, new Uint8Array([7]))
    sim.runUntil(200)
    const figures = metrics.figures(sim, { cutOffGraceMs: 0 })
    // 0 sends 2, 1 and 2 each forward 1: 4 payloads / (3 − 1) − 1 = 1
    expect(figures.rmr).toBe(1)
    expect(figures.ldh).toBe(1)
    // receptions: 1 and 2 get it twice each: 4 receptions, 2 first deliveries
    expect(figures.duplicatesPerDelivery).toBe(1)
  })

  it('counts bytes per node over the measured window only', () => {
    const { sim, metrics, publish } = floodNetwork(2)
    sim.connect(0, 1)
    sim.runUntil(100)
    publish(0, new Uint8Array([1]), false)
    sim.runUntil(200)
    metrics.startMeasuring(sim.now)
    publish(1, new Uint8Array([2]))
    sim.runUntil(300)
    const figures = metrics.figures(sim, { cutOffGraceMs: 0 })
    expect(figures.bytesPerNode).toBeGreaterThan(0)
    // one frame of one message, sent by node 1, shared over 2 nodes
    expect(Number.isInteger(figures.bytesPerNode * 2)).toBe(true)
  })
})

describe('simulator: links, loss, partitions, crashes', () => {
  it('loss 1 drops every frame; nothing beyond the publisher is delivered', () => {
    const { sim, metrics, publish } = floodNetwork(3, { loss: 1 })
    sim.connect(0, 1)
    sim.connect(1, 2)
    sim.runUntil(100)
    metrics.startMeasuring(sim.now)
    const record = publish(0, new Uint8Array([9]))
    sim.runUntil(500)
    expect(record.deliveries).toBe(1)
    expect(metrics.figures(sim, { cutOffGraceMs: 0 }).reliability).toBeCloseTo(1 / 3)
  })

  it('a partial loss loses a share of frames close to the probability', () => {
    let dropped = 0
    let sent = 0
    const counting = createSimulator({
      seed: 5,
      loss: 0.3,
      latency: { kind: 'fixed', ms: 1 },
      observer: {
        send: () => {
          sent++
        },
        drop: (_f, _t, _p, reason) => {
          if (reason === 'loss') dropped++
        },
      },
    })
    const ids = peerIds(2, 9)
    for (const id of ids) {
      counting.addNode({
        peerId: id,
        create: () => ({
          handle: (input: GossipInput): GossipOutput[] =>
            input.type === 'tick'
              ? [
                  {
                    type: 'send',
                    to: ids[id === ids[0] ? 1 : 0]!,
                    bytes: new Uint8Array(1),
                    payloads: 0,
                  },
                  { type: 'wake', at: input.now + 10 },
                ]
              : input.type === 'peer-connected'
                ? [{ type: 'wake', at: input.now + 10 }]
                : [],
        }),
      })
      counting.start(counting.size - 1)
    }
    counting.connect(0, 1)
    counting.runUntil(20_000)
    expect(sent).toBeGreaterThan(3_000)
    expect(dropped / sent).toBeGreaterThan(0.27)
    expect(dropped / sent).toBeLessThan(0.33)
  })

  it('a partition stops frames across the cut; after heal, new messages pass', () => {
    const { sim, metrics, publish } = floodNetwork(4)
    sim.connect(0, 1)
    sim.connect(1, 2)
    sim.connect(2, 3)
    sim.runUntil(100)
    sim.partition([0, 0, 1, 1])
    expect(sim.reachable(1, 2)).toBe(false)
    const during = publish(0, new Uint8Array([1]))
    sim.runUntil(300)
    expect(during.delivered.slice()).toEqual(new Uint8Array([1, 1, 0, 0]))
    // the black-hole partition keeps connections open
    expect(sim.connections(1).sort()).toEqual([0, 2])
    sim.heal()
    const after = publish(0, new Uint8Array([2]))
    sim.runUntil(600)
    expect(after.deliveries).toBe(4)
    // nodes across the cut are live subscribers outside the publisher's component
    expect(during.eligible.slice()).toEqual(new Uint8Array([2, 2, 1, 1]))
    expect(after.eligible.slice()).toEqual(new Uint8Array([2, 2, 2, 2]))
    const figures = metrics.figures(sim, { cutOffGraceMs: 0 })
    expect(figures.reliability).toBe(0.75)
    expect(figures.minHonestReliability).toBe(0.5)
    expect(figures.componentReliability).toBe(1)
  })

  it('a severing partition closes connections across the cut on both ends', () => {
    const log: GossipInput[] = []
    const ids = peerIds(2)
    const sim = createSimulator({ seed: 1, latency: { kind: 'fixed', ms: 5 } })
    sim.addNode({ peerId: ids[0]!, create: () => recorder(log) })
    sim.addNode({ peerId: ids[1]!, create: () => recorder([]) })
    sim.start(0)
    sim.start(1)
    sim.connect(0, 1)
    sim.runUntil(50)
    sim.partition([0, 1], { sever: true })
    sim.runUntil(100)
    expect(sim.degree(0)).toBe(0)
    expect(sim.degree(1)).toBe(0)
    expect(log.map((i) => i.type)).toEqual(['peer-connected', 'peer-disconnected'])
    // dialling across the cut fails
    sim.connect(0, 1)
    sim.runUntil(200)
    expect(log.at(-1)?.type).toBe('connect-failed')
  })

  it('connections open in one round trip, with the dialler marked outbound', () => {
    const a: GossipInput[] = []
    const b: GossipInput[] = []
    const ids = peerIds(2)
    const sim = createSimulator({ seed: 1, latency: { kind: 'fixed', ms: 7 } })
    sim.addNode({ peerId: ids[0]!, create: () => recorder(a) })
    sim.addNode({ peerId: ids[1]!, create: () => recorder(b) })
    sim.start(0)
    sim.start(1)
    sim.connect(0, 1)
    sim.runUntil(100)
    expect(b[0]).toMatchObject({ type: 'peer-connected', now: 7, outbound: false })
    expect(a[0]).toMatchObject({ type: 'peer-connected', now: 14, outbound: true })
  })

  it('a crash drops the node’s state; its peers learn after the link delay; it can rejoin', () => {
    const logs: GossipInput[][] = [[], [], []]
    const created: number[] = []
    const ids = peerIds(3)
    const sim = createSimulator({ seed: 1, latency: { kind: 'fixed', ms: 10 } })
    ids.forEach((id, i) => {
      sim.addNode({
        peerId: id,
        create: (context) => {
          created.push(i * 10 + context.incarnation)
          return recorder(logs[i]!)
        },
      })
      sim.start(i)
    })
    sim.connect(0, 1)
    sim.connect(0, 2)
    sim.runUntil(100)
    sim.crash(0)
    expect(sim.isUp(0)).toBe(false)
    sim.runUntil(105)
    expect(logs[1]!.at(-1)?.type).toBe('peer-connected')
    sim.runUntil(110)
    expect(logs[1]!.at(-1)).toMatchObject({ type: 'peer-disconnected', now: 110 })
    expect(logs[2]!.at(-1)).toMatchObject({ type: 'peer-disconnected', now: 110 })
    // dialling a crashed node fails after a round trip
    sim.connect(1, 0)
    sim.runUntil(200)
    expect(logs[1]!.at(-1)).toMatchObject({ type: 'connect-failed', now: 130 })
    sim.start(0)
    expect(created).toEqual([0, 10, 20, 1])
    sim.connect(0, 1)
    sim.runUntil(300)
    expect(sim.connections(1)).toEqual([0])
  })

  it('a wake becomes a tick at its time rounded up to the resolution; the latest wake wins', () => {
    const ticks: number[] = []
    const ids = peerIds(1)
    const sim = createSimulator({ seed: 1, tickResolutionMs: 10 })
    sim.addNode({
      peerId: ids[0]!,
      create: () => ({
        handle(input): GossipOutput[] {
          if (input.type === 'tick') {
            ticks.push(input.now)
            // the tick at 40 asks for 121 (rounded up to 130)
            return input.now === 40 ? [{ type: 'wake', at: 121 }] : []
          }
          // three wakes in one answer: only the last stands, so no tick at 30
          if (input.type === 'subscribe') {
            return [
              { type: 'wake', at: 25 },
              { type: 'wake', at: 21 },
              { type: 'wake', at: 40 },
            ]
          }
          // an earlier wake replaces a later one: 80 instead of 130
          if (input.type === 'unsubscribe') return [{ type: 'wake', at: 75 }]
          return []
        },
      }),
    })
    sim.start(0)
    sim.input(0, { type: 'subscribe', topic: 'x', now: 0 })
    sim.runUntil(60)
    sim.input(0, { type: 'unsubscribe', topic: 'x', now: 60 })
    sim.runUntil(300)
    expect(ticks).toEqual([40, 80])
  })

  it('rejects bad options with typed errors', () => {
    const bad: Array<Partial<SimulatorOptions>> = [
      { loss: 2 },
      { loss: -0.1 },
      { latency: { kind: 'uniform', minMs: 5, maxMs: 1 } },
      { tickResolutionMs: 0 },
      { seed: 1.5 },
    ]
    for (const options of bad) {
      let caught: unknown
      try {
        createSimulator({ seed: 1, ...options })
      } catch (error) {
        caught = error
      }
      expect(isSimError(caught, 'InvalidOptionError')).toBe(true)
    }
  })

  it('a router that throws stops the run, or is counted with routerErrors: count', () => {
    const ids = peerIds(1)
    const failing: GossipRouter = {
      handle() {
        throw new Error('boom')
      },
    }
    const strict = createSimulator({ seed: 1 })
    strict.addNode({ peerId: ids[0]!, create: () => failing })
    strict.start(0)
    expect(() => strict.input(0, { type: 'tick', now: 0 })).toThrow('boom')
    let errors = 0
    const lenient = createSimulator({
      seed: 1,
      routerErrors: 'count',
      observer: {
        routerError: () => {
          errors++
        },
      },
    })
    lenient.addNode({ peerId: ids[0]!, create: () => failing })
    lenient.start(0)
    lenient.input(0, { type: 'tick', now: 0 })
    expect(errors).toBe(1)
  })
})

describe('simulator: dialling an open connection', () => {
  it('answers with peer-connected again instead of silence', () => {
    const log: GossipInput[] = []
    const ids = peerIds(2)
    const sim = createSimulator({ seed: 1, latency: { kind: 'fixed', ms: 5 } })
    sim.addNode({ peerId: ids[0]!, create: () => recorder(log) })
    sim.addNode({ peerId: ids[1]!, create: () => recorder([]) })
    sim.start(0)
    sim.start(1)
    sim.connect(0, 1)
    sim.runUntil(50)
    sim.connect(0, 1)
    sim.runUntil(60)
    expect(log.map((i) => i.type)).toEqual(['peer-connected', 'peer-connected'])
    expect(log[1]).toMatchObject({ now: 50, outbound: true })
    expect(sim.degree(0)).toBe(1)
  })
})
