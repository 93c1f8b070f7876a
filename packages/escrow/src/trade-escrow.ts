/**
 * The trade escrow with an arbiter (the shape of Bisq or a P2P exchange desk): the
 * seller escrows an asset, the buyer pays outside the escrow (a bank transfer), and the
 * seller releases. Both post bonds; an arbiter rules on disputes.
 *
 *   offered ─accept→ accepted ─fund→ funded ─markPaid→ paid ─release→ released
 *
 * with mutual `cancel` before funding, `expire` after `fundBy`, `reclaim` after `payBy`,
 * `dispute` before `disputeBy`, `settle` after `disputeBy` when the seller stayed silent,
 * the arbiter's `ruleRelease` / `ruleRefund` / `ruleSplit`, and `lapse` after
 * `resolveBy` when the arbiter stayed silent.
 *
 * @example
 * const terms = tradeEscrowTerms({ seller, buyer, arbiter, asset: 'BTC', amount: 100_000n,
 *   sellerBond: 10_000n, buyerBond: 10_000n, fundBy, payBy, disputeBy, resolveBy })
 * const offer = await proposeTerms(tradeEscrow, sellerSigner, { ...terms, timestamp: now })
 */
import type { Value } from '@peerkit/codec'
import type { PeerId } from '@peerkit/identity'
import { isBytes } from './assert'
import { MAX_AMOUNT } from './constants'
import { defineEscrow, type MachineData, type StepContext } from './definition'
import { amountOf, field, mapOf } from './fields'
import type { TermsInit, Trade } from './terms'
import type { VaultOp } from './vault'

/** Longest note in a dispute or evidence step. */
export const MAX_NOTE_LENGTH = 4096

/** The parameters of a trade escrow, as read from its terms. */
export interface TradeParams {
  readonly asset: string
  readonly amount: bigint
  readonly sellerBond: bigint
  readonly buyerBond: bigint
}

/** Reads a trade escrow's parameters from its terms. */
export function tradeParams(trade: Trade): TradeParams {
  const p = trade.params
  return {
    asset: p.asset as string,
    amount: amountOf(p.amount)!,
    sellerBond: amountOf(p.sellerBond)!,
    buyerBond: amountOf(p.buyerBond)!,
  }
}

function checkTradeTerms(trade: Trade): string | undefined {
  const p = trade.params
  for (const key of Object.keys(p)) {
    if (!['asset', 'amount', 'sellerBond', 'buyerBond', 'price'].includes(key))
      return `unknown parameter '${key}'`
  }
  if (typeof p.asset !== 'string' || p.asset.length === 0 || p.asset.length > 32)
    return 'asset must be 1 to 32 characters'
  const amount = amountOf(p.amount)
  if (amount === undefined || amount === 0n || amount > MAX_AMOUNT)
    return 'amount must be a positive 64-bit integer'
  for (const bond of ['sellerBond', 'buyerBond']) {
    const value = amountOf(field(p, bond))
    if (value === undefined || value > MAX_AMOUNT)
      return `${bond} must be a non-negative 64-bit integer`
  }
  const d = trade.deadlines
  if (!(d.fundBy! < d.payBy! && d.payBy! < d.disputeBy! && d.disputeBy! < d.resolveBy!)) {
    return 'deadlines must be ordered fundBy < payBy < disputeBy < resolveBy'
  }
  return undefined
}

const refundBuyerBond = (c: StepContext): VaultOp[] =>
  c.from === 'accepted'
    ? [{ kind: 'refund', lock: 'buyer-bond', amount: tradeParams(c.trade).buyerBond }]
    : []

/** Pays out the escrowed amount and both bonds; `to` names who gets what. */
function payout(
  c: StepContext,
  toBuyer: bigint,
  sellerBondTo: 'seller' | 'buyer',
  buyerBondTo: 'seller' | 'buyer',
): VaultOp[] {
  const p = tradeParams(c.trade)
  const ops: VaultOp[] = []
  if (toBuyer > 0n) ops.push({ kind: 'release', lock: 'amount', to: 'buyer', amount: toBuyer })
  if (p.amount - toBuyer > 0n)
    ops.push({ kind: 'refund', lock: 'amount', amount: p.amount - toBuyer })
  ops.push(
    sellerBondTo === 'seller'
      ? { kind: 'refund', lock: 'seller-bond', amount: p.sellerBond }
      : { kind: 'release', lock: 'seller-bond', to: 'buyer', amount: p.sellerBond },
  )
  ops.push(
    buyerBondTo === 'buyer'
      ? { kind: 'refund', lock: 'buyer-bond', amount: p.buyerBond }
      : { kind: 'release', lock: 'buyer-bond', to: 'seller', amount: p.buyerBond },
  )
  return ops
}

function noteGuard(c: StepContext): boolean | string {
  if (c.body === null) return true
  const body = mapOf(c.body)
  if (body === undefined) return 'the body must be null or a map'
  for (const key of Object.keys(body))
    if (key !== 'note' && key !== 'attachment') return `unknown field '${key}'`
  const note = field(body, 'note')
  if (note !== undefined && (typeof note !== 'string' || note.length > MAX_NOTE_LENGTH)) {
    return `note must be a string of at most ${MAX_NOTE_LENGTH} characters`
  }
  const attachment = field(body, 'attachment')
  if (attachment !== undefined && !isBytes(attachment)) return 'attachment must be bytes'
  return true
}

const nullBody = (c: StepContext): boolean | string => c.body === null || 'the body must be null'

function splitOf(body: Value): { buyer: bigint; seller: bigint } | undefined {
  const record = mapOf(body)
  if (record === undefined || Object.keys(record).length !== 2) return undefined
  const buyer = amountOf(field(record, 'buyer'))
  const seller = amountOf(field(record, 'seller'))
  return buyer === undefined || seller === undefined ? undefined : { buyer, seller }
}

/**
 * The trade escrow machine. Roles `seller`, `buyer` (the parties, who sign the terms)
 * and `arbiter`. Terms params: `asset`, `amount`, `sellerBond`, `buyerBond` (and an
 * informational `price`); deadlines `fundBy < payBy < disputeBy < resolveBy`.
 */
export const tradeEscrow = defineEscrow({
  name: 'peerkit/escrow/trade/1',
  roles: ['seller', 'buyer', 'arbiter'],
  parties: ['seller', 'buyer'],
  states: [
    'offered',
    'accepted',
    'funded',
    'paid',
    'disputed',
    'released',
    'refunded',
    'split',
    'cancelled',
    'expired',
    'unwound',
  ],
  initial: 'offered',
  terminal: ['released', 'refunded', 'split', 'cancelled', 'expired', 'unwound'],
  deadlines: ['fundBy', 'payBy', 'disputeBy', 'resolveBy'],
  checkTerms: checkTradeTerms,
  transitions: {
    // the buyer commits: its bond is locked
    accept: {
      from: ['offered'],
      to: 'accepted',
      by: ['buyer'],
      before: 'fundBy',
      guard: nullBody,
      effects: (c) => [
        {
          kind: 'lock',
          lock: 'buyer-bond',
          from: 'buyer',
          asset: tradeParams(c.trade).asset,
          amount: tradeParams(c.trade).buyerBond,
        },
      ],
    },
    // the seller escrows the amount and its bond
    fund: {
      from: ['accepted'],
      to: 'funded',
      by: ['seller'],
      before: 'fundBy',
      guard: nullBody,
      effects: (c) => {
        const p = tradeParams(c.trade)
        return [
          { kind: 'lock', lock: 'amount', from: 'seller', asset: p.asset, amount: p.amount },
          {
            kind: 'lock',
            lock: 'seller-bond',
            from: 'seller',
            asset: p.asset,
            amount: p.sellerBond,
          },
        ]
      },
    },
    cancel: {
      from: ['offered', 'accepted'],
      to: 'cancelled',
      by: ['seller', 'buyer'],
      jointly: true,
      guard: nullBody,
      effects: refundBuyerBond,
    },
    expire: {
      from: ['offered', 'accepted'],
      to: 'expired',
      by: ['seller', 'buyer'],
      after: 'fundBy',
      guard: nullBody,
      effects: refundBuyerBond,
    },
    markPaid: { from: ['funded'], to: 'paid', by: ['buyer'], before: 'payBy', guard: noteGuard },
    release: {
      from: ['funded', 'paid'],
      to: 'released',
      by: ['seller'],
      guard: nullBody,
      effects: (c) => payout(c, tradeParams(c.trade).amount, 'seller', 'buyer'),
    },
    // the buyer never declared payment: the seller gets everything back and the buyer's bond
    reclaim: {
      from: ['funded'],
      to: 'refunded',
      by: ['seller', 'buyer'],
      after: 'payBy',
      guard: nullBody,
      effects: (c) => payout(c, 0n, 'seller', 'seller'),
    },
    // the buyer declared payment and the seller neither released nor disputed in time
    settle: {
      from: ['paid'],
      to: 'released',
      by: ['seller', 'buyer'],
      after: 'disputeBy',
      guard: nullBody,
      effects: (c) => payout(c, tradeParams(c.trade).amount, 'seller', 'buyer'),
    },
    dispute: {
      from: ['funded', 'paid'],
      to: 'disputed',
      by: ['seller', 'buyer'],
      before: 'disputeBy',
      guard: noteGuard,
      notify: ['arbiter'],
      update: (c) => ({ ...c.data, disputedBy: c.role }),
    },
    evidence: {
      from: ['disputed'],
      to: 'disputed',
      by: ['seller', 'buyer', 'arbiter'],
      before: 'resolveBy',
      guard: noteGuard,
      notify: ['arbiter'],
    },
    // the arbiter's rulings: the loser of a release or refund forfeits its bond to the winner
    ruleRelease: {
      from: ['disputed'],
      to: 'released',
      by: ['arbiter'],
      before: 'resolveBy',
      guard: noteGuard,
      notify: ['arbiter'],
      effects: (c) => payout(c, tradeParams(c.trade).amount, 'buyer', 'buyer'),
    },
    ruleRefund: {
      from: ['disputed'],
      to: 'refunded',
      by: ['arbiter'],
      before: 'resolveBy',
      guard: noteGuard,
      notify: ['arbiter'],
      effects: (c) => payout(c, 0n, 'seller', 'seller'),
    },
    ruleSplit: {
      from: ['disputed'],
      to: 'split',
      by: ['arbiter'],
      before: 'resolveBy',
      notify: ['arbiter'],
      guard: (c) => {
        const split = splitOf(c.body)
        if (split === undefined) return 'a split names the buyer and seller amounts'
        return (
          split.buyer + split.seller === tradeParams(c.trade).amount ||
          'a split must sum to the escrowed amount'
        )
      },
      update: (c): MachineData => {
        const split = splitOf(c.body)!
        return { ...c.data, toBuyer: split.buyer, toSeller: split.seller }
      },
      effects: (c) => payout(c, splitOf(c.body)!.buyer, 'seller', 'buyer'),
    },
    // the arbiter stayed silent: everything goes back to whoever locked it
    lapse: {
      from: ['disputed'],
      to: 'unwound',
      by: ['seller', 'buyer'],
      after: 'resolveBy',
      guard: nullBody,
      notify: ['arbiter'],
      effects: (c) => payout(c, 0n, 'seller', 'buyer'),
    },
  },
})

/** What `tradeEscrowTerms` needs. */
export interface TradeEscrowTermsInit {
  readonly seller: PeerId
  readonly buyer: PeerId
  readonly arbiter: PeerId
  readonly asset: string
  readonly amount: bigint
  readonly sellerBond?: bigint
  readonly buyerBond?: bigint
  readonly fundBy: number
  readonly payBy: number
  readonly disputeBy: number
  readonly resolveBy: number
  /** What the buyer pays outside the escrow, for the record (`{ currency: 'EUR', amount: 50_00n }`). */
  readonly price?: Readonly<Record<string, Value>>
  readonly nonce?: Uint8Array
}

/**
 * Terms of a trade escrow in the shape `proposeTerms` takes (add the `timestamp`).
 * @example const offer = await proposeTerms(tradeEscrow, seller, { ...tradeEscrowTerms(init), timestamp: now })
 */
export function tradeEscrowTerms(init: TradeEscrowTermsInit): Omit<TermsInit, 'timestamp'> {
  const params: Record<string, Value> = {
    asset: init.asset,
    amount: init.amount,
    sellerBond: init.sellerBond ?? 0n,
    buyerBond: init.buyerBond ?? 0n,
  }
  if (init.price !== undefined) params.price = { ...init.price }
  return {
    roles: { seller: init.seller, buyer: init.buyer, arbiter: init.arbiter },
    deadlines: {
      fundBy: init.fundBy,
      payBy: init.payBy,
      disputeBy: init.disputeBy,
      resolveBy: init.resolveBy,
    },
    params,
    ...(init.nonce === undefined ? {} : { nonce: init.nonce }),
  }
}
