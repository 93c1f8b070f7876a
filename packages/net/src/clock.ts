/**
 * Clocks: the time and the timers a driver or a transport uses, injected so that the same
 * code runs on real time (`systemClock()`) and on deterministic virtual time
 * (`createVirtualClock()`), where tests advance time by hand.
 *
 * @example
 * const clock = createVirtualClock(0)
 * clock.setTimeout(() => console.log(clock.now()), 50)
 * clock.advance(100) // prints 50
 */
import { DEFAULT_RUN_UNTIL_IDLE_LIMIT } from './constants'
import { InvalidArgumentError } from './errors'

/** Time in integer milliseconds since the Unix epoch (or since a virtual start), and timers. */
export interface Clock {
  /** The current time in milliseconds. */
  now(): number
  /** Calls `fn` once after `ms` milliseconds; returns a handle for `clearTimeout`. */
  setTimeout(fn: () => void, ms: number): unknown
  /** Cancels a timer; unknown or spent handles are ignored. */
  clearTimeout(handle: unknown): void
}

/** A clock whose time moves only when told to: timers fire in time order, then in the order they were set. */
export interface VirtualClock extends Clock {
  /**
   * Moves time forward by `ms`, firing every timer due up to the new time (including timers
   * those timers set), each with `now()` equal to its due time.
   * @throws InvalidArgumentError when `ms` is negative or not finite
   */
  advance(ms: number): void
  /**
   * Fires timers in order, moving time to each, until none is left or `limit` have fired.
   * @returns the number of timers fired
   */
  runUntilIdle(limit?: number): number
  /** The number of timers set and not yet fired or cleared. */
  pending(): number
}

/**
 * The real clock: `Date.now()` and the platform's timers. Timers are unreferenced where the
 * platform allows it, so a pending timer never keeps a Node process alive on its own.
 * @returns a `Clock` on real time
 * @example
 * const node = await createNode({ signer, transports, clock: systemClock() })
 */
export function systemClock(): Clock {
  return {
    now: () => Date.now(),
    setTimeout(fn, ms) {
      const handle = globalThis.setTimeout(fn, Math.max(0, ms))
      const unref = (handle as { unref?: () => void }).unref
      if (typeof unref === 'function') unref.call(handle)
      return handle
    },
    clearTimeout(handle) {
      globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>)
    },
  }
}

interface VirtualTimer {
  readonly due: number
  readonly order: number
  readonly fn: () => void
  cancelled: boolean
}

function earlier(a: VirtualTimer, b: VirtualTimer): boolean {
  return a.due < b.due || (a.due === b.due && a.order < b.order)
}

/**
 * A deterministic clock for tests and simulations: nothing happens until `advance` or
 * `runUntilIdle` is called, and timers due at the same time fire in the order they were set.
 * @param start - the initial time in milliseconds (default 0)
 * @returns a `VirtualClock`
 * @throws InvalidArgumentError when `start` is not a finite number
 * @example
 * const clock = createVirtualClock(1_700_000_000_000)
 * const network = createMemoryNetwork({ clock, latencyMs: [5, 20] })
 */
export function createVirtualClock(start = 0): VirtualClock {
  if (typeof start !== 'number' || !Number.isFinite(start)) {
    throw new InvalidArgumentError('start', 'must be a finite number')
  }
  let now = start
  let order = 0
  let live = 0
  const mine = new WeakSet<object>()
  // A binary min-heap by (due, order).
  const heap: VirtualTimer[] = []

  const push = (timer: VirtualTimer): void => {
    heap.push(timer)
    let index = heap.length - 1
    while (index > 0) {
      const parent = (index - 1) >> 1
      const above = heap[parent] as VirtualTimer
      if (!earlier(timer, above)) break
      heap[index] = above
      index = parent
    }
    heap[index] = timer
  }

  const pop = (): VirtualTimer | undefined => {
    const top = heap[0]
    const last = heap.pop()
    if (top === undefined || last === undefined || heap.length === 0) return top
    let index = 0
    for (;;) {
      const left = index * 2 + 1
      if (left >= heap.length) break
      const right = left + 1
      const leftTimer = heap[left] as VirtualTimer
      const rightTimer = heap[right]
      const child = rightTimer !== undefined && earlier(rightTimer, leftTimer) ? right : left
      const childTimer = heap[child] as VirtualTimer
      if (!earlier(childTimer, last)) break
      heap[index] = childTimer
      index = child
    }
    heap[index] = last
    return top
  }

  const peek = (): VirtualTimer | undefined => {
    for (;;) {
      const top = heap[0]
      if (top === undefined || !top.cancelled) return top
      pop()
    }
  }

  const fire = (timer: VirtualTimer): void => {
    pop()
    now = Math.max(now, timer.due)
    timer.cancelled = true
    live--
    timer.fn()
  }

  return {
    now: () => now,
    setTimeout(fn, ms) {
      if (typeof fn !== 'function') throw new InvalidArgumentError('fn', 'must be a function')
      const delay = Number.isFinite(ms) && ms > 0 ? ms : 0
      const timer: VirtualTimer = { due: now + delay, order: order++, fn, cancelled: false }
      push(timer)
      mine.add(timer)
      live++
      return timer
    },
    clearTimeout(handle) {
      if (typeof handle !== 'object' || handle === null || !mine.has(handle)) return
      const timer = handle as VirtualTimer
      if (timer.cancelled) return
      timer.cancelled = true
      live--
    },
    advance(ms) {
      if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
        throw new InvalidArgumentError('ms', 'must be a finite number >= 0')
      }
      const target = now + ms
      for (;;) {
        const next = peek()
        if (next === undefined || next.due > target) break
        fire(next)
      }
      now = target
    },
    runUntilIdle(limit = DEFAULT_RUN_UNTIL_IDLE_LIMIT) {
      if (!Number.isSafeInteger(limit) || limit < 0) {
        throw new InvalidArgumentError('limit', 'must be a safe integer >= 0')
      }
      let fired = 0
      while (fired < limit) {
        const next = peek()
        if (next === undefined) break
        fire(next)
        fired++
      }
      return fired
    },
    pending: () => live,
  }
}
