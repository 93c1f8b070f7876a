/**
 * A browser peer over WebSocket: `createNode` in Chromium with `@peerkit/ws`'s browser
 * build (the platform `WebSocket`, Noise on the link) dials the Node peers of the global
 * setup, receives the gossip each of them publishes (one of them only through the other),
 * and publishes back: each Node peer answers the browser's message with an ack naming it,
 * which the browser receives in turn.
 */
import { generateKeyPair, signerFromKeyPair } from '@peerkit/identity'
import { createNode, type Node } from '@peerkit/net'
import { ws } from '@peerkit/ws'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { WS_TOPIC } from './setup/topic'

const peers = inject('wsPeers')
let node: Node | undefined

afterAll(async () => {
  await node?.stop()
})

/** Resolves with the first message on the topic for which `test` holds. */
function first(
  n: Node,
  test: (data: Record<string, unknown>, signer: string) => boolean,
  timeoutMs = 20_000,
): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no such message in time')), timeoutMs)
    const off = n.gossip.subscribe(WS_TOPIC, (message) => {
      const data = message.data as Record<string, unknown>
      if (!test(data, message.signer.toString())) return
      clearTimeout(timer)
      off()
      resolve(data)
    })
  })
}

describe('a browser peer over WebSocket', () => {
  it('receives the Node peers gossip and publishes back to them', async () => {
    expect(peers.map((p) => p.name)).toEqual(['alice', 'bob'])
    const [alice, bob] = peers as [(typeof peers)[0], (typeof peers)[0]]
    expect(alice.address).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/peerkit$/)
    // the browser dials alice only: bob's gossip reaches it through alice
    node = await createNode({
      signer: signerFromKeyPair(generateKeyPair()),
      transports: [ws()],
      bootstrap: [alice.address],
    })
    const self = node.peerId.toString()
    // stay subscribed for the whole test, so the router keeps the topic
    node.gossip.subscribe(WS_TOPIC, () => {})
    const ticks = Promise.all(
      [alice, bob].map((peer) =>
        first(node!, (data, signer) => data.kind === 'tick' && signer === peer.peerId),
      ),
    )
    const [fromAlice, fromBob] = await ticks
    expect(fromAlice).toMatchObject({ kind: 'tick', from: 'alice' })
    expect(fromBob).toMatchObject({ kind: 'tick', from: 'bob' })
    expect(node.peers().map(String)).toContain(alice.peerId)

    // and back: both Node peers receive the browser's message and name it in their ack
    const ackOf = (peer: typeof alice, id: string) =>
      first(
        node!,
        (data, signer) => data.kind === 'ack' && signer === peer.peerId && data.of === id,
      )
    const acks: Array<Promise<Record<string, unknown>>> = []
    const { messageId } = await node.gossip.publish(WS_TOPIC, { kind: 'hello', from: self })
    acks.push(ackOf(alice, messageId), ackOf(bob, messageId))
    const [ackAlice, ackBob] = await Promise.all(acks)
    expect(ackAlice).toMatchObject({ kind: 'ack', from: 'alice', of: messageId })
    expect(ackBob).toMatchObject({ kind: 'ack', from: 'bob', of: messageId })
  }, 60_000)
})
