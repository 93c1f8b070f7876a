/**
 * A small memory of `PeerId`s by public key, so opening many envelopes from the same peers
 * does not rebuild the same `PeerId` each time. Only keys whose signature verified are put
 * here (a `PeerId` is made only for a valid key). Two generations bound its size.
 *
 * @example
 * const signer = peerIdOf(fields.signer) // the same object for the same key, while remembered
 */
import { type PeerId, peerIdFromPublicKey } from '@peerkit/identity'
import { byteKey } from './byte-key'

/** Keys remembered per generation. */
const GENERATION = 512

let young = new Map<string, PeerId>()
let old = new Map<string, PeerId>()

function sameKey(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/**
 * The `PeerId` of a public key (validated by @peerkit/identity the first time).
 * @param publicKey - a 32-byte key
 * @param key - `byteKey(publicKey)`, when the caller has it
 * @throws {InvalidPublicKeyError} (from identity) for an invalid key
 */
export function peerIdOf(publicKey: Uint8Array, key: string = byteKey(publicKey)): PeerId {
  let peer = young.get(key)
  // a PeerId's key bytes can be written to by whoever holds it: never hand out a changed one
  if (peer !== undefined && sameKey(peer.publicKey, publicKey)) return peer
  peer = old.get(key)
  if (peer === undefined || !sameKey(peer.publicKey, publicKey))
    peer = peerIdFromPublicKey(publicKey)
  if (young.size >= GENERATION) {
    old = young
    young = new Map()
  }
  young.set(key, peer)
  return peer
}
