/**
 * Receipts of completed trades: an envelope (domain `peerkit/escrow/receipt/1`) signed
 * by one party and countersigned by the other, naming the trade, both parties, the
 * outcome and when the trade ended. Reputation systems count only trades with a
 * receipt both parties signed. Both parties derive the same payload from the same
 * terminal state, so either can make it and the other checks it against its own state.
 *
 * @example
 * const half = await makeReceipt(state, seller)
 * const receipt = await countersignReceipt(half, buyerState, buyer)
 * openReceipt(receipt, { now }).outcome // 'released'
 */
import { equalBytes, type Value } from '@peerkit/codec'
import { type PeerId, peerIdFromBytes, type Signer } from '@peerkit/identity'
import { assertBytes, assertSafeTime, isBytes } from './assert'
import { DEFAULT_MAX_SKEW_MS, MAX_TERMS_BYTES, PAYLOAD_VERSION, RECEIPT_DOMAIN } from './constants'
import {
  InvalidArgumentError,
  InvalidTermsError,
  isEscrowError,
  NotMyRoleError,
  NotTerminalError,
} from './errors'
import { field, intField, mapOf, stringField } from './fields'
import { assertState, type EscrowState } from './state'
import { cosignEnvelope, openEnvelope, openFirst, sealEnvelope } from './step-envelope'

/** An opened receipt. */
export interface Receipt {
  /** Content id bytes of the trade's terms envelope. */
  readonly trade: Uint8Array
  /** The two parties, in the terms' role order. */
  readonly parties: readonly [PeerId, PeerId]
  readonly outcome: string
  /** When the trade ended: the final step's timestamp (ms). */
  readonly at: number
  /** Envelope id bytes of the receipt. */
  readonly id: Uint8Array
}

/**
 * The receipt payload of a terminal trade.
 * @throws {NotTerminalError} when the trade has not ended
 * @throws {InvalidArgumentError} when the machine does not have exactly two parties
 */
export function receiptPayload(state: EscrowState): Record<string, Value> {
  assertState(state, 'state')
  if (!state.terminal || state.last === undefined)
    throw new NotTerminalError(`the trade is in state '${state.name}'`)
  const parties = state.definition.parties
  if (parties.length !== 2)
    throw new InvalidArgumentError('receipts are for machines with two parties')
  return {
    v: PAYLOAD_VERSION,
    trade: state.trade.id.bytes,
    parties: parties.map((role) => state.trade.roles[role]!.toBytes()),
    outcome: state.outcome!,
    at: state.last.timestamp,
  }
}

/**
 * Makes a receipt of a terminal trade, signed by one party.
 * @param state - the trade's terminal state
 * @param signer - one of the two parties
 * @returns the receipt envelope, for the other party to `countersignReceipt`
 * @throws {NotTerminalError} when the trade has not ended
 * @throws {NotMyRoleError} when the signer is not a party
 * @example const half = await makeReceipt(state, seller)
 */
export async function makeReceipt(state: EscrowState, signer: Signer): Promise<Uint8Array> {
  const payload = receiptPayload(state)
  if (!isParty(state, signer))
    throw new NotMyRoleError('only a party of the trade signs its receipt')
  return sealEnvelope(signer, RECEIPT_DOMAIN, payload, payload.at as number)
}

function isParty(state: EscrowState, signer: Signer): boolean {
  return state.definition.parties.some((role) =>
    equalBytes(state.trade.roles[role]!.publicKey, signer.publicKey),
  )
}

/**
 * Countersigns the other party's receipt after checking it says what this party's own
 * state says (same trade, parties, outcome and end time).
 * @param receipt - the receipt signed by the other party
 * @param state - this party's terminal state of the trade
 * @param signer - this party
 * @returns the receipt signed by both parties
 * @throws {InvalidTermsError} when the receipt does not match the state or does not open
 * @example const receipt = await countersignReceipt(half, myState, me)
 */
export async function countersignReceipt(
  receipt: Uint8Array,
  state: EscrowState,
  signer: Signer,
): Promise<Uint8Array> {
  assertBytes(receipt, 'receipt', MAX_TERMS_BYTES)
  const expected = receiptPayload(state)
  if (!isParty(state, signer))
    throw new NotMyRoleError('only a party of the trade signs its receipt')
  const opened = openReceipt(receipt, { now: expected.at as number, threshold: 1 })
  const same =
    equalBytes(opened.trade, expected.trade as Uint8Array) &&
    opened.outcome === expected.outcome &&
    opened.at === expected.at &&
    opened.parties.every((p, i) => equalBytes(p.toBytes(), (expected.parties as Uint8Array[])[i]!))
  if (!same) throw new InvalidTermsError('the receipt does not match this trade state')
  return cosignEnvelope(receipt, signer)
}

/** Options of `openReceipt`. */
export interface OpenReceiptOptions {
  readonly now: number
  readonly maxSkewMs?: number
  /** Signatures required from the two parties (default 2). */
  readonly threshold?: 1 | 2
}

/**
 * Opens a receipt and checks that both parties signed it.
 * @param receipt - the receipt envelope
 * @param options - the clock, the skew tolerance and the signatures required
 * @returns the receipt's contents
 * @throws {InvalidTermsError} when it is malformed or lacks a party's signature
 * @example const { outcome, parties } = openReceipt(bytes, { now })
 */
export function openReceipt(receipt: Uint8Array, options: OpenReceiptOptions): Receipt {
  assertSafeTime(options?.now, 'options.now')
  const maxSkewMs = options.maxSkewMs ?? DEFAULT_MAX_SKEW_MS
  if (!isBytes(receipt) || receipt.length > MAX_TERMS_BYTES)
    throw new InvalidTermsError('a receipt is at most 16 KiB')
  try {
    const first = openFirst(receipt, RECEIPT_DOMAIN, options.now, maxSkewMs)
    const record = mapOf(first.payload)
    const list = record && field(record, 'parties')
    const trade = record && field(record, 'trade')
    const outcome = record && stringField(record, 'outcome', 64)
    const at = record && intField(record, 'at')
    if (
      record === undefined ||
      field(record, 'v') !== PAYLOAD_VERSION ||
      Object.keys(record).length !== 5
    ) {
      throw new InvalidTermsError('not a receipt payload')
    }
    if (
      !Array.isArray(list) ||
      list.length !== 2 ||
      !isBytes(trade) ||
      outcome === undefined ||
      at === undefined
    ) {
      throw new InvalidTermsError('not a receipt payload')
    }
    const parties = [
      peerIdFromBytes(list[0] as Uint8Array),
      peerIdFromBytes(list[1] as Uint8Array),
    ] as const
    if (parties[0].equals(parties[1]))
      throw new InvalidTermsError('a receipt names two different parties')
    const opened = openEnvelope(
      receipt,
      RECEIPT_DOMAIN,
      parties,
      options.threshold ?? 2,
      options.now,
      maxSkewMs,
    )
    return { trade, parties, outcome, at, id: opened.id }
  } catch (error) {
    if (isEscrowError(error, 'InvalidTermsError')) throw error
    throw new InvalidTermsError('the receipt does not open', { cause: error })
  }
}
