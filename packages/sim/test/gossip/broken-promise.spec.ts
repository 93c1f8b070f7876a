/**
 * A neighbour that announced many messages and let every request lapse in one round broke
 * one promise, not one per message: a slow burst of an honest peer must not graylist it.
 */

import { encodeFrame, messageIdOf, type ScoreHook } from '@peerkit/gossip'
import { idKeyOf } from '@peerkit/gossip/frames'
import { describe, expect, it } from 'vitest'
import { createLine } from './harness'

describe('broken promises', () => {
  it('count once per peer per repair round, however many requests lapsed', async () => {
    const events: string[] = []
    const hook: ScoreHook = {
      record: (peer, event) => void events.push(`${peer} ${event}`),
      score: () => 0,
    }
    const net = createLine({
      nodes: 3,
      seed: 6,
      scoreHook: (i) => (i === 1 ? hook : undefined),
    })
    net.run(net.now + 500)
    const c = net.nodes[2]!
    // node 2 announces 20 messages it does not have, in one frame, then never sends them
    const ids = []
    for (let n = 0; n < 20; n++) {
      const bytes = messageIdOf(await net.seal(2, 't', `ghost ${n}`)).bytes
      ids.push({ id: { bytes, key: idKeyOf(bytes) }, hops: 1, source: c.peer.publicKey })
    }
    net.inject(2, 1, encodeFrame({ kind: 'ihave', topic: 't', ids }))
    net.run(net.now + 2_000)
    const broken = events.filter((e) => e === `${c.key} broken-promise`)
    expect(broken).toHaveLength(1)
  })
})
