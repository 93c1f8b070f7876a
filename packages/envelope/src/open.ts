/**
 * Opening: the checks an envelope must pass before its payload is believed, cheapest
 * first — size and version, form (the payload walked under its depth and item bounds, not
 * decoded), domain, times, replay guard — then the signatures, and only then is the payload
 * decoded into values. A rejected envelope changes neither the replay guard nor the verify
 * cache.
 *
 * @example
 * const opened = open(bytes, { domain: 'peerkit/gossip/1', now, maxSkewMs: 30_000, maxAgeMs: 600_000 })
 * opened.signer.toString() // 'z6Mk…'
 */
import type { ContentId, Value } from '@peerkit/codec'
import { type PeerId, peerIdFromPublicKey } from '@peerkit/identity'
import {
  assertBytes,
  assertObject,
  assertSafeInteger,
  assertWindow,
  isDomain,
  limitOption,
} from './assert'
import { bodyDigestKey, digestOfKey, idOfDigestKey } from './body-id'
import { byteKey } from './byte-key'
import {
  DEFAULT_MAX_ENVELOPE_BYTES,
  DEFAULT_MAX_PAYLOAD_DEPTH,
  DEFAULT_MAX_PAYLOAD_ITEMS,
  DEFAULT_MAX_SIGNATURES,
  MAX_DOMAIN_LENGTH,
  PUBLIC_KEY_LENGTH,
} from './constants'
import {
  ExpiredError,
  InsufficientSignaturesError,
  InvalidArgumentError,
  NotYetValidError,
  WrongDomainError,
} from './errors'
import type { ReplayClaim, ReplayGuard } from './replay-guard'
import { verifySignatures } from './verify'
import type { VerifyCache } from './verify-cache'
import {
  type BodyFields,
  decodePayload,
  type ParsedEnvelope,
  type ParseLimits,
  parseEnvelope,
} from './wire'

/** The rules an envelope is opened under. */
export interface OpenOptions {
  /** The domain expected; an envelope sealed for any other is refused. */
  domain: string
  /** The current time, integer ms since the Unix epoch, from the caller's clock. */
  now: number
  /** How far in the future a timestamp may be (clock skew), ms; may be `Infinity`. */
  maxSkewMs: number
  /** How old a timestamp may be, ms; may be `Infinity` (deadlines are then the caller's). */
  maxAgeMs: number
  /** Refuses envelopes accepted before; records this one if it is accepted. */
  replayGuard?: ReplayGuard | undefined
  /** Remembers verified signatures; may be shared by many openers. */
  cache?: VerifyCache | undefined
  /** Largest envelope read (default 64 KiB). */
  maxBytes?: number | undefined
  /** Deepest nesting inside the payload (default 32). */
  maxDepth?: number | undefined
  /**
   * Most elements and entries in all arrays and maps of the payload together (default
   * 4,096): what bounds the work of decoding a payload, checked before its signature.
   */
  maxItems?: number | undefined
  /** Most signatures on the envelope (default 16). */
  maxSignatures?: number | undefined
  /** Decode payload maps as `Map` instead of plain objects (default false). */
  useMaps?: boolean | undefined
}

/** An envelope that passed every check. */
export interface OpenedEnvelope {
  /** The peer who sealed it (whose key is in the body and whose signature verified). */
  signer: PeerId
  payload: Value
  timestamp: number
  expiresAt: number | undefined
  /** The envelope id: the content id of the body (the same with or without countersignatures). */
  id: ContentId
  domain: string
  nonce: Uint8Array | undefined
  sequence: number | bigint | undefined
}

/** Options of `openMulti`: the rules of `open`, plus whose signatures count. */
export interface OpenMultiOptions extends OpenOptions {
  /** The peers whose signatures count towards `threshold`. */
  signers: readonly PeerId[]
  /** How many distinct listed peers must have signed (1 … number of distinct listed peers). */
  threshold: number
}

/** An envelope opened by `openMulti`. */
export interface OpenedMultiEnvelope extends OpenedEnvelope {
  /** Everyone who signed, body signer first, then countersigners in wire order; all verified. */
  signers: PeerId[]
}

interface Rules {
  readonly domain: string
  readonly now: number
  readonly maxSkewMs: number
  readonly maxAgeMs: number
  readonly replayGuard: ReplayGuard | undefined
  readonly cache: VerifyCache | undefined
  readonly limits: ParseLimits
}

/** The parse limits for `options`. */
function limitsOf(options: OpenOptions, domain: string): ParseLimits {
  const { maxBytes, maxDepth, maxItems, maxSignatures, useMaps } = options
  if (useMaps !== undefined && typeof useMaps !== 'boolean') {
    throw new InvalidArgumentError('options.useMaps', 'options.useMaps must be a boolean')
  }
  return {
    maxBytes: limitOption(maxBytes, 'options.maxBytes', DEFAULT_MAX_ENVELOPE_BYTES),
    maxDepth: limitOption(maxDepth, 'options.maxDepth', DEFAULT_MAX_PAYLOAD_DEPTH),
    maxItems: limitOption(maxItems, 'options.maxItems', DEFAULT_MAX_PAYLOAD_ITEMS),
    maxSignatures: limitOption(maxSignatures, 'options.maxSignatures', DEFAULT_MAX_SIGNATURES),
    useMaps: useMaps === true,
    domain,
  }
}

function rulesOf(options: OpenOptions): Rules {
  assertObject(options, 'options')
  const { domain, now, maxSkewMs, maxAgeMs, replayGuard, cache } = options
  if (!isDomain(domain, MAX_DOMAIN_LENGTH)) {
    throw new InvalidArgumentError(
      'options.domain',
      `options.domain must be 1-${MAX_DOMAIN_LENGTH} printable ASCII characters`,
    )
  }
  assertSafeInteger(now, 'options.now', 0)
  assertWindow(maxSkewMs, 'options.maxSkewMs')
  assertWindow(maxAgeMs, 'options.maxAgeMs')
  if (replayGuard !== undefined) assertObject(replayGuard, 'options.replayGuard')
  if (cache !== undefined) assertObject(cache, 'options.cache')
  return { domain, now, maxSkewMs, maxAgeMs, replayGuard, cache, limits: limitsOf(options, domain) }
}

/** Domain and time checks; throws the matching error. */
function checkRules(fields: BodyFields, rules: Rules): void {
  if (fields.domain !== rules.domain) throw new WrongDomainError(rules.domain, fields.domain)
  const { timestamp, expiresAt } = fields
  const { now } = rules
  if (timestamp - now > rules.maxSkewMs) throw new NotYetValidError(timestamp, now)
  if (expiresAt !== undefined && now >= expiresAt) throw new ExpiredError('expires-at')
  if (now - timestamp > rules.maxAgeMs) throw new ExpiredError('max-age')
}

/** What the replay guard records: remembered until the window can no longer admit it. */
function claimOf(fields: BodyFields, digestKey: string, maxAgeMs: number): ReplayClaim {
  // beyond 2^53 a time is not exact (nor encodable): treat it as never
  const sum = fields.timestamp + maxAgeMs + 1
  const ageLimit = Number.isSafeInteger(sum) ? sum : Number.POSITIVE_INFINITY
  const expiry = fields.expiresAt ?? Number.POSITIVE_INFINITY
  return {
    digest: digestOfKey(digestKey),
    digestKey,
    signer: fields.signer,
    timestamp: fields.timestamp,
    forgetAt: Math.min(ageLimit, expiry),
    ageBound: ageLimit <= expiry,
    sequence: fields.sequence,
  }
}

/** An envelope that passed every check, not yet recorded in the guard and the cache. */
interface Checked {
  readonly parsed: ParsedEnvelope
  /** The body digest, one character per byte. */
  readonly digestKey: string
  readonly claim: ReplayClaim | undefined
  readonly cacheKeys: string[] | undefined
}

/** Who must have signed, for `openMulti`: distinct listed keys and how many of them. */
interface Quorum {
  /** `byteKey` of each listed public key. */
  readonly listed: ReadonlySet<string>
  readonly threshold: number
}

/** Counts listed signers before any signature is verified. */
function checkQuorum(parsed: ParsedEnvelope, quorum: Quorum): void {
  let found = 0
  for (const entry of parsed.signatures) if (quorum.listed.has(byteKey(entry.publicKey))) found++
  if (found < quorum.threshold) throw new InsufficientSignaturesError(found, quorum.threshold)
}

/** Parses, checks and verifies, changing nothing; the payload is not decoded yet. */
function check(bytes: Uint8Array, rules: Rules, quorum?: Quorum): Checked {
  const parsed = parseEnvelope(bytes, rules.limits)
  const { fields } = parsed
  checkRules(fields, rules)
  // too few listed signers fails without a signature check
  if (quorum !== undefined) checkQuorum(parsed, quorum)
  const digestKey = bodyDigestKey(parsed.body)
  const guard = rules.replayGuard
  let claim: ReplayClaim | undefined
  if (guard !== undefined) {
    claim = claimOf(fields, digestKey, rules.maxAgeMs)
    guard.check(claim)
  }
  const cache = rules.cache
  const cacheKeys = verifySignatures(
    parsed,
    digestKey,
    cache,
    cache === undefined ? undefined : byteKey(fields.signer),
  )
  return { parsed, digestKey, claim, cacheKeys }
}

/** Records an accepted envelope in the cache and the guard. */
function commit(checked: Checked, rules: Rules): void {
  const { cache, replayGuard } = rules
  if (cache !== undefined && checked.cacheKeys !== undefined)
    for (const key of checked.cacheKeys) cache.add(key)
  if (replayGuard !== undefined && checked.claim !== undefined)
    replayGuard.accept(checked.claim, rules.now)
}

/** The result, with the payload decoded: only now, after every signature verified. */
function openedOf({ parsed, digestKey }: Checked, rules: Rules): OpenedEnvelope {
  const { fields } = parsed
  return {
    signer: peerIdFromPublicKey(fields.signer),
    payload: decodePayload(parsed.body, fields, rules.limits),
    timestamp: fields.timestamp,
    expiresAt: fields.expiresAt,
    id: idOfDigestKey(digestKey),
    domain: fields.domain,
    nonce: fields.nonce,
    sequence: fields.sequence,
  }
}

/**
 * Opens an envelope: checks its form, domain, times and replay status, then verifies every
 * signature on it (the signer's, and any countersignatures). Synchronous.
 * @param bytes - the envelope as received
 * @param options - `domain`, `now`, `maxSkewMs`, `maxAgeMs`; optionally `replayGuard`,
 *   `cache`, and the limits `maxBytes`, `maxDepth`, `maxSignatures`
 * @returns the signer, payload, times, id, nonce and sequence number
 * @throws {LimitExceededError} input over a limit (checked before it is read)
 * @throws {UnsupportedVersionError} another wire version
 * @throws {MalformedEnvelopeError} anything that is not a canonical envelope
 * @throws {WrongDomainError} sealed for another domain
 * @throws {NotYetValidError} `timestamp > now + maxSkewMs`
 * @throws {ExpiredError} `now >= expiresAt` (reason `expires-at`) or `now - timestamp > maxAgeMs`
 *   (reason `max-age`)
 * @throws {ReplayError} refused by the replay guard
 * @throws {BadSignatureError} a signature does not verify
 * @throws {InvalidArgumentError} bad options (a caller's mistake)
 * @example
 * const guard = createReplayGuard()
 * const { signer, payload } = open(bytes, { domain: 'peerkit/gossip/1', now: Date.now(),
 *   maxSkewMs: 30_000, maxAgeMs: 600_000, replayGuard: guard })
 */
export function open(bytes: Uint8Array, options: OpenOptions): OpenedEnvelope {
  assertBytes(bytes, 'bytes')
  const rules = rulesOf(options)
  const checked = check(bytes, rules)
  const opened = openedOf(checked, rules)
  commit(checked, rules)
  return opened
}

/**
 * Opens an envelope that needs several signers: as `open`, and at least `threshold`
 * distinct peers of `signers` must have signed it (body signer or countersigner). Every
 * signature on the envelope must verify, listed or not.
 * @param bytes - the envelope as received
 * @param options - the rules of `open`, plus `signers` and `threshold`
 * @returns the opened envelope and everyone who signed it
 * @throws {InsufficientSignaturesError} fewer than `threshold` listed peers signed
 * @throws every error of `open`
 * @example
 * const terms = openMulti(bytes, { domain: 'peerkit/escrow/terms/1', now, maxSkewMs: 30_000,
 *   maxAgeMs: Number.POSITIVE_INFINITY, signers: [alice, bob], threshold: 2 })
 */
export function openMulti(bytes: Uint8Array, options: OpenMultiOptions): OpenedMultiEnvelope {
  assertBytes(bytes, 'bytes')
  const rules = rulesOf(options)
  const { signers, threshold } = options
  if (!Array.isArray(signers))
    throw new InvalidArgumentError('options.signers', 'options.signers must be an array of PeerIds')
  const listed = new Set<string>()
  for (let i = 0; i < signers.length; i++) {
    const publicKey = (signers[i] as { publicKey?: unknown } | null)?.publicKey
    assertBytes(publicKey, `options.signers[${i}].publicKey`, PUBLIC_KEY_LENGTH)
    listed.add(byteKey(publicKey))
  }
  assertSafeInteger(threshold, 'options.threshold', 1)
  if (threshold > listed.size) {
    throw new InvalidArgumentError(
      'options.threshold',
      `options.threshold exceeds the ${listed.size} distinct listed signers`,
    )
  }
  const checked = check(bytes, rules, { listed, threshold })
  const opened = openedOf(checked, rules) as OpenedMultiEnvelope
  const { signatures } = checked.parsed
  const all: PeerId[] = new Array(signatures.length)
  all[0] = opened.signer
  for (let i = 1; i < signatures.length; i++) all[i] = peerIdFromPublicKey(signatures[i]!.publicKey)
  opened.signers = all
  commit(checked, rules)
  return opened
}
