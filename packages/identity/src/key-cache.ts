/**
 * The per-key memory of the verifier: whether a public key passed rule 2 (checked once), its
 * decoded point, and the native key handles and tables the backends build for it. Bounded, so
 * a flood of fresh keys costs work but never unbounded memory.
 *
 * @example
 * const entry = keyEntry(publicKey)
 * if (!entry.valid) return false
 */
import type { Point } from '@noble/ed25519'
import { createLruCache } from './cache'
import { KEY_CACHE_SIZE, KEY_TABLE_CACHE_SIZE } from './constants'
import { decodePublicKey } from './curve'
import type { InvalidPublicKeyReason } from './errors'
import type { PeerId } from './peer-id'
import type { NodeKeyObject } from './runtime'

/** What the verifier remembers about one public key. */
export interface KeyEntry {
  readonly valid: boolean
  readonly reason: InvalidPublicKeyReason | undefined
  /** `−A`, for valid keys. */
  readonly negPoint: Point | undefined
  /** Verifications seen with this key by the `js` backend (decides when to build a table). */
  uses: number
  nodeKey: NodeKeyObject | undefined
  webKey: Promise<CryptoKey> | undefined
  /** The PeerId handed out for this key (valid keys only), shared by every caller. */
  peerId: PeerId | undefined
}

const entries = createLruCache<string, KeyEntry>(KEY_CACHE_SIZE)
const tables = createLruCache<string, Point[]>(KEY_TABLE_CACHE_SIZE)

/** Cache key of a 32-byte public key (a short latin-1 string). */
export function cacheKeyOf(publicKey: Uint8Array): string {
  const b = publicKey
  if (b.length !== 32) return String.fromCharCode.apply(null, b as unknown as number[])
  // one call with the bytes as arguments: about half the cost of `apply` on a typed array,
  // and every key a peer id, a frame or a signature check names comes through here
  return String.fromCharCode(
    b[0]!,
    b[1]!,
    b[2]!,
    b[3]!,
    b[4]!,
    b[5]!,
    b[6]!,
    b[7]!,
    b[8]!,
    b[9]!,
    b[10]!,
    b[11]!,
    b[12]!,
    b[13]!,
    b[14]!,
    b[15]!,
    b[16]!,
    b[17]!,
    b[18]!,
    b[19]!,
    b[20]!,
    b[21]!,
    b[22]!,
    b[23]!,
    b[24]!,
    b[25]!,
    b[26]!,
    b[27]!,
    b[28]!,
    b[29]!,
    b[30]!,
    b[31]!,
  )
}

/** The entry of `publicKey`, validating it on first sight. */
export function keyEntry(publicKey: Uint8Array, cacheKey = cacheKeyOf(publicKey)): KeyEntry {
  let entry = entries.get(cacheKey)
  if (entry === undefined) {
    const check = decodePublicKey(publicKey)
    entry = check.ok
      ? {
          valid: true,
          reason: undefined,
          negPoint: check.point.negate(),
          uses: 0,
          nodeKey: undefined,
          webKey: undefined,
          peerId: undefined,
        }
      : {
          valid: false,
          reason: check.reason,
          negPoint: undefined,
          uses: 0,
          nodeKey: undefined,
          webKey: undefined,
          peerId: undefined,
        }
    entries.set(cacheKey, entry)
  }
  return entry
}

/**
 * Records a key derived locally from a seed as valid without the subgroup check (a key
 * `[s]B` is in the subgroup by construction), so signing never pays for validation.
 */
export function rememberDerivedKey(publicKey: Uint8Array, point: Point): void {
  const cacheKey = cacheKeyOf(publicKey)
  if (entries.get(cacheKey) === undefined) {
    entries.set(cacheKey, {
      valid: true,
      reason: undefined,
      negPoint: point.negate(),
      uses: 0,
      nodeKey: undefined,
      webKey: undefined,
      peerId: undefined,
    })
  }
}

/** The precomputed table of `−A` for a hot key, if one is cached. */
export function cachedTable(cacheKey: string): Point[] | undefined {
  return tables.get(cacheKey)
}

/** Caches the table of `−A` for a hot key. */
export function storeTable(cacheKey: string, table: Point[]): void {
  tables.set(cacheKey, table)
}

/** Forgets every cached key (for tests and for callers that want to bound memory now). */
export function clearKeyCache(): void {
  entries.clear()
  tables.clear()
}
