/**
 * Gossip messages are `@peerkit/envelope` envelopes in the domain `peerkit/gossip/1`
 * whose payload is `{ topic, data }`: the topic is inside the signed bytes, so a message
 * cannot be replayed into another topic. Every id and every opening in the router goes
 * through this module.
 *
 * @example
 * const envelope = await sealMessage(signer, { topic: 'news', data: 'hello', timestamp: now })
 * messageIdOf(envelope).toString() // 'bafirei…' (the envelope id)
 */
import type { ContentId, Value } from '@peerkit/codec'
import { envelopeId, open, seal, type VerifyCache } from '@peerkit/envelope'
import type { PeerId, Signer } from '@peerkit/identity'
import { GOSSIP_DOMAIN } from './constants'
import { assertTopic } from './topic'

/** What `sealMessage` needs. */
export interface MessageInit {
  topic: string
  data: Value
  /** Milliseconds since the epoch, from the caller's clock. */
  timestamp: number
  /** Optional expiry (ms since the epoch); the router also enforces its own age limit. */
  expiresAt?: number
}

/** The rules a router opens messages under. */
export interface OpenRules {
  domain: string
  now: number
  maxSkewMs: number
  maxAgeMs: number
  cache: VerifyCache | undefined
  maxBytes: number
}

/** An opened message. */
export interface OpenedMessage {
  signer: PeerId
  data: Value
  timestamp: number
}

/** The result of opening: the message, or why it failed. */
export type OpenResult =
  | { ok: true; message: OpenedMessage }
  | { ok: false; reason: string; replay: boolean }

/**
 * Seals a gossip message (an envelope in the gossip domain with `{ topic, data }`).
 * @param signer - the publisher's signer
 * @param init - topic, data, timestamp (and optional expiry)
 * @returns the envelope bytes to publish
 * @throws {InvalidTopicError} for a bad topic; envelope errors for a bad payload
 * @example const envelope = await sealMessage(signer, { topic: 'news', data: { n: 1 }, timestamp: Date.now() })
 */
export function sealMessage(
  signer: Signer,
  init: MessageInit,
  domain = GOSSIP_DOMAIN,
): Promise<Uint8Array> {
  assertTopic(init.topic, 'init.topic')
  const options: { domain: string; payload: Value; timestamp: number; expiresAt?: number } = {
    domain,
    payload: { topic: init.topic, data: init.data },
    timestamp: init.timestamp,
  }
  if (init.expiresAt !== undefined) options.expiresAt = init.expiresAt
  return seal(signer, options)
}

/**
 * The id of a message: its envelope id (a hash of the canonical body; no signature work).
 * @param envelope - the envelope bytes
 * @param maxBytes - the largest envelope read (default 64 KiB, as `open`)
 * @returns the content id
 * @throws envelope errors (`MalformedEnvelopeError`, `LimitExceededError`, …) for bytes
 *   that are not a readable envelope
 * @example messageIdOf(envelope).toString() // 'bafirei…'
 */
export function messageIdOf(envelope: Uint8Array, maxBytes?: number): ContentId {
  return envelopeId(envelope, maxBytes === undefined ? {} : { maxBytes })
}

/**
 * The id a router files a message under, or the error's name: the body is hashed unread
 * (`checkBody: false`), since a message that is not yet known is opened next, which checks
 * it, and a known one has the body bytes of one that passed.
 */
export function tryMessageId(envelope: Uint8Array, maxBytes: number): ContentId | string {
  try {
    return envelopeId(envelope, { maxBytes, checkBody: false })
  } catch (error) {
    return errorName(error)
  }
}

function errorName(error: unknown): string {
  const name = (error as { name?: unknown } | null)?.name
  return typeof name === 'string' ? name : 'Error'
}

const REPLAY_ERRORS = new Set(['ExpiredError', 'NotYetValidError', 'ReplayError'])

/** Reads `{ topic, data }` (exactly those two keys) from a payload, or undefined. */
function readPayload(payload: Value): { topic: string; data: Value } | undefined {
  let topic: Value | undefined
  let data: Value | undefined
  if (payload instanceof Map) {
    if (payload.size !== 2 || !payload.has('data')) return undefined
    topic = payload.get('topic')
    data = payload.get('data')
  } else if (
    typeof payload === 'object' &&
    payload !== null &&
    !Array.isArray(payload) &&
    !(payload instanceof Uint8Array)
  ) {
    const record = payload as Record<string, Value>
    if (Object.keys(record).length !== 2 || !Object.hasOwn(record, 'data')) return undefined
    topic = record.topic
    data = record.data
  }
  if (typeof topic !== 'string' || data === undefined) return undefined
  return { topic, data }
}

/**
 * Opens a message for `topic` under `rules`: domain, signature, time window, and the
 * topic bound inside the payload. Never throws for bad input.
 * @param envelope - the envelope bytes
 * @param topic - the topic it arrived on
 * @param rules - domain, clock and limits
 * @returns the opened message, or the reason it failed (`replay` for a stale or future timestamp)
 */
export function openMessage(envelope: Uint8Array, topic: string, rules: OpenRules): OpenResult {
  let opened: ReturnType<typeof open>
  try {
    const options: Parameters<typeof open>[1] = {
      domain: rules.domain,
      now: rules.now,
      maxSkewMs: rules.maxSkewMs,
      maxAgeMs: rules.maxAgeMs,
      maxBytes: rules.maxBytes,
    }
    if (rules.cache !== undefined) options.cache = rules.cache
    opened = open(envelope, options)
  } catch (error) {
    // any failure is the input's fault as far as the router is concerned: it is reported,
    // never thrown at the driver
    const name = errorName(error)
    return { ok: false, reason: name, replay: REPLAY_ERRORS.has(name) }
  }
  const payload = readPayload(opened.payload)
  if (payload === undefined) return { ok: false, reason: 'payload-shape', replay: false }
  if (payload.topic !== topic) return { ok: false, reason: 'topic-mismatch', replay: false }
  return {
    ok: true,
    message: { signer: opened.signer, data: payload.data, timestamp: opened.timestamp },
  }
}
