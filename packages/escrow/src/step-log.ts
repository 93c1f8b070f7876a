/**
 * The ids of a trade's applied steps, as a persistent list: appending returns a new
 * list and never changes the old one, in O(1) amortised. Lists that share a prefix
 * share one backing array; a branch (appending to a list that is no longer the
 * longest) copies, which only happens when a log is forked. The lookup by id is built
 * only when first asked for, so `apply` pays for neither hashing nor a map.
 *
 * @example
 * const a = emptyStepLog().append(id0)
 * const b = a.append(id1)   // a.length is still 1
 */
import { toHex } from '@peerkit/codec'

/** An immutable list of step ids, with lookup by id. */
export interface StepLog {
  readonly length: number
  /** The id at position `seq`, or undefined past the end. */
  idAt(seq: number): Uint8Array | undefined
  /** The position of the step with this id, or undefined. */
  seqOf(id: Uint8Array): number | undefined
  /** A list one longer. */
  append(id: Uint8Array): StepLog
}

interface Backing {
  readonly ids: Uint8Array[]
  /** Position by hex id, for the first `indexed` ids; built lazily. */
  index: Map<string, number> | undefined
}

interface View extends StepLog {
  readonly backing: Backing
}

const proto: Omit<StepLog, 'length'> & ThisType<View> = {
  idAt(seq) {
    return seq >= 0 && seq < this.length ? this.backing.ids[seq] : undefined
  },
  seqOf(id) {
    const backing = this.backing
    if (backing.index === undefined) {
      backing.index = new Map()
      for (let i = 0; i < backing.ids.length; i++) {
        const key = toHex(backing.ids[i]!)
        if (!backing.index.has(key)) backing.index.set(key, i)
      }
    }
    const seq = backing.index.get(toHex(id))
    return seq !== undefined && seq < this.length ? seq : undefined
  },
  append(id) {
    let backing = this.backing
    if (backing.ids.length !== this.length) {
      // a branch: copy the shared prefix so the other branch stays intact
      backing = { ids: backing.ids.slice(0, this.length), index: undefined }
    }
    backing.ids.push(id)
    if (backing.index !== undefined) {
      const key = toHex(id)
      if (!backing.index.has(key)) backing.index.set(key, this.length)
    }
    return view(backing, this.length + 1)
  },
}

function view(backing: Backing, length: number): StepLog {
  const log = Object.create(proto) as { backing: Backing; length: number }
  log.backing = backing
  log.length = length
  return Object.freeze(log) as unknown as StepLog
}

/** An empty step log. */
export function emptyStepLog(): StepLog {
  return view({ ids: [], index: undefined }, 0)
}
