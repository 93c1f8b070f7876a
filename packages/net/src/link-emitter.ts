/**
 * The listener lists of a link, for transport implementers: `on` returns the remover, a
 * listener that throws does not stop the others (its error is rethrown on a microtask, so
 * it is reported and not swallowed), and the `close` event fires once.
 *
 * @example
 * const events = createLinkEmitter()
 * const off = events.on('frame', (frame) => console.log(frame.length))
 * events.emit('frame', new Uint8Array(3)) // prints 3
 */
import { InvalidArgumentError } from './errors'
import type { LinkEvents } from './types'

type Listeners = { [E in keyof LinkEvents]: Array<(value: LinkEvents[E]) => void> }

/** Listener lists for the events of one link. */
export interface LinkEmitter {
  /** Adds a listener; returns the function that removes it. */
  on<E extends keyof LinkEvents>(event: E, listener: (value: LinkEvents[E]) => void): () => void
  /** Calls each listener of `event` in the order added. */
  emit<E extends keyof LinkEvents>(event: E, value: LinkEvents[E]): void
  /** How many listeners `event` has. */
  count(event: keyof LinkEvents): number
  /** Drops every listener (after the link closed). */
  clear(): void
}

const EVENTS: ReadonlySet<string> = new Set(['frame', 'drain', 'close'])

/**
 * Makes the listener lists of one link.
 * @param onFirstFrameListener - called when `frame` goes from no listener to one (to release held frames)
 * @returns a `LinkEmitter`
 */
export function createLinkEmitter(onFirstFrameListener?: () => void): LinkEmitter {
  const listeners: Listeners = { frame: [], drain: [], close: [] }
  return {
    on(event, listener) {
      if (!EVENTS.has(event))
        throw new InvalidArgumentError('event', `unknown link event ${String(event)}`)
      if (typeof listener !== 'function')
        throw new InvalidArgumentError('listener', 'must be a function')
      const list = listeners[event] as Array<typeof listener>
      // Copy on write, so that an emit in progress keeps its own list.
      listeners[event] = [...list, listener] as Listeners[typeof event]
      if (event === 'frame' && list.length === 0) onFirstFrameListener?.()
      return () => {
        const current = listeners[event] as Array<typeof listener>
        const index = current.indexOf(listener)
        if (index === -1) return
        const next = current.slice()
        next.splice(index, 1)
        listeners[event] = next as Listeners[typeof event]
      }
    },
    emit(event, value) {
      const list = listeners[event] as Array<(value: LinkEvents[typeof event]) => void>
      for (let index = 0; index < list.length; index++) {
        try {
          ;(list[index] as (value: LinkEvents[typeof event]) => void)(value)
        } catch (error) {
          queueMicrotask(() => {
            throw error
          })
        }
      }
    },
    count: (event) => listeners[event].length,
    clear() {
      listeners.frame = []
      listeners.drain = []
      listeners.close = []
    },
  }
}
