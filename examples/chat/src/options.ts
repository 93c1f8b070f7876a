/**
 * The command line of the chat: where to listen, whom to dial, which topic.
 *
 * @example
 * chatOptions(['--listen', 'tcp://127.0.0.1:4001']) // { listen: ['tcp://127.0.0.1:4001'], dial: [], topic: 'chat' }
 */
import { parseArgs } from 'node:util'

/** What the chat runs with. */
export interface ChatOptions {
  /** Addresses to listen on (`tcp://host:port`, `ws://host:port/path`). */
  readonly listen: string[]
  /** Addresses to dial at start. */
  readonly dial: string[]
  /** The gossip topic every line is published on. */
  readonly topic: string
}

/** The topic used when `--topic` is not given. */
const DEFAULT_TOPIC = 'chat'

/** The longest line published; longer lines are cut. */
export const MAX_LINE_LENGTH = 4096

/** How the chat is run, printed for `--help` or a bad command line. */
export const USAGE = `usage: pnpm --filter chat start -- [--listen ADDRESS]... [--dial ADDRESS]... [--topic NAME]
  ADDRESS is tcp://host:port or ws://host:port/path, e.g. --listen tcp://127.0.0.1:4001`

/**
 * Reads the command line.
 * @param argv - the arguments after the script name
 * @returns the options
 * @throws TypeError for an unknown flag, or when neither `--listen` nor `--dial` is given
 */
export function chatOptions(argv: readonly string[]): ChatOptions {
  const { values } = parseArgs({
    args: argv.filter((arg) => arg !== '--'),
    options: {
      listen: { type: 'string', multiple: true },
      dial: { type: 'string', multiple: true },
      topic: { type: 'string' },
    },
    strict: true,
  })
  const listen = values.listen ?? []
  const dial = values.dial ?? []
  if (listen.length === 0 && dial.length === 0) throw new TypeError('give --listen or --dial')
  return { listen, dial, topic: values.topic ?? DEFAULT_TOPIC }
}
