/**
 * Command-line arguments of `pnpm sim`, parsed strictly: an unknown flag, a missing value,
 * or a value out of range is a typed error naming the flag, never a silent default.
 *
 * @example
 * parseSimArgs(['--nodes', '1000', '--strategy', 'plumtree,flood'])
 * // { nodes: 1000, strategies: ['plumtree', 'flood'], messages: 100, … }
 */
import { InvalidArgumentError, UnknownFlagError, UnknownStrategyError } from './errors'
import { STRATEGY_NAMES, type StrategyName } from './strategies/index'

/** Parsed `pnpm sim` arguments. */
export interface SimArgs {
  nodes: number
  messages: number
  strategies: StrategyName[]
  crash: number
  sybil: number
  loss: number
  seed: number
  /** Distinct publishers taking turns; absent: any honest node for each message. */
  publishers?: number
  json?: string
  svg?: string
  /** Threads to split each run across; absent: `autoWorkers(nodes)`. */
  workers?: number
  /** No progress lines. */
  quiet: boolean
  help: boolean
}

const VALUE_FLAGS = [
  'nodes',
  'messages',
  'strategy',
  'crash',
  'sybil',
  'loss',
  'seed',
  'publishers',
  'json',
  'svg',
  'workers',
]
const BOOLEAN_FLAGS = ['quiet', 'help']

/** Usage text of `pnpm sim`. */
export const SIM_USAGE = `usage: pnpm sim -- [options]
  --nodes N          nodes in the run, Sybils included (default 1000, at least 2)
  --messages M       measured messages (default 100)
  --strategy S       plumtree | mesh | flood, or several separated by commas (default plumtree)
  --crash F          share of honest nodes that crash at once before the messages (default 0)
  --sybil F          share of nodes that are Sybils: droppers and spammers (default 0, at most 0.5)
  --loss F           frame loss probability on every link (default 0)
  --seed S           seed of the run (default 1)
  --publishers P     distinct publishers taking turns; with 10 or fewer, every measured
                     message comes from a publisher whose tree formed in the warm-up
                     (default: any node for each message, so most are first messages)
  --json FILE        write the metrics as JSON
  --svg FILE         write a chart of delivery over time per strategy
  --workers W        threads to split each run across; the figures are the same for any W
                     (default: one per core from 5,000 nodes up, else 1)
  --quiet            no progress lines
  --help             this text`

function integer(flag: string, text: string, min: number, max: number): number {
  if (!/^-?\d+$/.test(text)) throw new InvalidArgumentError(flag, `--${flag} must be an integer`)
  const value = Number(text)
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(flag, `--${flag} must be an integer in [${min}, ${max}]`)
  }
  return value
}

function fraction(flag: string, text: string, max = 1): number {
  if (!/^(\d+(\.\d*)?|\.\d+)(e-?\d+)?$/i.test(text)) {
    throw new InvalidArgumentError(flag, `--${flag} must be a number in [0, ${max}]`)
  }
  const value = Number(text)
  if (!(value >= 0 && value <= max)) {
    throw new InvalidArgumentError(flag, `--${flag} must be a number in [0, ${max}]`)
  }
  return value
}

/**
 * Parses `pnpm sim` arguments (a bare `--`, which pnpm passes through, is skipped).
 * @param argv - the arguments after the script name
 * @returns the parsed arguments, with defaults filled in
 * @throws UnknownFlagError for a flag the simulator does not know
 * @throws InvalidArgumentError for a missing or out-of-range value
 * @throws UnknownStrategyError for a strategy name that is not plumtree, mesh or flood
 */
export function parseSimArgs(argv: readonly string[]): SimArgs {
  const raw = new Map<string, string>()
  const flags = new Set<string>()
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--') continue
    if (!arg.startsWith('--')) throw new InvalidArgumentError(arg, `unexpected argument "${arg}"`)
    const eq = arg.indexOf('=')
    const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2)
    if (BOOLEAN_FLAGS.includes(name)) {
      if (eq > 0) throw new InvalidArgumentError(name, `--${name} takes no value`)
      flags.add(name)
      continue
    }
    if (!VALUE_FLAGS.includes(name)) throw new UnknownFlagError(name)
    if (raw.has(name)) throw new InvalidArgumentError(name, `--${name} given twice`)
    let value: string | undefined
    if (eq > 0) value = arg.slice(eq + 1)
    else {
      value = argv[i + 1]
      if (value === undefined || value.startsWith('--')) {
        throw new InvalidArgumentError(name, `--${name} needs a value`)
      }
      i++
    }
    if (value === '') throw new InvalidArgumentError(name, `--${name} needs a value`)
    raw.set(name, value)
  }
  const strategies = (raw.get('strategy') ?? 'plumtree').split(',').map((s) => s.trim())
  const seenNames = new Set<string>()
  for (const name of strategies) {
    if (!(STRATEGY_NAMES as readonly string[]).includes(name)) throw new UnknownStrategyError(name)
    if (seenNames.has(name))
      throw new InvalidArgumentError('strategy', `strategy ${name} given twice`)
    seenNames.add(name)
  }
  const args: SimArgs = {
    nodes: integer('nodes', raw.get('nodes') ?? '1000', 2, 1_000_000),
    messages: integer('messages', raw.get('messages') ?? '100', 1, 1_000_000),
    strategies: strategies as StrategyName[],
    crash: fraction('crash', raw.get('crash') ?? '0', 0.99),
    sybil: fraction('sybil', raw.get('sybil') ?? '0', 0.5),
    loss: fraction('loss', raw.get('loss') ?? '0', 0.99),
    seed: integer('seed', raw.get('seed') ?? '1', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
    quiet: flags.has('quiet'),
    help: flags.has('help'),
  }
  const json = raw.get('json')
  if (json !== undefined) args.json = json
  const svg = raw.get('svg')
  if (svg !== undefined) args.svg = svg
  const publishers = raw.get('publishers')
  if (publishers !== undefined) args.publishers = integer('publishers', publishers, 1, 1_000_000)
  const workers = raw.get('workers')
  if (workers !== undefined) args.workers = integer('workers', workers, 1, 64)
  return args
}
