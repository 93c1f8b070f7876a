/**
 * Reading a whole log at once, for callers that fold every record anyway.
 *
 * @example
 * const { snapshot, records } = await readLog(log)
 */
import type { Log } from './types'

/** What a log holds: its snapshot (if any) and the records after it. */
export interface LogContents {
  readonly snapshot: Uint8Array | undefined
  readonly records: Uint8Array[]
}

/**
 * Reads every committed entry of `log`.
 * @param log - an open log
 * @returns the snapshot and the records
 * @throws what `log.read()` throws (`CorruptLogError`, limit errors)
 * @example const { records } = await readLog(await store.open('t1'))
 */
export async function readLog(log: Log): Promise<LogContents> {
  let snapshot: Uint8Array | undefined
  const records: Uint8Array[] = []
  for await (const batch of log.read()) {
    for (const entry of batch) {
      if (entry.kind === 'snapshot') snapshot = entry.bytes
      else records.push(entry.bytes)
    }
  }
  return { snapshot, records }
}
