/**
 * The simulator's event queue: a binary min-heap ordered by (time, order key), stored as
 * parallel typed arrays so that scheduling an event allocates nothing once the queue has
 * grown to its working size. The caller gives each event a distinct order key; events at
 * the same time run in key order, which is what makes a run reproducible.
 *
 * @example
 * const queue = createEventQueue()
 * const slot = queue.push(10, 0, EVENT_TICK, node, 0, 0, 0, undefined)
 * queue.pop() // the slot of the earliest event; read its fields, then queue.release(slot)
 */

/** The fields of an event, one typed array per field, indexed by slot. */
export interface EventQueue {
  /** Event time in virtual milliseconds. */
  time: Float64Array
  kind: Uint8Array
  /** The node the event happens at. */
  node: Int32Array
  /** The other node involved (a frame's sender, a connection's peer), or -1. */
  peer: Int32Array
  /** A connection id or an incarnation number, depending on the kind. */
  tag: Float64Array
  /** Payload count of a frame. */
  count: Int32Array
  /** Frame bytes or a callback, depending on the kind. */
  ref: unknown[]
  /** Number of events waiting. */
  readonly size: number
  /**
   * Schedules an event; `order` breaks ties between events at the same time (distinct
   * keys give a total order).
   * @returns its slot
   */
  push(
    time: number,
    order: number,
    kind: number,
    node: number,
    peer: number,
    tag: number,
    count: number,
    ref: unknown,
  ): number
  /** Removes the earliest event and returns its slot (or -1 when empty); release it after reading. */
  pop(): number
  /** The earliest event's time, or Infinity when empty. */
  peekTime(): number
  /** Returns a popped slot for reuse. */
  release(slot: number): void
}

/**
 * Creates an empty event queue.
 * @param initialCapacity - slots to allocate up front (it grows by doubling)
 * @returns the queue
 */
export function createEventQueue(initialCapacity = 1024): EventQueue {
  let capacity = Math.max(16, initialCapacity)
  let time = new Float64Array(capacity)
  let seq = new Float64Array(capacity)
  let kind = new Uint8Array(capacity)
  let node = new Int32Array(capacity)
  let peer = new Int32Array(capacity)
  let tag = new Float64Array(capacity)
  let count = new Int32Array(capacity)
  const ref: unknown[] = new Array(capacity).fill(undefined)
  let heap = new Int32Array(capacity)
  let free = new Int32Array(capacity)
  let freeCount = capacity
  for (let i = 0; i < capacity; i++) free[i] = capacity - 1 - i
  let size = 0

  const less = (a: number, b: number): boolean => {
    const ta = time[a]!
    const tb = time[b]!
    return ta < tb || (ta === tb && seq[a]! < seq[b]!)
  }

  const grow = (): void => {
    const old = capacity
    capacity *= 2
    const widen = <T extends Float64Array | Int32Array | Uint8Array>(
      array: T,
      make: (n: number) => T,
    ): T => {
      const next = make(capacity)
      next.set(array)
      return next
    }
    time = widen(time, (n) => new Float64Array(n))
    seq = widen(seq, (n) => new Float64Array(n))
    kind = widen(kind, (n) => new Uint8Array(n))
    node = widen(node, (n) => new Int32Array(n))
    peer = widen(peer, (n) => new Int32Array(n))
    tag = widen(tag, (n) => new Float64Array(n))
    count = widen(count, (n) => new Int32Array(n))
    heap = widen(heap, (n) => new Int32Array(n))
    free = widen(free, (n) => new Int32Array(n))
    for (let i = old; i < capacity; i++) ref.push(undefined)
    for (let i = capacity - 1; i >= old; i--) free[freeCount++] = i
    queue.time = time
    queue.kind = kind
    queue.node = node
    queue.peer = peer
    queue.tag = tag
    queue.count = count
  }

  const queue: EventQueue = {
    time,
    kind,
    node,
    peer,
    tag,
    count,
    ref,
    get size() {
      return size
    },
    push(t, o, k, n, p, g, c, r) {
      if (freeCount === 0) grow()
      const slot = free[--freeCount]!
      time[slot] = t
      seq[slot] = o
      kind[slot] = k
      node[slot] = n
      peer[slot] = p
      tag[slot] = g
      count[slot] = c
      ref[slot] = r
      // sift up
      let i = size++
      while (i > 0) {
        const parent = (i - 1) >> 1
        const ps = heap[parent]!
        if (!less(slot, ps)) break
        heap[i] = ps
        i = parent
      }
      heap[i] = slot
      return slot
    },
    pop() {
      if (size === 0) return -1
      const top = heap[0]!
      const last = heap[--size]!
      if (size > 0) {
        // sift down
        let i = 0
        for (;;) {
          const left = 2 * i + 1
          if (left >= size) break
          const right = left + 1
          let child = left
          if (right < size && less(heap[right]!, heap[left]!)) child = right
          const cs = heap[child]!
          if (!less(cs, last)) break
          heap[i] = cs
          i = child
        }
        heap[i] = last
      }
      return top
    },
    peekTime() {
      return size === 0 ? Number.POSITIVE_INFINITY : time[heap[0]!]!
    },
    release(slot) {
      ref[slot] = undefined
      free[freeCount++] = slot
    },
  }
  return queue
}
