/**
 * The records of a trade's log store: the terms, each accepted step (with the clock
 * reading it was accepted at, so a replay reaches the same verdicts), each
 * acknowledgement from another role, and the intent to take a step that locks assets
 * (written before the vault is asked, so a crash in between is finished on reload, or
 * abandoned when the lock is refused). Records are canonical CBOR. A compacted log starts
 * with a snapshot that lists what the records before it said.
 *
 * @example
 * const bytes = encodeRecord({ kind: 'step', bytes: step, at: now })
 * decodeRecord(bytes) // { kind: 'step', bytes: step, at: now }
 */
import { decode, encode, type Value } from '@peerkit/codec'
import { isBytes } from './assert'
import { MAX_NAME_LENGTH, MAX_RECORD_BYTES, MAX_ROLES, RECORD_VERSION } from './constants'
import { CorruptLogError } from './errors'
import { bytesField, field, intField, mapOf, stringField } from './fields'

/** One record of a trade's log. */
export type LogRecord =
  | { readonly kind: 'terms'; readonly bytes: Uint8Array; readonly at: number }
  | { readonly kind: 'step'; readonly bytes: Uint8Array; readonly at: number }
  | { readonly kind: 'ack'; readonly role: string; readonly count: number }
  | { readonly kind: 'intent'; readonly bytes: Uint8Array; readonly at: number }
  | { readonly kind: 'abandon' }

/** A compacted log: what every record before it said, in one record. */
export interface LogSnapshot {
  readonly terms: { readonly bytes: Uint8Array; readonly at: number }
  /** Every accepted step with the clock reading it was accepted at, in order. */
  readonly steps: ReadonlyArray<{ readonly bytes: Uint8Array; readonly at: number }>
  /** The acknowledged count of each other role. */
  readonly acked: ReadonlyArray<{ readonly role: string; readonly count: number }>
  /** A step that locks assets, written down but not finished. */
  readonly intent: { readonly bytes: Uint8Array; readonly at: number } | undefined
}

/** Encodes a record. */
export function encodeRecord(record: LogRecord): Uint8Array {
  const value: Record<string, Value> =
    record.kind === 'ack'
      ? { v: RECORD_VERSION, k: 'ack', role: record.role, n: record.count }
      : record.kind === 'abandon'
        ? { v: RECORD_VERSION, k: 'abandon' }
        : { v: RECORD_VERSION, k: record.kind, b: record.bytes, at: record.at }
  return encode(value)
}

/**
 * Decodes a record.
 * @throws {CorruptLogError} when the bytes are not a record
 */
export function decodeRecord(bytes: Uint8Array): LogRecord {
  let value: Value
  try {
    value = decode(bytes, {
      maxBytes: MAX_RECORD_BYTES,
      maxDepth: 4,
      maxItems: 16,
      maxTotalItems: 32,
    })
  } catch (error) {
    throw new CorruptLogError('a stored record does not decode', { cause: error })
  }
  const r = mapOf(value)
  if (r === undefined || field(r, 'v') !== RECORD_VERSION)
    throw new CorruptLogError('unknown record version')
  const kind = field(r, 'k')
  if (kind === 'ack') {
    const role = stringField(r, 'role', MAX_NAME_LENGTH)
    const count = intField(r, 'n')
    if (role !== undefined && count !== undefined) return { kind, role, count }
  } else if (kind === 'abandon') {
    if (Object.keys(r).length === 2) return { kind }
  } else if (kind === 'terms' || kind === 'step' || kind === 'intent') {
    const b = bytesField(r, 'b')
    const at = intField(r, 'at')
    if (b !== undefined && at !== undefined) return { kind, bytes: b, at }
  }
  throw new CorruptLogError('a stored record has the wrong shape')
}

/** Encodes a snapshot of a trade's log (canonical CBOR). */
export function encodeSnapshot(snapshot: LogSnapshot): Uint8Array {
  const value: Record<string, Value> = {
    v: RECORD_VERSION,
    k: 'snapshot',
    terms: [snapshot.terms.bytes, snapshot.terms.at],
    steps: snapshot.steps.map((s) => [s.bytes, s.at]),
    acked: snapshot.acked.map((a) => [a.role, a.count]),
  }
  if (snapshot.intent !== undefined) value.intent = [snapshot.intent.bytes, snapshot.intent.at]
  return encode(value)
}

function pair(value: Value | undefined): { bytes: Uint8Array; at: number } {
  if (
    Array.isArray(value) &&
    value.length === 2 &&
    isBytes(value[0]) &&
    typeof value[1] === 'number' &&
    Number.isSafeInteger(value[1]) &&
    value[1] >= 0
  )
    return { bytes: value[0], at: value[1] }
  throw new CorruptLogError('a snapshot entry has the wrong shape')
}

/**
 * Decodes a snapshot of a trade's log.
 * @param bytes - the snapshot
 * @param maxSteps - most steps it may hold
 * @throws {CorruptLogError} when the bytes are not a snapshot
 */
export function decodeSnapshot(bytes: Uint8Array, maxSteps: number): LogSnapshot {
  let value: Value
  try {
    value = decode(bytes, {
      maxBytes: bytes.length,
      maxDepth: 4,
      maxItems: Math.max(16, maxSteps),
      maxTotalItems: 8 + 3 * (maxSteps + 2) + 3 * MAX_ROLES,
    })
  } catch (error) {
    throw new CorruptLogError('a stored snapshot does not decode', { cause: error })
  }
  const r = mapOf(value)
  if (r === undefined || field(r, 'v') !== RECORD_VERSION || field(r, 'k') !== 'snapshot')
    throw new CorruptLogError('not a snapshot of this version')
  const steps = field(r, 'steps')
  const acked = field(r, 'acked')
  if (!Array.isArray(steps) || !Array.isArray(acked) || acked.length > MAX_ROLES)
    throw new CorruptLogError('a snapshot has the wrong shape')
  const intent = field(r, 'intent')
  return {
    terms: pair(field(r, 'terms')),
    steps: steps.map(pair),
    acked: acked.map((a) => {
      if (
        Array.isArray(a) &&
        a.length === 2 &&
        typeof a[0] === 'string' &&
        a[0].length <= MAX_NAME_LENGTH &&
        typeof a[1] === 'number' &&
        Number.isSafeInteger(a[1]) &&
        a[1] >= 0
      )
        return { role: a[0], count: a[1] }
      throw new CorruptLogError('a snapshot acknowledgement has the wrong shape')
    }),
    intent: intent === undefined ? undefined : pair(intent),
  }
}
