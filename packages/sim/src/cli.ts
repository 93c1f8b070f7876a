/**
 * `pnpm sim`: the sim command (see command.ts) on this process's streams. This script is also
 * the entry of the worker threads of a split run.
 *
 * @example
 * pnpm sim -- --nodes 10000 --messages 100 --strategy plumtree --json out.json
 * pnpm sim -- --nodes 1000 --strategy plumtree,mesh,flood --svg delivery.svg
 */
import { simCommand } from './command'
import { createSimThreads, serveSimWorker } from './threads'

// a worker of a split run serves its part and is done
if (!(await serveSimWorker())) {
  const threads = createSimThreads({ entry: new URL(import.meta.url) })
  process.exitCode = await simCommand(process.argv.slice(2), process, threads)
}
