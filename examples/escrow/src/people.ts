/**
 * The cast of the walkthroughs: deterministic keys so every run prints the same ids.
 */
import { type KeyPairSigner, keyPairFromSeed, signerFromKeyPair } from '@peerkit/identity'

function person(n: number): KeyPairSigner {
  return signerFromKeyPair(keyPairFromSeed(new Uint8Array(32).fill(n)))
}

/** Alice sells bitcoin (and, in the swap, starts it). */
export const alice = person(11)
/** Bob buys. */
export const bob = person(12)
/** Carol arbitrates disputes. */
export const carol = person(13)

/** The walkthroughs' clock: a fixed start, advanced by hand (ms). */
export const START = Date.UTC(2026, 0, 15, 9, 0, 0)
export const MINUTE = 60_000
export const HOUR = 60 * MINUTE

/** Short form of a peer id for printing. */
export function short(peer: { toString(): string }): string {
  const text = peer.toString()
  return `${text.slice(0, 8)}…${text.slice(-4)}`
}
