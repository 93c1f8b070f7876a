/**
 * Identities of simulated peers: real Ed25519 keys derived from seeds that depend only on
 * the run's seed and the node's index, so a node has the same id in every run with that
 * seed. Key pairs are derived on first use and kept; signers are made only for nodes that
 * publish.
 *
 * @example
 * const identities = createIdentities(1000, seed)
 * identities.peerId(3).toString()     // 'z6Mk…', the same for the same seed
 * await seal(identities.signer(3), …)
 */
import {
  type KeyPairSigner,
  keyPairFromSeed,
  type PeerId,
  signerFromKeyPair,
} from '@peerkit/identity'
import { splitmix32 } from './random'

/** Lazily derived identities of a run's nodes. */
export interface Identities {
  /** The peer id of node `index`. */
  peerId(index: number): PeerId
  /** The signer of node `index` (made on first use). */
  signer(index: number): KeyPairSigner
}

/**
 * The 32-byte key seed of node `index` in a run seeded `seed`.
 * @param seed - the run's seed
 * @param index - the node's index
 * @returns 32 bytes
 */
export function nodeKeySeed(seed: number, index: number): Uint8Array {
  const out = new Uint8Array(32)
  const view = new DataView(out.buffer)
  let state = splitmix32((seed >>> 0) ^ splitmix32(index)) ^ Math.floor(seed / 4294967296)
  for (let i = 0; i < 8; i++) {
    state = splitmix32(state + i)
    view.setUint32(i * 4, state)
  }
  return out
}

/**
 * Creates the identities of `count` nodes.
 * @param count - number of nodes
 * @param seed - the run's seed
 * @returns lazily derived identities
 */
export function createIdentities(count: number, seed: number): Identities {
  const signers: Array<KeyPairSigner | undefined> = new Array(count)
  // A signer's peer id is built from the key it derived, which is valid by construction,
  // so it skips the subgroup check that `peerIdFromPublicKey` does for foreign keys.
  const signer = (index: number): KeyPairSigner => {
    let made = signers[index]
    if (made === undefined) {
      made = signerFromKeyPair(keyPairFromSeed(nodeKeySeed(seed, index)))
      signers[index] = made
    }
    return made
  }
  return {
    peerId: (index) => signer(index).peerId,
    signer,
  }
}
