/**
 * Settlement attestation of trade receipts. A receipt both parties signed proves only that
 * two keys agreed, which two identities of one person can do at will; a rating counts when
 * a settlement authority that is not a party also countersigned the receipt. The vault
 * attests the trades it settled, the arbiter the disputes it ruled: each checks the receipt
 * against its own fold of the trade's log, and attests only an outcome that moved value.
 *
 * @example
 * const attested = await attestSettlement(bankSigner, foldedState, receipt, { now })
 * receiptAttestation(attested, new Set([bankSigner.peerId.toString()]), now) // the bank's id
 */
import { equalBytes } from '@peerkit/codec'
import { type EscrowState, isEscrowError, openReceipt, receiptPayload } from '@peerkit/escrow'
import type { Signer } from '@peerkit/identity'
import {
  attestReceipt,
  DEFAULT_COUNTED_OUTCOMES,
  isReputationError,
  openReceiptFor,
} from '@peerkit/reputation'
import { NotAttestableError, ReceiptMismatchError } from './errors'

/** Whether a terminal trade's outcome moved value between the parties (and earns a rating). */
export function movedValue(state: EscrowState): boolean {
  return (
    state.terminal &&
    (DEFAULT_COUNTED_OUTCOMES as readonly string[]).includes(state.outcome ?? state.name)
  )
}

/**
 * Countersigns a receipt as the settlement authority of its trade, after checking it
 * against the authority's own state of the trade: both parties signed it, it names the
 * same trade, parties, outcome and end time, and that outcome moved value.
 * @param authority - the vault's or the arbiter's signer (not a party of the trade)
 * @param state - the trade's state as the authority folded it (terminal)
 * @param receipt - the receipt both parties signed
 * @param options - the authority's clock
 * @returns the receipt with the authority's countersignature
 * @throws NotAttestableError when the trade has not ended, moved nothing, or the authority
 *   is one of its parties; ReceiptMismatchError when the receipt does not open, lacks a
 *   party's signature or says something else than the state
 * @example const attested = await attestSettlement(arbiter, session.state, receipt, { now })
 */
export async function attestSettlement(
  authority: Signer,
  state: EscrowState,
  receipt: Uint8Array,
  options: { readonly now: number },
): Promise<Uint8Array> {
  if (!state.terminal) throw new NotAttestableError(`the trade is in state '${state.name}'`)
  if (!movedValue(state))
    throw new NotAttestableError(`the outcome '${state.outcome ?? state.name}' moved nothing`)
  const expected = receiptPayload(state)
  let opened: ReturnType<typeof openReceipt>
  try {
    opened = openReceipt(receipt, { now: options.now })
  } catch (error) {
    if (isEscrowError(error))
      throw new ReceiptMismatchError('the receipt does not open with both parties', {
        cause: error,
      })
    throw error
  }
  const same =
    equalBytes(opened.trade, expected.trade as Uint8Array) &&
    opened.outcome === expected.outcome &&
    opened.at === expected.at &&
    opened.parties.every((p, i) => equalBytes(p.toBytes(), (expected.parties as Uint8Array[])[i]!))
  if (!same) throw new ReceiptMismatchError('the receipt does not say what the trade log says')
  if (opened.parties.some((p) => p.equals(authority.peerId)))
    throw new NotAttestableError('a party cannot attest its own trade')
  try {
    return await attestReceipt(authority, receipt, { now: options.now })
  } catch (error) {
    if (isReputationError(error))
      throw new ReceiptMismatchError('the receipt cannot be attested', { cause: error })
    throw error
  }
}

/**
 * The settlement authority that attested a receipt: the first signer among `authorities`
 * that is not a party.
 * @param receipt - a receipt both parties signed
 * @param authorities - trusted authorities, by peer id text
 * @param now - the clock (ms)
 * @returns the authority's peer id text, or undefined when none of them attested it (or
 *   the receipt does not open)
 * @example if (receiptAttestation(bytes, authorities, now) === undefined) askTheVault()
 */
export function receiptAttestation(
  receipt: Uint8Array,
  authorities: ReadonlySet<string>,
  now: number,
): string | undefined {
  if (authorities.size === 0) return undefined
  try {
    const { parties } = openReceipt(receipt, { now })
    const opened = openReceiptFor(receipt, parties[0], {
      now,
      maxSkewMs: Number.POSITIVE_INFINITY,
      maxAgeMs: Number.POSITIVE_INFINITY,
    })
    for (const signer of opened.signers) {
      if (opened.parties.some((p) => p.equals(signer))) continue
      const key = signer.toString()
      if (authorities.has(key)) return key
    }
    return undefined
  } catch (error) {
    if (isEscrowError(error) || isReputationError(error)) return undefined
    throw error
  }
}
