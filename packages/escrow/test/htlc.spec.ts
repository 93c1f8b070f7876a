import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  checkAtomicSwap,
  createLedgerVault,
  type EscrowState,
  hashLock,
  htlc,
  isEscrowError,
  openTrade,
  revealedPreimage,
  settle,
  startTrade,
} from '../src/index'
import {
  seller as alice,
  buyer as bob,
  HOUR,
  htlcTermsBytes,
  MINUTE,
  secret,
  T0,
} from './fixtures/parties'
import { attempt, snapshot, step, verdict } from './fixtures/run'

async function htlcStart(
  sender = alice,
  receiver = bob,
  lockBy = T0 + HOUR,
  claimBy = T0 + 4 * HOUR,
  asset = 'BTC',
): Promise<EscrowState> {
  return startTrade(
    htlc,
    openTrade(htlc, await htlcTermsBytes(sender, receiver, lockBy, claimBy, asset), { now: T0 }),
  )
}

describe('htlc', () => {
  it('lock then claim with the preimage reveals it and pays the receiver', async () => {
    let s = await step(await htlcStart(), alice, 'lock', T0 + MINUTE)
    expect(
      verdict(await attempt(s, bob, 'claim', T0 + 2 * MINUTE, { preimage: new Uint8Array(32) })),
    ).toBe('GuardRejectedError')
    expect(
      verdict(await attempt(s, bob, 'claim', T0 + 2 * MINUTE, { preimage: secret.slice(0, 31) })),
    ).toBe('GuardRejectedError')
    await expect(
      attempt(s, alice, 'claim', T0 + 2 * MINUTE, { preimage: secret }),
    ).rejects.toMatchObject({ name: 'NotMyRoleError' })
    expect(verdict(await attempt(s, alice, 'refund', T0 + 2 * MINUTE))).toBe('TooEarlyError')
    s = await step(s, bob, 'claim', T0 + 2 * MINUTE, { preimage: secret })
    expect(s.outcome).toBe('claimed')
    expect(revealedPreimage(s)).toEqual(secret)
    const vault = createLedgerVault({ balances: { [alice.peerId.toString()]: { BTC: 5_000n } } })
    await settle(s, vault)
    expect(vault.balance(bob.peerId.toString(), 'BTC')).toBe(5_000n)
  })

  it('refund after claimBy; a claim from then on is too late', async () => {
    let s = await step(await htlcStart(), alice, 'lock', T0 + MINUTE)
    expect(verdict(await attempt(s, bob, 'claim', T0 + 4 * HOUR, { preimage: secret }))).toBe(
      'TooLateError',
    )
    s = await step(s, bob, 'refund', T0 + 4 * HOUR)
    expect(s.outcome).toBe('refunded')
    expect(revealedPreimage(s)).toBeUndefined()
  })

  it('expire when never locked', async () => {
    const s0 = await htlcStart()
    expect(verdict(await attempt(s0, alice, 'lock', T0 + HOUR))).toBe('TooLateError')
    const s = await step(s0, bob, 'expire', T0 + HOUR)
    expect(s.outcome).toBe('expired')
    expect(s.ops).toEqual([])
  })

  it('checkAtomicSwap accepts a safe pair and refuses unsafe ones', async () => {
    const aToB = openTrade(htlc, await htlcTermsBytes(alice, bob, T0 + HOUR, T0 + 6 * HOUR), {
      now: T0,
    })
    const bToA = openTrade(
      htlc,
      await htlcTermsBytes(bob, alice, T0 + 2 * HOUR, T0 + 3 * HOUR, 'ETH'),
      { now: T0 },
    )
    expect(() => checkAtomicSwap(aToB, bToA, { minGapMs: HOUR })).not.toThrow()
    const name = (fn: () => void) => {
      try {
        fn()
        return 'ok'
      } catch (e) {
        return isEscrowError(e) ? e.name : 'untyped'
      }
    }
    expect(name(() => checkAtomicSwap(aToB, bToA, { minGapMs: 4 * HOUR }))).toBe(
      'InvalidTermsError',
    )
    expect(name(() => checkAtomicSwap(bToA, aToB, { minGapMs: HOUR }))).toBe('InvalidTermsError')
    expect(name(() => checkAtomicSwap(aToB, aToB, { minGapMs: 0 }))).toBe('InvalidTermsError')
    expect(() => hashLock(new Uint8Array(3))).toThrow(
      expect.objectContaining({ name: 'InvalidArgumentError' }),
    )
  })

  it('atomic swap: neither side can end with both assets', async () => {
    // alice knows the secret; she locks BTC for bob with the later deadline, bob locks ETH for her
    const a = alice.peerId.toString()
    const b = bob.peerId.toString()
    const runs: Array<'alice-claims' | 'alice-claims-late' | 'nobody-claims'> = [
      'alice-claims',
      'alice-claims-late',
      'nobody-claims',
    ]
    for (const run of runs) {
      const vault = createLedgerVault({ balances: { [a]: { BTC: 5_000n }, [b]: { ETH: 5_000n } } })
      let aToB = await htlcStart(alice, bob, T0 + HOUR, T0 + 6 * HOUR, 'BTC')
      let bToA = await htlcStart(bob, alice, T0 + 2 * HOUR, T0 + 3 * HOUR, 'ETH')
      checkAtomicSwap(aToB.trade, bToA.trade, { minGapMs: HOUR })
      aToB = await step(aToB, alice, 'lock', T0 + MINUTE)
      bToA = await step(bToA, bob, 'lock', T0 + 2 * MINUTE)
      if (run === 'alice-claims') {
        bToA = await step(bToA, alice, 'claim', T0 + 2 * HOUR, { preimage: secret })
        aToB = await step(aToB, bob, 'claim', T0 + 2 * HOUR + MINUTE, {
          preimage: revealedPreimage(bToA)!,
        })
      } else if (run === 'alice-claims-late') {
        // too late for alice: bob refunds, and bob can no longer learn anything to take the BTC
        expect(
          verdict(await attempt(bToA, alice, 'claim', T0 + 3 * HOUR, { preimage: secret })),
        ).toBe('TooLateError')
        bToA = await step(bToA, bob, 'refund', T0 + 3 * HOUR)
        aToB = await step(aToB, alice, 'refund', T0 + 6 * HOUR)
      } else {
        bToA = await step(bToA, bob, 'refund', T0 + 3 * HOUR)
        expect(
          verdict(
            await attempt(aToB, bob, 'claim', T0 + 5 * HOUR, { preimage: new Uint8Array(32) }),
          ),
        ).toBe('GuardRejectedError')
        aToB = await step(aToB, alice, 'refund', T0 + 6 * HOUR)
      }
      await settle(aToB, vault)
      await settle(bToA, vault)
      const holdings = {
        alice: [vault.balance(a, 'BTC'), vault.balance(a, 'ETH')],
        bob: [vault.balance(b, 'BTC'), vault.balance(b, 'ETH')],
      }
      expect(vault.totals()).toEqual(
        new Map([
          ['BTC', 5_000n],
          ['ETH', 5_000n],
        ]),
      )
      for (const [btc, eth] of Object.values(holdings)) expect(btc! > 0n && eth! > 0n).toBe(false)
      if (run === 'alice-claims')
        expect(holdings).toEqual({ alice: [0n, 5_000n], bob: [5_000n, 0n] })
      else expect(holdings).toEqual({ alice: [5_000n, 0n], bob: [0n, 5_000n] })
    }
  })
})

describe('htlc property', () => {
  it('any sequence of attempts ends claimed xor refunded, conserving the asset', async () => {
    const start = await htlcStart()
    const lockBy = T0 + HOUR
    const claimBy = T0 + 4 * HOUR
    const attemptArb = fc.record({
      who: fc.constantFrom('alice', 'bob'),
      action: fc.constantFrom('lock', 'claim', 'refund', 'expire'),
      at: fc.constantFrom(T0, lockBy - 1, lockBy, claimBy - 1, claimBy, claimBy + HOUR),
      goodPreimage: fc.boolean(),
    })
    await fc.assert(
      fc.asyncProperty(fc.array(attemptArb, { maxLength: 8 }), async (attempts) => {
        let s = start
        for (const a of attempts) {
          const signer = a.who === 'alice' ? alice : bob
          const body =
            a.action === 'claim' ? { preimage: a.goodPreimage ? secret : new Uint8Array(32) } : null
          const before = snapshot(s)
          let r: Awaited<ReturnType<typeof attempt>>
          try {
            r = await attempt(s, signer, a.action, a.at, body)
          } catch (error) {
            expect(isEscrowError(error, 'NotMyRoleError')).toBe(true)
            continue
          }
          expect(snapshot(s)).toEqual(before)
          if (r.ok) {
            if (a.action === 'claim') expect(a.at < claimBy && a.goodPreimage).toBe(true)
            if (a.action === 'refund') expect(a.at >= claimBy).toBe(true)
            s = r.state
          }
        }
        const vault = createLedgerVault({
          balances: { [alice.peerId.toString()]: { BTC: 5_000n } },
        })
        await settle(s, vault)
        expect(vault.totals().get('BTC')).toBe(5_000n)
        const bobGot = vault.balance(bob.peerId.toString(), 'BTC')
        if (s.outcome === 'claimed') expect([bobGot, revealedPreimage(s)]).toEqual([5_000n, secret])
        else expect(bobGot).toBe(0n)
        if (s.outcome === 'refunded')
          expect(vault.balance(alice.peerId.toString(), 'BTC')).toBe(5_000n)
      }),
      { numRuns: 60 },
    )
  })
})
