/**
 * The state of one trade: where its machine stands, the machine data, the head of the
 * hash-linked log, and the vault operations the log implies so far. States are frozen
 * values; `apply` returns a new one and never changes the one it was given.
 *
 * @example
 * const state = startTrade(tradeEscrow, trade)
 * state.name      // 'offered'
 * state.seq       // 0 steps applied
 */
import type { Value } from '@peerkit/codec'
import type { EscrowDefinition, MachineData } from './definition'
import { InvalidArgumentError } from './errors'
import { emptyStepLog, type StepLog } from './step-log'
import type { Trade } from './terms'
import type { BoundVaultOp } from './vault'

/** A step that was applied: its id and what it said. */
export interface AppliedStep {
  /** The step's id (content id bytes of its envelope). */
  readonly id: Uint8Array
  readonly seq: number
  readonly action: string
  /** The role that sealed it. */
  readonly role: string
  /** Every role that signed it. */
  readonly roles: readonly string[]
  readonly body: Value
  readonly timestamp: number
  /** The step envelope. */
  readonly bytes: Uint8Array
}

/** One trade's state after folding its log. */
export interface EscrowState {
  readonly definition: EscrowDefinition
  readonly trade: Trade
  /** The machine state's name. */
  readonly name: string
  readonly data: MachineData
  /** Number of steps applied (the next step's position). */
  readonly seq: number
  /** Id of the last step, or the trade id before the first step. */
  readonly head: Uint8Array
  readonly terminal: boolean
  /** The outcome word of a terminal state (`'released'`, `'refunded'`, …). */
  readonly outcome: string | undefined
  /** Every vault operation the log implies, in order, bound to accounts and keys. */
  readonly ops: readonly BoundVaultOp[]
  /** The last applied step. */
  readonly last: AppliedStep | undefined
  /** Ids of the applied steps. */
  readonly log: StepLog
}

/**
 * The mark of a state made here: a non-enumerable property under a symbol no other module
 * holds, so a copy (`{ ...state }`) or a hand-built object is not a state.
 */
const MADE_HERE = Symbol('peerkit/escrow/state')

/** Freezes and marks a state (only states made here are accepted by `apply`). */
export function makeState(fields: EscrowState): EscrowState {
  Object.defineProperty(fields, MADE_HERE, { value: true })
  return Object.freeze(fields)
}

/** Throws unless `value` is a state made by this package. */
export function assertState(value: unknown, argument: string): asserts value is EscrowState {
  if (
    typeof value !== 'object' ||
    value === null ||
    !Object.hasOwn(value, MADE_HERE) ||
    !Object.isFrozen(value)
  ) {
    throw new InvalidArgumentError(`${argument} must be a state from startTrade or apply`)
  }
}

/**
 * The state of a trade before any step: the machine's initial state.
 * @param definition - the machine
 * @param trade - the opened terms (from `openTrade`)
 * @returns the initial state
 * @throws {InvalidArgumentError} when the trade is for another machine
 * @example const state = startTrade(tradeEscrow, openTrade(tradeEscrow, terms, { now }))
 */
export function startTrade(definition: EscrowDefinition, trade: Trade): EscrowState {
  if (trade?.machine !== definition?.name)
    throw new InvalidArgumentError('trade is not for this machine')
  return makeState({
    definition,
    trade,
    name: definition.initial,
    data: Object.freeze({ ...definition.initialData(trade) }),
    seq: 0,
    head: trade.id.bytes,
    terminal: false,
    outcome: undefined,
    ops: Object.freeze([]),
    last: undefined,
    log: emptyStepLog(),
  })
}
