/**
 * The validation verdict flow: synchronous accept / reject / ignore, `pending` answered by
 * a `validation-result` input, limits on pending validations, and timeouts.
 */

import type { GossipMessage, ScoreHook, ValidationVerdict } from '@peerkit/gossip'
import { describe, expect, it } from 'vitest'
import { createLine } from './harness'

function recordingHook(): ScoreHook & { events: string[] } {
  const events: string[] = []
  return { events, record: (peer, event) => void events.push(`${peer} ${event}`), score: () => 0 }
}

describe('validation', () => {
  it('reject: not delivered, not forwarded, the sender reported with an invalid-message event', async () => {
    const hook = recordingHook()
    const net = createLine({
      nodes: 3,
      seed: 1,
      validate: (i) =>
        i === 1
          ? (m: GossipMessage) =>
              (m.data as { data: string }).data === 'bad' ? 'reject' : 'accept'
          : undefined,
      scoreHook: (i) => (i === 1 ? hook : undefined),
    })
    const bad = await net.publish(0, 't', 'bad')
    const good = await net.publish(0, 't', 'good')
    net.run(net.now + 2_000)
    expect(net.nodes.map((n) => n.delivered.get(bad) ?? 0)).toEqual([1, 0, 0])
    expect(net.nodes.map((n) => n.delivered.get(good) ?? 0)).toEqual([1, 1, 1])
    expect(net.nodes[1]!.reports).toEqual([`${net.nodes[0]!.key} rejected`])
    expect(hook.events).toContain(`${net.nodes[0]!.key} invalid-message`)
    expect(hook.events).toContain(`${net.nodes[0]!.key} first-delivery`)
  })

  it('ignore: not delivered, not forwarded, nobody blamed', async () => {
    const net = createLine({
      nodes: 3,
      seed: 2,
      validate: (i) => (i === 1 ? () => 'ignore' : undefined),
    })
    const id = await net.publish(0, 't', 'meh')
    net.run(net.now + 2_000)
    expect(net.nodes.map((n) => n.delivered.get(id) ?? 0)).toEqual([1, 0, 0])
    expect(net.nodes[1]!.reports).toEqual([])
  })

  it('pending: a validate output, then the late verdict decides', async () => {
    const net = createLine({
      nodes: 3,
      seed: 3,
      validate: (i) => (i === 1 ? () => 'pending' : undefined),
    })
    const yes = await net.publish(0, 't', 'yes')
    const no = await net.publish(0, 't', 'no')
    net.run(net.now + 1_000)
    const node = net.nodes[1]!
    // links may reorder frames: one validate output per message, in either order
    expect(node.validations.map((v) => v.messageId).sort()).toEqual([yes, no].sort())
    expect(node.router.stats().pendingValidations).toBe(2)
    expect(node.delivered.size).toBe(0)
    const verdicts: [string, ValidationVerdict][] = [
      [yes, 'accept'],
      [no, 'reject'],
    ]
    for (const [messageId, verdict] of verdicts) {
      net.input(1, { type: 'validation-result', messageId, verdict, now: net.now })
    }
    net.run(net.now + 1_000)
    expect(net.nodes.map((n) => n.delivered.get(yes) ?? 0)).toEqual([1, 1, 1])
    expect(net.nodes.map((n) => n.delivered.get(no) ?? 0)).toEqual([1, 0, 0])
    expect(node.reports).toEqual([`${net.nodes[0]!.key} rejected`])
    // an answer for an unknown id is ignored
    net.input(1, { type: 'validation-result', messageId: yes, verdict: 'accept', now: net.now })
    expect(net.nodes[1]!.delivered.get(yes)).toBe(1)
  })

  it('limits pending validations per peer, and forgets verdicts that come too late', async () => {
    const net = createLine({
      nodes: 2,
      seed: 4,
      init: { maxPendingPerPeer: 1, validationTimeoutMs: 2_000 },
      validate: (i) => (i === 1 ? () => 'pending' : undefined),
    })
    const first = await net.publish(0, 't', 'one')
    net.run(net.now + 200)
    const second = await net.publish(0, 't', 'two')
    net.run(net.now + 200)
    expect(net.nodes[1]!.validations.map((v) => v.messageId)).toEqual([first])
    expect(net.nodes[1]!.reports).toContain(`${net.nodes[0]!.key} pending-validations`)
    expect(second).not.toBe(first)
    net.run(net.now + 3_000)
    expect(net.nodes[1]!.router.stats().pendingValidations).toBe(0)
    net.input(1, { type: 'validation-result', messageId: first, verdict: 'accept', now: net.now })
    expect(net.nodes[1]!.delivered.get(first)).toBeUndefined()
  })
})
