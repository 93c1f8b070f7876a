/**
 * Ed25519 key pairs: a 32-byte private seed (RFC 8032's secret key) and the public key it
 * derives. Keys derived here are valid by construction and are remembered as such.
 *
 * @example
 * const keyPair = generateKeyPair()
 * keyPairFromSeed(keyPair.privateKey).publicKey // the same public key
 */
import { assertBytes } from './assert'
import { bytesEqual } from './bytes'
import { SEED_LENGTH } from './constants'
import { type ExpandedSeed, expandSeed } from './curve'
import { InvalidArgumentError } from './errors'
import { systemRandomBytes } from './runtime'

/** An Ed25519 key pair. Treat `privateKey` as secret. */
export interface KeyPair {
  /** The 32-byte public key. */
  publicKey: Uint8Array
  /** The 32-byte private key seed. */
  privateKey: Uint8Array
}

/** Options of `generateKeyPair`. */
export interface GenerateKeyPairOptions {
  /** Source of randomness (default: the runtime's `crypto.getRandomValues`). */
  randomBytes?: (length: number) => Uint8Array
}

/**
 * Creates a key pair from fresh random bytes.
 * @param options - `randomBytes` to inject the randomness (tests, deterministic simulations)
 * @returns a new key pair
 * @throws InvalidArgumentError when `randomBytes` returns anything but 32 bytes
 * @example
 * const { publicKey, privateKey } = generateKeyPair()
 */
export function generateKeyPair(options?: GenerateKeyPairOptions): KeyPair {
  const random = options?.randomBytes ?? systemRandomBytes
  const seed = random(SEED_LENGTH)
  assertBytes(seed, 'randomBytes()', SEED_LENGTH)
  return keyPairFromSeed(seed)
}

/**
 * What `keyPairFromSeed` derived, by the key pair it returned, so that a signer made from
 * that key pair does not derive it again (the derivation is most of a signer's cost).
 */
const derived = new WeakMap<KeyPair, { seed: Uint8Array; expanded: ExpandedSeed }>()

/**
 * Derives the key pair of a 32-byte seed (RFC 8032 §5.1.5).
 * @param seed - the private key seed
 * @returns the key pair (the seed is copied)
 * @throws InvalidArgumentError when the seed is not 32 bytes
 * @example
 * const keyPair = keyPairFromSeed(new Uint8Array(32).fill(7))
 */
export function keyPairFromSeed(seed: Uint8Array): KeyPair {
  assertBytes(seed, 'seed', SEED_LENGTH)
  const privateKey = Uint8Array.from(seed)
  const expanded = expandSeed(privateKey)
  const keyPair = { publicKey: Uint8Array.from(expanded.publicKey), privateKey }
  derived.set(keyPair, { seed: Uint8Array.from(seed), expanded })
  return keyPair
}

/**
 * The expansion `keyPairFromSeed` made for `keyPair`, when both keys still hold the bytes
 * it returned them with.
 * @param keyPair - any key pair
 * @returns the expansion, or undefined (derive it again)
 */
export function derivedExpansion(keyPair: KeyPair): ExpandedSeed | undefined {
  const entry = derived.get(keyPair)
  if (
    entry === undefined ||
    !bytesEqual(entry.seed, keyPair.privateKey) ||
    !bytesEqual(entry.expanded.publicKey, keyPair.publicKey)
  ) {
    return undefined
  }
  return entry.expanded
}

/**
 * The public key a seed derives.
 * @param seed - the 32-byte private key seed
 * @returns the 32-byte public key
 * @throws InvalidArgumentError when the seed is not 32 bytes
 * @example
 * publicKeyFromSeed(keyPair.privateKey)
 */
export function publicKeyFromSeed(seed: Uint8Array): Uint8Array {
  assertBytes(seed, 'seed', SEED_LENGTH)
  return expandSeed(seed).publicKey
}

/** Checks a `KeyPair` argument's shape. */
export function assertKeyPair(keyPair: unknown, argument = 'keyPair'): asserts keyPair is KeyPair {
  if (keyPair === null || typeof keyPair !== 'object') {
    throw new InvalidArgumentError(argument, `"${argument}" must be a key pair`)
  }
  const { publicKey, privateKey } = keyPair as Partial<KeyPair>
  assertBytes(publicKey, `${argument}.publicKey`, 32)
  assertBytes(privateKey, `${argument}.privateKey`, SEED_LENGTH)
}
