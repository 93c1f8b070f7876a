/**
 * The address book: the newest verified peer record of each known peer, and addresses
 * learned by dialing. Bounded: past its size the entry updated longest ago is forgotten.
 *
 * @example
 * const book = createAddressBook({ maxEntries: 4096 })
 * book.putRecord(openPeerRecord(bytes)) // true: newer than what was known
 * book.addresses(peerKey) // ['memory://a']
 */
import type { PeerId } from '@peerkit/identity'
import type { PeerRecord } from './peer-record'

/** What the book knows of one peer. */
export interface AddressBookEntry {
  readonly peer: PeerId
  /** The addresses of its newest record, then addresses it was reached at. */
  readonly addresses: readonly string[]
  /** The newest record, when one was received. */
  readonly record?: PeerRecord
}

/** A node's address book. */
export interface AddressBook {
  /** Keeps `record` when it is newer than the one known (or the first); returns whether it did. */
  putRecord(record: PeerRecord): boolean
  /** Remembers that `peer` was reached at `address` (kept after its record's addresses). */
  addAddress(peer: PeerId, address: string): void
  get(peerKey: string): AddressBookEntry | undefined
  /** The addresses to dial `peerKey` at (empty when unknown). */
  addresses(peerKey: string): readonly string[]
  /** Every peer known, oldest entry first. */
  entries(): AddressBookEntry[]
  readonly size: number
}

interface Entry {
  peer: PeerId
  record: PeerRecord | undefined
  seen: string[]
  addresses: readonly string[]
}

/** Options of `createAddressBook`. */
export interface AddressBookInit {
  /** Peers remembered at most. */
  readonly maxEntries: number
  /** Addresses learned by dialing kept per peer (default 4). */
  readonly maxSeenAddresses?: number
}

/**
 * Makes an empty address book.
 * @param init - its bounds
 * @returns the book
 * @example const book = createAddressBook({ maxEntries: 1024 })
 */
export function createAddressBook(init: AddressBookInit): AddressBook {
  const book = new Map<string, Entry>()
  const maxSeen = init.maxSeenAddresses ?? 4

  const refresh = (entry: Entry): void => {
    const own = entry.record?.addresses ?? []
    entry.addresses = [...own, ...entry.seen.filter((a) => !own.includes(a))]
  }

  const touch = (key: string, entry: Entry): void => {
    book.delete(key)
    book.set(key, entry)
    while (book.size > init.maxEntries) {
      const oldest = book.keys().next().value as string
      book.delete(oldest)
    }
  }

  const view = (entry: Entry): AddressBookEntry =>
    entry.record === undefined
      ? { peer: entry.peer, addresses: entry.addresses }
      : { peer: entry.peer, addresses: entry.addresses, record: entry.record }

  return {
    putRecord(record) {
      const key = record.peer.toString()
      const entry = book.get(key)
      if (entry?.record !== undefined && entry.record.sequence >= record.sequence) return false
      const next: Entry = entry ?? { peer: record.peer, record: undefined, seen: [], addresses: [] }
      next.record = record
      refresh(next)
      touch(key, next)
      return true
    },
    addAddress(peer, address) {
      const key = peer.toString()
      const entry = book.get(key) ?? { peer, record: undefined, seen: [], addresses: [] }
      if (!entry.seen.includes(address)) {
        entry.seen.unshift(address)
        if (entry.seen.length > maxSeen) entry.seen.length = maxSeen
      }
      refresh(entry)
      touch(key, entry)
    },
    get(peerKey) {
      const entry = book.get(peerKey)
      return entry === undefined ? undefined : view(entry)
    },
    addresses: (peerKey) => book.get(peerKey)?.addresses ?? [],
    entries: () => [...book.values()].map(view),
    get size() {
      return book.size
    },
  }
}
