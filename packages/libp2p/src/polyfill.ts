/**
 * libp2p 3 calls `Promise.withResolvers`, which Node has from version 22. On Node 20 call
 * `installPromiseWithResolvers()` once before starting a libp2p node; it changes nothing
 * where the platform already has it. It is a function, not an import side effect, so that
 * importing this package never alters a global by itself.
 *
 * @example
 * installPromiseWithResolvers()
 * const libp2p = await createLibp2p({ ... })
 */

/**
 * Adds `Promise.withResolvers` where it is missing (ES2024).
 * @returns `true` when it was added, `false` when the platform had it
 */
export function installPromiseWithResolvers(): boolean {
  const statics = Promise as unknown as { withResolvers?: unknown }
  if (typeof statics.withResolvers === 'function') return false
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers<T>() {
      let resolve!: (value: T | PromiseLike<T>) => void
      let reject!: (reason?: unknown) => void
      const promise = new Promise<T>((yes, no) => {
        resolve = yes
        reject = no
      })
      return { promise, resolve, reject }
    },
  })
  return true
}
