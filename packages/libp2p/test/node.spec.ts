/**
 * The driver over libp2p beyond gossip: an escrow trade on a direct protocol, a peer sending
 * garbage on the peerkit protocol (cut off while its connection's other protocols work), and
 * a mixed network of libp2p-only, peerkit-TCP-only and bridging nodes.
 */

import { multiaddr } from '@multiformats/multiaddr'
import {
  acceptTerms,
  createLedgerVault,
  createMemoryStore,
  createSession,
  type EscrowSession,
  proposeTerms,
  tradeEscrow,
  tradeEscrowTerms,
} from '@peerkit/escrow'
import type { PeerId } from '@peerkit/identity'
import type { Node, Protocol } from '@peerkit/net'
import { tcp } from '@peerkit/tcp'
import { afterEach, expect, it } from 'vitest'
import { PEERKIT_PROTOCOL } from '../src/index'
import { identityFromSeed, type PeerkitPeer, startNode, startPeer, waitFor } from './fixtures/nodes'

const HOUR = 3_600_000
const STEP = 0
const ACK = 1

const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  await Promise.allSettled(cleanups.splice(0).map((cleanup) => cleanup()))
})

async function peer(...args: Parameters<typeof startPeer>): Promise<PeerkitPeer> {
  const started = await startPeer(...args)
  cleanups.push(() => started.stop())
  return started
}

/** Carries one side's escrow steps and acknowledgements on a direct protocol. */
function escrowOver(node: Node, session: () => EscrowSession | undefined) {
  let pending = 0
  const protocol: Protocol = node.protocol('/peerkit/escrow/1', {
    onFrame(from, frame) {
      const body = frame.slice(1)
      const kind = frame[0]
      const me = session()
      if (me === undefined) return
      pending++
      void (async () => {
        try {
          if (kind === STEP) {
            const { ack } = await me.receiveStep(body, Date.now())
            protocol.send(from, Uint8Array.of(ACK, ...ack))
          } else if (kind === ACK) {
            await me.receiveAck(body, from)
          }
        } finally {
          pending--
        }
      })()
    },
  })
  return {
    protocol,
    flush(to: PeerId) {
      for (const entry of session()?.outbox() ?? []) {
        for (const step of entry.steps)
          expect(protocol.send(to, Uint8Array.of(STEP, ...step))).toBe(true)
      }
    },
    idle: () => pending === 0,
  }
}

it('completes an escrow trade between two libp2p nodes over their peerkit link', async () => {
  const alice = await peer('tcp')
  const bob = await peer('tcp', { bootstrap: alice.libp2p.services.peerkit.addresses() })
  let sellerSession: EscrowSession | undefined
  let buyerSession: EscrowSession | undefined
  const seller = escrowOver(alice.node, () => sellerSession)
  const buyer = escrowOver(bob.node, () => buyerSession)
  await waitFor(
    'the escrow protocol on both sides',
    () => seller.protocol.peers().length === 1 && buyer.protocol.peers().length === 1,
  )

  const A = alice.signer.peerId.toString()
  const B = bob.signer.peerId.toString()
  const arbiter = identityFromSeed().signer
  const vault = createLedgerVault({ balances: { [A]: { BTC: 1_000_000n }, [B]: { BTC: 50_000n } } })
  const t = Date.now()
  const offer = await proposeTerms(tradeEscrow, alice.signer, {
    ...tradeEscrowTerms({
      seller: alice.signer.peerId,
      buyer: bob.signer.peerId,
      arbiter: arbiter.peerId,
      asset: 'BTC',
      amount: 100_000n,
      sellerBond: 10_000n,
      buyerBond: 5_000n,
      price: { currency: 'EUR', amount: 5_000n },
      fundBy: t + HOUR,
      payBy: t + 3 * HOUR,
      disputeBy: t + 24 * HOUR,
      resolveBy: t + 72 * HOUR,
    }),
    timestamp: t,
  })
  const terms = await acceptTerms(offer, bob.signer)
  const common = { definition: tradeEscrow, vault, terms, now: t }
  sellerSession = await createSession({
    ...common,
    signer: alice.signer,
    store: createMemoryStore(),
  })
  buyerSession = await createSession({ ...common, signer: bob.signer, store: createMemoryStore() })

  const settled = (): boolean =>
    seller.idle() &&
    buyer.idle() &&
    (sellerSession?.outbox().flatMap((entry) => entry.steps).length ?? 1) === 0 &&
    (buyerSession?.outbox().flatMap((entry) => entry.steps).length ?? 1) === 0
  await buyerSession.act('accept', null, Date.now())
  buyer.flush(alice.node.peerId)
  await waitFor('accept acknowledged', settled)
  await sellerSession.act('fund', null, Date.now())
  seller.flush(bob.node.peerId)
  await waitFor('fund acknowledged', settled)
  await buyerSession.act('markPaid', { note: 'SEPA PK-7731' }, Date.now())
  buyer.flush(alice.node.peerId)
  await waitFor('markPaid acknowledged', settled)
  await sellerSession.act('release', null, Date.now())
  seller.flush(bob.node.peerId)
  await waitFor('release acknowledged', settled)

  expect(sellerSession.state.name).toBe('released')
  expect(buyerSession.state.name).toBe('released')
  await buyerSession.settle()
  expect(vault.balance(B, 'BTC')).toBe(150_000n)
  // One libp2p connection and one peerkit stream carried gossip membership and the trade.
  expect(alice.libp2p.getConnections(bob.libp2p.peerId)).toHaveLength(1)
})

it('cuts off a peer that sends garbage on the peerkit protocol; its connection and the other peers carry on', async () => {
  const victim = await peer('tcp')
  const honest = await peer('tcp', { bootstrap: victim.libp2p.services.peerkit.addresses() })
  // The attacker is a plain libp2p node speaking peerkit's protocol id and a second one.
  const attacker = await startNode('tcp', identityFromSeed().seed, { autoLink: false })
  cleanups.push(async () => attacker.stop())
  await victim.libp2p.handle('/echo/1.0.0', (stream) => {
    stream.addEventListener('message', (event) => stream.send(event.data))
  })
  const delivered: unknown[] = []
  honest.node.gossip.subscribe('news', (message) => delivered.push(message.data))
  victim.node.gossip.subscribe('news', () => {})
  await waitFor('the honest link', () => victim.node.peers().length === 1)

  const target = multiaddr(victim.libp2p.services.peerkit.addresses()[0] as string)
  const bad = await attacker.dialProtocol(target, PEERKIT_PROTOCOL)
  const reset = new Promise<void>((resolve) => bad.addEventListener('close', () => resolve()))
  // A length prefix announcing 2^34 bytes: refused before anything is allocated.
  bad.send(Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x40))
  await reset
  expect(bad.status).not.toBe('open')

  // The same libp2p connection still runs its other protocols.
  const connection = attacker.getConnections(victim.libp2p.peerId)[0]
  expect(connection?.status).toBe('open')
  const echo = await attacker.dialProtocol(target, '/echo/1.0.0')
  const echoed = new Promise<number[]>((resolve) =>
    echo.addEventListener('message', (event) =>
      resolve([...(event as unknown as { data: { subarray(): Uint8Array } }).data.subarray()]),
    ),
  )
  echo.send(Uint8Array.of(7, 8, 9))
  expect(await echoed).toEqual([7, 8, 9])
  expect(attacker.getConnections(victim.libp2p.peerId)).toHaveLength(1)

  // The honest peer keeps receiving.
  await victim.node.gossip.publish('news', { still: 'here' })
  await waitFor('the honest delivery', () => delivered.length === 1)
  expect(delivered).toEqual([{ still: 'here' }])
  expect(victim.node.peers().map(String)).toEqual([honest.node.peerId.toString()])
})

it('a mixed network: libp2p-only and peerkit-TCP-only nodes reach each other through a bridge', async () => {
  const bridge = await peer('tcp', { transports: [tcp()], listen: ['tcp://127.0.0.1:0'] })
  const libp2pEntry = bridge.libp2p.services.peerkit.addresses()
  const tcpEntry = bridge.node.addresses().filter((address) => address.startsWith('tcp://'))
  expect(tcpEntry).toHaveLength(1)
  const libp2pOnly = await Promise.all([1, 2, 3].map(() => peer('tcp', { bootstrap: libp2pEntry })))
  const tcpOnly = await Promise.all(
    [1, 2, 3].map(() =>
      peer('tcp', {
        libp2p: false,
        transports: [tcp()],
        listen: ['tcp://127.0.0.1:0'],
        bootstrap: tcpEntry,
      }),
    ),
  )
  const everyone = [bridge, ...libp2pOnly, ...tcpOnly]
  const got = everyone.map(() => new Set<string>())
  everyone.forEach((member, index) => {
    member.node.gossip.subscribe('mixed', (message) => {
      got[index]?.add(String((message.data as { from: string }).from))
    })
  })
  await waitFor('every node linked', () =>
    everyone.every((member) => member.node.peers().length >= 1),
  )
  await new Promise((resolve) => setTimeout(resolve, 200))
  await (libp2pOnly[0] as PeerkitPeer).node.gossip.publish('mixed', { from: 'libp2p' })
  await (tcpOnly[0] as PeerkitPeer).node.gossip.publish('mixed', { from: 'tcp' })
  await waitFor('both messages everywhere', () =>
    got.every((set) => set.has('libp2p') && set.has('tcp')),
  )
})

it('a libp2p node that dialed and never subscribed publishes to the subscribers beyond its peer', async () => {
  const hub = await peer('tcp')
  const reader = await peer('tcp', { bootstrap: hub.libp2p.services.peerkit.addresses() })
  const got: unknown[] = []
  const relayed: unknown[] = []
  reader.node.gossip.subscribe('news', (message) => got.push(message.data))
  hub.node.gossip.subscribe('news', (message) => relayed.push(message.data))
  await waitFor('the reader linked', () => reader.node.peers().length === 1)
  await waitFor('the reader subscribed at the hub', () =>
    hub.node.gossip.router
      .activeView()
      .some(
        (p) =>
          p.equals(reader.node.peerId) && hub.node.gossip.router.peerTopics(p).includes('news'),
      ),
  )
  const writer = await peer('tcp')
  await writer.node.dial(hub.libp2p.services.peerkit.addresses()[0] as string)
  // The writer counts the hub as a neighbour as soon as it sends its join; it pushes to the
  // hub once the hub's subscription has reached it.
  await waitFor('the hub subscription at the writer', () =>
    writer.node.gossip.router
      .activeView()
      .some(
        (p) =>
          p.equals(hub.node.peerId) && writer.node.gossip.router.peerTopics(p).includes('news'),
      ),
  )
  expect(writer.node.gossip.router.topics()).toEqual([])
  await writer.node.gossip.publish('news', { n: 1 })
  await writer.node.gossip.publish('news', { n: 2 })
  await waitFor('both messages at the reader', () => got.length === 2)
  expect(got).toEqual([{ n: 1 }, { n: 2 }])
  expect(relayed).toEqual([{ n: 1 }, { n: 2 }])
})
