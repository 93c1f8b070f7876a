/** Dispatches `peerkit <command> …` and turns every failure into a message and an exit code. */
import { wantsHelp } from './args'
import { KEY_USAGE, keyCommand } from './commands/key'
import { NODE_USAGE, nodeCommand } from './commands/node'
import { SIGN_USAGE, signCommand } from './commands/sign'
import { SIM_COMMAND_USAGE, simRun } from './commands/sim'
import { VERIFY_USAGE, verifyCommand } from './commands/verify'
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './constants'
import { isCliError, UsageError } from './errors'
import type { CliIo } from './io'

/** One command: its usage text and what runs it. */
interface Command {
  readonly usage: string
  readonly run: (argv: string[], io: CliIo) => Promise<number>
}

const COMMANDS: Readonly<Record<string, Command>> = {
  key: { usage: KEY_USAGE, run: keyCommand },
  sign: { usage: SIGN_USAGE, run: signCommand },
  verify: { usage: VERIFY_USAGE, run: verifyCommand },
  node: { usage: NODE_USAGE, run: nodeCommand },
  sim: { usage: SIM_COMMAND_USAGE, run: simRun },
}

export const USAGE = `usage: peerkit <command> [options]

  key new|show|rotate   an identity with pre-rotation, its peer id in every text form
  sign                  seal a payload in a signed envelope
  verify                open a signed envelope: who signed what, when
  node                  run a node on TCP/WebSocket: publish lines, print what arrives
  sim                   simulate gossip strategies on one network: reliability, duplicates, latency

\`peerkit <command> --help\` tells more. Exit codes: 0 done, 1 failed, 2 bad command line.`

/**
 * Runs one `peerkit` command line.
 * @param argv - the arguments after `peerkit`
 * @param io - streams and environment
 * @returns the exit code: 0 done, 1 the operation failed, 2 the command line is wrong
 * @example
 * const code = await run(['key', 'show', '--dir', '.peerkit'], io)
 */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const topic = name === 'help' ? rest[0] : undefined
    const command = topic === undefined ? undefined : COMMANDS[topic]
    io.stdout.write(`${command?.usage ?? USAGE}\n`)
    return name === undefined ? EXIT_USAGE : EXIT_OK
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined
  if (command === undefined) {
    io.stderr.write(`UsageError: unknown command ${name}\n\n${USAGE}\n`)
    return EXIT_USAGE
  }
  if (wantsHelp(rest)) {
    io.stdout.write(`${command.usage}\n`)
    return EXIT_OK
  }
  try {
    return await command.run(rest, io)
  } catch (error) {
    const named = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
    if (error instanceof UsageError) {
      io.stderr.write(`${named}\n\n${command.usage}\n`)
      return EXIT_USAGE
    }
    io.stderr.write(`${named}\n`)
    return isCliError(error) ? error.exitCode : EXIT_FAILURE
  }
}
