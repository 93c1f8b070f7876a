/**
 * Real libp2p nodes on loopback TCP (Noise, yamux) running peerkit gossip through the node
 * driver: every node delivers each message once, and the rest carry on when one is killed.
 */
import { afterEach, expect, it } from 'vitest'
import { type PeerkitPeer, startPeer, waitFor } from './fixtures/nodes'

const FLAVOUR = 'tcp'
const peers: PeerkitPeer[] = []
afterEach(async () => {
  await Promise.allSettled(peers.splice(0).map((peer) => peer.stop()))
})

it('16 libp2p nodes gossip 200 signed messages, each delivered once; after one is killed the rest still deliver', {
  timeout: 120_000,
}, async () => {
  const first = await startPeer(FLAVOUR)
  peers.push(first)
  const entry = first.libp2p.services.peerkit.addresses()
  const rest = await Promise.all(
    Array.from({ length: 15 }, () => startPeer(FLAVOUR, { bootstrap: entry })),
  )
  peers.push(...rest)
  const all = [first, ...rest]
  const seen = all.map(() => new Map<string, number>())
  all.forEach((peer, index) => {
    peer.node.gossip.subscribe('market/offers', (message) => {
      const counts = seen[index] as Map<string, number>
      counts.set(message.messageId, (counts.get(message.messageId) ?? 0) + 1)
    })
  })
  // Links come first; the membership settles after: every node has two neighbours, one whose
  // subscription it knows (a node linked but nobody's neighbour yet would publish to none).
  await waitFor(
    'two subscribed neighbours at every node',
    () =>
      all.every((peer) => {
        const router = peer.node.gossip.router
        const neighbours = router.activeView()
        return (
          neighbours.length >= 2 &&
          neighbours.some((neighbour) => router.peerTopics(neighbour).includes('market/offers'))
        )
      }),
    45_000,
  )

  const ids: string[] = []
  for (let index = 0; index < 200; index++) {
    const publisher = all[index % all.length] as PeerkitPeer
    const { messageId } = await publisher.node.gossip.publish('market/offers', { index })
    ids.push(messageId)
  }
  await waitFor(
    '200 deliveries on each node',
    () => seen.every((counts) => counts.size === 200),
    30_000,
  )
  for (const counts of seen) {
    for (const id of ids) expect(counts.get(id)).toBe(1)
  }

  // Kill one node (neither the first nor the one that publishes next) and publish again.
  const victim = all[5] as PeerkitPeer
  await victim.stop()
  peers.splice(peers.indexOf(victim), 1)
  const alive = all.filter((peer) => peer !== victim)
  const aliveSeen = alive.map((peer) => seen[all.indexOf(peer)] as Map<string, number>)
  const more: string[] = []
  for (let index = 0; index < 30; index++) {
    const publisher = alive[index % alive.length] as PeerkitPeer
    more.push((await publisher.node.gossip.publish('market/offers', { after: index })).messageId)
  }
  await waitFor(
    'the later messages on every living node',
    () => aliveSeen.every((counts) => more.every((id) => counts.get(id) === 1)),
    30_000,
  )
  // The libp2p identity is the peerkit identity.
  expect(first.libp2p.peerId.toString()).toBe(first.node.peerId.toLibp2pString())
})
