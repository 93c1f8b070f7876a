/**
 * Two nodes that gossip and complete an escrow trade over the same links: the offer goes by
 * gossip, the trade's steps and acknowledgements by a direct protocol.
 */
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
import { afterEach, expect, it } from 'vitest'
import type { Node, Protocol } from '../src/node'
import { createWorld, START, signerOf, type World } from './fixtures/nodes'

const HOUR = 3_600_000
const STEP = 0
const ACK = 1

let world: World | undefined
afterEach(async () => {
  await world?.stop()
  world = undefined
})

/** Runs a session's escrow traffic over a node's direct protocol. */
function escrowOver(node: Node, session: () => EscrowSession | undefined, now: () => number) {
  const work: Promise<unknown>[] = []
  const protocol: Protocol = node.protocol('/peerkit/escrow/1', {
    onFrame(peer, frame) {
      const copy = frame.slice(1)
      const kind = frame[0]
      const me = session()
      if (me === undefined) return
      work.push(
        (async () => {
          if (kind === STEP) {
            const { ack } = await me.receiveStep(copy, now())
            protocol.send(peer, Uint8Array.of(ACK, ...ack))
          } else if (kind === ACK) {
            await me.receiveAck(copy, peer)
          }
        })(),
      )
    },
  })
  return {
    protocol,
    flush(to: PeerId) {
      const me = session()
      for (const entry of me?.outbox() ?? []) {
        for (const step of entry.steps)
          expect(protocol.send(to, Uint8Array.of(STEP, ...step))).toBe(true)
      }
    },
    settled: () => Promise.all(work.splice(0)),
  }
}

it('two nodes gossip an offer and complete an escrow trade over the same links', async () => {
  world = createWorld(3)
  const aliceSigner = signerOf(1)
  const bobSigner = signerOf(2)
  const carol = signerOf(3)
  const alice = await world.node('alice', 1)
  const bob = await world.node('bob', 2, { bootstrap: ['memory://alice'] })
  const offers: unknown[] = []
  bob.gossip.subscribe('market/offers', (message) => offers.push(message.data))
  alice.gossip.subscribe('market/offers', () => {})
  await world.run(300)

  let sellerSession: EscrowSession | undefined
  let buyerSession: EscrowSession | undefined
  const now = () => world?.clock.now() ?? START
  const sellerWire = escrowOver(alice, () => sellerSession, now)
  const buyerWire = escrowOver(bob, () => buyerSession, now)
  await world.run(100)
  expect(sellerWire.protocol.peers().map(String)).toEqual([bob.peerId.toString()])

  await alice.gossip.publish('market/offers', { sell: '0.001 BTC', price: '50 EUR' })
  await world.run(200)
  expect(offers).toEqual([{ sell: '0.001 BTC', price: '50 EUR' }])

  const A = aliceSigner.peerId.toString()
  const B = bobSigner.peerId.toString()
  const vault = createLedgerVault({ balances: { [A]: { BTC: 1_000_000n }, [B]: { BTC: 50_000n } } })
  const t = now()
  const offer = await proposeTerms(tradeEscrow, aliceSigner, {
    ...tradeEscrowTerms({
      seller: aliceSigner.peerId,
      buyer: bobSigner.peerId,
      arbiter: carol.peerId,
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
  const terms = await acceptTerms(offer, bobSigner)
  sellerSession = await createSession({
    definition: tradeEscrow,
    signer: aliceSigner,
    store: createMemoryStore(),
    vault,
    terms,
    now: t,
  })
  buyerSession = await createSession({
    definition: tradeEscrow,
    signer: bobSigner,
    store: createMemoryStore(),
    vault,
    terms,
    now: t,
  })

  const exchange = async (): Promise<void> => {
    for (let i = 0; i < 4; i++) {
      await world?.run(50)
      await sellerWire.settled()
      await buyerWire.settled()
    }
  }
  await buyerSession.act('accept', null, now())
  buyerWire.flush(alice.peerId)
  await exchange()
  await sellerSession.act('fund', null, now())
  sellerWire.flush(bob.peerId)
  await exchange()
  await buyerSession.act('markPaid', { note: 'SEPA PK-7731' }, now())
  buyerWire.flush(alice.peerId)
  await exchange()
  await sellerSession.act('release', null, now())
  sellerWire.flush(bob.peerId)
  await exchange()

  expect(sellerSession.state.name).toBe('released')
  expect(buyerSession.state.name).toBe('released')
  // every step was acknowledged: nothing is left to resend
  expect(sellerSession.outbox().flatMap((entry) => entry.steps)).toHaveLength(0)
  expect(buyerSession.outbox().flatMap((entry) => entry.steps)).toHaveLength(0)
  await buyerSession.settle()
  expect(vault.balance(B, 'BTC')).toBe(150_000n)
  // one link carried both
  expect(alice.peers()).toHaveLength(1)
  expect(world.network.openLinks()).toBe(1)
})
