/**
 * Envelope suite: sealing and opening a signed message with a 300-byte payload, for
 * @peerkit/envelope against the bare signature operation (`node:crypto` Ed25519 with a cached
 * KeyObject, on a message of the same size), libp2p's `RecordEnvelope` and nostr events.
 * Every open is on a distinct envelope (pools sealed ahead; the replay guard and the verify
 * cache start afresh on each pass), so no subject gets a cache hit; the cached re-open is a
 * separate case.
 *
 * Each library is measured in its own case against the bare operation, and compared with
 * peerkit through it (peerkit/libp2p = (peerkit/node) / (libp2p/node)). Measured side by side,
 * a subject that allocates pays for the garbage the previous one left (libp2p leaves a
 * KeyObject per verification, nostr many bigints), while the bare operation allocates nothing
 * and never pays: the comparison would depend on the order of the rounds.
 */
import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto'
import { generateKeyPair as libp2pGenerateKeyPair } from '@libp2p/crypto/keys'
import { RecordEnvelope } from '@libp2p/peer-record'
import { decode, encode, equalBytes } from '@peerkit/codec'
import {
  createReplayGuard,
  createVerifyCache,
  type OpenOptions,
  open,
  SIGNATURE_CONTEXT,
  seal,
} from '@peerkit/envelope'
import { keyPairFromSeed, publicKeyToSpki, seedToPkcs8, signerFromKeyPair } from '@peerkit/identity'
import { type Event, finalizeEvent, generateSecretKey, verifyEvent } from 'nostr-tools/pure'
import type { Suite } from '../src/harness'

const DOMAIN = 'peerkit/bench/1'
const PAYLOAD_BYTES = 300
const T0 = 1_763_600_000_000

/** A payload of a gossip-message shape whose canonical encoding is exactly 300 bytes. */
function payloadOf(n: number): { topic: string; n: number; text: string } {
  const base = { topic: 'market/offers', n, text: '' }
  let k = PAYLOAD_BYTES - encode(base).length
  let payload = { ...base, text: 'x'.repeat(k) }
  // the text's header grows with its length: shorten until the whole is exactly the size
  while (encode(payload).length > PAYLOAD_BYTES) payload = { ...base, text: 'x'.repeat(--k) }
  const size = encode(payload).length
  if (size !== PAYLOAD_BYTES) throw new Error(`payload is ${size} bytes, not ${PAYLOAD_BYTES}`)
  return payload
}

/** A minimal libp2p `Record` carrying raw bytes. */
function libp2pRecord(bytes: Uint8Array) {
  const record = {
    domain: DOMAIN,
    codec: new Uint8Array([0x03, 0x01]),
    marshal: () => bytes,
    equals: (other: { marshal(): Uint8Array }) => equalBytes(other.marshal(), bytes),
  }
  return record
}

/** Cycles through a pool, calling `onWrap` each time it starts over. */
function cycle<T>(pool: readonly T[], onWrap?: () => void): () => T {
  let i = 0
  return () => {
    if (i === pool.length) {
      i = 0
      onWrap?.()
    }
    return pool[i++]!
  }
}

/**
 * CPU time per call of `subject` against `baseline`, run in alternating slices of `batch`
 * calls; the ratio of the medians (baseline time / subject time, so above 1 is faster).
 */
function cpuTimeRatio(
  subject: () => unknown,
  baseline: () => unknown,
  slices: number,
  batch: number,
): number {
  const times: [number[], number[]] = [[], []]
  const run = (fn: () => unknown): number => {
    const start = process.cpuUsage()
    for (let i = 0; i < batch; i++) fn()
    const used = process.cpuUsage(start)
    return used.user + used.system
  }
  run(subject)
  run(baseline)
  for (let s = 0; s < slices; s++) {
    if (s % 2 === 0) {
      times[0].push(run(subject))
      times[1].push(run(baseline))
    } else {
      times[1].push(run(baseline))
      times[0].push(run(subject))
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!
  return median(times[1]) / median(times[0])
}

const suite: Suite = {
  name: 'envelope',
  async run(ctx) {
    const poolSize = ctx.quick ? 1024 : 4096
    const seed = Uint8Array.from({ length: 32 }, (_, i) => i + 1)
    const keyPair = keyPairFromSeed(seed)
    const signer = signerFromKeyPair(keyPair)
    const nodePublic = createPublicKey({
      key: Buffer.from(publicKeyToSpki(keyPair.publicKey)),
      format: 'der',
      type: 'spki',
    })
    const nodePrivate = createPrivateKey({
      key: Buffer.from(seedToPkcs8(seed)),
      format: 'der',
      type: 'pkcs8',
    })
    const libp2pKey = await libp2pGenerateKeyPair('Ed25519')
    const nostrKey = generateSecretKey()

    // pools of distinct envelopes, sealed ahead
    const envelopes: Uint8Array[] = []
    for (let i = 0; i < poolSize; i++) {
      envelopes.push(
        await seal(signer, { domain: DOMAIN, payload: payloadOf(i), timestamp: T0 + i }),
      )
    }
    // the bare baseline signs and verifies messages of the size an envelope signature covers
    const body = (decode(envelopes[0]!) as Uint8Array[])[1]!
    const signedSize = SIGNATURE_CONTEXT.length + 1 + body.length
    const messages: Uint8Array[] = []
    const signatures: Uint8Array[] = []
    for (let i = 0; i < poolSize; i++) {
      const message = Uint8Array.from({ length: signedSize }, (_, j) => (i * 7 + j) & 0xff)
      messages.push(message)
      signatures.push(sign(null, message, nodePrivate))
    }
    const libp2pEnvelopes: Uint8Array[] = []
    for (let i = 0; i < poolSize; i++) {
      const bytes = encode(payloadOf(i))
      libp2pEnvelopes.push((await RecordEnvelope.seal(libp2pRecord(bytes), libp2pKey)).marshal())
    }
    // JSON copies: no verified-mark symbol, so every verifyEvent does the work
    const nostrEvents: Event[] = []
    for (let i = 0; i < poolSize; i++) {
      const event = finalizeEvent(
        {
          kind: 1,
          created_at: Math.floor(T0 / 1000) + i,
          tags: [],
          content: 'x'.repeat(PAYLOAD_BYTES),
        },
        nostrKey,
      )
      nostrEvents.push(JSON.parse(JSON.stringify(event)) as Event)
    }
    ctx.figure('envelope.bytes.peerkit', envelopes[0]!.length)
    ctx.figure('envelope.bytes.libp2p', libp2pEnvelopes[0]!.length)
    ctx.figure('envelope.bytes.nostr-json', JSON.stringify(nostrEvents[0]).length)
    ctx.log(
      `  pool: ${poolSize} distinct envelopes of ${envelopes[0]!.length} bytes; signed message ${signedSize} bytes`,
    )

    // short rounds, many of them: the subjects interleave finely, so load that comes and goes
    // on a shared machine falls on all of them alike
    const fine = ctx.quick ? {} : { roundMs: 100, rounds: 21 }
    const now = T0 + poolSize
    const rules: OpenOptions = { domain: DOMAIN, now, maxSkewMs: 30_000, maxAgeMs: 600_000 }
    // `peerkit` is what the target is about: encoding, checks and a replay guard over the
    // signature check. The guard (and the cache, in the second variant) start afresh on each
    // pass over the pool, so every open is of an envelope they have not seen.
    const guarded: OpenOptions = { ...rules, replayGuard: createReplayGuard() }
    const nextGuarded = cycle(envelopes, () => {
      guarded.replayGuard = createReplayGuard()
    })
    const withCache: OpenOptions = {
      ...rules,
      replayGuard: createReplayGuard(),
      cache: createVerifyCache(),
    }
    const nextWithCache = cycle(envelopes, () => {
      withCache.replayGuard = createReplayGuard()
      withCache.cache = createVerifyCache()
    })
    const nextBare = cycle(envelopes)
    const nextIndex = cycle(Array.from({ length: poolSize }, (_, i) => i))
    const nextLibp2p = cycle(libp2pEnvelopes)
    const nextNostr = cycle(nostrEvents)
    const nodeVerify = () => {
      const i = nextIndex()
      return verify(null, messages[i]!, nodePublic, signatures[i]!)
    }

    // every subject must accept what it opens, or the comparison would be meaningless
    if (open(envelopes[1]!, rules).payload === undefined) throw new Error('peerkit refused')
    if (!verify(null, messages[1]!, nodePublic, signatures[1]!)) throw new Error('node refused')
    await RecordEnvelope.openAndCertify(libp2pEnvelopes[1]!, DOMAIN)
    if (!verifyEvent({ ...nostrEvents[1]! })) throw new Error('nostr refused')

    const opened = await ctx.measure(
      'open (distinct envelopes)',
      {
        peerkit: () => open(nextGuarded(), guarded),
        'peerkit (guard + verify cache)': () => open(nextWithCache(), withCache),
        'peerkit (no guard)': () => open(nextBare(), rules),
        'node-verify': nodeVerify,
      },
      fine,
    )
    const viaNode = opened.peerkit! / opened['node-verify']!
    ctx.ratio('envelope.open/node-verify', viaNode)
    ctx.ratio(
      'envelope.open+cache/node-verify',
      opened['peerkit (guard + verify cache)']! / opened['node-verify']!,
    )
    ctx.ratio(
      'envelope.open-no-guard/node-verify',
      opened['peerkit (no guard)']! / opened['node-verify']!,
    )
    const libp2pOpened = await ctx.measure(
      'open: libp2p RecordEnvelope.openAndCertify',
      {
        libp2p: () => RecordEnvelope.openAndCertify(nextLibp2p(), DOMAIN),
        'node-verify': nodeVerify,
      },
      fine,
    )
    ctx.ratio(
      'envelope.open/libp2p',
      viaNode / (libp2pOpened.libp2p! / libp2pOpened['node-verify']!),
    )
    const nostrOpened = await ctx.measure(
      'open: nostr verifyEvent',
      { nostr: () => verifyEvent({ ...nextNostr() }), 'node-verify': nodeVerify },
      ctx.quick ? {} : { roundMs: 200, rounds: 11 },
    )
    ctx.ratio('envelope.open/nostr', viaNode / (nostrOpened.nostr! / nostrOpened['node-verify']!))

    // The same comparisons in CPU time (process.cpuUsage), interleaved in short slices: on a
    // machine shared with other work, wall-clock rounds also measure the neighbours.
    const slices = ctx.quick ? 5 : 15
    const batch = ctx.quick ? 256 : 1024
    ctx.ratio(
      'envelope.open/node-verify (cpu time)',
      cpuTimeRatio(() => open(nextGuarded(), guarded), nodeVerify, slices, batch),
    )
    ctx.ratio(
      'envelope.open+cache/node-verify (cpu time)',
      cpuTimeRatio(() => open(nextWithCache(), withCache), nodeVerify, slices, batch),
    )

    // cached re-open: the same bytes again (gossip delivering one message from several peers)
    const warmCache = createVerifyCache({ maxEntries: 2 * poolSize })
    for (const bytes of envelopes) open(bytes, { ...rules, cache: warmCache })
    const cachedRules: OpenOptions = { ...rules, cache: warmCache }
    const nextCached = cycle(envelopes)
    const nextIndex2 = cycle(Array.from({ length: poolSize }, (_, i) => i))
    const cached = await ctx.measure(
      'open (cached re-open)',
      {
        peerkit: () => open(nextCached(), cachedRules),
        'node-verify': () => {
          const i = nextIndex2()
          return verify(null, messages[i]!, nodePublic, signatures[i]!)
        },
      },
      fine,
    )
    ctx.ratio('envelope.open-cached/node-verify', cached.peerkit! / cached['node-verify']!)

    let n = 0
    const payloads = Array.from({ length: 64 }, (_, i) => payloadOf(i))
    const libp2pRecords = payloads.map((p) => libp2pRecord(encode(p)))
    const nodeSign = () => sign(null, messages[n++ & 63]!, nodePrivate)
    const sealed = await ctx.measure('seal', {
      peerkit: () => {
        n++
        return seal(signer, { domain: DOMAIN, payload: payloads[n & 63]!, timestamp: T0 + n })
      },
      'node-sign': nodeSign,
    })
    const sealViaNode = sealed.peerkit! / sealed['node-sign']!
    ctx.ratio('envelope.seal/node-sign', sealViaNode)
    const libp2pSealed = await ctx.measure('seal: libp2p RecordEnvelope.seal', {
      libp2p: () => RecordEnvelope.seal(libp2pRecords[n++ & 63]!, libp2pKey),
      'node-sign': nodeSign,
    })
    ctx.ratio(
      'envelope.seal/libp2p',
      sealViaNode / (libp2pSealed.libp2p! / libp2pSealed['node-sign']!),
    )
    const nostrSealed = await ctx.measure('seal: nostr finalizeEvent', {
      nostr: () =>
        finalizeEvent(
          {
            kind: 1,
            created_at: Math.floor(T0 / 1000) + n++,
            tags: [],
            content: 'x'.repeat(PAYLOAD_BYTES),
          },
          nostrKey,
        ),
      'node-sign': nodeSign,
    })
    ctx.ratio('envelope.seal/nostr', sealViaNode / (nostrSealed.nostr! / nostrSealed['node-sign']!))
  },
}

export default suite
