/**
 * Picking and sampling with the injected randomness (never `Math.random`), so a seeded
 * router makes the same choices on every run.
 *
 * @example
 * pick(['a', 'b', 'c'], random) // 'b'
 * sample(['a', 'b', 'c'], 2, random) // ['c', 'a']
 */

/** A uniformly chosen element, or undefined for an empty array. */
export function pick<T>(items: readonly T[], random: () => number): T | undefined {
  if (items.length === 0) return undefined
  return items[Math.min(items.length - 1, Math.floor(random() * items.length))]
}

/**
 * A uniformly chosen key of `map`: the one `pick([...map.keys()], random)` chooses, found
 * without building the list.
 */
export function pickKey<K>(map: ReadonlyMap<K, unknown>, random: () => number): K | undefined {
  const n = map.size
  if (n === 0) return undefined
  let i = Math.min(n - 1, Math.floor(random() * n))
  for (const key of map.keys()) if (i-- === 0) return key
  return undefined
}

/** Up to `count` distinct elements, uniformly chosen (partial Fisher–Yates on a copy). */
export function sample<T>(items: readonly T[], count: number, random: () => number): T[] {
  const copy = items.slice()
  const n = Math.min(count, copy.length)
  for (let i = 0; i < n; i++) {
    const j = i + Math.min(copy.length - i - 1, Math.floor(random() * (copy.length - i)))
    const tmp = copy[i]!
    copy[i] = copy[j]!
    copy[j] = tmp
  }
  copy.length = n
  return copy
}
