/**
 * Signed peer records: who a peer is and where it listens, as an `@peerkit/envelope`
 * envelope in the domain `peerkit/peer-record/1`, signed by the peer itself. The envelope's
 * sequence number orders a peer's records: the newest wins. Records travel in the hello of
 * every link and on gossip membership frames.
 *
 * @example
 * const bytes = await sealPeerRecord(signer, { addresses: ['memory://a'], sequence: 1 })
 * const record = openPeerRecord(bytes) // { peer, addresses: ['memory://a'], sequence: 1, envelope }
 */
import { open, seal } from '@peerkit/envelope'
import type { PeerId, Signer } from '@peerkit/identity'
import {
  MAX_PEER_RECORD_BYTES,
  MAX_RECORD_ADDRESS_LENGTH,
  MAX_RECORD_ADDRESSES,
  PEER_RECORD_DOMAIN,
} from './constants'
import { InvalidArgumentError, InvalidPeerRecordError } from './errors'

/** An opened, verified peer record. */
export interface PeerRecord {
  /** The peer the record describes, who signed it. */
  readonly peer: PeerId
  /** The addresses it listens on, in its order of preference. */
  readonly addresses: readonly string[]
  /** Higher is newer. */
  readonly sequence: number
  /** The sealed bytes, as received (to pass the record on). */
  readonly envelope: Uint8Array
}

/** What `sealPeerRecord` needs. */
export interface PeerRecordInit {
  readonly addresses: readonly string[]
  /** A safe integer >= 0, higher than any record sealed before. */
  readonly sequence: number
  /** The envelope timestamp (ms); default: `sequence`. */
  readonly timestamp?: number
}

function checkAddresses(addresses: unknown, fail: (message: string) => Error): string[] {
  if (!Array.isArray(addresses)) throw fail('addresses must be an array')
  if (addresses.length > MAX_RECORD_ADDRESSES) {
    throw fail(`more than ${MAX_RECORD_ADDRESSES} addresses`)
  }
  const out: string[] = []
  for (const address of addresses) {
    if (
      typeof address !== 'string' ||
      address.length === 0 ||
      address.length > MAX_RECORD_ADDRESS_LENGTH ||
      !/^[\x21-\x7e]+$/.test(address)
    ) {
      throw fail('an address is not 1-256 printable characters')
    }
    out.push(address)
  }
  return out
}

/**
 * Seals this node's peer record.
 * @param signer - the node's signer (the record's peer)
 * @param init - addresses and sequence
 * @returns the envelope bytes (at most `MAX_PEER_RECORD_BYTES`)
 * @throws {InvalidArgumentError} for too many or malformed addresses, a bad sequence, or a
 *   record over the size limit
 * @example const bytes = await sealPeerRecord(signer, { addresses, sequence: Date.now() })
 */
export async function sealPeerRecord(signer: Signer, init: PeerRecordInit): Promise<Uint8Array> {
  const addresses = checkAddresses(
    init.addresses,
    (message) => new InvalidArgumentError('init.addresses', message),
  )
  if (!Number.isSafeInteger(init.sequence) || init.sequence < 0) {
    throw new InvalidArgumentError('init.sequence', 'expected a safe integer >= 0')
  }
  const timestamp = init.timestamp ?? init.sequence
  try {
    return await seal(signer, {
      domain: PEER_RECORD_DOMAIN,
      payload: { addresses },
      timestamp,
      sequence: init.sequence,
      maxBytes: MAX_PEER_RECORD_BYTES,
    })
  } catch (error) {
    throw new InvalidArgumentError('init', `record does not seal: ${(error as Error).name}`)
  }
}

/** Options of `openPeerRecord`. */
export interface OpenPeerRecordOptions {
  /** Refuse a record unless it describes this peer. */
  readonly expectedPeer?: PeerId
}

/**
 * Opens and verifies a peer record: size first, then domain, signature and shape.
 * @param bytes - the sealed record
 * @param options - `expectedPeer` when the record must be a given peer's
 * @returns the record
 * @throws {InvalidPeerRecordError} for anything that is not a valid record (of `expectedPeer`)
 * @example const { peer, addresses } = openPeerRecord(bytes, { expectedPeer: link.remotePeer })
 */
export function openPeerRecord(bytes: Uint8Array, options: OpenPeerRecordOptions = {}): PeerRecord {
  if (!(bytes instanceof Uint8Array) || bytes.length > MAX_PEER_RECORD_BYTES) {
    throw new InvalidPeerRecordError(`a record is bytes of at most ${MAX_PEER_RECORD_BYTES}`)
  }
  let opened: ReturnType<typeof open>
  try {
    // records are ordered by sequence, not time: any timestamp is accepted
    opened = open(bytes, {
      domain: PEER_RECORD_DOMAIN,
      now: 0,
      maxSkewMs: Number.POSITIVE_INFINITY,
      maxAgeMs: Number.POSITIVE_INFINITY,
      maxBytes: MAX_PEER_RECORD_BYTES,
      maxDepth: 3,
    })
  } catch (error) {
    throw new InvalidPeerRecordError(`record does not open: ${(error as Error).name}`, {
      cause: error,
    })
  }
  if (options.expectedPeer !== undefined && !opened.signer.equals(options.expectedPeer)) {
    throw new InvalidPeerRecordError('record of another peer')
  }
  const sequence = opened.sequence
  if (typeof sequence !== 'number' || !Number.isSafeInteger(sequence)) {
    throw new InvalidPeerRecordError('record without a safe integer sequence')
  }
  const payload = opened.payload as Record<string, unknown> | null
  if (
    typeof payload !== 'object' ||
    payload === null ||
    Array.isArray(payload) ||
    payload instanceof Uint8Array ||
    Object.keys(payload).length !== 1
  ) {
    throw new InvalidPeerRecordError('record payload is not { addresses }')
  }
  const addresses = checkAddresses(
    payload.addresses,
    (message) => new InvalidPeerRecordError(message),
  )
  return { peer: opened.signer, addresses, sequence, envelope: bytes }
}
