/**
 * The README example, run as written: two routers wired by hand.
 */
import { createVerifyCache } from '@peerkit/envelope'
import { generateKeyPair, signerFromKeyPair } from '@peerkit/identity'
import { expect, it } from 'vitest'
import {
  createGossip,
  type Gossip,
  type GossipInput,
  type GossipOutput,
  sealMessage,
} from '../src/index'

it('README: two cores wired by hand', async () => {
  // --- README example start
  const alice = signerFromKeyPair(generateKeyPair())
  const bob = signerFromKeyPair(generateKeyPair())
  const verifyCache = createVerifyCache() // one per process is enough
  const a = createGossip({}, { self: alice.peerId, random: Math.random, verifyCache })
  const b = createGossip({}, { self: bob.peerId, random: Math.random, verifyCache })
  const routers = new Map<string, Gossip>([
    [alice.peerId.toString(), a],
    [bob.peerId.toString(), b],
  ])

  // the whole "driver": carry every output by hand, in order
  const queue: [Gossip, GossipOutput][] = []
  const delivered: string[] = []
  let now = Date.now()
  const input = (router: Gossip, event: GossipInput): void => {
    for (const output of router.handle(event)) queue.push([router, output])
  }
  const drain = (): void => {
    while (queue.length > 0) {
      const [router, output] = queue.shift()!
      if (output.type === 'send') {
        const to = routers.get(output.to.toString())!
        input(to, { type: 'frame', from: router.self, bytes: output.bytes, now })
      } else if (output.type === 'deliver') {
        delivered.push(`${router === a ? 'alice' : 'bob'}: ${output.messageId}`)
      }
      // 'wake' asks for a tick later; 'connect' / 'disconnect' / 'misbehaved' go to the transport
    }
  }

  input(a, { type: 'subscribe', topic: 'news', now })
  input(b, { type: 'subscribe', topic: 'news', now })
  input(a, { type: 'peer-connected', peer: bob.peerId, now, outbound: true })
  input(b, { type: 'peer-connected', peer: alice.peerId, now, outbound: false })
  drain()

  const envelope = await sealMessage(alice, { topic: 'news', data: 'hello', timestamp: now })
  input(a, { type: 'publish', topic: 'news', envelope, now })
  drain()
  now += 1_000
  input(a, { type: 'tick', now })
  input(b, { type: 'tick', now })
  drain()
  console.log(delivered) // [ 'alice: bafirei…', 'bob: bafirei…' ]
  // --- README example end

  expect(delivered).toHaveLength(2)
  expect(delivered[0]!.replace('alice: ', '')).toBe(delivered[1]!.replace('bob: ', ''))
  expect(a.activeView().map(String)).toEqual([bob.peerId.toString()])
  expect(b.activeView().map(String)).toEqual([alice.peerId.toString()])
})
