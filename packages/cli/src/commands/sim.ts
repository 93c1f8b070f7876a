/** `peerkit sim`: the simulator of @peerkit/sim, with the same flags as `pnpm sim`. */
import { SIM_USAGE, simCommand } from '@peerkit/sim/command'
import { createSimThreads } from '@peerkit/sim/threads'
import type { CliIo } from '../io'

export const SIM_COMMAND_USAGE = `usage: peerkit sim [options]

Runs gossip strategies over one simulated network with the same seed and prints their
reliability, duplicates, hops and latency (see docs/sim.md).

${SIM_USAGE.replace(/^usage: .*\n/, '')}`

/**
 * Runs `peerkit sim …`; split runs use this process's entry script as the worker entry.
 * @param argv - the arguments after `sim`
 * @param io - the command's environment
 * @returns the exit code
 * @example
 * await simRun(['--nodes', '200', '--messages', '10'], io)
 */
export function simRun(argv: string[], io: CliIo): Promise<number> {
  return simCommand(argv, io, createSimThreads())
}
