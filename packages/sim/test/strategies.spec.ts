import { describe, expect, it } from 'vitest'
import type { GossipOutput } from '../src/contract'
import { isSimError } from '../src/errors'
import { createRandom } from '../src/random'
import { createFloodRouter } from '../src/strategies/flood'
import { STRATEGY_NAMES, strategyFromName } from '../src/strategies/index'
import { createMeshRouter } from '../src/strategies/mesh'
import { decodeBaselineFrame, encodeBaselineFrame } from '../src/strategies/wire'
import { peerIds, plainCheck } from './helpers'

const TOPIC = 't'

function sends(outputs: GossipOutput[]) {
  return outputs.flatMap((o) =>
    o.type === 'send'
      ? [{ to: o.to.toString(), frame: decodeBaselineFrame(o.bytes), payloads: o.payloads }]
      : [],
  )
}

describe('baseline wire', () => {
  it('round-trips every part and rejects unknown versions and parts', () => {
    const frame = {
      subscriptions: [['a', true] as [string, boolean]],
      messages: [{ topic: 'a', hops: 3, envelope: new Uint8Array([1, 2]) }],
      ihave: [['a', ['x', 'y']] as [string, string[]]],
      iwant: ['x'],
      graft: ['a'],
      prune: [['a', 60_000] as [string, number]],
    }
    expect(decodeBaselineFrame(encodeBaselineFrame(frame))).toEqual(frame)
    expect(() => decodeBaselineFrame(new Uint8Array([0xa1, 0x61, 0x76, 0x02]))).toThrow()
    expect(() => decodeBaselineFrame(new Uint8Array([0xff, 0x00]))).toThrow()
  })
})

describe('strategy registry', () => {
  it('knows plumtree, mesh and flood, and nothing else', () => {
    for (const name of STRATEGY_NAMES) expect(strategyFromName(name).name).toBe(name)
    let caught: unknown
    try {
      strategyFromName('gossipsub')
    } catch (error) {
      caught = error
    }
    expect(isSimError(caught, 'UnknownStrategyError')).toBe(true)
  })
})

describe('flood router', () => {
  it('forwards a new message to every neighbour but the sender, once; drops the duplicate', () => {
    const [self, a, b, c] = peerIds(4)
    const router = createFloodRouter({}, { self: self!, check: plainCheck })
    router.handle({ type: 'subscribe', topic: TOPIC, now: 0 })
    for (const peer of [a!, b!, c!]) router.handle({ type: 'peer-connected', peer, now: 0 })
    const bytes = encodeBaselineFrame({
      messages: [{ topic: TOPIC, hops: 0, envelope: new Uint8Array([5]) }],
    })
    const first = router.handle({ type: 'frame', from: a!, bytes, now: 1 })
    const delivered = first.filter((o) => o.type === 'deliver')
    expect(delivered).toHaveLength(1)
    expect(delivered[0]).toMatchObject({ hops: 1 })
    const out = sends(first)
    expect(out.map((s) => s.to).sort()).toEqual([b!.toString(), c!.toString()].sort())
    expect(out.every((s) => s.payloads === 1 && s.frame.messages?.[0]?.hops === 1)).toBe(true)
    expect(router.handle({ type: 'frame', from: b!, bytes, now: 2 })).toEqual([])
  })

  it('reports invalid messages and malformed frames, then cuts the peer off for good', () => {
    const [self, bad] = peerIds(2)
    const router = createFloodRouter({ invalidLimit: 3 }, { self: self!, check: plainCheck })
    router.handle({ type: 'peer-connected', peer: bad!, now: 0 })
    const invalid = encodeBaselineFrame({
      messages: [{ topic: TOPIC, hops: 0, envelope: new Uint8Array([0xff, 1]) }],
    })
    const reports: string[] = []
    const outputs = [
      ...router.handle({ type: 'frame', from: bad!, bytes: invalid, now: 1 }),
      ...router.handle({ type: 'frame', from: bad!, bytes: new Uint8Array([0x42]), now: 2 }),
      ...router.handle({ type: 'frame', from: bad!, bytes: invalid, now: 3 }),
    ]
    for (const o of outputs) if (o.type === 'misbehaved') reports.push(o.reason)
    expect(reports).toEqual(['invalid-message', 'malformed-frame', 'invalid-message'])
    expect(outputs.filter((o) => o.type === 'disconnect')).toHaveLength(1)
    // a reconnect is refused at once
    expect(router.handle({ type: 'peer-connected', peer: bad!, now: 4 })).toEqual([
      { type: 'disconnect', peer: bad! },
    ])
  })
})

describe('mesh router', () => {
  function meshWith(peers: number) {
    const ids = peerIds(peers + 1)
    const self = ids[0]!
    const random = createRandom(1)
    const router = createMeshRouter({}, { self, check: plainCheck, random: random.next })
    router.handle({ type: 'subscribe', topic: TOPIC, now: 0 })
    const subscribed = encodeBaselineFrame({ subscriptions: [[TOPIC, true]] })
    for (const peer of ids.slice(1)) {
      router.handle({ type: 'peer-connected', peer, now: 0 })
      router.handle({ type: 'frame', from: peer, bytes: subscribed, now: 0 })
    }
    return { router, ids }
  }

  it('grafts D = 6 peers on the first heartbeat when 20 are available', () => {
    const { router } = meshWith(20)
    const out = sends(router.handle({ type: 'tick', now: 1_000 }))
    const grafted = out.filter((s) => s.frame.graft?.includes(TOPIC))
    expect(grafted).toHaveLength(6)
  })

  it('prunes down to D when grafted by more than D_hi = 12 peers', () => {
    const { router, ids } = meshWith(20)
    router.handle({ type: 'tick', now: 1_000 })
    const graft = encodeBaselineFrame({ graft: [TOPIC] })
    for (const peer of ids.slice(1))
      router.handle({ type: 'frame', from: peer, bytes: graft, now: 1_500 })
    const out = sends(router.handle({ type: 'tick', now: 2_000 }))
    const pruned = out.filter((s) => s.frame.prune?.some(([topic]) => topic === TOPIC))
    // all 20 are in the mesh: 20 − 6 = 14 pruned
    expect(pruned).toHaveLength(14)
  })

  it('pushes a message along the mesh and announces it (IHAVE) to others at the next heartbeat', () => {
    const { router, ids } = meshWith(20)
    const tick = sends(router.handle({ type: 'tick', now: 1_000 }))
    const mesh = new Set(tick.filter((s) => s.frame.graft !== undefined).map((s) => s.to))
    const from = ids.find((id) => !mesh.has(id.toString()) && id !== ids[0])!
    const bytes = encodeBaselineFrame({
      messages: [{ topic: TOPIC, hops: 2, envelope: new Uint8Array([9]) }],
    })
    const pushed = sends(router.handle({ type: 'frame', from, bytes, now: 1_100 }))
    expect(new Set(pushed.map((s) => s.to))).toEqual(mesh)
    const announced = sends(router.handle({ type: 'tick', now: 2_000 })).filter(
      (s) => s.frame.ihave,
    )
    expect(announced).toHaveLength(6)
    for (const s of announced) expect(mesh.has(s.to)).toBe(false)
    // an IWANT for it is answered with the full message, at most 3 times per peer
    const want = encodeBaselineFrame({ iwant: [plainCheck.id(new Uint8Array([9]))!] })
    const peer = ids[1]!
    const answers = [1, 2, 3, 4].map(
      (k) =>
        sends(router.handle({ type: 'frame', from: peer, bytes: want, now: 2_000 + k })).length,
    )
    expect(answers).toEqual([1, 1, 1, 0])
  })

  it('asks for announced ids it lacks, once, and blames an announcer that never delivers', () => {
    const recorded: string[] = []
    const ids = peerIds(3)
    const router = createMeshRouter(
      { iwantFollowupMs: 500 },
      {
        self: ids[0]!,
        check: plainCheck,
        random: createRandom(2).next,
        scoreHook: { record: (_peer, event) => recorded.push(event), score: () => 0 },
      },
    )
    router.handle({ type: 'subscribe', topic: TOPIC, now: 0 })
    for (const peer of ids.slice(1)) router.handle({ type: 'peer-connected', peer, now: 0 })
    const ihave = encodeBaselineFrame({ ihave: [[TOPIC, ['abcd']]] })
    const first = sends(router.handle({ type: 'frame', from: ids[1]!, bytes: ihave, now: 10 }))
    expect(first[0]?.frame.iwant).toEqual(['abcd'])
    expect(sends(router.handle({ type: 'frame', from: ids[2]!, bytes: ihave, now: 20 }))).toEqual(
      [],
    )
    router.handle({ type: 'tick', now: 1_000 })
    expect(recorded).toContain('broken-promise')
  })
})
