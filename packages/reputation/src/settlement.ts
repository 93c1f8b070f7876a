/**
 * Settlement attestation and the weight of repeated ratings. A receipt both parties signed
 * proves only that two keys agreed; two Sybils can sign any number of them. A rating counts
 * when a settlement authority the verifier trusts (the arbiter of the trade, or the signer
 * of the vault that moved the value) also countersigned the receipt, which it does only for
 * a trade it saw settle. And the k-th rating one rater gives the same ratee weighs `1/k`,
 * so n ratings of one pair weigh `H(n) <= 1 + ln n` together.
 *
 * @example
 * const attested = await attestReceipt(arbiter, receipt, { now })
 * repeatWeight(3) // 1/3
 */
import { countersign, isEnvelopeError, open, type VerifyCache } from '@peerkit/envelope'
import type { PeerId, Signer } from '@peerkit/identity'
import { assertBytes, assertTime, isRecord } from './assert'
import {
  DEFAULT_MAX_SKEW_MS,
  DEFAULT_RECEIPT_MAX_AGE_MS,
  MAX_RECEIPT_BYTES,
  RECEIPT_DOMAIN,
} from './constants'
import { InvalidArgumentError, InvalidReceiptError, UnattestedReceiptError } from './errors'
import { type OpenedReceipt, openReceiptFor } from './receipt'

/** Options of `attestReceipt`. */
export interface AttestOptions {
  /** The authority's clock (ms). */
  readonly now: number
  /** How far ahead of `now` the receipt may be dated (default 5 min). */
  readonly maxSkewMs?: number
  /** Oldest receipt attested (default one year). */
  readonly maxAgeMs?: number
  readonly cache?: VerifyCache | undefined
}

/**
 * The weight of the k-th rating (k >= 1) one rater gives the same ratee: `1/k`.
 * @param k - the rating's rank among that pair's ratings the ledger keeps
 * @returns its weight in (0, 1]
 * @example repeatWeight(1) // 1
 */
export function repeatWeight(k: number): number {
  if (!Number.isSafeInteger(k) || k < 1)
    throw new InvalidArgumentError('k', 'k must be an integer >= 1')
  return 1 / k
}

/**
 * Countersigns a receipt as the settlement authority of its trade. The receipt must open
 * and carry both parties' signatures; the authority must not be one of them. Call it only
 * for a trade this authority saw settle with the receipt's outcome (the vault moved the
 * value, or the arbiter ruled): the attestation is what makes the receipt count.
 * @param authority - the arbiter's or the vault's signer
 * @param receipt - the receipt signed by both parties
 * @param options - the clock and time window
 * @returns the receipt with the authority's countersignature
 * @throws InvalidReceiptError when the receipt does not open or lacks a party's signature;
 *   InvalidArgumentError when the authority is a party of the trade or an argument is bad
 * @example
 * const attested = await attestReceipt(arbiter, receipt, { now: Date.now() })
 */
export async function attestReceipt(
  authority: Signer,
  receipt: Uint8Array,
  options: AttestOptions,
): Promise<Uint8Array> {
  if (!isRecord(options)) throw new InvalidArgumentError('options', 'options must be an object')
  assertBytes(receipt, 'receipt', MAX_RECEIPT_BYTES)
  assertTime(options.now, 'options.now')
  const rules = {
    now: options.now,
    maxSkewMs: options.maxSkewMs ?? DEFAULT_MAX_SKEW_MS,
    maxAgeMs: options.maxAgeMs ?? DEFAULT_RECEIPT_MAX_AGE_MS,
    cache: options.cache,
  }
  let first: PeerId
  try {
    first = open(receipt, { domain: RECEIPT_DOMAIN, ...rules, maxBytes: MAX_RECEIPT_BYTES }).signer
  } catch (error) {
    if (isEnvelopeError(error))
      throw new InvalidReceiptError('the receipt does not open', { cause: error })
    throw error
  }
  const opened = openReceiptFor(receipt, first, rules)
  if (opened.parties.some((p) => p.equals(authority.peerId)))
    throw new InvalidArgumentError('authority', 'a party cannot attest its own trade')
  return countersign(receipt, authority)
}

/**
 * The trusted authority that attested an opened receipt.
 * @param receipt - the opened receipt
 * @param authorities - the policy's authorities (`PeerId` text)
 * @returns the first trusted signer that is not a party
 * @throws UnattestedReceiptError when there is none
 */
export function attestingAuthority(
  receipt: OpenedReceipt,
  authorities: ReadonlySet<string>,
): string {
  for (const signer of receipt.signers) {
    if (receipt.parties.some((p) => p.equals(signer))) continue
    const key = signer.toString()
    if (authorities.has(key)) return key
  }
  throw new UnattestedReceiptError()
}
