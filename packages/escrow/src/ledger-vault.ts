/**
 * An in-memory ledger vault: accounts hold balances per asset, locks hold escrowed
 * amounts, and every operation moves value without creating or destroying any (the
 * total of each asset over accounts and locks never changes). Idempotency keys make a
 * repeated call a no-op and a reused key for another request an error. For tests,
 * simulations and examples; a real deployment plugs in a chain or payment provider.
 *
 * @example
 * const vault = createLedgerVault({ balances: { alice: { BTC: 10n } } })
 * await vault.lock({ key: 'k1', lock: 'trade/amount', from: 'alice', asset: 'BTC', amount: 4n })
 * vault.balance('alice', 'BTC') // 6n
 */
import { isRecord } from './assert'
import {
  IdempotencyConflictError,
  InsufficientFundsError,
  InvalidArgumentError,
  LockExistsError,
  OverdrawnLockError,
  UnknownLockError,
} from './errors'
import type { BoundVaultOp, LockRequest, RefundRequest, ReleaseRequest, Vault } from './vault'

/** A lock's contents. */
export interface LedgerLock {
  readonly owner: string
  readonly asset: string
  /** What was locked. */
  readonly amount: bigint
  /** What is left after payouts. */
  readonly remaining: bigint
  /** Total paid out to someone other than the owner. */
  readonly released: bigint
  /** Total paid back to the owner. */
  readonly refunded: bigint
}

/** The in-memory ledger vault. */
export interface LedgerVault extends Vault {
  /** An account's balance of an asset. */
  balance(account: string, asset: string): bigint
  /** A lock's contents, or undefined. */
  lockOf(lock: string): LedgerLock | undefined
  /** Every lock id. */
  locks(): string[]
  /** The total of each asset over all accounts and locks (constant over the vault's life). */
  totals(): Map<string, bigint>
  /** Every operation performed (idempotent repeats excluded), in order. */
  readonly journal: readonly BoundVaultOp[]
}

/** Options of `createLedgerVault`. */
export interface LedgerVaultInit {
  /** Opening balances: account → asset → amount. */
  readonly balances?: Readonly<Record<string, Readonly<Record<string, bigint>>>>
}

function assertAmount(value: unknown, argument: string): asserts value is bigint {
  if (typeof value !== 'bigint' || value <= 0n)
    throw new InvalidArgumentError(`${argument} must be a positive bigint`)
}

function assertText(value: unknown, argument: string): asserts value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 512) {
    throw new InvalidArgumentError(`${argument} must be a string of 1 to 512 characters`)
  }
}

function sameRequest(a: BoundVaultOp, b: BoundVaultOp): boolean {
  const ka = Object.keys(a)
  if (ka.length !== Object.keys(b).length) return false
  return ka.every(
    (k) =>
      (a as unknown as Record<string, unknown>)[k] === (b as unknown as Record<string, unknown>)[k],
  )
}

/**
 * Creates an in-memory ledger vault.
 * @param init - opening balances
 * @returns the vault
 * @throws {InvalidArgumentError} for a negative opening balance
 * @example const vault = createLedgerVault({ balances: { [seller.toString()]: { BTC: 1_000_000n } } })
 */
export function createLedgerVault(init: LedgerVaultInit = {}): LedgerVault {
  const accounts = new Map<string, Map<string, bigint>>()
  const locks = new Map<
    string,
    {
      owner: string
      asset: string
      amount: bigint
      remaining: bigint
      released: bigint
      refunded: bigint
    }
  >()
  const done = new Map<string, BoundVaultOp>()
  const journal: BoundVaultOp[] = []

  const balance = (account: string, asset: string): bigint =>
    accounts.get(account)?.get(asset) ?? 0n
  const credit = (account: string, asset: string, amount: bigint): void => {
    let row = accounts.get(account)
    if (row === undefined) {
      row = new Map()
      accounts.set(account, row)
    }
    row.set(asset, (row.get(asset) ?? 0n) + amount)
  }
  for (const [account, assets] of Object.entries(init.balances ?? {})) {
    if (!isRecord(assets))
      throw new InvalidArgumentError('balances must map accounts to assets to amounts')
    for (const [asset, amount] of Object.entries(assets)) {
      if (typeof amount !== 'bigint' || amount < 0n)
        throw new InvalidArgumentError('opening balances must be non-negative bigints')
      credit(account, asset, amount)
    }
  }

  /** Runs `op` once per key; `check` throws before anything changes. */
  function once(op: BoundVaultOp, run: () => void): Promise<void> {
    const previous = done.get(op.key)
    if (previous !== undefined) {
      if (!sameRequest(previous, op)) {
        return Promise.reject(
          new IdempotencyConflictError(`key '${op.key}' was used for another request`),
        )
      }
      return Promise.resolve()
    }
    try {
      run()
    } catch (error) {
      return Promise.reject(error)
    }
    done.set(op.key, op)
    journal.push(op)
    return Promise.resolve()
  }

  function payout(
    op: BoundVaultOp & { lock: string; amount: bigint },
    to: string | undefined,
  ): void {
    const lock = locks.get(op.lock)
    if (lock === undefined) throw new UnknownLockError(`no lock '${op.lock}'`)
    if (op.amount > lock.remaining)
      throw new OverdrawnLockError(`lock '${op.lock}' holds ${lock.remaining}, not ${op.amount}`)
    lock.remaining -= op.amount
    if (to === undefined) {
      lock.refunded += op.amount
      credit(lock.owner, lock.asset, op.amount)
    } else {
      lock.released += op.amount
      credit(to, lock.asset, op.amount)
    }
  }

  return {
    async lock(request: LockRequest) {
      assertText(request?.key, 'request.key')
      assertText(request.lock, 'request.lock')
      assertText(request.from, 'request.from')
      assertText(request.asset, 'request.asset')
      assertAmount(request.amount, 'request.amount')
      const op: BoundVaultOp = {
        kind: 'lock',
        key: request.key,
        lock: request.lock,
        from: request.from,
        asset: request.asset,
        amount: request.amount,
      }
      return once(op, () => {
        if (locks.has(request.lock)) throw new LockExistsError(`lock '${request.lock}' exists`)
        const have = balance(request.from, request.asset)
        if (have < request.amount) {
          throw new InsufficientFundsError(
            `'${request.from}' holds ${have} ${request.asset}, needs ${request.amount}`,
          )
        }
        accounts.get(request.from)!.set(request.asset, have - request.amount)
        locks.set(request.lock, {
          owner: request.from,
          asset: request.asset,
          amount: request.amount,
          remaining: request.amount,
          released: 0n,
          refunded: 0n,
        })
      })
    },
    async release(request: ReleaseRequest) {
      assertText(request?.key, 'request.key')
      assertText(request.lock, 'request.lock')
      assertText(request.to, 'request.to')
      assertAmount(request.amount, 'request.amount')
      const op: BoundVaultOp = {
        kind: 'release',
        key: request.key,
        lock: request.lock,
        to: request.to,
        amount: request.amount,
      }
      return once(op, () => payout(op, request.to))
    },
    async refund(request: RefundRequest) {
      assertText(request?.key, 'request.key')
      assertText(request.lock, 'request.lock')
      assertAmount(request.amount, 'request.amount')
      const op: BoundVaultOp = {
        kind: 'refund',
        key: request.key,
        lock: request.lock,
        amount: request.amount,
      }
      return once(op, () => payout(op, undefined))
    },
    balance,
    lockOf(id: string) {
      const lock = locks.get(id)
      return lock === undefined ? undefined : { ...lock }
    },
    locks() {
      return [...locks.keys()]
    },
    totals() {
      const totals = new Map<string, bigint>()
      for (const row of accounts.values()) {
        for (const [asset, amount] of row) totals.set(asset, (totals.get(asset) ?? 0n) + amount)
      }
      for (const lock of locks.values())
        totals.set(lock.asset, (totals.get(lock.asset) ?? 0n) + lock.remaining)
      return totals
    },
    journal,
  }
}
