/**
 * A trade session: one party's running replica of a trade. It binds the pure core to
 * a log store, an outbox and (optionally) a vault: every step it accepts is persisted
 * before it counts, every step is kept in the outbox until each recipient
 * acknowledges it, and after a restart `loadSession` replays the log to the same
 * state and the same outbox. It never reads a clock: `now` comes with every call.
 *
 * @example
 * const me = await createSession({ definition: tradeEscrow, signer, store, terms, now })
 * await me.act('markPaid', null, now)
 * for (const out of me.outbox()) send(out.peer, out.steps)
 * const { ack } = await me.receiveStep(bytes, now)   // send `ack` back
 */
import { equalBytes, toHex, type Value } from '@peerkit/codec'
import type { PeerId, Signer } from '@peerkit/identity'
import {
  isStorageError,
  type Log,
  type LogContents,
  type LogStore,
  readLog,
} from '@peerkit/storage'
import { decodeAck, encodeAck } from './ack'
import { apply, cosignStep, makeStep } from './apply'
import { assertSafeTime, isRecord } from './assert'
import { DEFAULT_MAX_DELAY_MS, DEFAULT_MAX_SKEW_MS, MAX_EQUIVOCATIONS } from './constants'
import type { EscrowDefinition } from './definition'
import { type EquivocationProof, findEquivocation } from './equivocation'
import {
  CorruptLogError,
  InvalidAckError,
  InvalidArgumentError,
  isEscrowError,
  NotMyRoleError,
  type StepRejection,
} from './errors'
import {
  decodeRecord,
  decodeSnapshot,
  encodeRecord,
  encodeSnapshot,
  type LogRecord,
} from './record'
import { settle } from './settle'
import { type AppliedStep, type EscrowState, startTrade } from './state'
import { openTrade, type Trade } from './terms'
import type { BoundVaultOp, Vault } from './vault'

/** The acknowledged count recorded for a party whose log forked from ours. */
const DIVERGED = Number.MAX_SAFE_INTEGER

/**
 * Rejections of a step at the position a log expects that no later delivery can undo:
 * the receiver says so in its ack, and the sender stops resending. (A forged or malformed
 * step may be damage in transit, so it is resent; a step that is early waits.)
 */
const REFUSALS = new Set([
  'BrokenLinkError',
  'TooLateError',
  'TransitionNotAllowedError',
  'GuardRejectedError',
  'WrongSignerError',
  'WrongRoleError',
  'UnknownActionError',
])

/** Rejections of a step that can mean its signer also signed an incompatible step of our log. */
const EQUIVOCAL = new Set(['ForkError', 'BrokenLinkError', 'TransitionNotAllowedError'])

/** Default most out-of-order steps a session holds while waiting for earlier ones. */
export const DEFAULT_MAX_PENDING = 64

/** Most steps a stored snapshot may list. */
const MAX_SNAPSHOT_STEPS = 1_000_000

/** What every session needs. */
export interface SessionInit {
  readonly definition: EscrowDefinition
  /** This party's signer; its peer must hold a role in the trade. */
  readonly signer: Signer
  readonly store: LogStore
  /** Custody: the session locks its own side here before it publishes a step that locks. */
  readonly vault?: Vault
  /** How far a step may be dated ahead of `now` (default `DEFAULT_MAX_SKEW_MS`). */
  readonly maxSkewMs?: number
  /** How long after a deadline a step signed before it is still accepted (default: no limit). */
  readonly maxDelayMs?: number
  /** Most out-of-order steps buffered (default `DEFAULT_MAX_PENDING`). */
  readonly maxPending?: number
  /** Called after each step is persisted and applied (not during a reload), with the clock it was applied at. */
  readonly onStep?: (step: AppliedStep, state: EscrowState, now: number) => void
  /** Called when a refused step and a step of the log were signed by one peer for incompatible places (see `equivocations`). */
  readonly onEquivocation?: (proof: EquivocationProof) => void
}

/** Steps one recipient has not acknowledged yet. */
export interface OutboxEntry {
  readonly role: string
  readonly peer: PeerId
  /** The recipient's role is not a party and has acknowledged nothing: send the terms too. */
  readonly terms: Uint8Array | undefined
  /** Unacknowledged steps, in log order. */
  readonly steps: readonly Uint8Array[]
}

/** What `receiveStep` did with a step. */
export interface ReceiveResult {
  readonly status: 'applied' | 'duplicate' | 'buffered' | 'rejected'
  /** The rejection, when the step was rejected (a buffered step's gap is not an error). */
  readonly error: StepRejection | undefined
  readonly state: EscrowState
  /** The acknowledgement frame to send back to the step's sender. */
  readonly ack: Uint8Array
}

/** A party's running replica of one trade. */
export interface EscrowSession {
  readonly trade: Trade
  /** This party's role. */
  readonly role: string
  /** The current state. */
  readonly state: EscrowState
  /** Every step in the log, in order. */
  readonly steps: readonly Uint8Array[]
  /** Roles whose log forked from this one (learned from their acks); nothing is resent to them. */
  readonly diverged: readonly string[]
  /**
   * Proofs that a peer signed a step this log refused and an incompatible step of this
   * log (two steps at one position, or two endings such as two rulings): each can be
   * shown to anyone and checked with `verifyEquivocation`. The first `MAX_EQUIVOCATIONS`
   * found are kept, in memory.
   */
  readonly equivocations: readonly EquivocationProof[]
  /**
   * Takes a transition as this party: seals the step, locks this party's side in the
   * vault if the step locks, persists it, and queues it for the other roles.
   * @throws the step's rejection (for example `TooLateError`), the vault's error, or `NotMyRoleError`
   */
  act(action: string, body: Value, now: number): Promise<EscrowState>
  /** Seals a step that needs several signatures, for the other roles to `cosign`; applies nothing. */
  propose(action: string, body: Value, now: number): Promise<Uint8Array>
  /** Countersigns a proposed joint step, then applies and persists it like `act`. */
  cosign(stepBytes: Uint8Array, now: number): Promise<EscrowState>
  /** Applies a received step (persisting it first), buffers one that arrived early, or reports why not. */
  receiveStep(stepBytes: Uint8Array, now: number): Promise<ReceiveResult>
  /** Records an acknowledgement from `from` (as authenticated by the transport). */
  receiveAck(frame: Uint8Array, from: PeerId): Promise<void>
  /** Steps each recipient still needs: send them now, and again after a restart, until acknowledged. */
  outbox(): OutboxEntry[]
  /** Executes the vault operations of the log (idempotent; requires a vault). */
  settle(): Promise<number>
  /**
   * Rewrites the trade's log as one snapshot record (terms, steps with their clock
   * readings, acknowledgements, an unfinished intent), atomically: reloading gives the
   * same state, head and outbox, from fewer records.
   */
  compact(): Promise<void>
  /** Waits for the work in progress, then releases the trade's log. */
  close(): Promise<void>
}

interface Core {
  state: EscrowState
  steps: Uint8Array[]
  /** The clock reading each step was accepted at. */
  stepsAt: number[]
  /** When the terms were accepted. */
  termsAt: number
  /** Records in the log after its snapshot. */
  records: number
  acked: Map<string, number>
  recipients: Set<string>
  /** A step that locks assets, written down but not finished (the vault may or may not have locked). */
  intent: { bytes: Uint8Array; at: number } | undefined
}

function notice(
  core: Core,
  self: string,
  step: { role: string; seq: number; action: string },
): void {
  const transition = core.state.definition.transitions.get(step.action)!
  // the sealer of step `seq` holds every earlier step, and the step itself unless others
  // countersigned it after it left: an implicit acknowledgement
  const held = step.seq + (transition.jointly === true ? 0 : 1)
  if (step.role !== self && (core.acked.get(step.role) ?? 0) < held) core.acked.set(step.role, held)
  for (const role of transition.notify ?? []) {
    if (role !== self) core.recipients.add(role)
  }
}

function roleOf(trade: Trade, signer: Signer): string {
  const role = trade.roleByKey.get(toHex(signer.publicKey))
  if (role === undefined) throw new NotMyRoleError("the signer's peer holds no role in this trade")
  return role
}

/** The records a log's contents stand for, the snapshot expanded into its parts. */
function* recordsOf(contents: LogContents): Generator<LogRecord> {
  if (contents.snapshot !== undefined) {
    const snapshot = decodeSnapshot(contents.snapshot, MAX_SNAPSHOT_STEPS)
    yield { kind: 'terms', ...snapshot.terms }
    for (const step of snapshot.steps) yield { kind: 'step', ...step }
    for (const ack of snapshot.acked) yield { kind: 'ack', ...ack }
    if (snapshot.intent !== undefined) yield { kind: 'intent', ...snapshot.intent }
  }
  for (const bytes of contents.records) yield decodeRecord(bytes)
}

function replay(
  init: SessionInit,
  name: string,
  contents: LogContents,
): { core: Core; trade: Trade; role: string } {
  const records = recordsOf(contents)
  const first = records.next()
  if (first.done === true) throw new CorruptLogError(`no log '${name}'`)
  const termsRecord = first.value
  if (termsRecord.kind !== 'terms') throw new CorruptLogError('a log must start with the terms')
  let trade: Trade
  try {
    trade = openTrade(init.definition, termsRecord.bytes, {
      now: termsRecord.at,
      maxSkewMs: init.maxSkewMs ?? DEFAULT_MAX_SKEW_MS,
    })
  } catch (error) {
    throw new CorruptLogError('the stored terms do not open', { cause: error })
  }
  if (trade.idText !== name) throw new CorruptLogError('the stored terms belong to another trade')
  const role = roleOf(trade, init.signer)
  const core = startCore(init, trade, role, termsRecord.at)
  core.records = contents.records.length
  for (const record of records) {
    if (record.kind === 'terms') throw new CorruptLogError('terms may appear only once')
    if (record.kind === 'ack') {
      if ((core.acked.get(record.role) ?? 0) < record.count)
        core.acked.set(record.role, record.count)
      continue
    }
    if (record.kind === 'intent') {
      if (core.intent !== undefined) throw new CorruptLogError('two unfinished intents')
      core.intent = { bytes: record.bytes, at: record.at }
      continue
    }
    if (record.kind === 'abandon') {
      if (core.intent === undefined)
        throw new CorruptLogError('an abandon record without an intent')
      core.intent = undefined
      continue
    }
    if (core.intent !== undefined) {
      if (!equalBytes(core.intent.bytes, record.bytes))
        throw new CorruptLogError('an intent was not finished in order')
      core.intent = undefined
    }
    const r = apply(core.state, record.bytes, record.at, {
      maxSkewMs: init.maxSkewMs ?? DEFAULT_MAX_SKEW_MS,
      maxDelayMs: init.maxDelayMs ?? DEFAULT_MAX_DELAY_MS,
    })
    if (!r.ok || r.duplicate) {
      throw new CorruptLogError(
        `stored step ${core.steps.length} does not replay`,
        r.ok ? undefined : { cause: r.error },
      )
    }
    core.state = r.state
    core.steps.push(record.bytes)
    core.stepsAt.push(record.at)
    notice(core, role, r.step!)
  }
  return { core, trade, role }
}

function startCore(init: SessionInit, trade: Trade, role: string, termsAt: number): Core {
  const core: Core = {
    state: startTrade(init.definition, trade),
    steps: [],
    stepsAt: [],
    termsAt,
    records: 0,
    acked: new Map(),
    recipients: new Set(),
    intent: undefined,
  }
  for (const party of init.definition.parties) if (party !== role) core.recipients.add(party)
  return core
}

function build(
  init: SessionInit,
  trade: Trade,
  role: string,
  core: Core,
  opened: Log,
): { session: EscrowSession; finish: (now: number | undefined) => Promise<void> } {
  let log = opened
  const maxSkewMs = init.maxSkewMs ?? DEFAULT_MAX_SKEW_MS
  const maxDelayMs = init.maxDelayMs ?? DEFAULT_MAX_DELAY_MS
  const maxPending = init.maxPending ?? DEFAULT_MAX_PENDING
  const name = trade.idText
  const pending = new Map<number, Uint8Array>()
  const equivocations: EquivocationProof[] = []
  let queue: Promise<unknown> = Promise.resolve()

  /** Runs `fn` after every earlier call: one step at a time, so no two commits race. */
  function serial<T>(fn: () => Promise<T>, now?: number): Promise<T> {
    const task = async () => {
      await finishIntent(now)
      return fn()
    }
    const run = queue.then(task, task)
    queue = run.catch(() => undefined)
    return run
  }

  /**
   * Appends one record and resolves once the store made it durable; throws the store's
   * typed error otherwise (nothing counts then: the caller acknowledges nothing). A log
   * whose handle refuses work after a write it could not undo is opened again: if the
   * record reached the disk after all it counts, otherwise it is appended once more.
   */
  async function persist(record: Uint8Array): Promise<void> {
    try {
      await log.append([record])
    } catch (error) {
      if (!isStorageError(error) || error.name !== 'LogFailedError') throw error
      await log.close()
      log = await init.store.open(name)
      const { records } = await readLog(log)
      const last = records[records.length - 1]
      if (records.length === core.records + 1 && last !== undefined && equalBytes(last, record)) {
        core.records++
        return
      }
      if (records.length !== core.records)
        throw new CorruptLogError('the log changed under the session', { cause: error })
      await log.append([record])
    }
    core.records++
  }

  /** Persists a step that applied, then makes it the state. */
  async function accept(
    bytes: Uint8Array,
    now: number,
    next: EscrowState,
    step: AppliedStep,
  ): Promise<void> {
    await persist(encodeRecord({ kind: 'step', bytes, at: now }))
    core.state = next
    core.steps.push(bytes)
    core.stepsAt.push(now)
    notice(core, role, step)
    init.onStep?.(step, core.state, now)
  }

  /**
   * Finishes a step that locks assets: asks the vault for this party's locks (idempotent
   * keys, so repeating after a crash is harmless), then persists the step. A lock the
   * vault refuses abandons the step; any other failure leaves it to be finished later.
   * A step whose deadline (`before`) has passed by `now` is not finished but abandoned
   * (`abandonIntent`): it was never published, and publishing it now could fork from a
   * timeout step the other side may already have taken. Without a clock (a reload without
   * `now`, an ack, `settle`, `compact`) such a step waits for the next call that has one.
   */
  async function finishIntent(now: number | undefined): Promise<void> {
    const intent = core.intent
    if (intent === undefined) return
    if (init.vault === undefined)
      throw new InvalidArgumentError(
        'an unfinished step locks assets: open the session with its vault',
      )
    const r = apply(core.state, intent.bytes, intent.at, { maxSkewMs, maxDelayMs })
    if (!r.ok || r.duplicate) {
      await persist(encodeRecord({ kind: 'abandon' }))
      core.intent = undefined
      return
    }
    const mine = trade.roles[role]!.toString()
    const locks = r.state.ops
      .slice(core.state.ops.length)
      .filter((op) => op.kind === 'lock' && op.from === mine)
    const before = core.state.definition.transitions.get(r.step!.action)!.before
    if (before !== undefined) {
      if (now === undefined) return
      if (now >= trade.deadlines[before]!) {
        await abandonIntent(init.vault, locks)
        return
      }
    }
    try {
      for (const op of locks) if (op.kind === 'lock') await init.vault.lock(op)
    } catch (error) {
      if (isEscrowError(error)) {
        await persist(encodeRecord({ kind: 'abandon' }))
        core.intent = undefined
      }
      throw error
    }
    await accept(intent.bytes, intent.at, r.state, r.step!)
    core.intent = undefined
  }

  /**
   * Abandons an unfinished locking step whose deadline passed: each of its locks may or
   * may not have happened before the process stopped, so it is asked for again under its
   * own key (nothing moves if it had; a lock the vault refuses never happened) and then
   * refunded under the key `<lock key>/abandon`; then the abandon record is written. A
   * crash anywhere in between repeats the same calls with the same keys, which move
   * nothing a second time. Any other vault failure leaves the step unfinished, to be
   * abandoned by a later call.
   */
  async function abandonIntent(vault: Vault, locks: readonly BoundVaultOp[]): Promise<void> {
    for (const op of locks) {
      if (op.kind !== 'lock') continue
      try {
        await vault.lock(op)
      } catch (error) {
        if (isEscrowError(error)) continue
        throw error
      }
      await vault.refund({ key: `${op.key}/abandon`, lock: op.lock, amount: op.amount })
    }
    await persist(encodeRecord({ kind: 'abandon' }))
    core.intent = undefined
  }

  /** Applies, persists and commits one step; returns the rejection instead when it does not apply. */
  async function commit(
    bytes: Uint8Array,
    now: number,
    own: boolean,
  ): Promise<StepRejection | 'duplicate' | undefined> {
    const r = apply(core.state, bytes, now, { maxSkewMs, maxDelayMs })
    if (!r.ok) return r.error
    if (r.duplicate) return 'duplicate'
    if (own && init.vault !== undefined) {
      const mine = trade.roles[role]!.toString()
      const locks = r.state.ops
        .slice(core.state.ops.length)
        .filter((op) => op.kind === 'lock' && op.from === mine)
      if (locks.length > 0) {
        // write the intent first, then lock, then the step: a crash anywhere in between is
        // finished on reload, and a refused lock publishes nothing
        await persist(encodeRecord({ kind: 'intent', bytes, at: now }))
        core.intent = { bytes, at: now }
        await finishIntent(now)
        return undefined
      }
    }
    await accept(bytes, now, r.state, r.step!)
    return undefined
  }

  async function drain(now: number): Promise<void> {
    for (
      let next = pending.get(core.state.seq);
      next !== undefined;
      next = pending.get(core.state.seq)
    ) {
      pending.delete(core.state.seq)
      if ((await commit(next, now, false)) !== undefined) break
    }
    for (const seq of pending.keys()) if (seq < core.state.seq) pending.delete(seq)
  }

  /** Keeps the proof when a refused step and a step of the log were signed by one peer for incompatible places. */
  function keepEquivocation(bytes: Uint8Array): void {
    if (equivocations.length >= MAX_EQUIVOCATIONS) return
    if (equivocations.some((p) => equalBytes(p.second, bytes))) return
    const proof = findEquivocation(init.definition, trade, core.steps, bytes)
    if (proof === undefined) return
    equivocations.push(proof)
    init.onEquivocation?.(proof)
  }

  async function own(bytes: Uint8Array, now: number): Promise<EscrowState> {
    const rejection = await commit(bytes, now, true)
    if (rejection !== undefined && rejection !== 'duplicate') throw rejection
    await drain(now)
    return core.state
  }

  const session: EscrowSession = {
    trade,
    role,
    get state() {
      return core.state
    },
    get steps() {
      return core.steps
    },
    get equivocations() {
      return equivocations.slice()
    },
    get diverged() {
      return [...core.acked].filter(([, count]) => count === DIVERGED).map(([r]) => r)
    },
    act(action, body, now) {
      assertSafeTime(now, 'now')
      return serial(async () => {
        if (core.state.definition.transitions.get(action)?.jointly === true) {
          throw new InvalidArgumentError(
            `'${action}' needs several signatures: use propose and cosign`,
          )
        }
        return own(await makeStep(core.state, init.signer, action, body, now), now)
      }, now)
    },
    propose(action, body, now) {
      assertSafeTime(now, 'now')
      return serial(() => makeStep(core.state, init.signer, action, body, now), now)
    },
    cosign(stepBytes, now) {
      assertSafeTime(now, 'now')
      return serial(async () => own(await cosignStep(stepBytes, init.signer), now), now)
    },
    receiveStep(stepBytes, now) {
      assertSafeTime(now, 'now')
      return serial(async () => {
        const result = await commit(stepBytes, now, false)
        let status: ReceiveResult['status'] = 'applied'
        let error: StepRejection | undefined
        if (result === 'duplicate') status = 'duplicate'
        else if (result !== undefined) {
          if (result.name === 'StepGapError' && result.seq - core.state.seq <= maxPending) {
            status = 'buffered'
            pending.set(result.seq, stepBytes)
            // keep the buffer bounded: the furthest step is the one resent last anyway
            if (pending.size > maxPending) pending.delete(Math.max(...pending.keys()))
          } else {
            status = 'rejected'
            error = result
            if (EQUIVOCAL.has(result.name)) keepEquivocation(stepBytes)
          }
        } else await drain(now)
        return {
          status,
          error,
          state: core.state,
          ack: encodeAck(
            trade.id.bytes,
            core.state.seq,
            core.state.head,
            error !== undefined && REFUSALS.has(error.name),
          ),
        }
      }, now)
    },
    receiveAck(frame, from) {
      return serial(async () => {
        const ack = decodeAck(frame)
        if (!equalBytes(ack.trade, trade.id.bytes))
          throw new InvalidAckError('the ack is for another trade')
        const sender = trade.roleByKey.get(toHex(from.publicKey))
        if (sender === undefined || sender === role)
          throw new InvalidAckError('the ack is not from another role of the trade')
        // an ack whose head is not our step at that position comes from a forked log:
        // resending to that party can never succeed, so stop for good
        const ours = ack.count === 0 ? trade.id.bytes : core.state.log.idAt(ack.count - 1)
        const forked = ours !== undefined && !equalBytes(ours, ack.head)
        // a refusal of our next step after a common prefix: that party will never take it
        const refusedOurs = ours !== undefined && ack.refused && ack.count < core.state.seq
        const count = forked || refusedOurs ? DIVERGED : Math.min(ack.count, core.state.seq)
        if (count <= (core.acked.get(sender) ?? 0)) return
        await persist(encodeRecord({ kind: 'ack', role: sender, count }))
        core.acked.set(sender, count)
      })
    },
    outbox() {
      const out: OutboxEntry[] = []
      for (const recipient of trade.signers.map((p) => trade.roleByKey.get(toHex(p.publicKey))!)) {
        if (!core.recipients.has(recipient)) continue
        const acked = Math.min(core.acked.get(recipient) ?? 0, core.steps.length)
        if (acked >= core.steps.length) continue
        const party = init.definition.parties.includes(recipient)
        out.push({
          role: recipient,
          peer: trade.roles[recipient]!,
          terms: acked === 0 && !party ? trade.bytes : undefined,
          steps: core.steps.slice(acked),
        })
      }
      return out
    },
    settle() {
      return serial(async () => {
        if (init.vault === undefined) throw new InvalidArgumentError('the session has no vault')
        return settle(core.state, init.vault)
      })
    },
    compact() {
      return serial(async () => {
        const snapshot = encodeSnapshot({
          terms: { bytes: trade.bytes, at: core.termsAt },
          steps: core.steps.map((bytes, i) => ({ bytes, at: core.stepsAt[i]! })),
          acked: [...core.acked].map(([r, count]) => ({ role: r, count })),
          intent: core.intent,
        })
        await log.compact(snapshot, core.records)
        core.records = 0
      })
    },
    close() {
      const task = async () => log.close()
      const run = queue.then(task, task)
      queue = run.catch(() => undefined)
      return run
    },
  }
  return { session, finish: (now) => serial(async () => undefined, now) }
}

/**
 * Starts (or resumes) a session for a trade from its signed terms. If the store already
 * holds this trade's log, the log is replayed instead, so calling this again after a
 * restart is harmless.
 * @param init - the machine, signer, store, optional vault, the terms and the clock
 * @returns the session
 * @throws {InvalidTermsError} when the terms do not open
 * @throws {NotMyRoleError} when the signer holds no role in the trade
 * @example const me = await createSession({ definition: tradeEscrow, signer, store, terms, now })
 */
export async function createSession(
  init: SessionInit & { readonly terms: Uint8Array; readonly now: number },
): Promise<EscrowSession> {
  if (!isRecord(init)) throw new InvalidArgumentError('init must be an object')
  assertSafeTime(init.now, 'init.now')
  const trade = openTrade(init.definition, init.terms, {
    now: init.now,
    maxSkewMs: init.maxSkewMs ?? DEFAULT_MAX_SKEW_MS,
  })
  const role = roleOf(trade, init.signer)
  const log = await init.store.open(trade.idText)
  try {
    const contents = await readLog(log)
    if (contents.snapshot !== undefined || contents.records.length > 0)
      return await resume(init, trade.idText, log, contents, init.now)
    await log.append([encodeRecord({ kind: 'terms', bytes: init.terms, at: init.now })])
    const core = startCore(init, trade, role, init.now)
    core.records = 1
    return build(init, trade, role, core, log).session
  } catch (error) {
    await log.close().catch(() => undefined)
    throw error
  }
}

/** Replays an open log into a session and finishes (or abandons) an unfinished intent. */
async function resume(
  init: SessionInit,
  name: string,
  log: Log,
  contents: LogContents,
  now: number | undefined,
): Promise<EscrowSession> {
  let built: ReturnType<typeof build>
  try {
    const { core, trade, role } = replay(init, name, contents)
    built = build(init, trade, role, core, log)
  } catch (error) {
    if (isEscrowError(error) || isStorageError(error)) throw error
    throw new CorruptLogError('the log does not replay', { cause: error })
  }
  try {
    // finish a step that was locking assets when the process stopped, or abandon it when
    // its deadline passed meanwhile
    await built.finish(now)
  } catch (error) {
    // a refused lock abandoned the step; the session is usable either way
    if (!isEscrowError(error) || error.name === 'InvalidArgumentError') throw error
  }
  return built.session
}

/**
 * Reloads a session from its log: replays every stored step (checking each again) to
 * the same state, restores the outbox from the stored acknowledgements, and finishes a
 * step that was locking assets when the process stopped, or abandons it (its locks given
 * back) when its deadline passed by `now`; without `now`, a step with a deadline waits
 * for the next call that brings a clock. The session holds the log until `close`.
 * @param init - the machine, signer, store, optional vault, the trade id text, and the clock
 * @returns the session
 * @throws {CorruptLogError} when the log is missing, damaged or does not replay
 * @throws {LogLockedError} when another session or process holds the log
 * @example const me = await loadSession({ definition: tradeEscrow, signer, store, trade: tradeId })
 */
export async function loadSession(
  init: SessionInit & { readonly trade: string; readonly now?: number },
): Promise<EscrowSession> {
  if (!isRecord(init)) throw new InvalidArgumentError('init must be an object')
  if (init.now !== undefined) assertSafeTime(init.now, 'init.now')
  if (typeof init.trade !== 'string' || !(await init.store.list()).includes(init.trade))
    throw new CorruptLogError(`no log '${String(init.trade)}'`)
  const log = await init.store.open(init.trade)
  try {
    return await resume(init, init.trade, log, await readLog(log), init.now)
  } catch (error) {
    await log.close().catch(() => undefined)
    throw error
  }
}
