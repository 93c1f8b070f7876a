/**
 * Terms: what both parties sign before a trade starts — the machine, each role's peer
 * id, the absolute deadlines, and the machine's parameters (assets, amounts, bonds, a
 * hash lock). The terms envelope is signed by one party and countersigned by the other;
 * its envelope id is the trade's id, named by every step.
 *
 * @example
 * const offer = await proposeTerms(machine, seller, { roles, deadlines, params, timestamp: now })
 * const signed = await acceptTerms(offer, buyer)
 * const trade = openTrade(machine, signed, { now })
 */
import { type ContentId, contentId, contentIdFromBytes, toHex, type Value } from '@peerkit/codec'
import { type PeerId, peerIdFromBytes, type Signer } from '@peerkit/identity'
import { assertBytes, assertSafeTime, isRecord } from './assert'
import { DEFAULT_MAX_SKEW_MS, MAX_TERMS_BYTES, PAYLOAD_VERSION, TERMS_DOMAIN } from './constants'
import type { EscrowDefinition } from './definition'
import { InvalidArgumentError, InvalidTermsError, isEscrowError } from './errors'
import { field, intField, mapOf, stringField } from './fields'
import {
  cosignEnvelope,
  type OpenedEnvelopeView,
  openEnvelope,
  openFirst,
  sealEnvelope,
} from './step-envelope'

/** A trade: its opened, checked terms. */
export interface Trade {
  /** The trade id: the envelope id of the terms. */
  readonly id: ContentId
  /** `id.toString()`, computed once. */
  readonly idText: string
  /** The signed terms envelope. */
  readonly bytes: Uint8Array
  /** The machine's name. */
  readonly machine: string
  /** Each role's peer. */
  readonly roles: Readonly<Record<string, PeerId>>
  /** Each deadline, absolute ms since the epoch. */
  readonly deadlines: Readonly<Record<string, number>>
  /** The machine's parameters. */
  readonly params: Readonly<Record<string, Value>>
  /** When the terms were proposed (ms). */
  readonly timestamp: number
  /** Every role's peer, in role order: the peers that may sign a step. */
  readonly signers: readonly PeerId[]
  /** Role by hex public key. */
  readonly roleByKey: ReadonlyMap<string, string>
}

/** What the proposer puts into the terms. */
export interface TermsInit {
  readonly roles: Readonly<Record<string, PeerId>>
  readonly deadlines?: Readonly<Record<string, number>>
  readonly params?: Readonly<Record<string, Value>>
  /** The proposal's time (ms). */
  readonly timestamp: number
  /** Makes otherwise equal terms distinct trades. */
  readonly nonce?: Uint8Array
}

/** Options of `openTrade`. */
export interface OpenTradeOptions {
  /** The receiver's clock (ms). */
  readonly now: number
  /** How far the terms may be dated ahead of `now` (default `DEFAULT_MAX_SKEW_MS`). */
  readonly maxSkewMs?: number
}

function bad(message: string, cause?: unknown): never {
  throw new InvalidTermsError(message, cause === undefined ? undefined : { cause })
}

/** The terms payload for `init`, checked against the machine. */
function termsPayload(definition: EscrowDefinition, init: TermsInit): Record<string, Value> {
  if (!isRecord(init)) throw new InvalidArgumentError('init must be an object')
  assertSafeTime(init.timestamp, 'init.timestamp')
  const roles: Record<string, Value> = {}
  for (const role of definition.roles) {
    const peer = init.roles?.[role]
    if (peer === undefined || typeof peer.toBytes !== 'function') {
      throw new InvalidArgumentError(`init.roles.${role} must be a PeerId`)
    }
    roles[role] = peer.toBytes()
  }
  const payload: Record<string, Value> = {
    v: PAYLOAD_VERSION,
    machine: definition.name,
    roles,
    deadlines: { ...(init.deadlines ?? {}) },
    params: { ...(init.params ?? {}) },
  }
  if (init.nonce !== undefined) {
    assertBytes(init.nonce, 'init.nonce', 64)
    payload.nonce = init.nonce
  }
  return payload
}

/**
 * Reads and checks a terms payload against the machine (no signature check).
 * @throws {InvalidTermsError} when the payload does not fit the machine
 */
function tradeFromPayload(
  definition: EscrowDefinition,
  payload: Value,
  id: Uint8Array,
  bytes: Uint8Array,
  timestamp: number,
): Trade {
  const record = mapOf(payload)
  if (record === undefined) bad('terms payload must be a map')
  if (field(record, 'v') !== PAYLOAD_VERSION) bad('unsupported terms version')
  if (stringField(record, 'machine', 256) !== definition.name)
    bad(`terms are not for machine '${definition.name}'`)
  for (const key of Object.keys(record)) {
    if (!['v', 'machine', 'roles', 'deadlines', 'params', 'nonce'].includes(key))
      bad(`unknown terms field '${key}'`)
  }
  const rolesIn = mapOf(field(record, 'roles'))
  if (rolesIn === undefined) bad('terms roles must be a map')
  if (Object.keys(rolesIn).length !== definition.roles.length)
    bad('terms must name exactly the machine roles')
  const roles: Record<string, PeerId> = {}
  const roleByKey = new Map<string, string>()
  for (const role of definition.roles) {
    const raw = field(rolesIn, role)
    let peer: PeerId
    try {
      peer = peerIdFromBytes(raw as Uint8Array)
    } catch (error) {
      bad(`terms role '${role}' is not a valid peer id`, error)
    }
    const key = toHex(peer.publicKey)
    if (roleByKey.has(key)) bad(`one peer holds two roles ('${roleByKey.get(key)}' and '${role}')`)
    roleByKey.set(key, role)
    roles[role] = peer
  }
  const deadlinesIn = mapOf(field(record, 'deadlines'))
  if (deadlinesIn === undefined) bad('terms deadlines must be a map')
  if (Object.keys(deadlinesIn).length !== definition.deadlines.length)
    bad('terms must carry exactly the machine deadlines')
  const deadlines: Record<string, number> = {}
  for (const name of definition.deadlines) {
    const at = intField(deadlinesIn, name)
    if (at === undefined) bad(`terms deadline '${name}' must be a time in ms`)
    deadlines[name] = at
  }
  const params = mapOf(field(record, 'params'))
  if (params === undefined) bad('terms params must be a map')
  let tradeId: ContentId
  try {
    tradeId = contentIdFromBytes(id)
  } catch (error) {
    bad('terms id is not a content id', error)
  }
  const trade: Trade = Object.freeze({
    id: tradeId,
    idText: tradeId.toString(),
    bytes,
    machine: definition.name,
    roles: Object.freeze(roles),
    deadlines: Object.freeze(deadlines),
    params: Object.freeze(params),
    timestamp,
    signers: Object.freeze(definition.roles.map((r) => roles[r]!)),
    roleByKey,
  })
  let reason: string | undefined
  try {
    reason = definition.checkTerms?.(trade)
  } catch (error) {
    bad('the machine could not check the terms', error)
  }
  if (reason !== undefined) bad(reason)
  return trade
}

/**
 * Proposes terms: seals them, signed by `signer`, who must hold one of the parties' roles.
 * @param definition - the machine
 * @param signer - the proposing party
 * @param init - roles, deadlines, parameters, the time and an optional nonce
 * @returns the terms envelope, to be countersigned by the other parties with `acceptTerms`
 * @throws {InvalidTermsError} when the terms do not fit the machine or the signer is no party
 * @example const offer = await proposeTerms(tradeEscrow, seller, { roles, deadlines, params, timestamp: now })
 */
export async function proposeTerms(
  definition: EscrowDefinition,
  signer: Signer,
  init: TermsInit,
): Promise<Uint8Array> {
  const payload = termsPayload(definition, init)
  // check the terms the way every receiver will, before signing them
  const trade = tradeFromPayload(
    definition,
    payload,
    contentId(payload).bytes,
    new Uint8Array(0),
    init.timestamp,
  )
  const role = trade.roleByKey.get(toHex(signer.publicKey))
  if (role === undefined || !definition.parties.includes(role))
    bad('the proposer must be one of the parties')
  return sealEnvelope(signer, TERMS_DOMAIN, payload, init.timestamp)
}

/**
 * Countersigns proposed terms: the accepting party's signature over the same bytes.
 * @param terms - the terms envelope
 * @param signer - the accepting party
 * @returns the terms envelope with one more signature
 * @example const signed = await acceptTerms(offer, buyer)
 */
export function acceptTerms(terms: Uint8Array, signer: Signer): Promise<Uint8Array> {
  assertBytes(terms, 'terms', MAX_TERMS_BYTES)
  return cosignEnvelope(terms, signer)
}

/**
 * Opens signed terms: checks the payload against the machine and that every party
 * signed them.
 * @param definition - the machine
 * @param terms - the terms envelope signed by every party
 * @param options - the receiver's clock and skew tolerance
 * @returns the trade
 * @throws {InvalidTermsError} when the terms are malformed, forged, not signed by every party, or do not fit the machine
 * @example const trade = openTrade(tradeEscrow, signed, { now })
 */
export function openTrade(
  definition: EscrowDefinition,
  terms: Uint8Array,
  options: OpenTradeOptions,
): Trade {
  if (!isRecord(options)) throw new InvalidArgumentError('options must be an object')
  assertSafeTime(options.now, 'options.now')
  const maxSkewMs = options.maxSkewMs ?? DEFAULT_MAX_SKEW_MS
  assertSafeTime(maxSkewMs, 'options.maxSkewMs')
  if (!(terms instanceof Uint8Array) || terms.length > MAX_TERMS_BYTES)
    bad(`terms must be at most ${MAX_TERMS_BYTES} bytes`)
  let first: OpenedEnvelopeView
  try {
    first = openFirst(terms, TERMS_DOMAIN, options.now, maxSkewMs)
  } catch (error) {
    bad(`the terms envelope does not open: ${isEscrowError(error) ? error.name : 'error'}`, error)
  }
  const trade = tradeFromPayload(definition, first.payload, first.id, terms, first.timestamp)
  const parties = definition.parties.map((role) => trade.roles[role]!)
  try {
    openEnvelope(terms, TERMS_DOMAIN, parties, parties.length, options.now, maxSkewMs)
  } catch (error) {
    bad('the terms are not signed by every party', error)
  }
  return trade
}
