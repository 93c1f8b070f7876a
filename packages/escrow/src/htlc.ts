/**
 * Hash-time-locked escrow: the sender locks an amount under the sha-256 hash of a
 * secret and a deadline; the receiver claims it by revealing the secret (the
 * preimage) before the deadline; after the deadline the sender takes it back.
 *
 *   proposed ─lock→ locked ─claim(preimage)→ claimed
 *                          └─refund (after claimBy)→ refunded
 *   proposed ─expire (after lockBy)→ expired
 *
 * @example
 * const terms = htlcTerms({ sender, receiver, asset: 'BTC', amount: 5n, hash: sha256(secret), lockBy, claimBy })
 * const offer = await proposeTerms(htlc, senderSigner, { ...terms, timestamp: now })
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { equalBytes } from '@peerkit/codec'
import type { PeerId } from '@peerkit/identity'
import { isBytes } from './assert'
import { MAX_AMOUNT } from './constants'
import { defineEscrow } from './definition'
import { InvalidArgumentError, InvalidTermsError } from './errors'
import { amountOf, bytesField, field, mapOf } from './fields'
import type { EscrowState } from './state'
import type { TermsInit, Trade } from './terms'

/** Length of the hash lock and of the preimage. */
export const HASH_LENGTH = 32

function checkHtlcTerms(trade: Trade): string | undefined {
  const p = trade.params
  for (const key of Object.keys(p))
    if (!['asset', 'amount', 'hash'].includes(key)) return `unknown parameter '${key}'`
  if (typeof p.asset !== 'string' || p.asset.length === 0 || p.asset.length > 32)
    return 'asset must be 1 to 32 characters'
  const amount = amountOf(p.amount)
  if (amount === undefined || amount === 0n || amount > MAX_AMOUNT)
    return 'amount must be a positive 64-bit integer'
  if (!isBytes(p.hash) || p.hash.length !== HASH_LENGTH) return `hash must be ${HASH_LENGTH} bytes`
  if (!(trade.deadlines.lockBy! < trade.deadlines.claimBy!))
    return 'lockBy must come before claimBy'
  return undefined
}

function preimageOf(body: unknown): Uint8Array | undefined {
  const record = mapOf(body)
  if (record === undefined || Object.keys(record).length !== 1) return undefined
  const preimage = bytesField(record, 'preimage')
  return preimage?.length === HASH_LENGTH ? preimage : undefined
}

/**
 * The HTLC machine. Roles `sender` and `receiver` (both parties); params `asset`,
 * `amount`, `hash` (sha-256 of a 32-byte preimage); deadlines `lockBy < claimBy`.
 */
export const htlc = defineEscrow({
  name: 'peerkit/escrow/htlc/1',
  roles: ['sender', 'receiver'],
  states: ['proposed', 'locked', 'claimed', 'refunded', 'expired'],
  initial: 'proposed',
  terminal: ['claimed', 'refunded', 'expired'],
  deadlines: ['lockBy', 'claimBy'],
  checkTerms: checkHtlcTerms,
  transitions: {
    lock: {
      from: ['proposed'],
      to: 'locked',
      by: ['sender'],
      before: 'lockBy',
      guard: (c) => c.body === null || 'the body must be null',
      effects: (c) => [
        {
          kind: 'lock',
          lock: 'amount',
          from: 'sender',
          asset: c.trade.params.asset as string,
          amount: amountOf(c.trade.params.amount)!,
        },
      ],
    },
    claim: {
      from: ['locked'],
      to: 'claimed',
      by: ['receiver'],
      before: 'claimBy',
      guard: (c) => {
        const preimage = preimageOf(c.body)
        if (preimage === undefined) return `the body must be { preimage } of ${HASH_LENGTH} bytes`
        return (
          equalBytes(sha256(preimage), c.trade.params.hash as Uint8Array) ||
          'the preimage does not match the hash'
        )
      },
      update: (c) => ({ ...c.data, preimage: preimageOf(c.body)! }),
      effects: (c) => [
        {
          kind: 'release',
          lock: 'amount',
          to: 'receiver',
          amount: amountOf(c.trade.params.amount)!,
        },
      ],
    },
    refund: {
      from: ['locked'],
      to: 'refunded',
      by: ['sender', 'receiver'],
      after: 'claimBy',
      guard: (c) => c.body === null || 'the body must be null',
      effects: (c) => [
        { kind: 'refund', lock: 'amount', amount: amountOf(c.trade.params.amount)! },
      ],
    },
    expire: {
      from: ['proposed'],
      to: 'expired',
      by: ['sender', 'receiver'],
      after: 'lockBy',
      guard: (c) => c.body === null || 'the body must be null',
    },
  },
})

/** What `htlcTerms` needs. */
export interface HtlcTermsInit {
  readonly sender: PeerId
  readonly receiver: PeerId
  readonly asset: string
  readonly amount: bigint
  /** sha-256 of the secret preimage. */
  readonly hash: Uint8Array
  readonly lockBy: number
  readonly claimBy: number
  readonly nonce?: Uint8Array
}

/**
 * Terms of an HTLC in the shape `proposeTerms` takes (add the `timestamp`).
 * @example const offer = await proposeTerms(htlc, alice, { ...htlcTerms(init), timestamp: now })
 */
export function htlcTerms(init: HtlcTermsInit): Omit<TermsInit, 'timestamp'> {
  return {
    roles: { sender: init.sender, receiver: init.receiver },
    deadlines: { lockBy: init.lockBy, claimBy: init.claimBy },
    params: { asset: init.asset, amount: init.amount, hash: init.hash },
    ...(init.nonce === undefined ? {} : { nonce: init.nonce }),
  }
}

/**
 * The hash lock for a secret.
 * @param preimage - 32 secret bytes
 * @returns sha-256 of the preimage
 * @throws {InvalidArgumentError} unless the preimage is 32 bytes
 * @example const hash = hashLock(secret)
 */
export function hashLock(preimage: Uint8Array): Uint8Array {
  if (!isBytes(preimage) || preimage.length !== HASH_LENGTH) {
    throw new InvalidArgumentError(`preimage must be ${HASH_LENGTH} bytes`)
  }
  return sha256(preimage)
}

/**
 * The preimage an HTLC's claim revealed, once it was claimed.
 * @param state - an HTLC's state
 * @returns the preimage, or undefined before a claim
 * @example const secret = revealedPreimage(theirHtlc)  // then claim ours with it
 */
export function revealedPreimage(state: EscrowState): Uint8Array | undefined {
  const preimage = field(state.data as Record<string, never>, 'preimage')
  return isBytes(preimage) ? preimage : undefined
}

/** Options of `checkAtomicSwap`. */
export interface AtomicSwapOptions {
  /** Least time between the two claim deadlines (ms): the responder's time to claim after the secret is out. */
  readonly minGapMs: number
}

/**
 * Checks that two HTLCs form a safe atomic swap for the responder: the same hash,
 * mirrored roles, and the initiator's HTLC (the one the initiator funds, which the
 * responder claims) stays claimable at least `minGapMs` after the responder's HTLC
 * can no longer be claimed. The responder runs this before locking its side.
 * @param initiator - the HTLC the initiator (who knows the secret) sends from
 * @param responder - the HTLC the responder sends from
 * @param options - the least gap between the claim deadlines
 * @throws {InvalidTermsError} when the pair is not a safe swap
 * @example checkAtomicSwap(aliceToBob, bobToAlice, { minGapMs: 60 * 60_000 })
 */
export function checkAtomicSwap(
  initiator: Trade,
  responder: Trade,
  options: AtomicSwapOptions,
): void {
  if (initiator.machine !== htlc.name || responder.machine !== htlc.name)
    throw new InvalidTermsError('both trades must be HTLCs')
  if (!equalBytes(initiator.params.hash as Uint8Array, responder.params.hash as Uint8Array)) {
    throw new InvalidTermsError('the two HTLCs must share one hash lock')
  }
  if (
    !initiator.roles.sender!.equals(responder.roles.receiver!) ||
    !initiator.roles.receiver!.equals(responder.roles.sender!)
  ) {
    throw new InvalidTermsError('the two HTLCs must have mirrored sender and receiver')
  }
  const gap = initiator.deadlines.claimBy! - responder.deadlines.claimBy!
  if (!(gap >= options.minGapMs)) {
    throw new InvalidTermsError(
      `the initiator's HTLC must stay claimable ${options.minGapMs} ms after the responder's`,
    )
  }
  if (!(responder.deadlines.lockBy! <= initiator.deadlines.claimBy!)) {
    throw new InvalidTermsError(
      "the responder's HTLC must be locked while the initiator's is claimable",
    )
  }
}
