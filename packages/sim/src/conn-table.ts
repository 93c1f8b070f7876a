/**
 * Open connections by (node, peer), in one open-addressing table of typed arrays. Every
 * frame sent and received looks its connection up here: one or two cache lines, where a
 * map per node costs a chain of pointers through a heap holding thousands of routers.
 *
 * @example
 * const table = createConnTable()
 * table.set(3, 7, 12)
 * table.get(3, 7) // 12
 * table.get(7, 3) // 0 (directed: each end records its own side)
 */

const EMPTY = -1
const DELETED = -2

/** A directed (node → peer) table of connection ids; 0 means "no connection". */
export interface ConnTable {
  /** The connection id from `node` to `peer`, or 0. */
  get(node: number, peer: number): number
  /** Records `id` (> 0) as the connection from `node` to `peer`. */
  set(node: number, peer: number, id: number): void
  /** Forgets the connection from `node` to `peer` (if any). */
  delete(node: number, peer: number): void
  /** Entries held. */
  readonly size: number
}

/**
 * Creates an empty table.
 * @param capacity - initial slots (a power of two; it doubles at half load)
 */
export function createConnTable(capacity = 1024): ConnTable {
  let mask = capacity - 1
  let nodes = new Int32Array(capacity).fill(EMPTY)
  let peers = new Int32Array(capacity)
  let ids = new Float64Array(capacity)
  let size = 0
  let used = 0 // live entries and tombstones

  const slotOf = (node: number, peer: number): number =>
    (Math.imul(node, 0x9e3779b1) ^ Math.imul(peer + 0x7f4a7c15, 0x85ebca77)) & mask

  const find = (node: number, peer: number): number => {
    let i = slotOf(node, peer)
    for (;;) {
      const n = nodes[i]!
      if (n === EMPTY) return -1
      if (n === node && peers[i] === peer) return i
      i = (i + 1) & mask
    }
  }

  const rehash = (nextCapacity: number): void => {
    const oldNodes = nodes
    const oldPeers = peers
    const oldIds = ids
    mask = nextCapacity - 1
    nodes = new Int32Array(nextCapacity).fill(EMPTY)
    peers = new Int32Array(nextCapacity)
    ids = new Float64Array(nextCapacity)
    used = size
    for (let j = 0; j < oldNodes.length; j++) {
      const n = oldNodes[j]!
      if (n < 0) continue
      let i = slotOf(n, oldPeers[j]!)
      while (nodes[i] !== EMPTY) i = (i + 1) & mask
      nodes[i] = n
      peers[i] = oldPeers[j]!
      ids[i] = oldIds[j]!
    }
  }

  return {
    get(node, peer) {
      const i = find(node, peer)
      return i < 0 ? 0 : ids[i]!
    },
    set(node, peer, id) {
      const at = find(node, peer)
      if (at >= 0) {
        ids[at] = id
        return
      }
      if ((used + 1) * 2 > mask + 1) rehash(size * 4 > mask + 1 ? (mask + 1) * 2 : mask + 1)
      let i = slotOf(node, peer)
      while (nodes[i]! >= 0) i = (i + 1) & mask
      if (nodes[i] === EMPTY) used++
      nodes[i] = node
      peers[i] = peer
      ids[i] = id
      size++
    },
    delete(node, peer) {
      const i = find(node, peer)
      if (i < 0) return
      nodes[i] = DELETED
      ids[i] = 0
      size--
    },
    get size() {
      return size
    },
  }
}
