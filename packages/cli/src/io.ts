/**
 * What a command talks to: its output streams, its input, its environment. `run` takes one,
 * so that tests and other programs drive the commands in-process; `processIo` is the real one.
 */
import { InputTooLargeError } from './errors'

/** The streams, environment and working directory a command runs with. */
export interface CliIo {
  /** Results (the part a script reads). */
  readonly stdout: { write(text: string | Uint8Array): unknown }
  /** Progress, status and errors. */
  readonly stderr: { write(text: string): unknown }
  /** Standard input, as chunks. */
  readonly stdin: AsyncIterable<Uint8Array | string>
  /** The environment (for `PEERKIT_PASSWORD`). */
  readonly env: Readonly<Record<string, string | undefined>>
  /** Aborted when the process is asked to stop (SIGINT, SIGTERM). */
  readonly signal?: AbortSignal | undefined
}

/**
 * The real process's streams and environment, with SIGINT and SIGTERM turned into `signal`.
 * @returns the io of this process
 * @example
 * process.exitCode = await run(process.argv.slice(2), processIo())
 */
export function processIo(): CliIo {
  const controller = new AbortController()
  const abort = (): void => controller.abort()
  process.once('SIGINT', abort)
  process.once('SIGTERM', abort)
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    signal: controller.signal,
  }
}

/**
 * Reads a whole stream, refusing more than `limit` bytes (it stops reading at the limit).
 * @param input - the chunks
 * @param limit - the most bytes accepted
 * @param what - names the input in the error
 * @returns the bytes
 * @throws InputTooLargeError past the limit
 * @example
 * const bytes = await readAll(io.stdin, 65536, 'standard input')
 */
export async function readAll(
  input: AsyncIterable<Uint8Array | string>,
  limit: number,
  what: string,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = []
  let length = 0
  for await (const chunk of input) {
    const bytes = typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk
    length += bytes.length
    if (length > limit) throw new InputTooLargeError(what, limit)
    chunks.push(bytes)
  }
  const out = new Uint8Array(length)
  let at = 0
  for (const chunk of chunks) {
    out.set(chunk, at)
    at += chunk.length
  }
  return out
}
