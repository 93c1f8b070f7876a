/**
 * Deadline steps (`expire`, `reclaim`, …) and the other party's steps in flight: a peer
 * that comes back after a deadline first learns what the other party holds, so it never
 * signs a deadline step beside a step the other signed in time (a fork).
 */
import { type Clock, systemClock } from '@peerkit/net'
import { afterEach, describe, expect, it } from 'vitest'
import type { PublishInit } from '../src/index'
import { createNet, type Net, type Peer, until } from './fixtures/network'
import { MINUTE, signer, WINDOWS } from './fixtures/offers'

const alice = signer(31)
const bob = signer(32)
const carol = signer(33)
const BALANCES = Object.fromEntries(
  [alice, bob].map((s) => [s.peerId.toString(), { BTC: 1_000_000n }]),
)
const SALE: PublishInit = {
  side: 'sell',
  asset: 'BTC',
  amount: 100_000n,
  currency: 'EUR',
  price: 50_00n,
  payment: ['sepa'],
  arbiters: [carol.peerId],
  bond: { seller: 10_000n, buyer: 5_000n },
  windows: WINDOWS,
}

/** The system clock, moved ahead by `shift.ms`. */
function shifted(shift: { ms: number }): Clock {
  const base = systemClock()
  return { ...base, now: () => base.now() + shift.ms }
}

const stateOf = (peer: Peer, trade: string) => peer.market.trades().get(trade)?.state.name

let net: Net | undefined
afterEach(async () => {
  await net?.stopAll()
  net = undefined
})

/** Alice sells, Bob takes and accepts; returns the trade id. */
async function accepted(n: Net, clock: Clock): Promise<{ a: Peer; b: Peer; id: string }> {
  const a = await n.start('a', alice, { clock, syncTimeoutMs: 500 })
  const b = await n.start('b', bob, { clock, syncTimeoutMs: 500 })
  await a.market.publish(SALE)
  await until('bob sees the offer', () => b.market.offers().length === 1)
  const session = await b.market.take(b.market.offers()[0]!)
  const id = session.trade.idText
  await b.market.act(id, 'accept')
  await until('accepted', () => stateOf(a, id) === 'accepted')
  return { a, b, id }
}

describe('deadline steps wait for the other party', () => {
  it('a buyer back after the funding deadline gets the funding first and does not expire the trade', async () => {
    net = createNet(BALANCES)
    const shift = { ms: 0 }
    const clock = shifted(shift)
    const { a, b, id } = await accepted(net, clock)
    // bob goes away; alice funds in time: the step waits in her outbox
    await b.market.close()
    await b.node.stop()
    await until('alice sees bob gone', () => a.node.peers().length === 0)
    await a.market.act(id, 'fund')
    // bob is back only after the deadline, and at once tries to expire the trade
    shift.ms = 11 * MINUTE
    await net.restart(b, { clock, syncTimeoutMs: 2_000 })
    expect(stateOf(b, id)).toBe('accepted')
    await expect(b.market.act(id, 'expire')).rejects.toMatchObject({
      name: 'TransitionNotAllowedError',
    })
    // the sync brought the funding first: one log on both sides
    expect(stateOf(b, id)).toBe('funded')
    expect(a.market.trades().get(id)!.diverged).toEqual([])
    expect(b.market.trades().get(id)!.steps).toEqual(a.market.trades().get(id)!.steps)
  })

  it('a deadline step waits while the other party is silent, and goes ahead once the grace is over', async () => {
    net = createNet(BALANCES)
    const shift = { ms: 0 }
    const clock = shifted(shift)
    const { a, b, id } = await accepted(net, clock)
    // alice goes silent without funding; the deadline passes
    await a.market.close()
    await a.node.stop()
    shift.ms = 11 * MINUTE
    // bob comes back after the deadline: alice does not answer, and bob's market is new
    await net.restart(b, { clock, syncTimeoutMs: 300 })
    await expect(b.market.act(id, 'expire')).rejects.toMatchObject({ name: 'OutOfSyncError' })
    expect(stateOf(b, id)).toBe('accepted')
    // a market that has run for its grace no longer waits for a party that does not answer
    await net.restart(b, { clock, syncTimeoutMs: 300, syncGraceMs: 0 })
    await b.market.act(id, 'expire')
    expect(stateOf(b, id)).toBe('expired')
  })

  it('sync answers true at once when the other party holds the same log', async () => {
    net = createNet(BALANCES)
    const { a, b, id } = await accepted(net, systemClock())
    expect(await b.market.sync(id)).toBe(true)
    expect(await a.market.sync(id)).toBe(true)
  })
})
