/**
 * Validation: how a message gets in. A pushed copy is checked (rate, size, id, hops,
 * envelope, signature, time window), then handed to the application's validator, whose
 * verdict may come later (`validation-result`, bounded in total and per peer, void after
 * `validationTimeoutMs`). Accepted messages go to the broadcast layer; a duplicate costs
 * its sender a report and, from a second parent, a PRUNE. A local publish is checked the
 * same way and throws instead of reporting.
 *
 * @example
 * const validation = createValidation(core, cfg, limits, cache, broadcast, repair, components)
 * validation.onGossip(key, conn, topic, hops, envelope)
 * validation.onValidationResult(messageId, 'accept')
 */

import { isBytes } from '@peerkit/codec'
import type { VerifyCache } from '@peerkit/envelope'
import type { Broadcast, Pending } from './broadcast'
import { ACCEPTED, type Cache, IGNORED, PENDING, REJECTED } from './cache'
import { type Conn, type Core, sourceOfKey } from './core'
import { DuplicatePublishError, InvalidArgumentError, PublishRejectedError } from './errors'
import { idKeyOf } from './frames'
import type { Limits } from './limits'
import { type OpenRules, openMessage, tryMessageId } from './message'
import type { ValidationConfig } from './options'
import type { Repair } from './repair'
import { assertTopic } from './topic'
import type { GossipMessage, PeerKey, ValidationVerdict, Validator } from './types'

const VERDICTS: ReadonlySet<string> = new Set(['accept', 'reject', 'ignore'])

export interface Validation {
  /** Messages waiting for the application's verdict, by public message id. */
  readonly pending: ReadonlyMap<string, Pending>
  onGossip(fromKey: PeerKey, conn: Conn, topic: string, hops: number, envelope: Uint8Array): void
  /** @throws {InvalidArgumentError} for a message id or verdict of the wrong type */
  onValidationResult(messageId: string, verdict: ValidationVerdict): void
  /** @throws {PublishRejectedError | DuplicatePublishError} for an envelope that cannot go out */
  onPublish(topic: string, envelope: Uint8Array): void
  /** Voids the verdicts awaited for an unsubscribed topic. */
  dropTopic(topic: string): void
  /** Heartbeat: verdicts not given in time count as ignore. */
  expire(): void
}

/**
 * Creates the validation layer.
 * @param core - the router's shared state
 * @param cfg - validation settings
 * @param limits - scores and reports
 * @param cache - seen entries
 * @param broadcast - where accepted messages go
 * @param repair - missing messages
 * @param app - the application's validator and the verify cache, if any
 * @returns the layer, with nothing pending
 */
export function createValidation(
  core: Core,
  cfg: ValidationConfig,
  limits: Limits,
  cache: Cache,
  broadcast: Broadcast,
  repair: Repair,
  app: { validate: Validator | undefined; verifyCache: VerifyCache | undefined },
): Validation {
  const { conns, stats, share, self, selfKey } = core
  const { seen } = cache
  const { topics } = broadcast
  const { validate, verifyCache } = app
  const th = cfg.scoreThresholds
  const pending = new Map<string, Pending>()

  const rules = (): OpenRules => ({
    domain: cfg.domain,
    now: core.now,
    maxSkewMs: cfg.maxClockSkewMs,
    maxAgeMs: cfg.maxMessageAgeMs,
    cache: verifyCache,
    maxBytes: cfg.maxMessageBytes,
  })

  function settle(p: Pending, key: string, verdict: ValidationVerdict, reason: string): void {
    if (verdict === 'accept') {
      broadcast.accept(p, key)
      return
    }
    const fromKey = p.from.toString()
    if (verdict === 'reject') {
      cache.mark(key, REJECTED, p.hops, fromKey, p.topic, p.source)
      stats.invalid++
      limits.report(fromKey, 'invalid-message', reason)
    } else {
      cache.mark(key, IGNORED, p.hops, fromKey, p.topic, p.source)
    }
  }

  /** Takes a message out of `pending` as ignored. */
  function lapse(key: string, p: Pending): void {
    pending.delete(key)
    const conn = conns.get(p.from.toString())
    if (conn !== undefined) conn.pending--
    cache.mark(p.id.key, IGNORED, p.hops, p.from.toString(), p.topic, p.source)
  }

  return {
    pending,

    onGossip(fromKey, conn, topic, hops, envelope) {
      if (!limits.messageAllowed(fromKey, conn)) return
      const t = topics.get(topic)
      if (t === undefined) return // a late push after we unsubscribed: not the peer's fault
      if (envelope.length > cfg.maxMessageBytes) {
        limits.violation(fromKey, 'message-too-large')
        return
      }
      const mid = tryMessageId(envelope, cfg.maxMessageBytes)
      if (typeof mid === 'string') {
        stats.invalid++
        limits.report(fromKey, 'invalid-message', mid)
        return
      }
      const key = share.key(idKeyOf(mid.bytes))
      const s = seen.get(key)
      if (s !== undefined) {
        if (s.state === REJECTED) {
          stats.invalid++
          limits.report(fromKey, 'invalid-message', 'known-invalid')
          return
        }
        stats.duplicates++
        limits.report(fromKey, 'duplicate')
        if (s.state === ACCEPTED && s.from !== fromKey) {
          const parent = t.parents.get(s.source)
          // a second parent in this source's tree: keep the first, prune this one
          // (but a second parent taken on purpose, see `TopicState.backups`)
          if (parent !== fromKey) {
            if (t.backups.get(s.source) !== fromKey)
              broadcast.prune(topic, fromKey, 'duplicate', [sourceOfKey(s.source)])
          }
          // the parent's push was late, not lost: the announcer asked instead is faster
          else if (t.misses.has(s.source)) repair.movedParent(t, topic, s.source, s.from, fromKey)
        }
        return
      }
      if (hops > cfg.hopLimit || hops === 0) {
        limits.violation(fromKey, 'hop-limit')
        return
      }
      if (seen.size >= cfg.maxSeenEntries) {
        stats.framesDropped++
        return
      }
      const opened = openMessage(envelope, topic, rules())
      if (!opened.ok) {
        // not remembered: the id names the signed body, not the signatures, so a copy with a
        // broken signature must not make the genuine message look known; and a rejected
        // frame leaves the state as it was (domain and time are checked before signatures)
        stats.invalid++
        // out of the time window: the forwarder may have accepted it a moment earlier, or
        // its clock may differ from ours within the allowed skew; dropped, never blamed
        if (opened.replay) {
          stats.replaysRejected++
          return
        }
        limits.report(fromKey, 'invalid-message', opened.reason)
        return
      }
      // a peer under the accept threshold is still checked (so a spammer keeps being
      // reported until it is cut off), but its valid messages are not taken from it
      if (limits.score(fromKey) < th.accept) return
      const wanted = repair.missing.get(key)
      if (wanted !== undefined) repair.forget(key, wanted)
      const signer = opened.message.signer
      const messageId = mid.toString()
      // from here on the envelope is kept (pending, cached, delivered): not as a view of a larger buffer
      envelope = share.envelope(key, envelope)
      const p: Pending = {
        topic,
        id: { bytes: mid.bytes, key },
        messageId,
        envelope,
        from: conn.peer,
        hops,
        signer: signer.toString(),
        source: core.sourceKeyOf(signer.publicKey),
        sourceBytes: signer.publicKey,
        deadline: core.now + cfg.validationTimeoutMs,
        via: wanted?.asked === fromKey ? (wanted.via ?? 'push') : 'push',
        skip: wanted === undefined ? undefined : repair.announcedBy(wanted),
        keepParent: wanted?.keepParent === true ? wanted.asked === fromKey : undefined,
      }
      let verdict: ValidationVerdict | 'pending' = 'accept'
      if (validate !== undefined) {
        const message: GossipMessage = {
          topic,
          messageId,
          signer,
          data: opened.message.data,
          timestamp: opened.message.timestamp,
          envelope,
          from: conn.peer,
        }
        try {
          verdict = validate(message)
        } catch {
          verdict = 'ignore'
        }
        if (verdict !== 'pending' && !VERDICTS.has(verdict)) verdict = 'ignore'
      }
      if (verdict !== 'pending') {
        settle(p, key, verdict, 'rejected')
        if (verdict === 'accept' && wanted !== undefined && wanted.since < core.now)
          if (wanted.asked === undefined || wanted.keepParent)
            repair.fasterParent(t, wanted, fromKey)
        return
      }
      if (pending.size >= cfg.maxPendingValidations) {
        // the application is behind: drop without remembering, so a later copy is processed
        stats.framesDropped++
        return
      }
      if (conn.pending >= cfg.maxPendingPerPeer) {
        limits.violation(fromKey, 'pending-validations')
        return
      }
      conn.pending++
      pending.set(messageId, p)
      cache.mark(key, PENDING, hops, fromKey, topic, p.source)
      core.out.push({ type: 'validate', topic, messageId, envelope, from: conn.peer })
    },

    onValidationResult(messageId, verdict) {
      if (typeof messageId !== 'string')
        throw new InvalidArgumentError('input.messageId', 'expected a string')
      if (!VERDICTS.has(verdict))
        throw new InvalidArgumentError('input.verdict', 'expected accept, reject or ignore')
      const p = pending.get(messageId)
      if (p === undefined) return // unknown or timed out
      pending.delete(messageId)
      const conn = conns.get(p.from.toString())
      if (conn !== undefined) conn.pending--
      if (!topics.has(p.topic)) {
        cache.mark(p.id.key, IGNORED, p.hops, p.from.toString(), p.topic, p.source)
        return
      }
      settle(p, p.id.key, verdict, 'rejected')
    },

    onPublish(topic, envelope) {
      assertTopic(topic)
      if (!isBytes(envelope)) throw new InvalidArgumentError('input.envelope', 'expected bytes')
      if (envelope.length > cfg.maxMessageBytes) throw new PublishRejectedError('too-large')
      const mid = tryMessageId(envelope, cfg.maxMessageBytes)
      if (typeof mid === 'string') throw new PublishRejectedError(mid)
      const key = share.key(idKeyOf(mid.bytes))
      const messageId = mid.toString()
      if (seen.has(key)) throw new DuplicatePublishError(messageId)
      const opened = openMessage(envelope, topic, rules())
      if (!opened.ok) throw new PublishRejectedError(opened.reason)
      const signer = opened.message.signer
      const p: Pending = {
        topic,
        id: { bytes: mid.bytes, key },
        messageId,
        envelope,
        from: self,
        hops: 0,
        signer: signer.toString(),
        source: core.sourceKeyOf(signer.publicKey),
        sourceBytes: signer.publicKey,
        deadline: core.now,
        via: 'push',
      }
      stats.published++
      cache.store(cache.mark(key, ACCEPTED, 0, selfKey, topic, p.source), envelope)
      if (topics.has(topic)) {
        stats.delivered++
        core.out.push({ type: 'deliver', topic, messageId, envelope, from: self, hops: 0 })
      }
      // the publisher pushes to every subscribed neighbour that did not decline its tree
      broadcast.forward(p)
    },

    dropTopic(topic) {
      for (const [key, p] of pending) if (p.topic === topic) lapse(key, p)
    },

    expire() {
      for (const [key, p] of pending) if (p.deadline <= core.now) lapse(key, p)
    },
  }
}
