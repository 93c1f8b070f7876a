/**
 * Real libp2p nodes on loopback TCP (Noise, yamux) running peerkit gossip through the node
 * driver: every node delivers each message once, and the rest carry on when one is killed.
 */
import { afterEach, expect, it } from 'vitest'
import { type PeerkitPeer, startPeer, waitFor } from './fixtures/nodes'

const FLAVOUR = 'tcp'
// 16 nodes in one process on two shared cores: a dial or a hello may wait on the event loop
// for seconds, and one aborted half done is redone from the start. The router's timing is set
// for the same: a NEIGHBOR request over a new libp2p connection (TCP, Noise, yamux, identify,
// the link's hello) and an answer to a pull take longer than its defaults (2 s, 500 ms) there,
// and a lapsed request costs the passive peer, a late answer a penalty.
const limits = { dialTimeoutMs: 30_000, helloTimeoutMs: 30_000 }
const gossip = { neighborTimeoutMs: 10_000, ihaveTimeoutMs: 2_000 }
const peers: PeerkitPeer[] = []
afterEach(async () => {
  await Promise.allSettled(peers.splice(0).map((peer) => peer.stop()))
})

it('16 libp2p nodes gossip 200 signed messages, each delivered once; after one is killed the rest still deliver', {
  timeout: 180_000,
}, async () => {
  const first = await startPeer(FLAVOUR, { limits, gossip })
  peers.push(first)
  const entry = first.libp2p.services.peerkit.addresses()
  const rest = await Promise.all(
    Array.from({ length: 15 }, () => startPeer(FLAVOUR, { bootstrap: entry, limits, gossip })),
  )
  peers.push(...rest)
  const all = [first, ...rest]
  const seen = all.map(() => new Map<string, number>())
  // What each node went through, printed when a wait times out.
  const events = all.map(() => new Map<string, number>())
  all.forEach((peer, index) => {
    const count = (name: string) => {
      const counts = events[index] as Map<string, number>
      counts.set(name, (counts.get(name) ?? 0) + 1)
    }
    peer.node.on('misbehaved', (report) => count(`misbehaved:${report.reason}`))
    peer.node.on('peer-disconnected', (event) => count(`down:${event.error?.message ?? 'closed'}`))
    peer.libp2p.addEventListener('connection:close', () => count('libp2p-close'))
  })
  const state = (): string =>
    all
      .map((peer, index) => {
        const router = peer.node.gossip.router
        const active = router.activeView()
        const subscribed = active.filter((n) => router.peerTopics(n).includes('market/offers'))
        const counts = [...(events[index] as Map<string, number>)].map(([k, v]) => `${k}=${v}`)
        const stats = router.stats()
        return `node ${index}: dropped frames ${stats.framesDropped}, grafts ${stats.graftsSent}, pending validations ${stats.pendingValidations}, links ${peer.node.peers().length}, active ${active.length} (${subscribed.length} subscribed), passive ${router.passiveView().length}, libp2p connections ${peer.libp2p.getConnections().length}, delivered ${(seen[index] as Map<string, number>).size}; ${counts.join(' ')}`
      })
      .join('\n') + missing()
  // Messages some node lacks: who published them and how many nodes have them.
  const ids: string[] = []
  const publishers: number[] = []
  const missing = (): string => {
    const short = ids
      .map((id, k) => ({ k, from: publishers[k], have: seen.filter((c) => c.has(id)).length }))
      .filter((m) => m.have < all.length)
    return `\nmessages not everywhere (index, publisher, nodes that have it): ${short.map((m) => `${m.k}/${m.from}/${m.have}`).join(' ')}`
  }
  all.forEach((peer, index) => {
    peer.node.gossip.subscribe('market/offers', (message) => {
      const counts = seen[index] as Map<string, number>
      counts.set(message.messageId, (counts.get(message.messageId) ?? 0) + 1)
    })
  })
  // Links come first; the membership settles after: every node has two neighbours, one whose
  // subscription it knows (a node linked but nobody's neighbour yet would publish to none).
  // That takes 5-15 s on an idle machine and up to a minute on a loaded one.
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
    90_000,
    state,
  )

  for (let index = 0; index < 200; index++) {
    const publisher = all[index % all.length] as PeerkitPeer
    const { messageId } = await publisher.node.gossip.publish('market/offers', { index })
    ids.push(messageId)
    publishers.push(index % all.length)
  }
  await waitFor(
    '200 deliveries on each node',
    () => seen.every((counts) => counts.size === 200),
    30_000,
    state,
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
    state,
  )
  // The libp2p identity is the peerkit identity.
  expect(first.libp2p.peerId.toString()).toBe(first.node.peerId.toLibp2pString())
})
