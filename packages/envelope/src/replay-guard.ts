/**
 * The replay guard: remembers the ids of accepted envelopes for as long as the time window
 * could still admit them, and refuses them a second time.
 *
 * Each accepted envelope is remembered until `forgetAt`, the first instant at which `open`
 * would refuse it anyway: `min(timestamp + maxAgeMs + 1, expiresAt)`. So memory holds only
 * what the window admits, and a replay is refused however late it comes (inside the window
 * the id is remembered; past it, the time checks refuse it).
 *
 * Memory is bounded by `maxEntries` ids (about 150 bytes each) and `maxSigners` sequence
 * records (about 180 bytes each): about 12 MB at the defaults. When the guard is full it
 * evicts the entry the window will drop first, and raises its *floor* to that entry's
 * timestamp: from then on, every envelope stamped at or before the floor is refused
 * (`below-floor`). A full guard therefore refuses some old envelopes it
 * never saw rather than ever accepting a replay. The floor also rises when an entry leaves
 * the age window, which covers callers that later open with a wider `maxAgeMs`.
 *
 * With `requireSequence`, every envelope must carry a sequence number above the last one
 * accepted from its signer.
 *
 * @example
 * const guard = createReplayGuard({ maxEntries: 100_000 })
 * open(bytes, { ...rules, replayGuard: guard })
 * open(bytes, { ...rules, replayGuard: guard }) // throws ReplayError (reason 'duplicate')
 * const saved = guard.toBytes()                 // later: replayGuardFromBytes(saved)
 */
import {
  type DecodeOptions,
  decode,
  encode,
  isBytes,
  isCodecError,
  type Value,
} from '@peerkit/codec'
import { assertBytes, assertObject, limitOption } from './assert'
import { bodyDigestKey, digestOfKey } from './body-id'
import { byteKey, byteKeyToBytes } from './byte-key'
import {
  DEFAULT_GUARD_MAX_ENTRIES,
  DEFAULT_GUARD_MAX_SIGNERS,
  GUARD_ENTRY_MAX_BYTES,
  GUARD_SIGNER_MAX_BYTES,
  GUARD_STATE_OVERHEAD_BYTES,
  GUARD_STATE_VERSION,
  MAX_SEQUENCE,
  PUBLIC_KEY_LENGTH,
} from './constants'
import { InvalidArgumentError, InvalidStateError, LimitExceededError, ReplayError } from './errors'
import { createHeap } from './heap'
import { createIdHeap } from './id-heap'

/** Options of `createReplayGuard` and `replayGuardFromBytes`. */
export interface ReplayGuardOptions {
  /** Most envelope ids remembered (default 65,536; about 150 bytes each). */
  maxEntries?: number | undefined
  /** Most signers whose last sequence number is remembered (default 16,384; about 180 bytes each). */
  maxSigners?: number | undefined
  /**
   * Require a sequence number on every envelope, above the last one accepted from the same
   * signer (default false: sequence numbers are not looked at).
   */
  requireSequence?: boolean | undefined
}

/** What the guard needs to know about one envelope. `open` builds it. */
export interface ReplayClaim {
  /** The body's sha2-256 digest (the envelope id's digest). */
  readonly digest: Uint8Array
  /**
   * Optionally, the same digest as a string of one character per byte (`open` has it at hand);
   * when given, the guard uses it instead of converting `digest`, so the two must agree.
   */
  readonly digestKey?: string | undefined
  /** The body signer's public key. */
  readonly signer: Uint8Array
  readonly timestamp: number
  /** The first instant at which the envelope can no longer be accepted (`Infinity`: never). */
  readonly forgetAt: number
  /** Whether `forgetAt` comes from the age window rather than the envelope's own expiry. */
  readonly ageBound: boolean
  readonly sequence: number | bigint | undefined
}

/** A replay guard. `open` and `openMulti` call `check` before and `accept` after verifying. */
export interface ReplayGuard {
  /** Number of envelope ids remembered. */
  readonly size: number
  /** Number of signers whose sequence number is remembered. */
  readonly signerCount: number
  /** Envelopes stamped at or before this are refused; `undefined` until it first rises. */
  readonly floor: number | undefined
  readonly maxEntries: number
  readonly maxSigners: number
  readonly requireSequence: boolean
  /**
   * Throws `ReplayError` when the guard would refuse the envelope. Changes nothing.
   * @throws {ReplayError}
   */
  check(claim: ReplayClaim): void
  /** Records an accepted envelope (after its signatures verified); forgets what `now` lets go. */
  accept(claim: ReplayClaim, now: number): void
  /** Forgets every entry the window no longer admits at `now`. */
  prune(now: number): void
  /** Whether the envelope with this id (or id digest) is remembered. */
  has(id: { readonly digest: Uint8Array } | Uint8Array): boolean
  /** The state as canonical CBOR, for `replayGuardFromBytes`. Equal states give equal bytes. */
  toBytes(): Uint8Array
}

interface Entry {
  readonly key: string
  readonly timestamp: number
  readonly forgetAt: number
  readonly ageBound: boolean
}

interface SignerRecord extends Entry {
  readonly sequence: bigint
}

function byForgetAt(a: Entry, b: Entry): number {
  if (a.forgetAt !== b.forgetAt) return a.forgetAt < b.forgetAt ? -1 : 1
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0
}

function byKey(a: Entry, b: Entry): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0
}

interface GuardSettings {
  readonly maxEntries: number
  readonly maxSigners: number
  readonly requireSequence: boolean
}

function settingsOf(options: ReplayGuardOptions): GuardSettings {
  assertObject(options, 'options')
  const requireSequence = options.requireSequence ?? false
  if (typeof requireSequence !== 'boolean') {
    throw new InvalidArgumentError(
      'options.requireSequence',
      'options.requireSequence must be a boolean',
    )
  }
  return {
    maxEntries: limitOption(options.maxEntries, 'options.maxEntries', DEFAULT_GUARD_MAX_ENTRIES),
    maxSigners: limitOption(options.maxSigners, 'options.maxSigners', DEFAULT_GUARD_MAX_SIGNERS),
    requireSequence,
  }
}

function buildGuard(
  settings: GuardSettings,
  initialEntries: Entry[],
  initialSigners: SignerRecord[],
  initialFloor: number,
): ReplayGuard {
  const { maxEntries, maxSigners, requireSequence } = settings
  // the ids, for lookups; their times live in the heap, in arrays rather than objects
  const ids = new Set<string>()
  const idHeap = createIdHeap()
  const signers = new Map<string, SignerRecord>()
  // holds every current record and possibly stale ones (replaced records), dropped when met
  const signerHeap = createHeap<SignerRecord>(byForgetAt)
  let floor = initialFloor

  for (const entry of initialEntries) ids.add(entry.key)
  idHeap.reset(initialEntries)
  for (const record of initialSigners) signers.set(record.key, record)
  signerHeap.reset(initialSigners)

  function raiseFloor(timestamp: number): void {
    if (timestamp > floor) floor = timestamp
  }

  function popSigner(): SignerRecord | undefined {
    for (;;) {
      const top = signerHeap.pop()
      if (top === undefined) return undefined
      if (signers.get(top.key) === top) return top
    }
  }

  function peekSigner(): SignerRecord | undefined {
    for (;;) {
      const top = signerHeap.peek()
      if (top === undefined || signers.get(top.key) === top) return top
      signerHeap.pop()
    }
  }

  function prune(now: number): void {
    while (idHeap.peekForgetAt() <= now) {
      const top = idHeap.pop()!
      ids.delete(top.key)
      if (top.ageBound) raiseFloor(top.timestamp)
    }
    for (let top = peekSigner(); top !== undefined && top.forgetAt <= now; top = peekSigner()) {
      signerHeap.pop()
      signers.delete(top.key)
      if (top.ageBound) raiseFloor(top.timestamp)
    }
  }

  function check(claim: ReplayClaim): void {
    if (claim.timestamp <= floor) throw new ReplayError('below-floor')
    if (ids.has(claim.digestKey ?? byteKey(claim.digest))) throw new ReplayError('duplicate')
    if (requireSequence) {
      if (claim.sequence === undefined) throw new ReplayError('sequence-missing')
      const record = signers.get(byteKey(claim.signer))
      if (record !== undefined && BigInt(claim.sequence) <= record.sequence)
        throw new ReplayError('sequence')
    }
  }

  function accept(claim: ReplayClaim, now: number): void {
    prune(now)
    const key = claim.digestKey ?? byteKey(claim.digest)
    // an instant that is not an exact integer (NaN, beyond 2^53) is kept forever: never unsafe
    const forgetAt = Number.isSafeInteger(claim.forgetAt)
      ? claim.forgetAt
      : Number.POSITIVE_INFINITY
    if (!ids.has(key)) {
      ids.add(key)
      idHeap.push({ key, timestamp: claim.timestamp, forgetAt, ageBound: claim.ageBound })
      while (ids.size > maxEntries) {
        const evicted = idHeap.pop()!
        ids.delete(evicted.key)
        raiseFloor(evicted.timestamp)
      }
    }
    if (requireSequence && claim.sequence !== undefined) {
      const signerKey = byteKey(claim.signer)
      const previous = signers.get(signerKey)
      const sequence = BigInt(claim.sequence)
      const record: SignerRecord = {
        key: signerKey,
        sequence:
          previous === undefined || sequence > previous.sequence ? sequence : previous.sequence,
        timestamp: Math.max(claim.timestamp, previous?.timestamp ?? claim.timestamp),
        forgetAt: Math.max(forgetAt, previous?.forgetAt ?? forgetAt),
        ageBound:
          previous === undefined || forgetAt >= previous.forgetAt
            ? claim.ageBound
            : previous.ageBound,
      }
      signers.set(signerKey, record)
      signerHeap.push(record)
      while (signers.size > maxSigners) {
        const evicted = popSigner()!
        signers.delete(evicted.key)
        raiseFloor(evicted.timestamp)
      }
      // replaced records stay in the heap until met; rebuild before they outnumber live ones
      if (signerHeap.size > 2 * signers.size + 64) signerHeap.reset([...signers.values()])
    }
  }

  return {
    get size() {
      return ids.size
    },
    get signerCount() {
      return signers.size
    },
    get floor() {
      return floor === Number.NEGATIVE_INFINITY ? undefined : floor
    },
    maxEntries,
    maxSigners,
    requireSequence,
    check,
    accept,
    prune,
    has(id) {
      const digest = isBytes(id) ? id : id.digest
      return ids.has(byteKey(digest))
    },
    toBytes() {
      const idList: Value[] = idHeap
        .entries()
        .sort(byKey)
        .map((e) => [byteKeyToBytes(e.key), e.timestamp, timeOrNull(e.forgetAt), e.ageBound])
      const seqs: Value[] = [...signers.values()]
        .sort(byKey)
        .map((r) => [
          byteKeyToBytes(r.key),
          sequenceValue(r.sequence),
          r.timestamp,
          timeOrNull(r.forgetAt),
          r.ageBound,
        ])
      const state = encode({
        floor: floor === Number.NEGATIVE_INFINITY ? null : floor,
        ids: idList,
        signers: seqs,
      })
      return encode({ v: GUARD_STATE_VERSION, state, sum: digestOfKey(bodyDigestKey(state)) })
    },
  }
}

function timeOrNull(time: number): number | null {
  return time === Number.POSITIVE_INFINITY ? null : time
}

function sequenceValue(sequence: bigint): number | bigint {
  return sequence <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(sequence) : sequence
}

/**
 * Creates an empty replay guard.
 * @param options - `maxEntries` (default 65,536), `maxSigners` (default 16,384),
 *   `requireSequence` (default false)
 * @returns the guard, to pass to `open` as `replayGuard`
 * @throws {InvalidArgumentError} for a bad option
 * @example
 * const guard = createReplayGuard({ maxEntries: 10_000, requireSequence: true })
 */
export function createReplayGuard(options: ReplayGuardOptions = {}): ReplayGuard {
  return buildGuard(settingsOf(options), [], [], Number.NEGATIVE_INFINITY)
}

function bad(message: string, cause?: unknown): InvalidStateError {
  return new InvalidStateError(
    `saved replay guard: ${message}`,
    cause === undefined ? undefined : { cause },
  )
}

function isSafeUint(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
}

function readTime(value: Value | undefined, what: string): number {
  if (value === null) return Number.POSITIVE_INFINITY
  if (!isSafeUint(value)) throw bad(`${what} is not a time`)
  return value
}

function readEntries<T extends Entry>(
  list: Value | undefined,
  what: string,
  read: (item: Value[]) => T,
): T[] {
  if (!Array.isArray(list)) throw bad(`${what} is not an array`)
  const out: T[] = []
  let previous: string | undefined
  for (const item of list) {
    if (!Array.isArray(item)) throw bad(`an item of ${what} is not an array`)
    const entry = read(item)
    if (entry.forgetAt <= entry.timestamp)
      throw bad(`an item of ${what} is forgotten before it was made`)
    if (previous !== undefined && previous >= entry.key)
      throw bad(`${what} are not sorted or repeat`)
    previous = entry.key
    out.push(entry)
  }
  return out
}

/** Options of `replayGuardFromBytes`. */
export interface RestoreReplayGuardOptions extends ReplayGuardOptions {
  /**
   * Most ids the saved state may hold (default: the restored guard's `maxEntries`). Set it to
   * the saving guard's bound to restore a larger guard into a smaller one.
   */
  savedMaxEntries?: number | undefined
  /** Most signer records the saved state may hold (default: the restored guard's `maxSigners`). */
  savedMaxSigners?: number | undefined
  /** Largest saved state read (default: the most a state within those bounds can take). */
  maxBytes?: number | undefined
}

/**
 * The most bytes a saved state of at most `entries` ids and `signers` signer records takes.
 * @param entries - most ids
 * @param signers - most signer records
 * @returns the byte bound `replayGuardFromBytes` applies before reading anything
 */
export function guardStateMaxBytes(entries: number, signers: number): number {
  return (
    GUARD_STATE_OVERHEAD_BYTES + entries * GUARD_ENTRY_MAX_BYTES + signers * GUARD_SIGNER_MAX_BYTES
  )
}

function decodeState(bytes: Uint8Array, options: DecodeOptions): Value {
  try {
    return decode(bytes, options)
  } catch (error) {
    throw bad(isCodecError(error) ? error.message : 'undecodable', error)
  }
}

function isPlainMap(value: Value): value is { [key: string]: Value } {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !isBytes(value) &&
    !(value instanceof Map)
  )
}

/**
 * Restores a replay guard saved with `guard.toBytes()`, in time linear in the input. Every
 * limit comes from the guard's own bounds: the saved state may hold at most `savedMaxEntries`
 * ids and `savedMaxSigners` signer records (the restored guard's `maxEntries` and `maxSigners`
 * unless set), and its size is checked against the most such a state takes before a byte is
 * decoded. The saved form carries a sha2-256 checksum of the state, checked before the state
 * is read, so a damaged state is refused whole. When the state holds more than the restored
 * guard's bounds, the excess is evicted as in a full guard (the floor rises), so a smaller
 * guard never forgets unsafely.
 * @param bytes - the saved state
 * @param options - the guard's options (they are not part of the saved state), the saved
 *   state's bounds, and `maxBytes`
 * @returns the restored guard
 * @throws {InvalidStateError} when the bytes are not an intact saved replay guard
 * @throws {LimitExceededError} when the bytes, the ids or the signer records exceed the bounds
 * @throws {InvalidArgumentError} for a bad option
 * @example
 * await store.put('guard', guard.toBytes())
 * const guard = replayGuardFromBytes(await store.get('guard'))
 */
export function replayGuardFromBytes(
  bytes: Uint8Array,
  options: RestoreReplayGuardOptions = {},
): ReplayGuard {
  assertBytes(bytes, 'bytes')
  const settings = settingsOf(options)
  const savedEntries = limitOption(
    options.savedMaxEntries,
    'options.savedMaxEntries',
    settings.maxEntries,
  )
  const savedSigners = limitOption(
    options.savedMaxSigners,
    'options.savedMaxSigners',
    settings.maxSigners,
  )
  const bound = guardStateMaxBytes(savedEntries, savedSigners)
  const maxBytes = Math.min(bound, limitOption(options.maxBytes, 'options.maxBytes', bound))
  if (bytes.length > maxBytes)
    throw new LimitExceededError('maxBytes', `saved state exceeds ${maxBytes} bytes`)
  const outer = decodeState(bytes, { maxBytes, maxDepth: 1, maxItems: 3, maxTotalItems: 3 })
  if (!isPlainMap(outer)) throw bad('not a map')
  if (Object.keys(outer).sort().join(',') !== 'state,sum,v') throw bad('unexpected fields')
  if (outer.v !== GUARD_STATE_VERSION) throw bad('unsupported state version')
  const { state: stateBytes, sum } = outer
  if (!isBytes(stateBytes) || !isBytes(sum) || sum.length !== 32) throw bad('malformed envelope')
  if (bodyDigestKey(stateBytes) !== byteKey(sum)) throw bad('checksum mismatch')
  const state = decodeState(stateBytes, {
    maxBytes,
    maxDepth: 3,
    maxItems: Math.max(savedEntries, savedSigners, 5),
    maxTotalItems: 3 + 5 * savedEntries + 6 * savedSigners,
  })
  if (!isPlainMap(state)) throw bad('not a map')
  if (Object.keys(state).sort().join(',') !== 'floor,ids,signers') throw bad('unexpected fields')
  const floorValue = state.floor
  if (floorValue !== null && !isSafeUint(floorValue)) throw bad('the floor is not a time')
  if (Array.isArray(state.ids) && state.ids.length > savedEntries)
    throw new LimitExceededError('maxEntries', `saved state holds more than ${savedEntries} ids`)
  if (Array.isArray(state.signers) && state.signers.length > savedSigners) {
    throw new LimitExceededError(
      'maxSigners',
      `saved state holds more than ${savedSigners} signer records`,
    )
  }
  const entries = readEntries(state.ids, 'ids', (item): Entry => {
    const [digest, timestamp, forgetAt, ageBound] = item
    if (item.length !== 4 || !isBytes(digest) || digest.length !== 32)
      throw bad('an id is malformed')
    if (!isSafeUint(timestamp) || typeof ageBound !== 'boolean') throw bad('an id is malformed')
    return { key: byteKey(digest), timestamp, forgetAt: readTime(forgetAt, 'forgetAt'), ageBound }
  })
  const signers = readEntries(state.signers, 'signers', (item): SignerRecord => {
    const [publicKey, sequence, timestamp, forgetAt, ageBound] = item
    if (item.length !== 5 || !isBytes(publicKey) || publicKey.length !== PUBLIC_KEY_LENGTH) {
      throw bad('a signer record is malformed')
    }
    const seq = isSafeUint(sequence) ? BigInt(sequence) : sequence
    if (typeof seq !== 'bigint' || seq < 0n || seq > MAX_SEQUENCE)
      throw bad('a sequence number is malformed')
    if (!isSafeUint(timestamp) || typeof ageBound !== 'boolean')
      throw bad('a signer record is malformed')
    return {
      key: byteKey(publicKey),
      sequence: seq,
      timestamp,
      forgetAt: readTime(forgetAt, 'forgetAt'),
      ageBound,
    }
  })
  let floor = floorValue === null ? Number.NEGATIVE_INFINITY : floorValue
  // shrink to the new bounds the way a full guard would
  const keep = <T extends Entry>(list: T[], max: number): T[] => {
    if (list.length <= max) return list
    const ordered = [...list].sort(byForgetAt)
    for (const dropped of ordered.slice(0, list.length - max))
      floor = Math.max(floor, dropped.timestamp)
    return ordered.slice(list.length - max)
  }
  const keptEntries = keep(entries, settings.maxEntries)
  const keptSigners = keep(signers, settings.maxSigners)
  return buildGuard(settings, keptEntries, keptSigners, floor)
}
