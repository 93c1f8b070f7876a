/**
 * `settle`: executes against a vault every operation a trade's log implies. Each
 * operation carries an idempotency key derived from the trade id and the step, so
 * settling again — after a crash, on a timer, or by the other party against the same
 * vault — never moves value twice.
 *
 * @example
 * await settle(state, vault)                            // everything
 * await settle(state, vault, { only: (op) => op.kind === 'lock' })
 */
import type { EscrowState } from './state'
import type { BoundVaultOp, Vault } from './vault'

/** Options of `settle`. */
export interface SettleOptions {
  /** Runs only the operations this returns true for. */
  readonly only?: (op: BoundVaultOp) => boolean
  /** Skips the first `from` operations (those known to be done already). */
  readonly from?: number
}

/**
 * Executes a trade's vault operations, in log order.
 * @param state - the trade's state
 * @param vault - the custody
 * @param options - a filter, and how many operations to skip
 * @returns how many operations were run (including idempotent repeats)
 * @throws whatever the vault throws (for example `InsufficientFundsError`); settling again later resumes
 * @example await settle(state, vault)
 */
export async function settle(
  state: EscrowState,
  vault: Vault,
  options: SettleOptions = {},
): Promise<number> {
  let ran = 0
  for (let i = options.from ?? 0; i < state.ops.length; i++) {
    const op = state.ops[i]!
    if (options.only !== undefined && !options.only(op)) continue
    if (op.kind === 'lock') await vault.lock(op)
    else if (op.kind === 'release') await vault.release(op)
    else await vault.refund(op)
    ran++
  }
  return ran
}
