/**
 * A bounded map that forgets what was not used lately: the verifier's per-key caches never
 * grow past their limit, whatever keys a peer sends. Two generations approximate
 * least-recently-used order: new entries go to the young one; when it holds half the
 * limit it becomes the old one and the previous old one is dropped; an entry read while
 * old moves back to the young one. A read of a young entry costs one lookup, with none of
 * the delete-and-reinsert a strict LRU map pays on every hit.
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

/** Creates a cache holding at most `capacity` entries (at least 2). */
export function createLruCache<K, V>(capacity: number): LruCache<K, V> {
  const youngMax = Math.max(1, Math.floor(capacity / 2))
  let young = new Map<K, V>()
  let old = new Map<K, V>()
  const add = (key: K, value: V): void => {
    if (young.size >= youngMax) {
      old = young
      young = new Map()
    }
    young.set(key, value)
  }
  return {
    get(key) {
      const value = young.get(key)
      if (value !== undefined) return value
      const aged = old.get(key)
      if (aged !== undefined) {
        old.delete(key)
        add(key, aged)
      }
      return aged
    },
    set(key, value) {
      if (young.has(key)) {
        young.set(key, value)
        return
      }
      old.delete(key)
      add(key, value)
    },
    delete(key) {
      young.delete(key)
      old.delete(key)
    },
    clear() {
      young.clear()
      old.clear()
    },
    get size() {
      return young.size + old.size
    },
  }
}
