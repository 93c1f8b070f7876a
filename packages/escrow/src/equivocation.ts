/**
 * Equivocation: one peer signing two incompatible steps of one trade — two different
 * steps at the same position of the log (a fork signed by one hand), or two steps that
 * each end the trade (an arbiter ruling on two forks). A single log can hold neither, so
 * the two signed steps, with the terms naming the signer's role, are a proof anyone can
 * check with the peer ids alone: no clock, no state, no trust in whoever shows it.
 *
 * @example
 * const proof = findEquivocation(tradeEscrow, session.trade, session.steps, received)
 * if (proof !== undefined) publish(proof)   // { terms, first, second }
 * const { peer, role, kind } = verifyEquivocation(tradeEscrow, proof)
 */
import { equalBytes, isBytes, toHex } from '@peerkit/codec'
import type { PeerId } from '@peerkit/identity'
import { readStepPayload, type StepPayload } from './apply'
import { isRecord } from './assert'
import { MAX_STEP_BYTES, MAX_TERMS_BYTES, STEP_DOMAIN } from './constants'
import type { EscrowDefinition } from './definition'
import {
  InvalidArgumentError,
  MalformedStepError,
  NotEquivocationError,
  ReplayedStepError,
  WrongSignerError,
} from './errors'
import { openEnvelope } from './step-envelope'
import { openTrade, type Trade } from './terms'

/** Two signed steps of one trade and its signed terms: what is shown to others. */
export interface EquivocationProof {
  /** The trade's signed terms envelope. */
  readonly terms: Uint8Array
  /** One step envelope. */
  readonly first: Uint8Array
  /** The other step envelope, signed by the same peer for the same role. */
  readonly second: Uint8Array
}

/** One of the two steps, as read from the proof. */
export interface EquivocatedStep {
  readonly id: Uint8Array
  readonly seq: number
  readonly action: string
}

/** A checked equivocation: who signed what. */
export interface Equivocation {
  readonly trade: Trade
  /** The role both steps were signed for. */
  readonly role: string
  /** The peer that signed both. */
  readonly peer: PeerId
  /** `same-position`: two steps at one position; `two-endings`: two steps that each end the trade. */
  readonly kind: 'same-position' | 'two-endings'
  readonly steps: readonly [EquivocatedStep, EquivocatedStep]
}

/** Signatures are what a proof rests on; times are not checked (deadlines judge logs, not proofs). */
const ANY_TIME = Number.MAX_SAFE_INTEGER

interface OpenedStep {
  readonly id: Uint8Array
  readonly signer: PeerId
  readonly role: string
  readonly payload: StepPayload
}

function openStep(trade: Trade, bytes: unknown, argument: string): OpenedStep {
  if (!isBytes(bytes) || bytes.length > MAX_STEP_BYTES)
    throw new MalformedStepError(`${argument} must be a step of at most ${MAX_STEP_BYTES} bytes`)
  const opened = openEnvelope(bytes, STEP_DOMAIN, trade.signers, 1, ANY_TIME, 0)
  const payload = readStepPayload(opened.payload)
  if (payload === undefined) throw new MalformedStepError(`${argument} has the wrong shape`)
  if (!equalBytes(payload.trade, trade.id.bytes))
    throw new ReplayedStepError(`${argument} belongs to another trade`)
  const signer = opened.signers[0]!
  const role = trade.roleByKey.get(toHex(signer.publicKey))
  if (role === undefined || role !== payload.by)
    throw new WrongSignerError(`${argument} is not signed by the peer of role '${payload.by}'`)
  return { id: opened.id, signer, role, payload }
}

function endsTrade(definition: EscrowDefinition, action: string): boolean {
  const t = definition.transitions.get(action)
  return t !== undefined && definition.terminal.has(t.to)
}

/** The kind of equivocation two opened steps of one signer show, if any. */
function kindOf(
  definition: EscrowDefinition,
  a: OpenedStep,
  b: OpenedStep,
): Equivocation['kind'] | undefined {
  if (equalBytes(a.id, b.id) || !equalBytes(a.signer.publicKey, b.signer.publicKey))
    return undefined
  if (a.payload.seq === b.payload.seq) return 'same-position'
  if (endsTrade(definition, a.payload.action) && endsTrade(definition, b.payload.action))
    return 'two-endings'
  return undefined
}

/**
 * Checks an equivocation proof: both steps open under the terms, name the trade, are
 * signed by the same peer for the role it holds, differ, and either hold the same
 * position or both end the trade.
 * @param definition - the machine the terms are for
 * @param proof - the terms and the two steps
 * @returns who equivocated, in which role, with which steps
 * @throws {InvalidArgumentError} when `proof` is not an object of byte arrays
 * @throws {InvalidTermsError} when the terms do not open for `definition`
 * @throws {MalformedStepError | ForgedStepError | ReplayedStepError | WrongSignerError} when a step does not open as a step of this trade
 * @throws {NotEquivocationError} when both steps are valid but compatible (the same step, two signers, or two positions of one log)
 * @example const { peer, role } = verifyEquivocation(tradeEscrow, proof)
 */
export function verifyEquivocation(
  definition: EscrowDefinition,
  proof: EquivocationProof,
): Equivocation {
  if (!isRecord(proof)) throw new InvalidArgumentError('proof must be an object')
  if (!isBytes(proof.terms) || proof.terms.length > MAX_TERMS_BYTES)
    throw new InvalidArgumentError(`proof.terms must be at most ${MAX_TERMS_BYTES} bytes`)
  const trade = openTrade(definition, proof.terms, { now: ANY_TIME, maxSkewMs: 0 })
  const a = openStep(trade, proof.first, 'proof.first')
  const b = openStep(trade, proof.second, 'proof.second')
  if (!equalBytes(a.signer.publicKey, b.signer.publicKey))
    throw new NotEquivocationError('the two steps are signed by different peers')
  if (equalBytes(a.id, b.id)) throw new NotEquivocationError('the two steps are the same step')
  const kind = kindOf(definition, a, b)
  if (kind === undefined)
    throw new NotEquivocationError('the two steps can follow each other in one log')
  const summary = (s: OpenedStep): EquivocatedStep => ({
    id: s.id,
    seq: s.payload.seq,
    action: s.payload.action,
  })
  return { trade, role: a.role, peer: a.signer, kind, steps: [summary(a), summary(b)] }
}

/**
 * Looks for a step in `log` that `candidate` equivocates with: signed by the same peer,
 * at the same position, or ending the trade as `candidate` does. Meant for a step the
 * log refused (a fork, or a second ending); a candidate that does not open as a step of
 * this trade finds nothing.
 * @param definition - the trade's machine
 * @param trade - the opened terms
 * @param log - the steps of this replica's log, in order
 * @param candidate - a step received from anyone
 * @returns the proof, or undefined
 * @example const proof = findEquivocation(tradeEscrow, session.trade, session.steps, bytes)
 */
export function findEquivocation(
  definition: EscrowDefinition,
  trade: Trade,
  log: readonly Uint8Array[],
  candidate: Uint8Array,
): EquivocationProof | undefined {
  let c: OpenedStep
  try {
    c = openStep(trade, candidate, 'candidate')
  } catch {
    return undefined
  }
  const check = (bytes: Uint8Array | undefined): EquivocationProof | undefined => {
    if (bytes === undefined) return undefined
    const logged = openStep(trade, bytes, 'logged')
    return kindOf(definition, logged, c) === undefined
      ? undefined
      : { terms: trade.bytes, first: bytes, second: candidate }
  }
  const atSame = check(log[c.payload.seq])
  if (atSame !== undefined) return atSame
  // a log holds at most one ending, and it is the last step
  if (log.length > 0 && endsTrade(definition, c.payload.action)) return check(log[log.length - 1])
  return undefined
}
