import {
  DEFAULT_GRAYLIST_THRESHOLD,
  encodeFrame,
  type ScoreHook,
  sealMessage,
} from '@peerkit/gossip'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { createScorer, type Scorer } from '../src/index'
import { createMesh } from './fixtures/mesh'
import { party } from './fixtures/trade'

const TOPIC = 'market/offers'
const START = 1_800_000_000_000

describe("a real scorer behind @peerkit/gossip's score hook", () => {
  it('satisfies the ScoreHook contract', () => {
    expectTypeOf<Scorer>().toMatchTypeOf<ScoreHook>()
    const hook: ScoreHook = createScorer({}, {})
    expect(hook.score('anyone', 0)).toBe(0)
  })

  it('scores what the router reports: first deliveries up, invalid messages down until cut off', async () => {
    const scorer = createScorer({}, {})
    const [honest, publisher, spammer] = [party(101), party(102), party(103)]
    const mesh = createMesh([honest, publisher, spammer], [scorer, undefined, undefined], START)
    const [h, p, s] = mesh.nodes as [
      (typeof mesh.nodes)[0],
      (typeof mesh.nodes)[0],
      (typeof mesh.nodes)[0],
    ]
    for (const n of mesh.nodes) mesh.input(n, { type: 'subscribe', topic: TOPIC, now: mesh.now })
    mesh.connect(h, p)
    mesh.connect(h, s)
    mesh.advance(1_000)
    expect(mesh.linked(h, p) && mesh.linked(h, s)).toBe(true)

    // the publisher's messages reach the honest node first-hand: rewarded once its
    // probation (counted from the first event the router reported) is over
    for (let i = 0; i < 5; i++) {
      const envelope = await sealMessage(publisher, {
        topic: TOPIC,
        data: `offer ${i}`,
        timestamp: mesh.now,
      })
      mesh.input(p, { type: 'publish', topic: TOPIC, envelope, now: mesh.now })
      mesh.advance(200)
    }
    const early = scorer.explain(p.key, mesh.now)
    expect(early.parts.firstDeliveries.counter).toBeGreaterThan(4.9) // five, barely decayed
    expect(early.probation).toBe(true)
    expect(early.score).toBe(0)
    mesh.advance(scorer.params.newcomer.probationMs)
    const rewarded = scorer.explain(p.key, mesh.now)
    expect(rewarded.probation).toBe(false)
    expect(rewarded.score).toBeGreaterThan(1)

    // the spammer pushes messages with broken signatures: each one lands in the scorer
    for (let i = 0; i < 3 && mesh.linked(h, s); i++) {
      const envelope = await sealMessage(spammer, {
        topic: TOPIC,
        data: `spam ${i}`,
        timestamp: mesh.now,
      })
      const forged = envelope.slice()
      forged[forged.length - 1]! ^= 1
      mesh.inject(s, h, encodeFrame({ kind: 'gossip', topic: TOPIC, hops: 1, envelope: forged }))
    }
    const why = scorer.explain(s.key, mesh.now)
    // the router cuts it off exactly where the scorer graylists: one scale
    expect(why.parts.invalidMessages.counter).toBe(3)
    expect(why.score).toBeLessThan(DEFAULT_GRAYLIST_THRESHOLD)
    expect(scorer.level(s.key, mesh.now)).toBe('graylisted')
    expect(mesh.linked(h, s)).toBe(false)
    expect(h.outputs.some((o) => o.type === 'disconnect' && o.peer.toString() === s.key)).toBe(true)

    // the scorer reports the same verdict as actions for the application
    const changes = scorer.tick(mesh.now)
    expect(changes.find((c) => c.peer === s.key)?.actions).toEqual([
      'stop-gossip',
      'refuse-publish',
      'graylist',
    ])

    // reconnecting launders nothing: the retained score keeps it cut off
    mesh.advance(5_000)
    mesh.connect(s, h)
    expect(mesh.linked(h, s)).toBe(false)
    expect(scorer.explain(s.key, mesh.now).known).toBe(true)
  })
})
