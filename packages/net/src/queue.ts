/**
 * Per-peer outbound queues with priorities, bounded in bytes, drawing on one memory budget
 * shared by every queue of a node. A frame waits here while its link is not writable; past
 * a bound the lowest-priority frames go first.
 *
 * @example
 * const budget = createMemoryBudget(64 * 1024 * 1024)
 * const queue = createOutboundQueue({ maxBytes: 4 * 1024 * 1024, budget })
 * queue.push(frame, 'forward') // { accepted: true, dropped: 0 }
 * queue.shift() // the oldest frame of the highest non-empty priority
 */

/** Send priorities, highest first: driver and gossip control, own publishes, forwards, lazy announcements. */
export type Priority = 'control' | 'publish' | 'forward' | 'lazy'

/** The priorities in sending order. */
export const PRIORITIES: readonly Priority[] = ['control', 'publish', 'forward', 'lazy']

const RANK: Readonly<Record<Priority, number>> = { control: 0, publish: 1, forward: 2, lazy: 3 }

/** Bytes queued by all the queues of one node, against one limit. */
export interface MemoryBudget {
  readonly limit: number
  /** Bytes currently held by every queue drawing on this budget. */
  readonly used: number
  /** Takes `bytes` if they fit; returns whether they did. */
  take(bytes: number): boolean
  /** Gives `bytes` back. */
  give(bytes: number): void
}

/**
 * A memory budget of `limit` bytes.
 * @param limit - bytes all queues together may hold
 * @returns the budget
 * @example const budget = createMemoryBudget(1 << 26)
 */
export function createMemoryBudget(limit: number): MemoryBudget {
  let used = 0
  return {
    limit,
    get used() {
      return used
    },
    take(bytes) {
      if (used + bytes > limit) return false
      used += bytes
      return true
    },
    give(bytes) {
      used = Math.max(0, used - bytes)
    },
  }
}

/** What `push` did. */
export interface PushResult {
  /** Whether the pushed frame is queued. */
  readonly accepted: boolean
  /** Frames dropped to make room, the pushed one included when it was refused. */
  readonly dropped: number
}

/** One peer's outbound queue. */
export interface OutboundQueue {
  /** Bytes queued. */
  readonly bytes: number
  /** Frames queued. */
  readonly length: number
  /**
   * Queues `frame`. When it does not fit (the queue's bound or the shared budget), queued
   * frames of lower priority are dropped, newest first, until it does; when nothing lower is
   * left, the frame itself is refused.
   */
  push(frame: Uint8Array, priority: Priority): PushResult
  /** Removes and returns the oldest frame of the highest non-empty priority. */
  shift(): Uint8Array | undefined
  /** Drops everything, giving the bytes back to the budget. */
  clear(): void
}

interface Lane {
  items: Uint8Array[]
  head: number
}

/** Options of `createOutboundQueue`. */
export interface OutboundQueueInit {
  /** Bytes this queue may hold. */
  readonly maxBytes: number
  /** The budget shared with the node's other queues. */
  readonly budget: MemoryBudget
}

/**
 * A queue bounded by `init.maxBytes` and by the shared budget.
 * @param init - bound and budget
 * @returns an empty queue
 * @example const queue = createOutboundQueue({ maxBytes: 1 << 22, budget })
 */
export function createOutboundQueue(init: OutboundQueueInit): OutboundQueue {
  const lanes: Lane[] = PRIORITIES.map(() => ({ items: [], head: 0 }))
  let bytes = 0
  let length = 0

  const fits = (size: number): boolean => bytes + size <= init.maxBytes && init.budget.take(size)

  /** Drops the newest frame of the lowest lane ranked below `rank`; false when there is none. */
  const dropBelow = (rank: number): boolean => {
    for (let r = lanes.length - 1; r > rank; r--) {
      const lane = lanes[r] as Lane
      if (lane.items.length > lane.head) {
        const frame = lane.items.pop() as Uint8Array
        bytes -= frame.length
        length--
        init.budget.give(frame.length)
        if (lane.items.length === lane.head) {
          lane.items = []
          lane.head = 0
        }
        return true
      }
    }
    return false
  }

  return {
    get bytes() {
      return bytes
    },
    get length() {
      return length
    },
    push(frame, priority) {
      const rank = RANK[priority]
      let dropped = 0
      while (!fits(frame.length)) {
        if (!dropBelow(rank)) return { accepted: false, dropped: dropped + 1 }
        dropped++
      }
      ;(lanes[rank] as Lane).items.push(frame)
      bytes += frame.length
      length++
      return { accepted: true, dropped }
    },
    shift() {
      for (const lane of lanes) {
        if (lane.items.length === lane.head) continue
        const frame = lane.items[lane.head] as Uint8Array
        lane.items[lane.head] = EMPTY
        lane.head++
        if (lane.head === lane.items.length) {
          lane.items = []
          lane.head = 0
        } else if (lane.head > 1024 && lane.head * 2 > lane.items.length) {
          lane.items = lane.items.slice(lane.head)
          lane.head = 0
        }
        bytes -= frame.length
        length--
        init.budget.give(frame.length)
        return frame
      }
      return undefined
    },
    clear() {
      init.budget.give(bytes)
      for (const lane of lanes) {
        lane.items = []
        lane.head = 0
      }
      bytes = 0
      length = 0
    },
  }
}

const EMPTY = new Uint8Array(0)
