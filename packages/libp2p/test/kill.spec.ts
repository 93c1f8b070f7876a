/**
 * A small libp2p network that loses a node: 6 real libp2p nodes on loopback TCP (Noise, yamux)
 * gossip through the node driver; one is stopped, and every later message still reaches every
 * living node, once.
 */
import { afterEach, expect, it } from 'vitest'
import { type PeerkitPeer, startPeer, waitFor } from './fixtures/nodes'

const TOPIC = 'market/offers'
const peers: PeerkitPeer[] = []
afterEach(async () => {
  await Promise.allSettled(peers.splice(0).map((peer) => peer.stop()))
})

it('6 libp2p nodes: one is killed and the rest still deliver every later message once', async () => {
  const first = await startPeer('tcp')
  peers.push(first)
  const entry = first.libp2p.services.peerkit.addresses()
  const rest = await Promise.all(
    Array.from({ length: 5 }, () => startPeer('tcp', { bootstrap: entry })),
  )
  peers.push(...rest)
  const all = [first, ...rest]
  const seen = all.map(() => new Map<string, number>())
  all.forEach((peer, index) => {
    peer.node.gossip.subscribe(TOPIC, (message) => {
      const counts = seen[index] as Map<string, number>
      counts.set(message.messageId, (counts.get(message.messageId) ?? 0) + 1)
    })
  })
  await waitFor(
    'two neighbours at every node, one known to subscribe',
    () =>
      all.every((peer) => {
        const router = peer.node.gossip.router
        const neighbours = router.activeView()
        return (
          neighbours.length >= 2 && neighbours.some((n) => router.peerTopics(n).includes(TOPIC))
        )
      }),
    30_000,
  )
  const before: string[] = []
  for (let index = 0; index < 12; index++) {
    const publisher = all[index % all.length] as PeerkitPeer
    before.push((await publisher.node.gossip.publish(TOPIC, { index })).messageId)
  }
  await waitFor('the first messages everywhere', () =>
    seen.every((counts) => before.every((id) => counts.get(id) === 1)),
  )

  // The victim is neither the bootstrap node nor the first publisher afterwards.
  const victim = all[3] as PeerkitPeer
  await victim.stop()
  peers.splice(peers.indexOf(victim), 1)
  const alive = all.filter((peer) => peer !== victim)
  const aliveSeen = alive.map((peer) => seen[all.indexOf(peer)] as Map<string, number>)
  const after: string[] = []
  for (let index = 0; index < 20; index++) {
    const publisher = alive[index % alive.length] as PeerkitPeer
    after.push((await publisher.node.gossip.publish(TOPIC, { after: index })).messageId)
  }
  await waitFor(
    'the later messages on every living node',
    () => aliveSeen.every((counts) => after.every((id) => counts.has(id))),
    20_000,
  )
  for (const counts of aliveSeen) for (const id of after) expect(counts.get(id)).toBe(1)
  expect(seen[3]?.size).toBe(12)
})
