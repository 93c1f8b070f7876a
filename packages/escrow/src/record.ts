/**
 * The records of a trade's log store: the terms, each accepted step (with the clock
 * reading it was accepted at, so a replay reaches the same verdicts), each
 * acknowledgement from another role, and the intent to take a step that locks assets
 * (written before the vault is asked, so a crash in between is finished on reload, or
 * abandoned when the lock is refused). Records are canonical CBOR.
 *
 * @example
 * const bytes = encodeRecord({ kind: 'step', bytes: step, at: now })
 * decodeRecord(bytes) // { kind: 'step', bytes: step, at: now }
 */
import { decode, encode, type Value } from '@peerkit/codec'
import { MAX_NAME_LENGTH, MAX_RECORD_BYTES, RECORD_VERSION } from './constants'
import { CorruptLogError } from './errors'
import { bytesField, field, intField, mapOf, stringField } from './fields'

/** One record of a trade's log. */
export type LogRecord =
  | { readonly kind: 'terms'; readonly bytes: Uint8Array; readonly at: number }
  | { readonly kind: 'step'; readonly bytes: Uint8Array; readonly at: number }
  | { readonly kind: 'ack'; readonly role: string; readonly count: number }
  | { readonly kind: 'intent'; readonly bytes: Uint8Array; readonly at: number }
  | { readonly kind: 'abandon' }

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
