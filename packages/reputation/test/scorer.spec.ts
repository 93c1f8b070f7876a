import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  actionsBetween,
  createScorer,
  DEFAULT_SCORER_PARAMS,
  isReputationError,
  PEER_EVENTS,
  type PeerEventName,
  type Scorer,
} from '../src/index'

const A = 'peer-a'
const B = 'peer-b'
/** After probation, so positive parts count. */
const LATER = DEFAULT_SCORER_PARAMS.newcomer.probationMs

function thrownName(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (error) {
    return isReputationError(error) ? error.name : `foreign:${String(error)}`
  }
  return undefined
}

describe('createScorer: counters, weights, caps', () => {
  it('scores an unknown peer at the newcomer floor without tracking it', () => {
    const scorer = createScorer({ newcomer: { score: -3 } }, {})
    expect(scorer.score(A, 0)).toBe(-3)
    expect(scorer.size).toBe(0)
    const why = scorer.explain(A, 0)
    expect(why.known).toBe(false)
    expect(why.score).toBe(-3)
    expect(why.floor).toBe(-3)
  })

  it('rewards first deliveries linearly up to the cap', () => {
    const scorer = createScorer({ firstDeliveries: { weight: 2, cap: 3, decay: 1 } }, {})
    scorer.record(A, 'first-delivery', 0)
    scorer.record(A, 'first-delivery', 0)
    expect(scorer.score(A, LATER)).toBe(4)
    for (let i = 0; i < 10; i++) scorer.record(A, 'first-delivery', LATER)
    expect(scorer.explain(A, LATER).parts.firstDeliveries).toEqual({ counter: 3, contribution: 6 })
    expect(scorer.score(A, LATER)).toBe(6)
  })

  it('squares invalid messages and protocol violations', () => {
    const scorer = createScorer(
      { invalidMessages: { weight: -1, decay: 1 }, protocolViolations: { weight: -2, decay: 1 } },
      {},
    )
    for (let i = 0; i < 3; i++) scorer.record(A, 'invalid-message', 0)
    scorer.record(A, 'protocol-violation', 0)
    scorer.record(A, 'protocol-violation', 0)
    const why = scorer.explain(A, 0)
    expect(why.parts.invalidMessages).toEqual({ counter: 3, contribution: -9 })
    expect(why.parts.protocolViolations).toEqual({ counter: 2, contribution: -8 })
    expect(why.score).toBe(-17)
  })

  it('penalises broken promises only above their threshold', () => {
    const scorer = createScorer({ brokenPromises: { weight: -1, threshold: 2, decay: 1 } }, {})
    scorer.record(A, 'broken-promise', 0)
    scorer.record(A, 'broken-promise', 0)
    expect(scorer.score(A, 0)).toBe(0)
    scorer.record(A, 'broken-promise', 0)
    scorer.record(A, 'broken-promise', 0)
    expect(scorer.score(A, 0)).toBe(-4)
  })

  it('counts a delivery deficit after activation, and makes it stick on disconnect', () => {
    const scorer = createScorer(
      {
        deliveries: { weight: -1, threshold: 4, cap: 10, decay: 1, activationMs: 1_000 },
        deliveryFailures: { weight: -0.5, decay: 1 },
        firstDeliveries: { decay: 1 },
        newcomer: { probationMs: 0 },
      },
      {},
    )
    scorer.connect(A, 0)
    scorer.record(A, 'first-delivery', 0)
    scorer.record(A, 'duplicate', 0)
    expect(scorer.score(A, 999)).toBe(0.5) // not active yet: only the first-delivery reward
    // active: deficit 4 - 2 = 2, squared
    expect(scorer.explain(A, 1_000).parts.deliveryDeficit).toEqual({ counter: 2, contribution: -4 })
    scorer.disconnect(A, 1_000)
    const why = scorer.explain(A, 1_000)
    expect(why.parts.deliveryDeficit.counter).toBe(0)
    expect(why.parts.deliveryFailures).toEqual({ counter: 4, contribution: -2 })
    // reconnecting restarts activation but the failure stays
    scorer.connect(A, 2_000)
    expect(scorer.score(A, 2_000)).toBe(0.5 - 2)
  })

  it('adds the application component, weighted and capped', () => {
    const values = new Map([[A, 1_000]])
    const scorer = createScorer(
      { application: { weight: 0.5, cap: 10 }, newcomer: { probationMs: 0 } },
      { applicationScore: (peer) => values.get(peer) ?? 0 },
    )
    scorer.connect(A, 0)
    expect(scorer.score(A, 0)).toBe(5)
    values.set(A, -4)
    expect(scorer.explain(A, 0).parts.application).toEqual({ counter: -4, contribution: -2 })
  })

  it('refuses an application component that returns a non-finite number', () => {
    const scorer = createScorer({}, { applicationScore: () => Number.NaN })
    expect(thrownName(() => scorer.score(A, 0))).toBe('InvalidArgumentError')
    expect(thrownName(() => createScorer({}, { applicationScore: 3 as never }))).toBe(
      'InvalidArgumentError',
    )
  })
})

describe('createScorer: decay on the injected clock', () => {
  it('decays every counter once per interval and zeroes tiny values', () => {
    const scorer = createScorer(
      {
        decayIntervalMs: 100,
        decayToZero: 0.1,
        invalidMessages: { weight: -1, decay: 0.5 },
        newcomer: { probationMs: 0 },
      },
      {},
    )
    scorer.record(A, 'invalid-message', 0)
    expect(scorer.explain(A, 99).parts.invalidMessages.counter).toBe(1)
    expect(scorer.explain(A, 100).parts.invalidMessages.counter).toBe(0.5)
    expect(scorer.explain(A, 350).parts.invalidMessages.counter).toBe(0.125)
    expect(scorer.explain(A, 400).parts.invalidMessages.counter).toBe(0) // 0.0625 < 0.1
  })

  it('does not undo decay when the clock goes backwards', () => {
    const scorer = createScorer({ invalidMessages: { weight: -1, decay: 0.5 } }, {})
    scorer.record(A, 'invalid-message', 0)
    expect(scorer.explain(A, 2_000).parts.invalidMessages.counter).toBe(0.25)
    expect(scorer.explain(A, 1_000).parts.invalidMessages.counter).toBe(0.25)
  })

  it('gives the same scores however often it is ticked (property)', () => {
    const event = fc.constantFrom(...PEER_EVENTS)
    const step = fc.record({
      peer: fc.constantFrom('p1', 'p2', 'p3'),
      event,
      dt: fc.integer({ min: 0, max: 5_000 }),
    })
    fc.assert(
      fc.property(
        fc.array(step, { maxLength: 60 }),
        fc.integer({ min: 1, max: 7 }),
        (steps, every) => {
          const params = { deliveries: { threshold: 3 }, retainMs: 1_000_000 }
          const often = createScorer(params, {})
          const rarely = createScorer(params, {})
          let now = 0
          steps.forEach((s, i) => {
            now += s.dt
            often.record(s.peer, s.event, now)
            rarely.record(s.peer, s.event, now)
            often.tick(now)
            if (i % every === 0) rarely.tick(now)
          })
          now += 10_000
          for (const peer of ['p1', 'p2', 'p3']) {
            expect(rarely.score(peer, now)).toBeCloseTo(often.score(peer, now), 9)
          }
        },
      ),
      { numRuns: 100 },
    )
  })
})

describe('createScorer: thresholds and actions', () => {
  const params = {
    thresholds: { gossip: -1, publish: -5, graylist: -20 },
    invalidMessages: { weight: -1, decay: 0.5 },
    decayIntervalMs: 1_000,
    decayToZero: 0.001,
  }

  it('maps scores to levels and reports the actions, down and back up', () => {
    const scorer = createScorer(params, {})
    scorer.connect(A, 0)
    scorer.connect(B, 0)
    expect(scorer.tick(0)).toEqual([])
    for (let i = 0; i < 5; i++) scorer.record(A, 'invalid-message', 0) // -25
    expect(scorer.level(A, 0)).toBe('graylisted')
    const down = scorer.tick(0)
    expect(down).toHaveLength(1)
    expect(down[0]).toMatchObject({ peer: A, from: 'normal', to: 'graylisted', forgotten: false })
    expect(down[0]?.actions).toEqual(['stop-gossip', 'refuse-publish', 'graylist'])
    expect(scorer.tick(0)).toEqual([]) // reported once
    // counter 5 -> 2.5 (-6.25): back above graylist, still below publish
    expect(scorer.tick(1_000)[0]).toMatchObject({
      from: 'graylisted',
      to: 'no-publish',
      actions: ['ungraylist'],
    })
    // 5 * 0.5^3 = 0.625 -> -0.39: normal again
    expect(scorer.tick(3_000)[0]).toMatchObject({
      from: 'no-publish',
      to: 'normal',
      actions: ['accept-publish', 'resume-gossip'],
    })
  })

  it('lists the actions between any two levels', () => {
    expect(actionsBetween('normal', 'no-gossip')).toEqual(['stop-gossip'])
    expect(actionsBetween('no-gossip', 'graylisted')).toEqual(['refuse-publish', 'graylist'])
    expect(actionsBetween('graylisted', 'no-gossip')).toEqual(['ungraylist', 'accept-publish'])
    expect(actionsBetween('no-publish', 'no-publish')).toEqual([])
  })
})

describe('createScorer: retention and newcomers', () => {
  const params = { retainMs: 10_000, invalidMessages: { weight: -10, decay: 1 } }

  it('keeps the score of a disconnected peer, so reconnecting launders nothing', () => {
    const scorer = createScorer(params, {})
    scorer.connect(A, 0)
    scorer.record(A, 'invalid-message', 0)
    scorer.record(A, 'invalid-message', 0)
    scorer.disconnect(A, 1_000)
    expect(scorer.explain(A, 1_000).retainedUntil).toBe(11_000)
    expect(scorer.tick(5_000).map((c) => c.to)).toEqual(['no-gossip']) // -40 is not below publish
    scorer.connect(A, 10_999)
    expect(scorer.score(A, 10_999)).toBe(-40)
    // and it stays tracked while connected, whatever the time
    expect(scorer.score(A, 100_000)).toBe(-40)
  })

  it('forgets a peer once its retention runs out, and reports it', () => {
    const scorer = createScorer(params, {})
    scorer.record(A, 'invalid-message', 0)
    scorer.record(A, 'invalid-message', 0)
    scorer.disconnect(A, 0)
    scorer.tick(0)
    const changes = scorer.tick(10_000)
    expect(changes).toEqual([
      {
        peer: A,
        score: 0,
        from: 'no-gossip',
        to: 'normal',
        actions: ['resume-gossip'],
        forgotten: true,
      },
    ])
    expect(scorer.size).toBe(0)
    expect(scorer.explain(A, 10_000).known).toBe(false)
  })

  it('caps a new identity at the floor during probation, however well it behaves', () => {
    const scorer = createScorer({ newcomer: { score: -1, probationMs: 5_000 } }, {})
    for (let i = 0; i < 40; i++) scorer.record(A, 'first-delivery', 0)
    const early = scorer.explain(A, 4_999)
    expect(early.probation).toBe(true)
    expect(early.raw).toBeGreaterThan(-1)
    expect(early.score).toBe(-1)
    expect(scorer.score(A, 5_000)).toBeGreaterThan(-1)
    // penalties are not capped: a newcomer can fall below the floor at once
    scorer.record(B, 'invalid-message', 0)
    expect(scorer.score(B, 0)).toBeLessThan(-1)
  })

  it('never scores a fresh identity above the floor (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...PEER_EVENTS), { maxLength: 50 }),
        fc.integer({ min: -50, max: 50 }),
        fc.integer({ min: 1, max: 60_000 }),
        (events, floor, probationMs) => {
          const scorer = createScorer({ newcomer: { score: floor, probationMs } }, {})
          for (const event of events) scorer.record('fresh', event, 0)
          expect(scorer.score('fresh', probationMs - 1)).toBeLessThanOrEqual(floor)
        },
      ),
    )
  })
})

describe('createScorer: bounded peer table', () => {
  it('refuses a new peer when full of connected peers, changing nothing', () => {
    const scorer = createScorer({ maxPeers: 2 }, {})
    scorer.connect(A, 0)
    scorer.connect(B, 0)
    // as a router's score hook, record never throws: the event is dropped and counted
    scorer.record('c', 'first-delivery', 0)
    expect(scorer.droppedEvents).toBe(1)
    expect(thrownName(() => scorer.connect('c', 0))).toBe('PeerTableFullError')
    expect(scorer.peers()).toEqual([A, B])
  })

  it('makes room by forgetting a retained peer not below the floor, never a bad one', () => {
    const scorer = createScorer({ maxPeers: 2, invalidMessages: { weight: -1, decay: 1 } }, {})
    scorer.record(A, 'invalid-message', 0)
    scorer.disconnect(A, 0)
    scorer.connect(B, 0)
    expect(thrownName(() => scorer.connect('c', 0))).toBe('PeerTableFullError')
    scorer.disconnect(B, 0)
    scorer.connect('c', 1)
    expect(scorer.peers().sort()).toEqual(['c', A])
    expect(scorer.score(A, 1)).toBe(-1)
  })
})

describe('createScorer: bad input', () => {
  it('refuses bad params with the parameter named', () => {
    const cases: Array<[unknown, string]> = [
      [{ decayIntervalMs: 0 }, 'decayIntervalMs'],
      [{ decayToZero: 2 }, 'decayToZero'],
      [{ retainMs: -1 }, 'retainMs'],
      [{ maxPeers: 1.5 }, 'maxPeers'],
      [{ firstDeliveries: { weight: -1 } }, 'firstDeliveries.weight'],
      [{ invalidMessages: { weight: 1 } }, 'invalidMessages.weight'],
      [{ invalidMessages: { decay: 0 } }, 'invalidMessages.decay'],
      [{ deliveries: { decay: 1.1 } }, 'deliveries.decay'],
      [{ thresholds: { graylist: 0, publish: -1 } }, 'thresholds.graylist'],
      [{ thresholds: { publish: 0 } }, 'thresholds.publish'],
      [{ tresholds: {} }, 'tresholds'],
      [{ newcomer: { scor: 1 } }, 'newcomer.scor'],
      [{ application: 5 }, 'application'],
      [{ newcomer: { score: Number.NaN } }, 'newcomer.score'],
    ]
    for (const [params, param] of cases) {
      try {
        createScorer(params as never, {})
        expect.unreachable(`accepted ${JSON.stringify(params)}`)
      } catch (error) {
        expect(isReputationError(error, 'InvalidParamsError')).toBe(true)
        expect((error as { param: string }).param).toBe(param)
      }
    }
  })

  it('refuses bad peers, events and times, and leaves the state unchanged (property)', () => {
    const good = fc.record({
      kind: fc.constant('good' as const),
      peer: fc.constantFrom('p1', 'p2'),
      event: fc.constantFrom(...PEER_EVENTS),
      dt: fc.integer({ min: 0, max: 3_000 }),
    })
    const bad = fc.record({
      kind: fc.constant('bad' as const),
      peer: fc.oneof(
        fc.constant(''),
        fc.constant('x'.repeat(300)),
        fc.constant(7),
        fc.constant('p1'),
      ),
      event: fc.oneof(fc.constant('nope'), fc.constant('first-delivery')),
      now: fc.oneof(
        fc.constant(-1),
        fc.constant(1.5),
        fc.constant(Number.NaN),
        fc.constant(2 ** 60),
      ),
      op: fc.constantFrom('record', 'score', 'connect', 'disconnect', 'explain', 'tick'),
    })
    fc.assert(
      fc.property(fc.array(fc.oneof(good, bad), { maxLength: 40 }), (ops) => {
        const tested = createScorer({}, {})
        const twin = createScorer({}, {})
        let now = 0
        for (const op of ops) {
          if (op.kind === 'good') {
            now += op.dt
            tested.record(op.peer, op.event, now)
            twin.record(op.peer, op.event, now)
            continue
          }
          const s = tested as unknown as Record<string, (...args: unknown[]) => unknown>
          const args =
            op.op === 'tick'
              ? [op.now]
              : op.op === 'record'
                ? [op.peer, op.event, op.now]
                : [op.peer, op.now]
          expect(thrownName(() => s[op.op]!(...args))).toBe('InvalidArgumentError')
        }
        expect(tested.peers()).toEqual(twin.peers())
        for (const peer of twin.peers())
          expect(tested.explain(peer, now)).toEqual(twin.explain(peer, now))
      }),
    )
  })

  it('moves scores the right way: penalties never raise, first deliveries never lower (property)', () => {
    const penalties: PeerEventName[] = ['invalid-message', 'broken-promise', 'protocol-violation']
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...PEER_EVENTS), { maxLength: 30 }),
        fc.constantFrom(...penalties),
        (history, penalty) => {
          const make = (): Scorer => {
            const s = createScorer({ newcomer: { probationMs: 0 } }, {})
            for (const e of history) s.record(A, e, 0)
            return s
          }
          const base = make().score(A, 0)
          const worse = make()
          worse.record(A, penalty, 0)
          const better = make()
          better.record(A, 'first-delivery', 0)
          expect(worse.score(A, 0)).toBeLessThanOrEqual(base)
          expect(better.score(A, 0)).toBeGreaterThanOrEqual(base)
        },
      ),
    )
  })
})
