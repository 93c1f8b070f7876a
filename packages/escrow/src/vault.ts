/**
 * The custody side of an escrow. A machine's transitions name the vault operations
 * they imply (lock the seller's amount, release it to the buyer, refund it); anyone
 * holding the log can execute them against a `Vault`, and the idempotency key of each
 * operation makes executing it twice (after a crash, or by both parties) harmless.
 *
 * @example
 * const vault = createLedgerVault({ balances: { alice: { BTC: 10n } } })
 * await settle(state, vault)        // runs every operation the log implies, once
 */

/** Moves `amount` of `asset` from account `from` into a new lock `lock`. */
export interface LockRequest {
  readonly key: string
  readonly lock: string
  readonly from: string
  readonly asset: string
  readonly amount: bigint
}

/** Pays `amount` out of lock `lock` to account `to`. */
export interface ReleaseRequest {
  readonly key: string
  readonly lock: string
  readonly to: string
  readonly amount: bigint
}

/** Pays `amount` out of lock `lock` back to the account that locked it. */
export interface RefundRequest {
  readonly key: string
  readonly lock: string
  readonly amount: bigint
}

/**
 * Custody of escrowed assets. Each call carries an idempotency key: repeating a call
 * with the same key and the same request succeeds without effect; reusing a key for a
 * different request is an error. Implementations must never pay out more than a lock
 * holds. Applications plug in a chain, a payment provider or `createLedgerVault`.
 */
export interface Vault {
  lock(request: LockRequest): Promise<void>
  release(request: ReleaseRequest): Promise<void>
  refund(request: RefundRequest): Promise<void>
}

/**
 * A vault operation a transition implies, in terms of roles and named locks; the
 * kit turns it into a request with accounts, a lock id and an idempotency key.
 */
export type VaultOp =
  | {
      readonly kind: 'lock'
      readonly lock: string
      readonly from: string
      readonly asset: string
      readonly amount: bigint
    }
  | {
      readonly kind: 'release'
      readonly lock: string
      readonly to: string
      readonly amount: bigint
    }
  | { readonly kind: 'refund'; readonly lock: string; readonly amount: bigint }

/** A vault operation bound to one trade and one step: ready to execute. */
export type BoundVaultOp =
  | ({ readonly kind: 'lock' } & LockRequest)
  | ({ readonly kind: 'release' } & ReleaseRequest)
  | ({ readonly kind: 'refund' } & RefundRequest)
