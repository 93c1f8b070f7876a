import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createLedgerVault, isEscrowError } from '../src/index'

const accounts = ['alice', 'bob', 'carol']

describe('ledger vault', () => {
  it('locks, releases and refunds, and repeats by key are no-ops', async () => {
    const v = createLedgerVault({ balances: { alice: { BTC: 10n } } })
    await v.lock({ key: 'k1', lock: 'L', from: 'alice', asset: 'BTC', amount: 6n })
    await v.lock({ key: 'k1', lock: 'L', from: 'alice', asset: 'BTC', amount: 6n })
    expect(v.balance('alice', 'BTC')).toBe(4n)
    await v.release({ key: 'k2', lock: 'L', to: 'bob', amount: 4n })
    await v.release({ key: 'k2', lock: 'L', to: 'bob', amount: 4n })
    await v.refund({ key: 'k3', lock: 'L', amount: 2n })
    expect([v.balance('alice', 'BTC'), v.balance('bob', 'BTC')]).toEqual([6n, 4n])
    expect(v.lockOf('L')).toMatchObject({ remaining: 0n, released: 4n, refunded: 2n })
    expect(v.journal.length).toBe(3)
  })

  it('refuses with typed errors and changes nothing', async () => {
    const v = createLedgerVault({ balances: { alice: { BTC: 10n } } })
    await v.lock({ key: 'k1', lock: 'L', from: 'alice', asset: 'BTC', amount: 6n })
    const cases: Array<[() => Promise<void>, string]> = [
      [
        () => v.lock({ key: 'k9', lock: 'M', from: 'alice', asset: 'BTC', amount: 5n }),
        'InsufficientFundsError',
      ],
      [
        () => v.lock({ key: 'k9', lock: 'L', from: 'alice', asset: 'BTC', amount: 1n }),
        'LockExistsError',
      ],
      [
        () => v.lock({ key: 'k1', lock: 'L', from: 'alice', asset: 'BTC', amount: 5n }),
        'IdempotencyConflictError',
      ],
      [() => v.release({ key: 'k9', lock: 'L', to: 'bob', amount: 7n }), 'OverdrawnLockError'],
      [() => v.release({ key: 'k9', lock: 'X', to: 'bob', amount: 1n }), 'UnknownLockError'],
      [() => v.refund({ key: 'k1', lock: 'L', amount: 1n }), 'IdempotencyConflictError'],
      [() => v.refund({ key: 'k9', lock: 'L', amount: 0n }), 'InvalidArgumentError'],
      [() => v.refund({ key: '', lock: 'L', amount: 1n }), 'InvalidArgumentError'],
    ]
    for (const [run, name] of cases) {
      await expect(run()).rejects.toMatchObject({ name })
    }
    expect(v.balance('alice', 'BTC')).toBe(4n)
    expect(v.lockOf('L')!.remaining).toBe(6n)
    expect(v.journal.length).toBe(1)
    expect(() => createLedgerVault({ balances: { a: { BTC: -1n } } })).toThrow(
      expect.objectContaining({ name: 'InvalidArgumentError' }),
    )
  })

  it('property: any sequence of operations conserves every asset and never overdraws', async () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('lock'),
        key: fc.nat(20),
        lock: fc.nat(5),
        from: fc.constantFrom(...accounts),
        asset: fc.constantFrom('BTC', 'ETH'),
        amount: fc.bigInt(0n, 40n),
      }),
      fc.record({
        kind: fc.constant('release'),
        key: fc.nat(20),
        lock: fc.nat(5),
        to: fc.constantFrom(...accounts),
        amount: fc.bigInt(0n, 40n),
      }),
      fc.record({
        kind: fc.constant('refund'),
        key: fc.nat(20),
        lock: fc.nat(5),
        amount: fc.bigInt(0n, 40n),
      }),
    )
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 40 }), async (ops) => {
        const v = createLedgerVault({
          balances: { alice: { BTC: 50n, ETH: 50n }, bob: { BTC: 50n } },
        })
        const totals = v.totals()
        for (const o of ops) {
          const request = { ...o, key: `k${o.key}`, lock: `L${o.lock}` } as never
          try {
            if (o.kind === 'lock') await v.lock(request)
            else if (o.kind === 'release') await v.release(request)
            else await v.refund(request)
          } catch (error) {
            expect(isEscrowError(error)).toBe(true)
          }
          expect(v.totals()).toEqual(totals)
          for (const id of v.locks()) {
            const lock = v.lockOf(id)!
            expect(
              lock.remaining >= 0n &&
                lock.remaining + lock.released + lock.refunded === lock.amount,
            ).toBe(true)
          }
          for (const a of accounts)
            for (const asset of ['BTC', 'ETH']) expect(v.balance(a, asset) >= 0n).toBe(true)
        }
      }),
      { numRuns: 200 },
    )
  })
})
