/**
 * The ids of a trade's applied steps, as a persistent list: appending returns a new
 * list and never changes the old one, in O(1) amortised. Lists that share a prefix
 * share one backing array; a branch (appending to a list that is no longer the
 * longest) copies, which only happens when a log is forked.
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
  ids: Uint8Array[]
  keys: string[]
  index: Map<string, number>
}

function view(backing: Backing, length: number): StepLog {
  return Object.freeze({
    length,
    idAt(seq: number) {
      return seq >= 0 && seq < length ? backing.ids[seq] : undefined
    },
    seqOf(id: Uint8Array) {
      const seq = backing.index.get(toHex(id))
      return seq !== undefined && seq < length ? seq : undefined
    },
    append(id: Uint8Array) {
      let target = backing
      if (backing.ids.length !== length) {
        // a branch: copy the shared prefix so the other branch stays intact
        target = {
          ids: backing.ids.slice(0, length),
          keys: backing.keys.slice(0, length),
          index: new Map(),
        }
        for (let i = 0; i < target.keys.length; i++) target.index.set(target.keys[i]!, i)
      }
      const key = toHex(id)
      target.ids.push(id)
      target.keys.push(key)
      if (!target.index.has(key)) target.index.set(key, length)
      return view(target, length + 1)
    },
  })
}

/** An empty step log. */
export function emptyStepLog(): StepLog {
  return view({ ids: [], keys: [], index: new Map() }, 0)
}
