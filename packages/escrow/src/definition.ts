/**
 * `defineEscrow`: the kit. A machine is roles, states, an initial state, terminal
 * states, the deadlines its terms must carry, and transitions. Each transition names
 * the states it leaves and enters, the roles whose signature it needs, an optional
 * guard over the step's body, an optional deadline window, and the machine data and
 * vault operations it implies. The definition is checked when it is made.
 *
 * @example
 * const ping = defineEscrow({ name: 'example/ping/1', roles: ['a', 'b'], states: ['open', 'done'],
 *   initial: 'open', terminal: ['done'], deadlines: ['closeBy'],
 *   transitions: { close: { from: ['open'], to: 'done', by: ['a', 'b'], before: 'closeBy' } } })
 */
import type { Value } from '@peerkit/codec'
import { assertName, isRecord } from './assert'
import { MAX_NAME_LENGTH, MAX_ROLES, MAX_STATES } from './constants'
import {
  InvalidDefinitionError,
  TransitionFromTerminalError,
  UnknownDeadlineError,
  UnreachableStateError,
} from './errors'
import type { Trade } from './terms'
import type { VaultOp } from './vault'

/** Machine data: a record of codec values carried from step to step. */
export type MachineData = Readonly<Record<string, Value>>

/** What a guard, an update or an effect sees of the step being applied. */
export interface StepContext {
  /** The opened terms of the trade. */
  readonly trade: Trade
  /** The machine state the step leaves. */
  readonly from: string
  /** The machine data before the step. */
  readonly data: MachineData
  /** The role that sealed the step. */
  readonly role: string
  /** The step's body (its transition-specific payload). */
  readonly body: Value
  /** The step's signed timestamp (ms). */
  readonly timestamp: number
  /** The step's position in the log (0 for the first step). */
  readonly seq: number
}

/** One transition of a machine. */
export interface TransitionSpec {
  /** States the transition may leave. */
  readonly from: readonly string[]
  /** The state it enters. */
  readonly to: string
  /** Roles that may take it (any one of them, unless `jointly`). */
  readonly by: readonly string[]
  /** When true, every role in `by` must sign the same step (a countersigned step). */
  readonly jointly?: boolean
  /** Deadline (named in the terms) before which the transition must happen. */
  readonly before?: string
  /** Deadline (named in the terms) from which on the transition may happen. */
  readonly after?: string
  /** Checks the step's body; return `true` to accept, `false` or a reason to reject. */
  readonly guard?: (context: StepContext) => boolean | string
  /** The machine data after the step (default: unchanged). */
  readonly update?: (context: StepContext) => MachineData
  /** Vault operations the step implies, executed by `settle`. */
  readonly effects?: (context: StepContext) => readonly VaultOp[]
  /** Roles the step must be delivered to besides the parties (for example the arbiter). */
  readonly notify?: readonly string[]
}

/** The argument of `defineEscrow`. */
export interface EscrowDefinitionInit {
  /** The machine's name and version, bound into every terms envelope (`'peerkit/trade/1'`). */
  readonly name: string
  /** Every role, in the order used for receipts and terms. */
  readonly roles: readonly string[]
  /** Roles that sign the terms and receive every step (default: every role). */
  readonly parties?: readonly string[]
  readonly states: readonly string[]
  readonly initial: string
  readonly terminal: readonly string[]
  /** Names of the absolute deadlines (ms) the terms must carry. */
  readonly deadlines?: readonly string[]
  readonly transitions: Readonly<Record<string, TransitionSpec>>
  /** Extra checks of the terms (amounts, deadline order); return a reason to reject them. */
  readonly checkTerms?: (trade: Trade) => string | undefined
  /** Machine data at the start of a trade (default: `{}`). */
  readonly initialData?: (trade: Trade) => MachineData
  /** A terminal state's outcome word for receipts (default: the state's name). */
  readonly outcome?: (state: string, data: MachineData) => string
}

/** A transition after checking, with its name and lookup sets. */
export interface Transition extends TransitionSpec {
  readonly name: string
  readonly fromSet: ReadonlySet<string>
  readonly bySet: ReadonlySet<string>
}

/** A checked machine definition, ready for `openTrade`, `startTrade` and `apply`. */
export interface EscrowDefinition {
  readonly name: string
  readonly roles: readonly string[]
  readonly parties: readonly string[]
  readonly states: readonly string[]
  readonly initial: string
  readonly terminal: ReadonlySet<string>
  readonly deadlines: readonly string[]
  readonly transitions: ReadonlyMap<string, Transition>
  readonly checkTerms: ((trade: Trade) => string | undefined) | undefined
  readonly initialData: (trade: Trade) => MachineData
  readonly outcome: (state: string, data: MachineData) => string
  /** Transitions by the state they leave. */
  readonly outgoing: ReadonlyMap<string, readonly Transition[]>
}

function fail(message: string): never {
  throw new InvalidDefinitionError(message)
}

function uniqueNames(list: unknown, what: string, max: number): readonly string[] {
  if (!Array.isArray(list) || list.length === 0) fail(`${what} must be a non-empty array`)
  if (list.length > max) fail(`${what} may hold at most ${max} names`)
  const seen = new Set<string>()
  for (const name of list) {
    try {
      assertName(name, what, MAX_NAME_LENGTH)
    } catch {
      fail(`${what} must hold names of 1 to ${MAX_NAME_LENGTH} characters`)
    }
    if (seen.has(name)) fail(`${what} names '${name}' twice`)
    seen.add(name)
  }
  return Object.freeze([...(list as string[])])
}

function subsetOf(list: unknown, of: ReadonlySet<string>, what: string): readonly string[] {
  if (!Array.isArray(list) || list.length === 0) fail(`${what} must be a non-empty array`)
  for (const name of list) {
    if (typeof name !== 'string' || !of.has(name)) fail(`${what} names unknown '${String(name)}'`)
  }
  return Object.freeze([...new Set(list as string[])])
}

function optionalFunction<T>(value: T | undefined, what: string): T | undefined {
  if (value !== undefined && typeof value !== 'function') fail(`${what} must be a function`)
  return value
}

/**
 * Defines an escrow machine and checks it: names are unique, every transition refers
 * to known states, roles and deadlines, no transition leaves a terminal state, every
 * state is reachable from the initial state, and from every state a terminal state
 * can still be reached.
 * @param init - the machine
 * @returns the checked, frozen definition
 * @throws {InvalidDefinitionError} when the shape is wrong, a name is unknown or repeated, or a state cannot end
 * @throws {TransitionFromTerminalError} when a transition leaves a terminal state
 * @throws {UnreachableStateError} when a state cannot be reached from the initial state
 * @throws {UnknownDeadlineError} when a transition names a deadline the terms do not declare
 * @example
 * const machine = defineEscrow({ name: 'x/1', roles: ['a', 'b'], states: ['s', 't'], initial: 's',
 *   terminal: ['t'], transitions: { end: { from: ['s'], to: 't', by: ['a'] } } })
 */
export function defineEscrow(init: EscrowDefinitionInit): EscrowDefinition {
  if (!isRecord(init)) fail('the definition must be an object')
  try {
    assertName(init.name, 'name', 2 * MAX_NAME_LENGTH)
  } catch {
    fail(`name must be a string of 1 to ${2 * MAX_NAME_LENGTH} characters`)
  }
  const roles = uniqueNames(init.roles, 'roles', MAX_ROLES)
  const roleSet = new Set(roles)
  const parties = init.parties === undefined ? roles : subsetOf(init.parties, roleSet, 'parties')
  const states = uniqueNames(init.states, 'states', MAX_STATES)
  const stateSet = new Set(states)
  if (typeof init.initial !== 'string' || !stateSet.has(init.initial))
    fail('initial must be one of states')
  const terminal = new Set(subsetOf(init.terminal, stateSet, 'terminal'))
  if (terminal.has(init.initial)) fail('the initial state may not be terminal')
  const deadlines =
    init.deadlines === undefined
      ? Object.freeze([] as string[])
      : init.deadlines.length === 0
        ? Object.freeze([] as string[])
        : uniqueNames(init.deadlines, 'deadlines', MAX_STATES)
  const deadlineSet = new Set(deadlines)
  if (!isRecord(init.transitions)) fail('transitions must be an object')

  const transitions = new Map<string, Transition>()
  const outgoing = new Map<string, Transition[]>(states.map((s) => [s, []]))
  for (const [name, spec] of Object.entries(init.transitions)) {
    if (name.length === 0 || name.length > MAX_NAME_LENGTH)
      fail(`transition name '${name}' is too long or empty`)
    if (!isRecord(spec)) fail(`transition '${name}' must be an object`)
    const from = subsetOf(spec.from, stateSet, `transition '${name}' from`)
    if (typeof spec.to !== 'string' || !stateSet.has(spec.to))
      fail(`transition '${name}' enters an unknown state`)
    const by = subsetOf(spec.by, roleSet, `transition '${name}' by`)
    const notify =
      spec.notify === undefined ? [] : subsetOf(spec.notify, roleSet, `transition '${name}' notify`)
    for (const state of from) {
      if (terminal.has(state)) {
        throw new TransitionFromTerminalError(
          `transition '${name}' leaves terminal state '${state}'`,
        )
      }
    }
    for (const key of ['before', 'after'] as const) {
      const deadline = spec[key]
      if (deadline === undefined) continue
      if (typeof deadline !== 'string' || !deadlineSet.has(deadline)) {
        throw new UnknownDeadlineError(
          `transition '${name}' names deadline '${String(deadline)}' the terms do not declare`,
        )
      }
    }
    optionalFunction(spec.guard, `transition '${name}' guard`)
    optionalFunction(spec.update, `transition '${name}' update`)
    optionalFunction(spec.effects, `transition '${name}' effects`)
    const transition: Transition = Object.freeze({
      ...spec,
      from,
      by,
      notify,
      jointly: spec.jointly === true,
      name,
      fromSet: new Set(from),
      bySet: new Set(by),
    })
    transitions.set(name, transition)
    for (const state of from) outgoing.get(state)!.push(transition)
  }

  // every state reachable from the initial state
  const reached = new Set([init.initial])
  const queue = [init.initial]
  while (queue.length > 0) {
    const state = queue.pop()!
    for (const t of outgoing.get(state)!) {
      if (!reached.has(t.to)) {
        reached.add(t.to)
        queue.push(t.to)
      }
    }
  }
  for (const state of states) {
    if (!reached.has(state))
      throw new UnreachableStateError(`state '${state}' cannot be reached from '${init.initial}'`)
  }
  // from every state some terminal state is reachable (no trade can be stuck by design)
  const canEnd = new Set(terminal)
  let grew = true
  while (grew) {
    grew = false
    for (const t of transitions.values()) {
      if (canEnd.has(t.to)) {
        for (const state of t.from) {
          if (!canEnd.has(state)) {
            canEnd.add(state)
            grew = true
          }
        }
      }
    }
  }
  for (const state of states) {
    if (!canEnd.has(state)) fail(`no terminal state can be reached from '${state}'`)
  }

  const checkTerms = optionalFunction(init.checkTerms, 'checkTerms')
  const initialData = optionalFunction(init.initialData, 'initialData') ?? (() => Object.freeze({}))
  const outcome = optionalFunction(init.outcome, 'outcome') ?? ((state: string) => state)
  return Object.freeze({
    name: init.name,
    roles,
    parties,
    states,
    initial: init.initial,
    terminal,
    deadlines,
    transitions,
    checkTerms,
    initialData,
    outcome,
    outgoing,
  })
}
