/**
 * `apply`: the pure fold of one signed step into a trade's state. It opens the step
 * (one decode, one signature check per signer), checks it against the trade, the log,
 * the machine and the deadlines, and returns the next state or a typed rejection. The
 * state it was given never changes; applying a step that is already in the log returns
 * the same state.
 *
 * @example
 * const r = apply(state, stepBytes, now)
 * if (r.ok) state = r.state
 * else console.log(r.error.name)   // 'TooLateError', 'ForkError', …
 */
import { equalBytes, toHex, type Value } from '@peerkit/codec'
import type { Signer } from '@peerkit/identity'
import { assertBytes, assertSafeTime, isBytes } from './assert'
import {
  DEFAULT_MAX_DELAY_MS,
  DEFAULT_MAX_SKEW_MS,
  MAX_NAME_LENGTH,
  MAX_STEP_BYTES,
  PAYLOAD_VERSION,
  STEP_DOMAIN,
} from './constants'
import type { StepContext, Transition } from './definition'
import {
  BrokenLinkError,
  ForkError,
  GuardRejectedError,
  InvalidArgumentError,
  isEscrowError,
  MalformedStepError,
  NotMyRoleError,
  ReplayedStepError,
  StepGapError,
  type StepRejection,
  TooEarlyError,
  TooLateError,
  TransitionNotAllowedError,
  UnknownActionError,
  WrongRoleError,
  WrongSignerError,
} from './errors'
import { bytesField, field, intField, mapOf, stringField } from './fields'
import { type AppliedStep, assertState, type EscrowState, makeState } from './state'
import {
  cosignEnvelope,
  type OpenedEnvelopeView,
  openEnvelope,
  sealEnvelope,
} from './step-envelope'
import type { BoundVaultOp } from './vault'

/** The result of `apply`: the next state, or why the step was rejected. */
export type ApplyResult =
  | {
      readonly ok: true
      readonly state: EscrowState
      /** The step (for a duplicate: the step already in the log). */
      readonly step: AppliedStep | undefined
      /** True when the step was already in the log (the state is unchanged). */
      readonly duplicate: boolean
    }
  | { readonly ok: false; readonly error: StepRejection }

/** Options of `apply`. */
export interface ApplyOptions {
  /** How far a step may be dated ahead of `now` (default `DEFAULT_MAX_SKEW_MS`). */
  readonly maxSkewMs?: number
  /**
   * How long after a deadline a step signed before it is still accepted (default
   * `DEFAULT_MAX_DELAY_MS`: no limit, so verdicts depend on the signed bytes alone).
   */
  readonly maxDelayMs?: number
}

/** The fields of a step payload. */
export interface StepPayload {
  readonly trade: Uint8Array
  readonly seq: number
  readonly prev: Uint8Array
  readonly action: string
  readonly by: string
  readonly body: Value
}

const STEP_FIELDS = new Set(['v', 'trade', 'seq', 'prev', 'action', 'by', 'body'])

function reject(error: StepRejection): ApplyResult {
  return { ok: false, error }
}

/** Reads a step payload; undefined when its shape is wrong. */
export function readStepPayload(payload: Value): StepPayload | undefined {
  const record = mapOf(payload)
  if (record === undefined || field(record, 'v') !== PAYLOAD_VERSION) return undefined
  for (const key of Object.keys(record)) if (!STEP_FIELDS.has(key)) return undefined
  const trade = bytesField(record, 'trade')
  const seq = intField(record, 'seq')
  const prev = bytesField(record, 'prev')
  const action = stringField(record, 'action', MAX_NAME_LENGTH)
  const by = stringField(record, 'by', MAX_NAME_LENGTH)
  const body = field(record, 'body')
  if (trade === undefined || seq === undefined || prev === undefined) return undefined
  if (action === undefined || by === undefined || body === undefined) return undefined
  return { trade, seq, prev, action, by, body }
}

/**
 * The deadline checks. A step signed before a deadline (its signed timestamp) counts as
 * taken in time wherever and whenever it arrives, so every replica reaches the same
 * verdict and a party catching up on an old log accepts it; `maxDelayMs` optionally also
 * refuses steps that arrive that long after their deadline. A step that needs a deadline
 * to have passed must say so in its timestamp and on the receiver's clock.
 */
function deadlineRejection(
  state: EscrowState,
  t: Transition,
  now: number,
  timestamp: number,
  maxDelayMs: number,
): StepRejection | undefined {
  if (t.after !== undefined) {
    const at = state.trade.deadlines[t.after]!
    if (now < at || timestamp < at)
      return new TooEarlyError(`'${t.name}' may only happen from '${t.after}' on`)
  }
  if (t.before !== undefined) {
    const at = state.trade.deadlines[t.before]!
    if (timestamp >= at || now - at >= maxDelayMs) {
      return new TooLateError(`'${t.name}' had to happen before '${t.before}'`)
    }
  }
  return undefined
}

function runMachine<T>(fn: () => T, what: string): T | StepRejection {
  try {
    return fn()
  } catch (error) {
    // a guard, update or effect that throws on a hostile body rejects the step, never crashes
    return new GuardRejectedError(`the ${what} of the transition failed`, { cause: error })
  }
}

function bindOps(
  state: EscrowState,
  seq: number,
  context: StepContext,
  t: Transition,
): BoundVaultOp[] | StepRejection {
  if (t.effects === undefined) return []
  const ops = runMachine(() => t.effects!(context), 'effects')
  if (isEscrowError(ops)) return ops as StepRejection
  const trade = state.trade
  const bound: BoundVaultOp[] = []
  ops.forEach((op, i) => {
    if (op.amount <= 0n) return
    const key = `${trade.idText}/${seq}/${i}`
    const lock = `${trade.idText}/${op.lock}`
    if (op.kind === 'lock') {
      bound.push({
        kind: 'lock',
        // a lock is made once per trade, so its key names the lock, not the log position:
        // a locking step abandoned after its lock (see the session) leaves the position's
        // keys to the step taken there instead
        key: `${lock}/lock`,
        lock,
        from: trade.roles[op.from]!.toString(),
        asset: op.asset,
        amount: op.amount,
      })
    } else if (op.kind === 'release') {
      bound.push({
        kind: 'release',
        key,
        lock,
        to: trade.roles[op.to]!.toString(),
        amount: op.amount,
      })
    } else {
      bound.push({ kind: 'refund', key, lock, amount: op.amount })
    }
  })
  return bound
}

/**
 * Folds an opened step into the state: every check after the signatures.
 * @returns the next state or a rejection
 */
function applyOpened(
  state: EscrowState,
  opened: OpenedEnvelopeView,
  bytes: Uint8Array,
  now: number,
  maxDelayMs: number = DEFAULT_MAX_DELAY_MS,
): ApplyResult {
  const step = readStepPayload(opened.payload)
  if (step === undefined)
    return reject(new MalformedStepError('the step payload has the wrong shape'))
  const { trade, definition } = state
  if (!equalBytes(step.trade, trade.id.bytes)) {
    return reject(new ReplayedStepError('the step belongs to another trade'))
  }
  if (step.seq < state.seq) {
    const logged = state.log.idAt(step.seq)!
    if (equalBytes(logged, opened.id)) return { ok: true, state, step: undefined, duplicate: true }
    return reject(new ForkError(`another step already holds position ${step.seq}`))
  }
  if (step.seq > state.seq)
    return reject(new StepGapError(`step ${step.seq} arrived before step ${state.seq}`, step.seq))
  if (!equalBytes(step.prev, state.head))
    return reject(new BrokenLinkError('the step does not link to the head of the log'))

  // the sealer must be the peer the terms name for the role the step claims (roles are
  // bound to distinct peers, so this is the sealer's one role)
  const sealer = opened.signers[0]
  const claimed = Object.hasOwn(trade.roles, step.by) ? trade.roles[step.by] : undefined
  if (
    sealer === undefined ||
    claimed === undefined ||
    !equalBytes(sealer.publicKey, claimed.publicKey)
  ) {
    return reject(new WrongSignerError(`the step is not signed by the peer of role '${step.by}'`))
  }
  const sealerRole = step.by
  const t = definition.transitions.get(step.action)
  if (t === undefined)
    return reject(new UnknownActionError(`the machine has no transition '${step.action}'`))
  if (!t.bySet.has(step.by))
    return reject(new WrongRoleError(`role '${step.by}' may not take '${t.name}'`))
  const roles = [sealerRole]
  for (let i = 1; i < opened.signers.length; i++) {
    const role = trade.roleByKey.get(toHex(opened.signers[i]!.publicKey))
    if (role !== undefined && !roles.includes(role)) roles.push(role)
  }
  if (t.jointly === true) {
    for (const role of t.by) {
      if (!roles.includes(role))
        return reject(new WrongSignerError(`'${t.name}' needs the signature of '${role}' too`))
    }
  }
  if (!t.fromSet.has(state.name)) {
    return reject(
      new TransitionNotAllowedError(`'${t.name}' is not allowed in state '${state.name}'`),
    )
  }
  const late = deadlineRejection(state, t, now, opened.timestamp, maxDelayMs)
  if (late !== undefined) return reject(late)

  const context: StepContext = {
    trade,
    from: state.name,
    data: state.data,
    role: step.by,
    body: step.body,
    timestamp: opened.timestamp,
    seq: step.seq,
  }
  if (t.guard !== undefined) {
    const verdict = runMachine(() => t.guard!(context), 'guard')
    if (verdict !== true) {
      if (isEscrowError(verdict)) return reject(verdict as StepRejection)
      return reject(
        new GuardRejectedError(
          typeof verdict === 'string' ? verdict : `the body does not fit '${t.name}'`,
        ),
      )
    }
  }
  let data = state.data
  if (t.update !== undefined) {
    const next = runMachine(() => t.update!(context), 'update')
    if (isEscrowError(next)) return reject(next as StepRejection)
    data = Object.freeze({ ...next })
  }
  const newOps = bindOps(state, step.seq, context, t)
  if (!Array.isArray(newOps)) return reject(newOps)
  const terminal = definition.terminal.has(t.to)
  const applied: AppliedStep = Object.freeze({
    id: opened.id,
    seq: step.seq,
    action: t.name,
    role: step.by,
    roles: Object.freeze(roles),
    body: step.body,
    timestamp: opened.timestamp,
    bytes,
  })
  const next = makeState({
    definition,
    trade,
    name: t.to,
    data,
    seq: state.seq + 1,
    head: opened.id,
    terminal,
    outcome: terminal ? definition.outcome(t.to, data) : undefined,
    ops: newOps.length === 0 ? state.ops : Object.freeze([...state.ops, ...newOps]),
    last: applied,
    log: state.log.append(opened.id),
  })
  return { ok: true, state: next, step: applied, duplicate: false }
}

/**
 * Applies one signed step to a trade's state.
 * @param state - the current state (never changed)
 * @param stepBytes - the step envelope as received
 * @param now - the receiver's clock (ms): deadlines and skew are checked against it
 * @param options - skew tolerance
 * @returns `{ ok: true, state }` with the next state (the same state for a step already
 *   applied), or `{ ok: false, error }` with a typed rejection
 * @throws {InvalidArgumentError} when `state` is not a state or `now` is not a time
 * @example
 * const r = apply(state, bytes, Date.now())
 * if (!r.ok && r.error.name === 'StepGapError') buffer(bytes)
 */
export function apply(
  state: EscrowState,
  stepBytes: Uint8Array,
  now: number,
  options?: ApplyOptions,
): ApplyResult {
  assertState(state, 'state')
  assertSafeTime(now, 'now')
  const maxSkewMs = options?.maxSkewMs ?? DEFAULT_MAX_SKEW_MS
  assertSafeTime(maxSkewMs, 'options.maxSkewMs')
  const maxDelayMs = options?.maxDelayMs ?? DEFAULT_MAX_DELAY_MS
  if (maxDelayMs !== Number.POSITIVE_INFINITY) assertSafeTime(maxDelayMs, 'options.maxDelayMs')
  if (!isBytes(stepBytes)) return reject(new MalformedStepError('a step must be a Uint8Array'))
  if (stepBytes.length > MAX_STEP_BYTES)
    return reject(new MalformedStepError(`a step is at most ${MAX_STEP_BYTES} bytes`))
  let opened: OpenedEnvelopeView
  try {
    opened = openEnvelope(stepBytes, STEP_DOMAIN, state.trade.signers, 1, now, maxSkewMs)
  } catch (error) {
    return reject(error as StepRejection)
  }
  return applyOpened(state, opened, stepBytes, now, maxDelayMs)
}

/**
 * Seals the next step of a trade: signed by `signer`, linked to the state's head.
 * The caller usually applies it at once and sends it to the other parties.
 * @param state - the state the step follows
 * @param signer - the acting party (or arbiter)
 * @param action - the transition's name
 * @param body - the transition's payload (default `null`)
 * @param timestamp - the signer's clock (ms)
 * @returns the step envelope
 * @throws {NotMyRoleError} when the signer holds no role that may take the transition
 * @throws {InvalidArgumentError} for an unknown action or a bad time
 * @example const step = await makeStep(state, buyer, 'markPaid', null, now)
 */
export async function makeStep(
  state: EscrowState,
  signer: Signer,
  action: string,
  body: Value,
  timestamp: number,
): Promise<Uint8Array> {
  assertState(state, 'state')
  assertSafeTime(timestamp, 'timestamp')
  const t = state.definition.transitions.get(action)
  if (t === undefined) throw new InvalidArgumentError(`the machine has no transition '${action}'`)
  const role = state.trade.roleByKey.get(toHex(signer.publicKey))
  if (role === undefined || !t.bySet.has(role))
    throw new NotMyRoleError(`the signer may not take '${action}'`)
  const payload: Record<string, Value> = {
    v: PAYLOAD_VERSION,
    trade: state.trade.id.bytes,
    seq: state.seq,
    prev: state.head,
    action,
    by: role,
    body: body ?? null,
  }
  return sealEnvelope(signer, STEP_DOMAIN, payload, timestamp)
}

/**
 * Adds a countersignature to a step that needs the signatures of several roles.
 * @param stepBytes - the step envelope sealed by the first role
 * @param signer - the countersigning role's signer
 * @returns the step envelope with one more signature
 * @example const both = await cosignStep(await makeStep(state, seller, 'cancel', null, now), buyer)
 */
export function cosignStep(stepBytes: Uint8Array, signer: Signer): Promise<Uint8Array> {
  assertBytes(stepBytes, 'stepBytes', MAX_STEP_BYTES)
  return cosignEnvelope(stepBytes, signer)
}
