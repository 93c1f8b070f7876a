/**
 * Connection logs: a part of a run logs its nodes' connection opens and closes from its
 * first mark on, and the connection graph at every mark is rebuilt afterwards from every
 * part's log. Metrics fix eligibility at each publication this way (a mark per publish)
 * without stopping the parts of a split run to trade their connections there.
 *
 * @example
 * const writer = createConnectionLogWriter(); writer.start(); writer.opened(3, 7)
 * const mark = writer.mark() // 0
 * const replay = createConnectionReplay(); replay.advance([writer.log(0, 1)], mark)
 * replay.peers(3) // [7]
 */
import { InvalidOptionError } from './errors'

/** One part's log, as structured-cloneable data. */
export interface ConnectionLog {
  /** The part that kept it. */
  part: number
  /** Parts in the run (1 for a whole run). */
  parts: number
  /**
   * Changes in order, as pairs of ints: the node, then the peer it opened a connection to,
   * or `~peer` (−peer − 1) for one it closed. The first mark starts with every open
   * connection of the part's nodes.
   */
  changes: Int32Array
  /** `marks[k]`: the ints of `changes` logged by mark k. */
  marks: Int32Array
}

/** What a simulator keeps of its nodes' connections. */
export interface ConnectionLogWriter {
  /** Whether the log has started (at the first mark). */
  readonly started: boolean
  /** Starts the log (log the connections open now right after). */
  start(): void
  /** `node` now holds a connection to `peer` (it held none). */
  opened(node: number, peer: number): void
  /** `node` no longer holds its connection to `peer`. */
  closed(node: number, peer: number): void
  /** Marks the connections as they are now. @returns the mark's number */
  mark(): number
  /** The log up to the last mark (a copy). */
  log(part: number, parts: number): ConnectionLog
}

/**
 * Creates an empty writer (it logs nothing until `start`).
 * @returns the writer
 */
export function createConnectionLogWriter(): ConnectionLogWriter {
  let started = false
  let changes = new Int32Array(0)
  let length = 0
  const marks: number[] = []
  const push = (node: number, peer: number): void => {
    if (length + 2 > changes.length) {
      const grown = new Int32Array(Math.max(4096, changes.length * 2))
      grown.set(changes)
      changes = grown
    }
    changes[length++] = node
    changes[length++] = peer
  }
  return {
    get started() {
      return started
    },
    start() {
      started = true
    },
    opened(node, peer) {
      push(node, peer)
    },
    closed(node, peer) {
      push(node, ~peer)
    },
    mark() {
      marks.push(length)
      return marks.length - 1
    },
    log(part, parts) {
      const end = marks.length === 0 ? 0 : marks[marks.length - 1]!
      return { part, parts, changes: changes.slice(0, end), marks: Int32Array.from(marks) }
    },
  }
}

/** The connection graph of a run, rebuilt mark after mark from its parts' logs. */
export interface ConnectionReplay {
  /**
   * Moves the graph forward to mark `mark`.
   * @param logs - every part's log, by part index (a log may have grown since the last call)
   * @param mark - a mark at or after the last one moved to
   * @throws InvalidOptionError when a part's log is missing or has no such mark
   */
  advance(logs: ReadonlyArray<ConnectionLog | undefined>, mark: number): void
  /** The peers `node` held a connection to at that mark, in no particular order. */
  peers(node: number): readonly number[]
}

const NO_PEERS: readonly number[] = []

/**
 * Creates a replay at the start of the logs (no connections).
 * @returns the replay
 */
export function createConnectionReplay(): ConnectionReplay {
  const adjacency: number[][] = []
  /** Ints of each part's changes applied so far. */
  const applied: number[] = []
  return {
    advance(logs, mark) {
      const parts = logs.find((log) => log !== undefined)?.parts ?? 1
      for (let p = 0; p < parts; p++) {
        const log = logs[p]
        if (log === undefined || log.parts !== parts || log.part !== p) {
          throw new InvalidOptionError('state', `no connection log from part ${p}`)
        }
        if (!(mark < log.marks.length) || log.marks[mark]! < (applied[p] ?? 0)) {
          throw new InvalidOptionError('state', `part ${p} logged no mark ${mark}`)
        }
      }
      for (let p = 0; p < parts; p++) {
        const { changes, marks } = logs[p]!
        const end = marks[mark]!
        for (let k = applied[p] ?? 0; k < end; k += 2) {
          const node = changes[k]!
          const peer = changes[k + 1]!
          let peers = adjacency[node]
          if (peers === undefined) {
            peers = []
            adjacency[node] = peers
          }
          if (peer >= 0) {
            peers.push(peer)
          } else {
            // swap-remove: the order of a node's peers does not matter
            const at = peers.indexOf(~peer)
            if (at >= 0) {
              peers[at] = peers[peers.length - 1]!
              peers.pop()
            }
          }
        }
        applied[p] = end
      }
    },
    peers(node) {
      return adjacency[node] ?? NO_PEERS
    },
  }
}
