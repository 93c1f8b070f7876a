/**
 * Key rotation. A rotation statement says "identity `root` moves, at step `sequence`, from key
 * `previous` to key `next`"; it is signed by both keys, so neither a thief of the old key alone
 * nor a stranger holding a new key can write one. A chain of statements starting at the root
 * key resolves to the identity's current key; forks, cycles, gaps and wrong signers are typed
 * errors. The identity an application keeps stable is the root `PeerId`.
 *
 * Signed bytes (canonical CBOR): `{ domain: 'peerkit/identity/rotation/1', root, sequence,
 * previous, next }` (keys as 32 raw bytes). A statement on the wire is
 * `{ body: <signed bytes>, previousSignature, nextSignature }`.
 *
 * @example
 * const first = await rotateKey(oldSigner, newSigner)
 * const { current } = await resolveRotation([first.bytes], { root: oldSigner.peerId })
 * current.equals(newSigner.peerId) // true
 */
import { decode, encode, type Value } from '@peerkit/codec'
import { assertBytes, isBytes } from './assert'
import { bytesEqual } from './bytes'
import {
  MAX_ROTATION_CHAIN,
  MAX_ROTATION_STATEMENT_BYTES,
  PUBLIC_KEY_LENGTH,
  ROTATION_DOMAIN,
  SIGNATURE_LENGTH,
} from './constants'
import {
  InvalidArgumentError,
  InvalidRotationError,
  RotationCycleError,
  RotationForkError,
  RotationGapError,
  RotationRootError,
  RotationSignatureError,
} from './errors'
import { type PeerId, peerIdFromPublicKey } from './peer-id'
import type { Signer } from './signer'
import { verifySignature } from './verify'

/** A decoded rotation statement (its signatures not yet checked). */
export interface RotationStatement {
  /** The statement's wire bytes. */
  readonly bytes: Uint8Array
  /** The stable identity: the first key of the chain. */
  readonly root: PeerId
  /** Step number, 0 for the first rotation away from the root key. */
  readonly sequence: number
  /** The key retired by this step. */
  readonly previous: PeerId
  /** The key introduced by this step. */
  readonly next: PeerId
  /** The signed bytes. */
  readonly body: Uint8Array
  readonly previousSignature: Uint8Array
  readonly nextSignature: Uint8Array
}

/** Options of `rotateKey`. */
export interface RotateKeyOptions {
  /** The latest statement of the chain, when this is not the first rotation. */
  after?: RotationStatement | Uint8Array
}

/** The outcome of `resolveRotation`. */
export interface ResolvedRotation {
  /** The stable identity. */
  readonly root: PeerId
  /** The key that speaks for it now. */
  readonly current: PeerId
  /** Every key of the chain, root first, current last. */
  readonly keys: readonly PeerId[]
  /** The statements, in order. */
  readonly statements: readonly RotationStatement[]
}

/** Options of `resolveRotation`. */
export interface ResolveRotationOptions {
  /** The identity the chain must belong to (required to resolve an empty chain). */
  root?: PeerId
}

function assertSigner(signer: unknown, argument: string): asserts signer is Signer {
  const candidate = signer as Partial<Signer> | null
  if (
    candidate === null ||
    typeof candidate !== 'object' ||
    typeof candidate.sign !== 'function' ||
    !isBytes(candidate.publicKey)
  ) {
    throw new InvalidArgumentError(argument, `"${argument}" must be a Signer`)
  }
}

/**
 * Makes the statement that moves an identity from `oldSigner`'s key to `newSigner`'s key,
 * signed by both.
 * @param oldSigner - the signer of the key being retired (the root key for the first rotation)
 * @param newSigner - the signer of the new key
 * @param options - `after`: the chain's latest statement, whose `next` must be `oldSigner`'s key
 * @returns the statement (send `statement.bytes`)
 * @throws InvalidArgumentError for non-signers or an `after` that does not end at `oldSigner`
 * @throws InvalidRotationError when both signers hold the same key
 * @example
 * const step0 = await rotateKey(rootSigner, secondSigner)
 * const step1 = await rotateKey(secondSigner, thirdSigner, { after: step0 })
 */
export async function rotateKey(
  oldSigner: Signer,
  newSigner: Signer,
  options?: RotateKeyOptions,
): Promise<RotationStatement> {
  assertSigner(oldSigner, 'oldSigner')
  assertSigner(newSigner, 'newSigner')
  if (bytesEqual(oldSigner.publicKey, newSigner.publicKey))
    throw new InvalidRotationError('same-key')
  let root = oldSigner.peerId
  let sequence = 0
  if (options?.after !== undefined) {
    const after = isBytes(options.after) ? decodeRotationStatement(options.after) : options.after
    if (!after.next.equals(oldSigner.peerId)) {
      throw new InvalidArgumentError(
        'options.after',
        'the previous statement does not end at oldSigner',
      )
    }
    root = after.root
    sequence = after.sequence + 1
  }
  const body = encode({
    domain: ROTATION_DOMAIN,
    root: root.publicKey,
    sequence,
    previous: oldSigner.publicKey,
    next: newSigner.publicKey,
  })
  const [previousSignature, nextSignature] = await Promise.all([
    oldSigner.sign(body),
    newSigner.sign(body),
  ])
  return decodeRotationStatement(encode({ body, previousSignature, nextSignature }))
}

/**
 * Decodes a rotation statement's bytes (structure only; signatures are checked by
 * `resolveRotation`).
 * @param bytes - the statement bytes
 * @returns the statement
 * @throws InvalidRotationError for malformed bytes or another domain
 * @throws InvalidPublicKeyError when a key in it is invalid
 * @example
 * decodeRotationStatement(statement.bytes).next.toString()
 */
export function decodeRotationStatement(bytes: Uint8Array): RotationStatement {
  assertBytes(bytes, 'bytes')
  if (bytes.length > MAX_ROTATION_STATEMENT_BYTES)
    throw new InvalidRotationError('malformed', 'rotation statement too large')
  const outer = fields(decodeValue(bytes), ['body', 'previousSignature', 'nextSignature'])
  const body = outer.body
  const previousSignature = outer.previousSignature
  const nextSignature = outer.nextSignature
  if (!isBytes(body) || !isBytes(previousSignature) || !isBytes(nextSignature))
    throw new InvalidRotationError('malformed')
  if (previousSignature.length !== SIGNATURE_LENGTH || nextSignature.length !== SIGNATURE_LENGTH) {
    throw new InvalidRotationError('malformed', 'signatures must be 64 bytes')
  }
  const inner = fields(decodeValue(body), ['domain', 'root', 'sequence', 'previous', 'next'])
  if (inner.domain !== ROTATION_DOMAIN) throw new InvalidRotationError('domain')
  const sequence = inner.sequence
  if (
    typeof sequence !== 'number' ||
    !Number.isSafeInteger(sequence) ||
    sequence < 0 ||
    sequence >= MAX_ROTATION_CHAIN
  ) {
    throw new InvalidRotationError('malformed', 'bad sequence number')
  }
  const root = keyField(inner.root)
  const previous = keyField(inner.previous)
  const next = keyField(inner.next)
  if (previous.equals(next)) throw new InvalidRotationError('same-key')
  return Object.freeze({
    bytes: Uint8Array.from(bytes),
    root,
    sequence,
    previous,
    next,
    body,
    previousSignature,
    nextSignature,
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

/**
 * Verifies a rotation chain and returns the identity's current key. Statements may come in
 * any order and repeat; each must be signed by both its keys, the steps must run 0, 1, 2…
 * without a gap, each starting from the key the previous one introduced (the first from the
 * root), no step may return to an earlier key, and no two different statements may claim
 * the same step.
 * @param chain - statement bytes (or decoded statements), at most 256
 * @param options - `root`: the identity the chain must belong to
 * @returns root, current key, every key in order, and the ordered statements
 * @throws InvalidRotationError for malformed statements or too many
 * @throws RotationRootError when statements name different roots, or not `options.root`
 * @throws RotationSignatureError when a statement is not signed by both of its keys
 * @throws RotationForkError when two different statements claim the same step
 * @throws RotationGapError when a step is missing or does not continue from the previous key
 * @throws RotationCycleError when a step returns to a key used before
 * @example
 * const { root, current } = await resolveRotation(statements, { root: knownPeer })
 */
export async function resolveRotation(
  chain: readonly (RotationStatement | Uint8Array)[],
  options?: ResolveRotationOptions,
): Promise<ResolvedRotation> {
  if (!Array.isArray(chain)) throw new InvalidArgumentError('chain', '"chain" must be an array')
  if (chain.length > MAX_ROTATION_CHAIN) throw new InvalidRotationError('too-many')
  const statements = chain.map((item) =>
    decodeRotationStatement(isBytes(item) ? item : (item as RotationStatement).bytes),
  )
  const expectedRoot = options?.root ?? statements[0]?.root
  if (expectedRoot === undefined)
    throw new InvalidArgumentError('options.root', 'an empty chain needs options.root')
  for (const statement of statements) {
    if (!statement.root.equals(expectedRoot)) throw new RotationRootError()
  }
  for (const statement of statements) {
    const [byPrevious, byNext] = await Promise.all([
      verifySignature(statement.previous.publicKey, statement.body, statement.previousSignature),
      verifySignature(statement.next.publicKey, statement.body, statement.nextSignature),
    ])
    if (!byPrevious || !byNext) throw new RotationSignatureError(statement.sequence)
  }
  // one statement per step; identical copies are fine, different ones are a fork
  const bySequence = new Map<number, RotationStatement>()
  for (const statement of statements) {
    const seen = bySequence.get(statement.sequence)
    if (seen === undefined) bySequence.set(statement.sequence, statement)
    else if (!bytesEqual(seen.body, statement.body)) throw new RotationForkError(statement.sequence)
  }
  const ordered: RotationStatement[] = []
  const keys: PeerId[] = [expectedRoot]
  for (let sequence = 0; sequence < bySequence.size; sequence++) {
    const statement = bySequence.get(sequence)
    if (statement === undefined) throw new RotationGapError(sequence)
    if (!statement.previous.equals(keys[keys.length - 1]!)) throw new RotationGapError(sequence)
    if (keys.some((key) => key.equals(statement.next))) throw new RotationCycleError(sequence)
    ordered.push(statement)
    keys.push(statement.next)
  }
  return Object.freeze({
    root: expectedRoot,
    current: keys[keys.length - 1]!,
    keys: Object.freeze(keys),
    statements: Object.freeze(ordered),
  })
}
