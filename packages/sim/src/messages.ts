/**
 * Messages of a run. Every strategy carries the same envelopes: `@peerkit/gossip`
 * messages (envelopes in the gossip domain whose payload is `{ topic, data }`), sealed by
 * real signers before the run starts. The baselines check them with `MessageCheck`: the
 * id (the envelope id, a hash, computed before any signature work) and the envelope rules
 * (`open` with the gossip domain and time window, and the topic bound in the payload).
 *
 * One verify cache is shared by every node of a run, so a distinct envelope is verified
 * once per run instead of once per node; identical bytes get the identical verdict
 * everywhere, which is what every honest node would decide anyway.
 *
 * @example
 * const check = createEnvelopeCheck(defaultEnvelopeRules(createVerifyCache()))
 * check.id(bytes)                  // 'bafi…'
 * check.verify(bytes, 'sim', now)  // true when the envelope opens under the rules
 */
import type { Value } from '@peerkit/codec'
import { envelopeId, open, type VerifyCache } from '@peerkit/envelope'
import {
  DEFAULT_MAX_CLOCK_SKEW_MS,
  DEFAULT_MAX_MESSAGE_AGE_MS,
  GOSSIP_DOMAIN,
} from '@peerkit/gossip'

/** What a baseline router needs to know about message bytes. */
export interface MessageCheck {
  /** A stable text id of the envelope bytes (a hash), or undefined for unreadable bytes. */
  id(envelope: Uint8Array): string | undefined
  /** Whether the envelope opens now under the run's rules, for this topic. */
  verify(envelope: Uint8Array, topic: string, now: number): boolean
}

/** The envelope rules of a run. */
export interface EnvelopeRules {
  domain: string
  maxSkewMs: number
  maxAgeMs: number
  /** One cache shared by all nodes of the run. */
  cache: VerifyCache
}

/**
 * The rules `@peerkit/gossip` opens messages under by default.
 * @param cache - the run-wide verify cache
 * @returns the rules
 */
export function defaultEnvelopeRules(cache: VerifyCache): EnvelopeRules {
  return {
    domain: GOSSIP_DOMAIN,
    maxSkewMs: DEFAULT_MAX_CLOCK_SKEW_MS,
    maxAgeMs: DEFAULT_MAX_MESSAGE_AGE_MS,
    cache,
  }
}

/**
 * A `MessageCheck` backed by `@peerkit/envelope`.
 * @param rules - domain, time window and the shared verify cache
 * @returns the check
 */
export function createEnvelopeCheck(rules: EnvelopeRules): MessageCheck {
  return {
    id(bytes) {
      try {
        return envelopeId(bytes).toString()
      } catch {
        return undefined
      }
    },
    verify(bytes, topic, now) {
      try {
        const opened = open(bytes, {
          domain: rules.domain,
          now,
          maxSkewMs: rules.maxSkewMs,
          maxAgeMs: rules.maxAgeMs,
          cache: rules.cache,
        })
        return payloadTopic(opened.payload) === topic
      } catch {
        return false
      }
    },
  }
}

function payloadTopic(payload: Value): string | undefined {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return undefined
  if (payload instanceof Uint8Array) return undefined
  const topic = payload instanceof Map ? payload.get('topic') : payload.topic
  return typeof topic === 'string' ? topic : undefined
}
