/**
 * `@peerkit/sim/threads`: split runs on Node's worker threads. The calling thread runs
 * part 0 itself and starts one worker per other part; every pair of parts trades buffers
 * over its own `MessageChannel`, and a shared counter per direction lets the receiver block
 * (`Atomics.wait`) until the sender has posted, so a trade is synchronous, as the
 * simulator's windows need. Workers run an entry script (by default the script this process
 * was started with) that calls `serveSimWorker` first and stops when it returns true (the
 * CLI and `pnpm scenarios` do both).
 *
 * @example
 * // in your entry script: a worker serves its part and does nothing else
 * if (!(await serveSimWorker())) {
 *   const threads = createSimThreads({ entry: new URL(import.meta.url) })
 *   await runGossip({ strategy: plumtreeStrategy, nodes: 10_000, messages: 100, seed: 1, workers: 2, threads })
 * }
 */
import { availableParallelism } from 'node:os'
import {
  isMainThread,
  MessageChannel,
  type MessagePort,
  parentPort,
  receiveMessageOnPort,
  Worker,
  workerData,
} from 'node:worker_threads'
import { MAX_AUTO_WORKERS, SPLIT_RUN_MIN_NODES } from './constants'
import { InvalidOptionError, PartFailedError } from './errors'
import type { SimThreads } from './parallel'
import { runWorkerPart } from './run'
import type { SimParts } from './simulator'

export type { SimThreads } from './parallel'

/** Marks the data a part's worker is started with. */
const WORKER_KIND = 'peerkit-sim-part'

/**
 * A part waits this long for another before it gives up on the run (a part that died
 * without a word, such as one out of memory). A window of the largest runs takes
 * milliseconds; this only ends runs that can no longer finish.
 */
export const PART_SILENCE_LIMIT_MS = 120_000

/** How each part reaches the others. */
interface Wiring {
  index: number
  count: number
  /** Ports to each other part, one per channel (own slot undefined). */
  ports: Array<MessagePort[] | undefined>
  /**
   * Shared Int32 counters: `counterOf(from, to, channel)` counts buffers posted; the last
   * slot is set when any part fails.
   */
  signals: SharedArrayBuffer
}

/** Where the workers of a split run start. */
export interface SimThreadsOptions {
  /**
   * The script each worker runs (a file URL or path); it must call `serveSimWorker` (or
   * `servePart`) first thing. Default: the script this process was started with.
   */
  entry?: string | URL
  /** Node options for the workers (default: this process's). */
  execArgv?: string[]
}

/**
 * The default number of threads for a run of `nodes` nodes: one per core (at most
 * `MAX_AUTO_WORKERS`) from `SPLIT_RUN_MIN_NODES` up, else 1.
 * @param nodes - nodes in the run
 * @returns threads to split it across
 */
export function autoWorkers(nodes: number): number {
  if (nodes < SPLIT_RUN_MIN_NODES) return 1
  return Math.max(1, Math.min(MAX_AUTO_WORKERS, availableParallelism()))
}

/** Channels between each pair of parts: events, and connection views. */
const CHANNELS = 2

/** Index of the counter of buffers posted from → to on a channel. */
const counterOf = (count: number, from: number, to: number, channel: number): number =>
  (from * count + to) * CHANNELS + channel

function partsOf(wiring: Wiring): SimParts {
  const { index: me, count, ports } = wiring
  const signals = new Int32Array(wiring.signals)
  const failed = count * count * CHANNELS
  const received = new Array<number>(count * CHANNELS).fill(0)
  return {
    index: me,
    count,
    post(to, channel, buffer) {
      ports[to]![channel]!.postMessage(buffer, [buffer])
      const slot = counterOf(count, me, to, channel)
      Atomics.add(signals, slot, 1)
      Atomics.notify(signals, slot)
    },
    receive(from, channel) {
      const slot = counterOf(count, from, me, channel)
      const expected = ++received[from * CHANNELS + channel]!
      let waited = 0
      for (;;) {
        if (Atomics.load(signals, failed) !== 0) throw new PartFailedError('another part failed')
        const seen = Atomics.load(signals, slot)
        if (seen >= expected) {
          const message = receiveMessageOnPort(ports[from]![channel]!)
          if (message !== undefined) return message.message as ArrayBuffer
        }
        if (Atomics.wait(signals, slot, seen, 1_000) === 'timed-out') {
          waited += 1_000
          if (waited >= PART_SILENCE_LIMIT_MS) {
            throw new PartFailedError(`part ${from} silent for ${PART_SILENCE_LIMIT_MS} ms`)
          }
        }
      }
    },
  }
}

function fail(signals: SharedArrayBuffer, count: number): void {
  const view = new Int32Array(signals)
  const last = count * count * CHANNELS
  Atomics.store(view, last, 1)
  for (let i = 0; i <= last; i++) Atomics.notify(view, i)
}

/**
 * Split runs on worker threads started from one entry script.
 * @param options - the workers' entry script and Node options
 * @returns threads to pass to `runGossip` (or to call `runInParts` on)
 * @throws InvalidOptionError when no entry is named and this process has no script
 * @example
 * const threads = createSimThreads({ entry: new URL(import.meta.url) })
 */
export function createSimThreads(options: SimThreadsOptions = {}): SimThreads {
  const script = options.entry ?? process.argv[1]
  if (script === undefined || script === '') {
    throw new InvalidOptionError('entry', 'split runs need a worker entry script')
  }
  const entry = { url: script, execArgv: options.execArgv }
  return { runInParts: (count, task, runHere) => runInParts(entry, count, task, runHere) }
}

/** Runs `count` parts: part 0 here, the others in workers started from the entry script. */
async function runInParts<T>(
  entry: { url: string | URL; execArgv: string[] | undefined },
  count: number,
  task: unknown,
  runHere: (parts: SimParts) => Promise<T>,
): Promise<T[]> {
  if (!Number.isSafeInteger(count) || count < 2) {
    throw new InvalidOptionError('workers', 'a split run has at least 2 parts')
  }
  const signals = new SharedArrayBuffer(4 * (count * count * CHANNELS + 1))
  const ports: Array<Array<MessagePort[] | undefined>> = Array.from({ length: count }, () =>
    new Array(count).fill(undefined),
  )
  for (let a = 0; a < count; a++) {
    for (let b = a + 1; b < count; b++) {
      ports[a]![b] = []
      ports[b]![a] = []
      for (let c = 0; c < CHANNELS; c++) {
        const { port1, port2 } = new MessageChannel()
        ports[a]![b]!.push(port1)
        ports[b]![a]!.push(port2)
      }
    }
  }
  const ready: Array<Promise<void>> = []
  const results: Array<Promise<T>> = []
  const workers: Worker[] = []
  for (let index = 1; index < count; index++) {
    const own = ports[index]!
    const transfer = own.flatMap((p) => p ?? [])
    const worker = new Worker(entry.url, {
      workerData: { kind: WORKER_KIND, task, wiring: { index, count, ports: own, signals } },
      transferList: transfer,
      ...(entry.execArgv === undefined ? {} : { execArgv: entry.execArgv }),
    })
    workers.push(worker)
    let onReady: () => void = () => {}
    ready.push(new Promise<void>((resolve) => (onReady = resolve)))
    results.push(
      new Promise<T>((resolve, reject) => {
        let settled = false
        // first "ready" (its part is about to run), then the result
        worker.on('message', (message: { ready?: true; result?: T }) => {
          if (message.ready === true) onReady()
          else {
            settled = true
            resolve(message.result as T)
          }
        })
        worker.once('error', (error) => {
          settled = true
          fail(signals, count)
          reject(error)
        })
        worker.once('exit', (code) => {
          if (!settled) {
            fail(signals, count)
            reject(new PartFailedError(`part ${index} exited with code ${code} before its result`))
          }
        })
      }),
    )
  }
  try {
    // A worker that cannot even load its entry fails here, while this thread still
    // listens; once every part runs, a failing part raises the shared flag itself.
    await Promise.race([Promise.all(ready), Promise.all(results)])
    const here = await runHere(partsOf({ index: 0, count, ports: ports[0]!, signals }))
    return [here, ...(await Promise.all(results))]
  } catch (error) {
    fail(signals, count)
    await Promise.allSettled(results)
    throw error
  } finally {
    for (const row of ports) for (const pair of row) for (const port of pair ?? []) port.close()
    await Promise.allSettled(workers.map((w) => w.terminate()))
  }
}

/**
 * In a worker started by `runInParts`, runs its part with `run` and posts the result;
 * anywhere else does nothing.
 * @param run - runs one part from the task it was given
 * @returns true when this thread was such a worker (its part is done)
 */
export async function servePart<T>(
  run: (task: unknown, parts: SimParts) => Promise<T>,
): Promise<boolean> {
  const data = workerData as { kind?: unknown; task?: unknown; wiring?: Wiring } | null
  if (isMainThread || parentPort === null || data?.kind !== WORKER_KIND) return false
  const wiring = data.wiring!
  try {
    parentPort.postMessage({ ready: true })
    const result = await run(data.task, partsOf(wiring))
    parentPort.postMessage({ result })
  } catch (error) {
    fail(wiring.signals, wiring.count)
    throw error
  } finally {
    for (const pair of wiring.ports) for (const port of pair ?? []) port.close()
  }
  return true
}

/**
 * In a worker started for a split gossip run, runs its part and returns true; anywhere else
 * returns false at once. Entry scripts call it first.
 * @returns whether this thread served a part
 * @example
 * if (!(await serveSimWorker())) await main()
 */
export function serveSimWorker(): Promise<boolean> {
  return servePart(runWorkerPart)
}
