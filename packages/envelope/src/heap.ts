/**
 * A binary min-heap, used by the replay guard to forget its sequence records in the order the
 * time window lets go of them.
 *
 * @example
 * const heap = createHeap<number>((a, b) => a - b)
 * heap.push(3); heap.push(1)
 * heap.pop() // 1
 */

export interface Heap<T> {
  readonly size: number
  push(item: T): void
  /** The least item, without removing it. */
  peek(): T | undefined
  /** Removes and returns the least item. */
  pop(): T | undefined
  /** Rebuilds the heap from `items` (O(n)). */
  reset(items: T[]): void
}

/**
 * A min-heap ordered by `less`.
 * @param less - a negative number when `a` comes before `b`
 * @returns an empty heap
 */
export function createHeap<T>(less: (a: T, b: T) => number): Heap<T> {
  let data: T[] = []

  function up(index: number): void {
    const item = data[index]!
    let i = index
    while (i > 0) {
      const parent = (i - 1) >> 1
      const p = data[parent]!
      if (less(item, p) >= 0) break
      data[i] = p
      i = parent
    }
    data[i] = item
  }

  function down(index: number): void {
    const n = data.length
    const item = data[index]!
    let i = index
    for (;;) {
      const left = 2 * i + 1
      if (left >= n) break
      const right = left + 1
      const child = right < n && less(data[right]!, data[left]!) < 0 ? right : left
      if (less(data[child]!, item) >= 0) break
      data[i] = data[child]!
      i = child
    }
    data[i] = item
  }

  return {
    get size() {
      return data.length
    },
    push(item) {
      data.push(item)
      up(data.length - 1)
    },
    peek() {
      return data[0]
    },
    pop() {
      const top = data[0]
      const last = data.pop()
      if (data.length > 0 && last !== undefined) {
        data[0] = last
        down(0)
      }
      return top
    },
    reset(items) {
      data = items.slice()
      for (let i = (data.length >> 1) - 1; i >= 0; i--) down(i)
    },
  }
}
