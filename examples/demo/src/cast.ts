/**
 * The cast and the clock of the story. Keys come from fixed seeds and time from a
 * simulated clock that starts at a fixed instant, so every run prints the same ids,
 * the same times and the same figures.
 */
import { type KeyPairSigner, keyPairFromSeed, signerFromKeyPair } from '@peerkit/identity'

/** One participant: a name for the story and an Ed25519 key from a fixed seed. */
export interface Person {
  readonly name: string
  readonly role: string
  readonly signer: KeyPairSigner
  /** The peer id text (`z6Mk…`), the key of maps and ledgers. */
  readonly key: string
}

function person(name: string, role: string, seedByte: number): Person {
  const signer = signerFromKeyPair(keyPairFromSeed(new Uint8Array(32).fill(seedByte)))
  return { name, role, signer, key: signer.peerId.toString() }
}

export const alice = person('Alice', 'seller', 11)
export const bob = person('Bob', 'buyer', 12)
export const carol = person('Carol', 'arbiter', 13)
export const dave = person('Dave', 'relay, trader', 14)
export const erin = person('Erin', 'relay, trader', 15)
export const frank = person('Frank', 'relay, trader', 16)
export const grace = person('Grace', 'relay, trader', 17)
export const mallory = person('Mallory', 'relay, dishonest', 18)
/** Mallory's second identity: never on the network, only in her wash trades. */
export const sybil = person('Sybil', "Mallory's second key", 19)

/** The eight peers that run a gossip router, in the order they join. */
export const peers: readonly Person[] = [alice, bob, carol, dave, erin, frank, grace, mallory]
/** Everyone who trades, Sybil included. */
export const everyone: readonly Person[] = [...peers, sybil]

/** Who a peer id text belongs to. */
export function nameOf(key: string): string {
  return everyone.find((p) => p.key === key)?.name ?? short(key)
}

/** The story starts at 09:00 UTC on 2 March 2026 (ms since the epoch). */
const START = Date.UTC(2026, 2, 2, 9, 0, 0)
export const SECOND = 1_000
export const MINUTE = 60 * SECOND
export const HOUR = 60 * MINUTE

/** The simulated clock of the story: advanced by hand, never read from the machine. */
export interface Clock {
  now: number
  advance(ms: number): number
}

/** A clock standing at `START`. */
export function createClock(start = START): Clock {
  return {
    now: start,
    advance(ms) {
      this.now += ms
      return this.now
    },
  }
}

/** `HH:MM:SS` of a story time (UTC). */
export function clockText(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19)
}

/** Shortens an id for printing: `z6Mkha…1234`, `bafire…1234`, `12D3Ko…1234`. */
export function short(id: { toString(): string }): string {
  const text = id.toString()
  return text.length <= 14 ? text : `${text.slice(0, 6)}…${text.slice(-4)}`
}

/** An amount with `_` between thousands: `1_000_000`. */
export function units(amount: bigint | number): string {
  return amount.toString().replace(/\B(?=(\d{3})+(?!\d))/g, '_')
}

/** Euro cents as `50.00 EUR`. */
export function euros(cents: bigint | number): string {
  const c = BigInt(cents)
  return `${c / 100n}.${(c % 100n).toString().padStart(2, '0')} EUR`
}
