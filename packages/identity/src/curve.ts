/**
 * Ed25519 arithmetic on @noble/ed25519's points: public-key validation under the verification
 * rule, key derivation and signing from a seed, and the cofactorless check `[S]B − [k]A`
 * compared as bytes against `R` (RFC 8032 §5.1.7 without decoding `R`).
 *
 * @example
 * const check = decodePublicKey(publicKey)
 * if (check.ok) equationHolds(publicKey, check.point.negate(), undefined, signature, message)
 */
import { etc, Point } from '@noble/ed25519'
import { sha512 } from '@noble/hashes/sha2.js'
import { concatBytes } from '@peerkit/codec'
import { bigIntToBytes32LE, bytesToBigIntLE } from './bytes'
import type { InvalidPublicKeyReason } from './errors'

/** The field prime `2^255 − 19`. */
const FIELD_PRIME = (1n << 255n) - 19n
/** The order `L` of the prime-order subgroup. */
const GROUP_ORDER = (1n << 252n) + 27742317777372353535851937790883648493n
const Y_MASK = (1n << 255n) - 1n
const BASE = Point.BASE
const ZERO = Point.ZERO

/** Result of decoding a public key under the rule. */
export type PublicKeyCheck =
  | { readonly ok: true; readonly point: Point }
  | { readonly ok: false; readonly reason: InvalidPublicKeyReason }

/**
 * Decodes 32 bytes as a public key and applies rule 2: canonical encoding (y < p, no x = 0 with
 * the sign bit set), not of small order, and `[L]A` equal to the identity.
 */
export function decodePublicKey(bytes: Uint8Array): PublicKeyCheck {
  const y = bytesToBigIntLE(bytes) & Y_MASK
  if (y >= FIELD_PRIME) return { ok: false, reason: 'non-canonical' }
  let point: Point
  try {
    point = Point.fromBytes(bytes, false)
  } catch {
    // y is canonical here, so the only decoding failures are "x = 0 with the sign bit set"
    // (y = ±1) and "no square root" (not on the curve)
    const xIsZero = y === 1n || y === FIELD_PRIME - 1n
    return { ok: false, reason: xIsZero ? 'non-canonical' : 'not-on-curve' }
  }
  if (point.isSmallOrder()) return { ok: false, reason: 'small-order' }
  if (!point.isTorsionFree()) return { ok: false, reason: 'not-in-subgroup' }
  return { ok: true, point }
}

/**
 * Rule 1 on a 64-byte signature: true when `S` (its last 32 bytes) is below `L`. Reads the
 * bytes in place (no copy, no big integer on the common path).
 */
export function isScalarCanonical(signature: Uint8Array): boolean {
  // L = 2^252 + δ with δ < 2^125: the top byte of L is 0x10, so S < L is decided by the top
  // byte unless it equals 0x10, which honest signatures almost never produce.
  const top = signature[63]!
  if (top < 0x10) return true
  if (top > 0x10) return false
  return bytesToBigIntLE(signature.subarray(32, 64)) < GROUP_ORDER
}

/** `SHA-512(parts…)` as an integer reduced modulo `L`. */
function hashToScalar(...parts: Uint8Array[]): bigint {
  const h = sha512.create()
  for (const part of parts) h.update(part)
  return bytesToBigIntLE(h.digest()) % GROUP_ORDER
}

const TABLE_WINDOW_BITS = 4
const TABLE_WINDOW_POINTS = 1 << (TABLE_WINDOW_BITS - 1) // 8 multiples per window
const TABLE_WINDOWS = 65 // 253-bit scalars in radix 16, plus one window for the final carry

/**
 * Precomputes `j · 16^i · P` for `j` in 1..8 and `i` in 0..64, so that `[k]P` takes about 61
 * additions and no doublings.
 */
export function buildTable(point: Point): Point[] {
  const table: Point[] = []
  let base = point
  for (let w = 0; w < TABLE_WINDOWS; w++) {
    let acc = base
    table.push(acc)
    for (let j = 1; j < TABLE_WINDOW_POINTS; j++) {
      acc = acc.add(base)
      table.push(acc)
    }
    base = acc.double() // 8 · base doubled: the next window's unit
  }
  return table
}

/** `[k]P` from `buildTable(P)`, using signed radix-16 digits (variable time: public data only). */
function multiplyWithTable(table: Point[], k: bigint): Point {
  let acc = ZERO
  let n = k
  for (let w = 0; w < TABLE_WINDOWS; w++) {
    let digit = Number(n & 15n)
    n >>= 4n
    if (digit > TABLE_WINDOW_POINTS) {
      digit -= 16
      n += 1n
    }
    if (digit > 0) acc = acc.add(table[w * TABLE_WINDOW_POINTS + digit - 1]!)
    else if (digit < 0) acc = acc.add(table[w * TABLE_WINDOW_POINTS - digit - 1]!.negate())
  }
  return acc
}

/**
 * Rule 3: with `k = SHA-512(R ‖ A ‖ M) mod L`, does `[S]B − [k]A` encode to exactly `R`?
 * `negA` is `−A` (and `negTable`, when given, its table); `S < L` must already hold.
 */
export function equationHolds(
  publicKey: Uint8Array,
  negA: Point,
  negTable: Point[] | undefined,
  signature: Uint8Array,
  message: Uint8Array,
): boolean {
  const r = signature.subarray(0, 32)
  // A canonical encoding has y < p; an R that is not one can never equal an encoding.
  const yR = bytesToBigIntLE(r) & Y_MASK
  if (yR >= FIELD_PRIME) return false
  const s = bytesToBigIntLE(signature.subarray(32, 64))
  const k = hashToScalar(r, publicKey, message)
  const sB = s === 0n ? ZERO : BASE.multiply(s, false)
  const kNegA = negTable !== undefined ? multiplyWithTable(negTable, k) : negA.multiply(k, false)
  const check = sB.add(kNegA)
  // compare y first (one multiplication, no inversion): Y = yR · Z
  if ((yR * check.Z) % FIELD_PRIME !== check.Y % FIELD_PRIME) return false
  // then the sign bit, which needs the affine x
  const x = (check.X * etc.invert(check.Z, FIELD_PRIME)) % FIELD_PRIME
  return Number(x & 1n) === r[31]! >> 7
}

/** The secret scalar, nonce prefix and public key that RFC 8032 derives from a seed. */
export interface ExpandedSeed {
  readonly scalar: bigint
  readonly prefix: Uint8Array
  readonly publicKey: Uint8Array
  readonly point: Point
}

/** RFC 8032 §5.1.5: hash the seed, clamp, derive `A = [s]B`. */
export function expandSeed(seed: Uint8Array): ExpandedSeed {
  const h = sha512(seed)
  const head = h.slice(0, 32)
  head[0]! &= 248
  head[31]! &= 127
  head[31]! |= 64
  const scalar = bytesToBigIntLE(head) % GROUP_ORDER
  const point = BASE.multiply(scalar)
  return { scalar, prefix: h.slice(32), publicKey: point.toBytes(), point }
}

/** RFC 8032 §5.1.6: the deterministic signature of `message` under an expanded seed. */
export function signWithExpandedSeed(expanded: ExpandedSeed, message: Uint8Array): Uint8Array {
  const r = hashToScalar(expanded.prefix, message)
  const rBytes = BASE.multiply(r).toBytes()
  const k = hashToScalar(rBytes, expanded.publicKey, message)
  const s = (r + k * expanded.scalar) % GROUP_ORDER
  return concatBytes(rBytes, bigIntToBytes32LE(s))
}
