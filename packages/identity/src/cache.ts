/**
 * A bounded least-recently-used map: the verifier's per-key caches never grow past their limit,
 * whatever keys a peer sends.
 *
 * @example
 * const cache = createLruCache<string, number>(2)
 * cache.set('a', 1); cache.get('a') // 1
 */

export interface LruCache<K, V> {
  get(key: K): V | undefined
  set(key: K, value: V): void
  delete(key: K): void
  clear(): void
  readonly size: number
}

/** Creates an LRU map holding at most `capacity` entries. */
export function createLruCache<K, V>(capacity: number): LruCache<K, V> {
  const map = new Map<K, V>()
  return {
    get(key) {
      const value = map.get(key)
      if (value !== undefined) {
        // move to the most-recent end
        map.delete(key)
        map.set(key, value)
      }
      return value
    },
    set(key, value) {
      map.delete(key)
      map.set(key, value)
      if (map.size > capacity) {
        const oldest = map.keys().next()
        if (oldest.done !== true) map.delete(oldest.value)
      }
    },
    delete(key) {
      map.delete(key)
    },
    clear() {
      map.clear()
    },
    get size() {
      return map.size
    },
  }
}
