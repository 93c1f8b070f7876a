/**
 * The replay guard's memory of accepted ids, ordered by the instant each may be forgotten: a
 * binary min-heap kept in parallel arrays rather than one object per entry. A guard holds tens
 * of thousands of entries for minutes; as plain arrays of numbers (and the key strings the
 * lookup set holds anyway) they cost the garbage collector almost nothing to keep.
 *
 * @example
 * const heap = createIdHeap()
 * heap.push({ key, timestamp, forgetAt, ageBound: true })
 * heap.peekForgetAt() // the earliest forgetAt, or Infinity when empty
 */

/** One remembered id. */
export interface IdEntry {
  /** The digest key (one character per byte). */
  readonly key: string
  readonly timestamp: number
  /** The first instant at which the window no longer admits it (`Infinity`: never). */
  readonly forgetAt: number
  /** Whether `forgetAt` comes from the age window rather than the envelope's expiry. */
  readonly ageBound: boolean
}

export interface IdHeap {
  readonly size: number
  push(entry: IdEntry): void
  /** The least `forgetAt`, or `Infinity` when empty. */
  peekForgetAt(): number
  /** Removes and returns the entry to forget first (least `forgetAt`, then least key). */
  pop(): IdEntry | undefined
  /** Replaces the contents (O(n)). */
  reset(entries: readonly IdEntry[]): void
  /** Every entry, in no particular order. */
  entries(): IdEntry[]
}

/** An empty heap. */
export function createIdHeap(): IdHeap {
  let keys: string[] = []
  let forgetAts: number[] = []
  let timestamps: number[] = []
  let ageBounds: boolean[] = []

  function less(i: number, j: number): boolean {
    const a = forgetAts[i]!
    const b = forgetAts[j]!
    if (a !== b) return a < b
    return keys[i]! < keys[j]!
  }

  function swap(i: number, j: number): void {
    const k = keys[i]!
    keys[i] = keys[j]!
    keys[j] = k
    const f = forgetAts[i]!
    forgetAts[i] = forgetAts[j]!
    forgetAts[j] = f
    const t = timestamps[i]!
    timestamps[i] = timestamps[j]!
    timestamps[j] = t
    const g = ageBounds[i]!
    ageBounds[i] = ageBounds[j]!
    ageBounds[j] = g
  }

  function up(index: number): void {
    let i = index
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!less(i, parent)) break
      swap(i, parent)
      i = parent
    }
  }

  function down(index: number): void {
    const n = keys.length
    let i = index
    for (;;) {
      const left = 2 * i + 1
      if (left >= n) break
      const right = left + 1
      const child = right < n && less(right, left) ? right : left
      if (!less(child, i)) break
      swap(i, child)
      i = child
    }
  }

  return {
    get size() {
      return keys.length
    },
    push(entry) {
      keys.push(entry.key)
      forgetAts.push(entry.forgetAt)
      timestamps.push(entry.timestamp)
      ageBounds.push(entry.ageBound)
      up(keys.length - 1)
    },
    peekForgetAt() {
      return keys.length === 0 ? Number.POSITIVE_INFINITY : forgetAts[0]!
    },
    pop() {
      if (keys.length === 0) return undefined
      const top: IdEntry = {
        key: keys[0]!,
        timestamp: timestamps[0]!,
        forgetAt: forgetAts[0]!,
        ageBound: ageBounds[0]!,
      }
      const last = keys.length - 1
      if (last > 0) swap(0, last)
      keys.pop()
      forgetAts.pop()
      timestamps.pop()
      ageBounds.pop()
      if (keys.length > 1) down(0)
      return top
    },
    reset(entries) {
      keys = entries.map((e) => e.key)
      forgetAts = entries.map((e) => e.forgetAt)
      timestamps = entries.map((e) => e.timestamp)
      ageBounds = entries.map((e) => e.ageBound)
      for (let i = (keys.length >> 1) - 1; i >= 0; i--) down(i)
    },
    entries() {
      return keys.map((key, i) => ({
        key,
        timestamp: timestamps[i]!,
        forgetAt: forgetAts[i]!,
        ageBound: ageBounds[i]!,
      }))
    },
  }
}
