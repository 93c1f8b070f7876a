/**
 * The frame codec against its definition: `encodeFrame` writes `encode(frameValue(frame))`
 * for every kind, `decodeFrame` gives back every frame in range and accepts nothing but a
 * canonical frame (what it accepts encodes back to the same bytes), and `readIhave` reads
 * in place exactly the ihave frames `decodeFrame` decodes.
 */
import { encode } from '@peerkit/codec'
import { keyPairFromSeed, type PeerId, signerFromKeyPair } from '@peerkit/identity'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { announcements, createFrameReader, decodeFrame, readIhave } from '../src/frame-reader'
import { encodeFrame, frameValue } from '../src/frame-writer'
import { type Frame, type FrameLimits, idKeyOf, keyOfIdAt, type WireId } from '../src/frames'
import { isGossipError } from '../src/index'

const RUNS = Number(process.env.PEERKIT_FC_RUNS ?? 200)
const limits: FrameLimits = {
  maxFrameBytes: 100_000,
  maxIds: 20,
  maxPeers: 8,
  maxTopics: 8,
  maxTtl: 6,
  maxPeerDataBytes: 40,
}

const peers: PeerId[] = [1, 2, 3].map(
  (i) => signerFromKeyPair(keyPairFromSeed(new Uint8Array(32).fill(i))).peerId,
)

function id(fill: number): WireId {
  const bytes = new Uint8Array(36).fill(fill)
  bytes.set([0x01, 0x51, 0x12, 0x20])
  return { bytes, key: idKeyOf(bytes) }
}

// in range and out of it: empty, long, non-ASCII and too long topics, hop counts and lists
// beyond the limits, sources of the wrong length, empty and oversized records
const topic = fc.oneof(
  fc.constantFrom('a', 'news', 'sim'),
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 5 }),
  fc.string({ minLength: 250, maxLength: 258 }),
)
const hops = fc.oneof(fc.nat(30), fc.nat(0xffff), fc.integer({ min: 0x1_0000, max: 2 ** 32 }))
const wire = fc.integer({ min: 0, max: 255 }).map(id)
const source = fc.oneof(
  fc.uint8Array({ minLength: 32, maxLength: 32 }),
  fc.uint8Array({ minLength: 31, maxLength: 33 }),
)
const peer = fc.constantFrom(...peers)
// records beyond maxPeerDataBytes (40) included; an empty record is no record
const data = fc.option(fc.uint8Array({ minLength: 1, maxLength: 45 }), { nil: undefined })
const ttl = fc.nat(8)

/** Drops absent fields (an absent record is no field at all). */
function defined<T extends object>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as T
}

const frame: fc.Arbitrary<Frame> = fc.oneof(
  fc.record({
    kind: fc.constant('gossip' as const),
    topic,
    hops,
    envelope: fc.oneof(fc.uint8Array({ maxLength: 30 }), fc.uint8Array({ maxLength: 300 })),
  }),
  fc.record({
    kind: fc.constant('ihave' as const),
    topic,
    ids: fc.array(fc.record({ id: wire, hops, source }), { maxLength: 22 }),
  }),
  fc.record({ kind: fc.constant('iwant' as const), topic, ids: fc.array(wire, { maxLength: 22 }) }),
  fc.record({
    kind: fc.constant('graft' as const),
    topic,
    ids: fc.array(wire, { maxLength: 22 }),
    sources: fc.array(source, { maxLength: 22 }),
  }),
  fc.record({
    kind: fc.constant('prune' as const),
    topic,
    reason: fc.constantFrom(
      'duplicate' as const,
      'optimization' as const,
      'unsubscribed' as const,
      'score' as const,
    ),
    backoffMs: fc.nat(700_000),
    sources: fc.array(source, { maxLength: 3 }),
  }),
  fc.record({
    kind: fc.constant('subscriptions' as const),
    subscribe: fc.boolean(),
    topics: fc.array(topic, { maxLength: 9 }),
  }),
  fc.record({ kind: fc.constant('join' as const), data }).map(defined),
  fc.record({ kind: fc.constant('forward-join' as const), peer, ttl, data }).map(defined),
  fc.record({ kind: fc.constant('neighbor' as const), high: fc.boolean(), data }).map(defined),
  fc.record({ kind: fc.constant('neighbor-reply' as const), accepted: fc.boolean() }),
  fc.record({ kind: fc.constant('disconnect' as const) }),
  fc
    .record({
      kind: fc.constant('shuffle' as const),
      origin: peer,
      ttl,
      peers: fc.array(peer, { maxLength: 9 }),
    })
    .chain((f) =>
      fc
        .option(fc.array(data, { minLength: f.peers.length, maxLength: f.peers.length }), {
          nil: undefined,
        })
        .map((d) => defined({ ...f, data: d?.some((e) => e !== undefined) ? d : undefined })),
    ),
  fc.record({
    kind: fc.constant('shuffle-reply' as const),
    peers: fc.array(peer, { maxLength: 9 }),
  }),
)

const utf8 = new TextEncoder()

/** Whether a frame is within the limits, from the frame alone (what the decoder must accept). */
function inRange(f: Frame): boolean {
  const topicOk = (t: string) => t.length > 0 && utf8.encode(t).length <= 256
  const hopsOk = (h: number) => h <= 0xffff
  const sourcesOk = (s: Uint8Array[]) =>
    s.length <= limits.maxIds && s.every((x) => x.length === 32)
  const dataOk = (d: Uint8Array | undefined) => d === undefined || d.length <= 40
  switch (f.kind) {
    case 'gossip':
      return topicOk(f.topic) && hopsOk(f.hops)
    case 'ihave':
      return (
        topicOk(f.topic) &&
        f.ids.length <= limits.maxIds &&
        f.ids.every((e) => hopsOk(e.hops) && e.source.length === 32)
      )
    case 'iwant':
      return topicOk(f.topic) && f.ids.length <= limits.maxIds
    case 'graft':
      return topicOk(f.topic) && f.ids.length <= limits.maxIds && sourcesOk(f.sources)
    case 'prune':
      return topicOk(f.topic) && f.backoffMs <= 600_000 && sourcesOk(f.sources)
    case 'subscriptions':
      return (
        f.topics.length <= limits.maxTopics &&
        f.topics.every(topicOk) &&
        new Set(f.topics).size === f.topics.length
      )
    case 'join':
    case 'neighbor':
      return dataOk(f.data)
    case 'forward-join':
      return f.ttl <= limits.maxTtl && dataOk(f.data)
    case 'shuffle':
      return (
        f.ttl <= limits.maxTtl && f.peers.length <= limits.maxPeers && (f.data ?? []).every(dataOk)
      )
    case 'shuffle-reply':
      return f.peers.length <= limits.maxPeers
    default:
      return true
  }
}

/** Frames as plain data: bytes as arrays, peers as text. */
function normal(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (_k, v) => {
      if (v instanceof Uint8Array) return Array.from(v)
      if (v !== null && typeof v === 'object' && typeof v.toBytes === 'function')
        return v.toString()
      return v
    }),
  )
}

/** A frame's encoding, or the error's name when its values are outside CBOR's profile. */
function definition(f: Frame): Uint8Array | string {
  try {
    return encode(frameValue(f))
  } catch (error) {
    return (error as Error).name
  }
}

/** The decoded frame, or the name of the typed error. */
function verdict(bytes: Uint8Array): { frame: Frame } | { error: string } {
  try {
    return { frame: decodeFrame(bytes, limits) }
  } catch (error) {
    expect(isGossipError(error)).toBe(true)
    return { error: (error as Error).name }
  }
}

const edit = fc.record({
  at: fc.nat(),
  op: fc.constantFrom('flip', 'set', 'cut', 'insert', 'drop'),
  value: fc.integer({ min: 0, max: 255 }),
})
const edits = fc.array(edit, { minLength: 1, maxLength: 3 })

function corrupt(bytes: Uint8Array, changes: { at: number; op: string; value: number }[]) {
  let out = bytes.slice()
  for (const { at, op, value } of changes) {
    const i = out.length === 0 ? 0 : at % out.length
    if (op === 'flip') out[i] = out[i]! ^ (1 << (value % 8))
    else if (op === 'set') out[i] = value
    else if (op === 'cut') out = out.slice(0, i)
    else if (op === 'insert')
      out = new Uint8Array([...out.subarray(0, i), value, ...out.subarray(i)])
    else out = new Uint8Array([...out.subarray(0, i), ...out.subarray(i + 1)])
  }
  return out
}

describe('frame codec', () => {
  it('property: encodeFrame writes the encoding of frameValue, for every kind', () => {
    fc.assert(
      fc.property(frame, (f) => {
        const want = definition(f)
        if (typeof want === 'string') expect(() => encodeFrame(f)).toThrow()
        else expect(encodeFrame(f)).toEqual(want)
      }),
      { numRuns: RUNS * 3 },
    )
  })

  it('property: a frame decodes to itself exactly when it is within the limits, else fails as malformed', () => {
    let back = 0
    fc.assert(
      fc.property(frame, (f) => {
        const bytes = definition(f)
        if (typeof bytes === 'string') return
        const v = verdict(bytes)
        // accepted exactly when within the limits, and then as itself
        expect('frame' in v).toBe(inRange(f))
        if ('frame' in v) {
          back++
          expect(normal(v.frame)).toEqual(normal(f))
        } else expect(v.error).toBe('MalformedFrameError')
      }),
      { numRuns: RUNS * 3 },
    )
    // the generator is not all out of range
    expect(back).toBeGreaterThan(RUNS / 2)
  })

  it('property: what a corrupted frame decodes to encodes back to the same bytes', () => {
    fc.assert(
      fc.property(frame, edits, (f, changes) => {
        const bytes = definition(f)
        if (typeof bytes === 'string') return
        const changed = corrupt(bytes, changes)
        const v = verdict(changed)
        // one encoding per frame: anything accepted is canonical
        if ('frame' in v) expect(encodeFrame(v.frame)).toEqual(changed)
      }),
      { numRuns: RUNS * 5 },
    )
  })

  it('property: an ihave is read in place exactly when it decodes, to the same announcements', () => {
    const reader = createFrameReader()
    fc.assert(
      fc.property(frame, fc.option(edits), (f, changes) => {
        const encoded = definition(f)
        if (typeof encoded === 'string') return
        const bytes = changes === null ? encoded : corrupt(encoded, changes)
        const v = verdict(bytes)
        const decoded = 'frame' in v && v.frame.kind === 'ihave' ? v.frame : undefined
        const t = readIhave(reader, bytes, limits, 256)
        expect(t).toBe(decoded?.topic)
        if (decoded !== undefined) {
          expect(announcements(reader, bytes)).toEqual(decoded.ids)
          const { announced } = reader
          const keys = Array.from({ length: announced.count }, (_, i) =>
            keyOfIdAt(bytes, announced.at[i]!),
          )
          expect(keys).toEqual(decoded.ids.map((a) => a.id.key))
        }
        // a valid frame with a byte more or less at the end is not
        if (changes === null)
          for (const changed of [new Uint8Array([...bytes, 0]), bytes.subarray(0, -1)])
            expect(readIhave(reader, changed, limits, 256)).toBeUndefined()
      }),
      { numRuns: RUNS * 3 },
    )
  })

  it('keeps the last topic in a reader without mixing topics up', () => {
    const reader = createFrameReader()
    const ids = [{ id: id(1), hops: 1, source: new Uint8Array(32) }]
    for (const t of ['news', 'news', 'newt', 'été', 'news', 'ete']) {
      const bytes = encodeFrame({ kind: 'ihave', topic: t, ids })
      expect(readIhave(reader, bytes, limits, 256)).toBe(t)
      const gossip = encodeFrame({ kind: 'gossip', topic: t, hops: 1, envelope: new Uint8Array(1) })
      expect(decodeFrame(gossip, limits, undefined, reader)).toMatchObject({ topic: t })
    }
  })

  it('judges a frame of another version by its version alone', () => {
    // the body of another version may follow rules this one does not know
    for (const bytes of [
      encode([2, 0]),
      new Uint8Array([0x83, 0x02, 0x18, 0x01]),
      encode([0, 'anything', -1]),
      encode([-3, 1]),
    ])
      expect(verdict(bytes)).toEqual({ error: 'UnsupportedFrameVersionError' })
    expect(verdict(encode([2n ** 60n, 1]))).toEqual({ error: 'MalformedFrameError' })
  })

  it('hands out ids, sources and envelopes as views of the input, peers and records as copies', () => {
    const src = peers[2]!.publicKey
    const f: Frame = { kind: 'ihave', topic: 'a', ids: [{ id: id(1), hops: 2, source: src }] }
    const bytes = encodeFrame(f)
    const decoded = decodeFrame(bytes, limits)
    if (decoded.kind !== 'ihave') throw new Error('expected an ihave frame')
    expect(decoded).toEqual(f)
    expect(decoded.ids[0]!.id.bytes.buffer).toBe(bytes.buffer)
    expect(decoded.ids[0]!.source.buffer).toBe(bytes.buffer)
    const g = decodeFrame(
      encodeFrame({ kind: 'gossip', topic: 'a', hops: 1, envelope: new Uint8Array(300) }),
      limits,
    )
    if (g.kind !== 'gossip') throw new Error('expected a gossip frame')
    expect(g.envelope.byteOffset).toBeGreaterThan(0)
    const join = encodeFrame({ kind: 'join', data: new Uint8Array([1, 2, 3]) })
    const j = decodeFrame(join, limits)
    if (j.kind !== 'join' || j.data === undefined) throw new Error('expected a record')
    expect(j.data.buffer).not.toBe(join.buffer)
  })
})
