/**
 * Key rotation with pre-rotation (as KERI does it). Every key commits, in the statement that
 * introduces it, to the digest of the key that will follow it; a rotation is valid only when
 * it reveals exactly the key committed before, and it is signed by both the key it retires
 * and the key it reveals. The key that will follow stays unrevealed (only its digest is
 * public) until the rotation that uses it, so the thief of any one retired key cannot write
 * a branch: every statement after the inception needs two consecutive keys of the chain, and
 * the inception is pinned by its id. The identity an application keeps stable is the root
 * `PeerId`, together with the id of its inception, learned the first time it meets it.
 *
 * Signed bytes (canonical CBOR, domain `peerkit/identity/rotation/2`):
 * - the inception (step 0): `{ domain, root, sequence: 0, key: root, next }`, signed by the root;
 * - a rotation (step n): `{ domain, root, sequence: n, previous, key, next, prior }`, signed by
 *   `previous` then `key`, where `nextKeyDigest(key)` is the previous statement's `next` and
 *   `prior` is the previous statement's id.
 *
 * Keys are 32 raw bytes; `next` is `nextKeyDigest(next key)`; a statement's id is the sha2-256
 * digest of its signed bytes. A statement on the wire is `{ body, signatures }`.
 *
 * @example
 * const inception = await inceptKey(rootSigner, secondSigner.publicKey)
 * const step1 = await rotateKey(rootSigner, secondSigner, { after: inception, next: thirdSigner.publicKey })
 * const { current } = await resolveRotation([inception.bytes, step1.bytes], { root: rootSigner.peerId, inception: inception.id })
 */

import { sha256 } from '@noble/hashes/sha2.js'
import { decode, encode, type Value } from '@peerkit/codec'
import { assertBytes, isBytes } from './assert'
import { bytesEqual } from './bytes'
import {
  MAX_ROTATION_CHAIN,
  MAX_ROTATION_STATEMENT_BYTES,
  NEXT_KEY_DIGEST_DOMAIN,
  PUBLIC_KEY_LENGTH,
  ROTATION_DOMAIN,
  SIGNATURE_LENGTH,
} from './constants'
import {
  InvalidArgumentError,
  InvalidRotationError,
  RotationCommitmentError,
  RotationCycleError,
  RotationForkError,
  RotationGapError,
  RotationRootError,
  RotationSignatureError,
} from './errors'
import { type PeerId, peerIdFromPublicKey } from './peer-id'
import type { Signer } from './signer'
import { verifySignature } from './verify'

/** Length of a statement id and of a next-key digest (sha2-256). */
const DIGEST_LENGTH = 32

/** A decoded rotation statement (its signatures not yet checked). */
export interface RotationStatement {
  /** The statement's wire bytes. */
  readonly bytes: Uint8Array
  /** The statement's id: the sha2-256 digest of its signed bytes. */
  readonly id: Uint8Array
  /** The stable identity: the first key of the chain. */
  readonly root: PeerId
  /** Step number: 0 for the inception, then 1, 2, … for each rotation. */
  readonly sequence: number
  /** The key retired by this step (none for the inception). */
  readonly previous: PeerId | undefined
  /** The key this step introduces (the root, for the inception). */
  readonly key: PeerId
  /** `nextKeyDigest` of the key that will follow `key`: the commitment. */
  readonly next: Uint8Array
  /** The previous statement's id (none for the inception). */
  readonly prior: Uint8Array | undefined
  /** The signed bytes. */
  readonly body: Uint8Array
  /** The inception's one signature by the root; a rotation's by `previous`, then by `key`. */
  readonly signatures: readonly Uint8Array[]
}

/** Options of `rotateKey`. */
export interface RotateKeyOptions {
  /** The chain's latest statement: its `key` is `oldSigner`'s, its `next` commits to `newSigner`. */
  after: RotationStatement | Uint8Array
  /** The key that will follow `newSigner`'s (its public key or `PeerId`): the new commitment. */
  next: Uint8Array | PeerId
}

/** The outcome of `resolveRotation`. */
export interface ResolvedRotation {
  /** The stable identity. */
  readonly root: PeerId
  /** The key that speaks for it now. */
  readonly current: PeerId
  /** The commitment to the key that will follow `current` (none for an empty chain). */
  readonly next: Uint8Array | undefined
  /** The inception's id, to pin (none for an empty chain). */
  readonly inception: Uint8Array | undefined
  /** Every key of the chain, root first, current last. */
  readonly keys: readonly PeerId[]
  /** The statements, in order, the inception first. */
  readonly statements: readonly RotationStatement[]
}

/** Options of `resolveRotation`. */
export interface ResolveRotationOptions {
  /** The identity the chain must belong to (required to resolve an empty chain). */
  root?: PeerId | undefined
  /**
   * The id of the identity's inception, as first seen. With it, a chain that starts from any
   * other inception is a fork at step 0; without it, the chain's own inception is taken (and
   * returned, to pin).
   */
  inception?: Uint8Array | undefined
}

function assertSigner(signer: unknown, argument: string): asserts signer is Signer {
  const candidate = signer as Partial<Signer> | null
  if (
    candidate === null ||
    typeof candidate !== 'object' ||
    typeof candidate.sign !== 'function' ||
    !isBytes(candidate.publicKey) ||
    typeof candidate.peerId !== 'object' ||
    candidate.peerId === null
  ) {
    throw new InvalidArgumentError(argument, `"${argument}" must be a Signer`)
  }
}

function isPeerIdLike(value: unknown): value is PeerId {
  const candidate = value as Partial<PeerId> | null
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    isBytes(candidate.publicKey) &&
    typeof candidate.equals === 'function'
  )
}

/** The 32-byte public key of a key argument (bytes or a PeerId), checked. */
function keyArgument(value: unknown, argument: string): Uint8Array {
  if (isPeerIdLike(value)) return peerIdFromPublicKey(value.publicKey).publicKey
  assertBytes(value, argument, PUBLIC_KEY_LENGTH)
  return peerIdFromPublicKey(value).publicKey
}

/**
 * The commitment to a key: sha2-256 of `"peerkit/identity/next-key/1" ‖ 0x00 ‖ publicKey`.
 * @param key - the key's 32-byte public key or its `PeerId`
 * @returns 32 bytes
 * @throws InvalidArgumentError when `key` is neither
 * @throws InvalidPublicKeyError when the key is not a valid Ed25519 public key
 * @example
 * bytesEqual(nextKeyDigest(nextSigner.peerId), inception.next) // true
 */
export function nextKeyDigest(key: Uint8Array | PeerId): Uint8Array {
  const publicKey = keyArgument(key, 'key')
  const tag = new TextEncoder().encode(NEXT_KEY_DIGEST_DOMAIN)
  const input = new Uint8Array(tag.length + 1 + PUBLIC_KEY_LENGTH)
  input.set(tag)
  input.set(publicKey, tag.length + 1)
  return sha256(input)
}

/**
 * Makes an identity's inception: the root key's statement committing to the key that will
 * follow it. Publish it with the identity; whoever meets the identity pins `inception.id`.
 * @param rootSigner - the signer of the root key
 * @param next - the key that will follow the root (its public key or `PeerId`); keep its
 *   secret key apart from the root's
 * @returns the inception (send `statement.bytes`)
 * @throws InvalidArgumentError for a non-signer or a bad key
 * @throws InvalidRotationError when `next` is the root key
 * @example
 * const inception = await inceptKey(rootSigner, nextSigner.publicKey)
 */
export async function inceptKey(
  rootSigner: Signer,
  next: Uint8Array | PeerId,
): Promise<RotationStatement> {
  assertSigner(rootSigner, 'rootSigner')
  const nextKey = keyArgument(next, 'next')
  if (bytesEqual(nextKey, rootSigner.publicKey)) throw new InvalidRotationError('same-key')
  const body = encode({
    domain: ROTATION_DOMAIN,
    root: rootSigner.publicKey,
    sequence: 0,
    key: rootSigner.publicKey,
    next: nextKeyDigest(nextKey),
  })
  const signature = await rootSigner.sign(body)
  return decodeRotationStatement(encode({ body, signatures: [signature] }))
}

/**
 * Makes the statement that moves an identity from `oldSigner`'s key to `newSigner`'s key,
 * the key `after` committed to, and commits to the key that will follow.
 * @param oldSigner - the signer of the key being retired (`after.key`)
 * @param newSigner - the signer of the committed key
 * @param options - `after`: the chain's latest statement; `next`: the key that will follow
 * @returns the statement (send `statement.bytes`)
 * @throws InvalidArgumentError for non-signers, bad keys, or an `after` that does not end at
 *   `oldSigner`
 * @throws RotationCommitmentError when `after` did not commit to `newSigner`'s key
 * @throws InvalidRotationError when two of the keys are the same
 * @example
 * const step1 = await rotateKey(rootSigner, secondSigner, { after: inception, next: third.publicKey })
 */
export async function rotateKey(
  oldSigner: Signer,
  newSigner: Signer,
  options: RotateKeyOptions,
): Promise<RotationStatement> {
  assertSigner(oldSigner, 'oldSigner')
  assertSigner(newSigner, 'newSigner')
  if (typeof options !== 'object' || options === null)
    throw new InvalidArgumentError('options', '"options" must be an object with after and next')
  const nextKey = keyArgument(options.next, 'options.next')
  const after = isBytes(options.after)
    ? decodeRotationStatement(options.after)
    : isStatement(options.after)
      ? decodeRotationStatement(options.after.bytes)
      : undefined
  if (after === undefined)
    throw new InvalidArgumentError('options.after', '"options.after" must be a rotation statement')
  if (!bytesEqual(after.key.publicKey, oldSigner.publicKey)) {
    throw new InvalidArgumentError(
      'options.after',
      'the previous statement does not end at oldSigner',
    )
  }
  if (
    bytesEqual(oldSigner.publicKey, newSigner.publicKey) ||
    bytesEqual(nextKey, newSigner.publicKey)
  )
    throw new InvalidRotationError('same-key')
  const sequence = after.sequence + 1
  if (!bytesEqual(nextKeyDigest(newSigner.publicKey), after.next))
    throw new RotationCommitmentError(sequence)
  if (sequence >= MAX_ROTATION_CHAIN) throw new InvalidRotationError('too-many')
  const body = encode({
    domain: ROTATION_DOMAIN,
    root: after.root.publicKey,
    sequence,
    previous: oldSigner.publicKey,
    key: newSigner.publicKey,
    next: nextKeyDigest(nextKey),
    prior: after.id,
  })
  const signatures = await Promise.all([oldSigner.sign(body), newSigner.sign(body)])
  return decodeRotationStatement(encode({ body, signatures }))
}

function isStatement(value: unknown): value is RotationStatement {
  return typeof value === 'object' && value !== null && isBytes((value as RotationStatement).bytes)
}

/**
 * Decodes a rotation statement's bytes (structure only; signatures and commitments are
 * checked by `resolveRotation`).
 * @param bytes - the statement bytes
 * @returns the statement
 * @throws InvalidArgumentError when `bytes` is not a Uint8Array
 * @throws InvalidRotationError for malformed bytes or another domain
 * @throws InvalidPublicKeyError when a key in it is invalid
 * @example
 * decodeRotationStatement(statement.bytes).key.toString()
 */
export function decodeRotationStatement(bytes: Uint8Array): RotationStatement {
  assertBytes(bytes, 'bytes')
  if (bytes.length > MAX_ROTATION_STATEMENT_BYTES)
    throw new InvalidRotationError('malformed', 'rotation statement too large')
  const outer = fields(decodeValue(bytes), ['body', 'signatures'])
  const body = outer.body
  const signatures = outer.signatures
  if (!isBytes(body) || !Array.isArray(signatures)) throw new InvalidRotationError('malformed')
  const inner = decodeValue(body)
  const sequence = (inner as { sequence?: Value } | null)?.sequence
  if (
    typeof sequence !== 'number' ||
    !Number.isSafeInteger(sequence) ||
    sequence < 0 ||
    sequence >= MAX_ROTATION_CHAIN
  ) {
    throw new InvalidRotationError('malformed', 'bad sequence number')
  }
  const inception = sequence === 0
  const body0 = fields(
    inner,
    inception
      ? ['domain', 'root', 'sequence', 'key', 'next']
      : ['domain', 'root', 'sequence', 'previous', 'key', 'next', 'prior'],
  )
  if (body0.domain !== ROTATION_DOMAIN) throw new InvalidRotationError('domain')
  if (signatures.length !== (inception ? 1 : 2))
    throw new InvalidRotationError('malformed', 'wrong number of signatures')
  for (const signature of signatures) {
    if (!isBytes(signature) || signature.length !== SIGNATURE_LENGTH)
      throw new InvalidRotationError('malformed', 'signatures must be 64 bytes')
  }
  const root = keyField(body0.root)
  const key = keyField(body0.key)
  const next = digestField(body0.next)
  const previous = inception ? undefined : keyField(body0.previous)
  const prior = inception ? undefined : digestField(body0.prior)
  if (inception && !root.equals(key))
    throw new InvalidRotationError('malformed', 'the inception introduces the root key')
  if (previous?.equals(key)) throw new InvalidRotationError('same-key')
  return Object.freeze({
    bytes: Uint8Array.from(bytes),
    id: sha256(body),
    root,
    sequence,
    previous,
    key,
    next,
    prior,
    body,
    signatures: Object.freeze(signatures as Uint8Array[]),
  })
}

function decodeValue(bytes: Uint8Array): Value {
  try {
    return decode(bytes, {
      maxBytes: MAX_ROTATION_STATEMENT_BYTES,
      maxDepth: 2,
      maxItems: 8,
      maxTotalItems: 16,
    })
  } catch (error) {
    throw new InvalidRotationError(
      'malformed',
      `rotation statement is not canonical CBOR (${(error as Error).name})`,
    )
  }
}

function fields(value: Value, keys: string[]): { [key: string]: Value } {
  if (
    value === null ||
    typeof value !== 'object' ||
    isBytes(value) ||
    Array.isArray(value) ||
    value instanceof Map
  ) {
    throw new InvalidRotationError('malformed')
  }
  const present = Object.keys(value)
  if (present.length !== keys.length || !keys.every((key) => Object.hasOwn(value, key))) {
    throw new InvalidRotationError('malformed', `expected exactly the fields ${keys.join(', ')}`)
  }
  return value
}

function keyField(value: Value | undefined): PeerId {
  if (!isBytes(value) || value.length !== PUBLIC_KEY_LENGTH)
    throw new InvalidRotationError('malformed', 'keys must be 32 bytes')
  return peerIdFromPublicKey(value)
}

function digestField(value: Value | undefined): Uint8Array {
  if (!isBytes(value) || value.length !== DIGEST_LENGTH)
    throw new InvalidRotationError('malformed', 'digests must be 32 bytes')
  return value
}

/**
 * Verifies a rotation chain and returns the identity's current key. Statements may come in
 * any order and repeat. The chain starts with the inception (the root's, matching
 * `options.inception` when given); each rotation is signed by the key it retires and the key
 * it reveals, reveals the key the previous statement committed to, names the previous
 * statement's id, and never returns to an earlier key; no two different statements may claim
 * the same step.
 * @param chain - statement bytes (or decoded statements), at most 256
 * @param options - `root`: the identity the chain must belong to; `inception`: its pinned id
 * @returns root, current key, the commitment to the next key, the inception's id, every key
 *   in order, and the ordered statements
 * @throws InvalidArgumentError when `chain` is not an array of statements, or an option is bad
 * @throws InvalidRotationError for malformed statements or too many
 * @throws RotationRootError when statements name different roots, or not `options.root`
 * @throws RotationSignatureError when a statement is not signed by its keys
 * @throws RotationCommitmentError when a rotation reveals a key not committed to, or does
 *   not continue from the previous statement's id
 * @throws RotationForkError when two different statements claim the same step (an inception
 *   other than the pinned one included)
 * @throws RotationGapError when a step is missing or does not continue from the previous key
 * @throws RotationCycleError when a step returns to a key used before
 * @example
 * const { current } = await resolveRotation(statements, { root: knownPeer, inception: pinned })
 */
export async function resolveRotation(
  chain: readonly (RotationStatement | Uint8Array)[],
  options?: ResolveRotationOptions,
): Promise<ResolvedRotation> {
  if (!Array.isArray(chain)) throw new InvalidArgumentError('chain', '"chain" must be an array')
  if (options !== undefined && (typeof options !== 'object' || options === null))
    throw new InvalidArgumentError('options', '"options" must be an object')
  if (options?.root !== undefined && !isPeerIdLike(options.root))
    throw new InvalidArgumentError('options.root', '"options.root" must be a PeerId')
  if (options?.inception !== undefined) assertBytes(options.inception, 'options.inception', 32)
  if (chain.length > MAX_ROTATION_CHAIN) throw new InvalidRotationError('too-many')
  const statements = chain.map((item, index) => {
    if (isBytes(item)) return decodeRotationStatement(item)
    if (isStatement(item)) return decodeRotationStatement(item.bytes)
    throw new InvalidArgumentError(
      `chain[${index}]`,
      `"chain[${index}]" must be statement bytes or a statement`,
    )
  })
  const expectedRoot = options?.root ?? statements[0]?.root
  if (expectedRoot === undefined)
    throw new InvalidArgumentError('options.root', 'an empty chain needs options.root')
  for (const statement of statements) {
    if (!statement.root.equals(expectedRoot)) throw new RotationRootError()
  }
  if (statements.length === 0) {
    if (options?.inception !== undefined) throw new RotationGapError(0)
    return Object.freeze({
      root: expectedRoot,
      current: expectedRoot,
      next: undefined,
      inception: undefined,
      keys: Object.freeze([expectedRoot]),
      statements: Object.freeze([]),
    })
  }
  for (const statement of statements) {
    const signers =
      statement.previous === undefined ? [statement.key] : [statement.previous, statement.key]
    const verdicts = await Promise.all(
      signers.map((signer, i) =>
        verifySignature(signer.publicKey, statement.body, statement.signatures[i]!),
      ),
    )
    if (!verdicts.every(Boolean)) throw new RotationSignatureError(statement.sequence)
  }
  // one statement per step; identical copies are fine, different ones are a fork
  const bySequence = new Map<number, RotationStatement>()
  for (const statement of statements) {
    const seen = bySequence.get(statement.sequence)
    if (seen === undefined) bySequence.set(statement.sequence, statement)
    else if (!bytesEqual(seen.body, statement.body)) throw new RotationForkError(statement.sequence)
  }
  const inception = bySequence.get(0)
  if (inception === undefined) throw new RotationGapError(0)
  if (options?.inception !== undefined && !bytesEqual(inception.id, options.inception))
    throw new RotationForkError(0)
  const ordered: RotationStatement[] = [inception]
  const keys: PeerId[] = [expectedRoot]
  for (let sequence = 1; sequence < bySequence.size; sequence++) {
    const statement = bySequence.get(sequence)
    if (statement === undefined) throw new RotationGapError(sequence)
    const before = ordered[ordered.length - 1]!
    if (!statement.previous!.equals(before.key)) throw new RotationGapError(sequence)
    if (!bytesEqual(statement.prior!, before.id)) throw new RotationCommitmentError(sequence)
    if (!bytesEqual(nextKeyDigest(statement.key), before.next))
      throw new RotationCommitmentError(sequence)
    if (keys.some((key) => key.equals(statement.key))) throw new RotationCycleError(sequence)
    ordered.push(statement)
    keys.push(statement.key)
  }
  const last = ordered[ordered.length - 1]!
  return Object.freeze({
    root: expectedRoot,
    current: last.key,
    next: last.next,
    inception: inception.id,
    keys: Object.freeze(keys),
    statements: Object.freeze(ordered),
  })
}
