/**
 * Who is in the market: each peer's name, what it does, and its key (from a seed, so a
 * run with the same `--seed` has the same ids). Makers sell bitcoin for euros, takers buy,
 * the scammer takes offers and never pays, the spammer floods invalid offers, the arbiter
 * rules on disputes, and the bank keeps custody and the payment rail.
 */
import { type KeyPairSigner, keyPairFromSeed, signerFromKeyPair } from '@peerkit/identity'

export type Kind = 'maker' | 'taker' | 'scammer' | 'spammer' | 'arbiter' | 'bank'

export interface Member {
  readonly name: string
  readonly kind: Kind
  /** 0-255: with the run's seed, the key. */
  readonly index: number
}

export const ASSET = 'BTC'
export const CURRENCY = 'EUR'
/** Satoshis per offer, its price in cents, the bonds. */
export const AMOUNT = 100_000n
export const PRICE = 50_00n
export const SELLER_BOND = 10_000n
export const BUYER_BOND = 5_000n
/** Everyone's opening custody balance (sat) and cash (cents). */
export const OPENING_SAT = 1_000_000n
export const OPENING_CASH = 1_000_00n
/** The trade's deadlines after taking (ms of real time: the demo runs in seconds). */
export const WINDOWS = { fund: 20_000, pay: 30_000, dispute: 40_000, resolve: 50_000 }
/** How long a taker waits for offers of a second maker before it takes one (ms). */
export const SHOP_AROUND_MS = 3_000
/** How long a taker leaves a maker alone after a take it did not answer (ms). */
export const SILENT_MAKER_MS = 15_000
/** How long a taker looks for offers before it settles for fewer trades (ms). */
export const NOTHING_LEFT_MS = 4_000
/** Where a trade ends. */
export const TERMINAL: readonly string[] = [
  'released',
  'refunded',
  'split',
  'cancelled',
  'expired',
  'unwound',
]
/** Where a trade ends having moved value (a receipt and ratings follow). */
export const SETTLED: readonly string[] = ['released', 'refunded', 'split']
/** Time kept in hand before a deadline to start a step, and half of it after one. */
export const MARGIN_MS = 2_000
/** Offers each maker publishes, trades each taker aims for. */
export const OFFERS_PER_MAKER = 5
export const TRADES_PER_TAKER = 3

const NAMES = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy']

/**
 * The cast for `peers` trading peers (at least 5): the scammer and the spammer, then
 * honest peers alternating maker and taker (at least two of each); plus the arbiter and
 * the bank.
 */
export function castOf(peers: number): Member[] {
  const honest = Math.max(4, Math.min(peers - 2, NAMES.length))
  const members: Member[] = []
  for (let i = 0; i < honest; i++)
    members.push({ name: NAMES[i]!, kind: i % 2 === 0 ? 'maker' : 'taker', index: i + 1 })
  members.push({ name: 'mallory', kind: 'scammer', index: 100 })
  members.push({ name: 'sam', kind: 'spammer', index: 101 })
  members.push({ name: 'judge', kind: 'arbiter', index: 200 })
  return members
}

export const BANK: Member = { name: 'bank', kind: 'bank', index: 250 }

/** The 32-byte key seed of `member` in a run with `seed` (libp2p's key comes from it too). */
export function keySeedOf(member: Member, seed: number): Uint8Array {
  const bytes = new Uint8Array(32)
  bytes[0] = member.index
  new DataView(bytes.buffer).setUint32(4, seed >>> 0)
  bytes.fill(7, 8)
  return bytes
}

/** The key of `member` in a run with `seed`. */
export function signerOf(member: Member, seed: number): KeyPairSigner {
  return signerFromKeyPair(keyPairFromSeed(keySeedOf(member, seed)))
}

/** `z6Mkha…1234`. */
export function short(id: { toString(): string }): string {
  const text = id.toString()
  return text.length <= 14 ? text : `${text.slice(0, 6)}…${text.slice(-4)}`
}
