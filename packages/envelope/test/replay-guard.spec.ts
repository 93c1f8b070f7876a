import { contentId, encode, type Value } from '@peerkit/codec'
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { createReplayGuard, open, type ReplayClaim, replayGuardFromBytes, seal } from '../src/index'
import { alice, bob, DOMAIN, errorName, rules, T, thrown } from './fixtures/peers'

const RUNS = Number(process.env.PEERKIT_FC_RUNS ?? 100)

/** A claim for tests of the guard alone: the digest is the id number in 32 bytes. */
function claim(
  id: number,
  timestamp: number,
  forgetAt: number,
  extra: Partial<ReplayClaim> = {},
): ReplayClaim {
  const digest = new Uint8Array(32)
  new DataView(digest.buffer).setUint32(28, id)
  return {
    digest,
    signer: alice.publicKey,
    timestamp,
    forgetAt,
    ageBound: true,
    sequence: undefined,
    ...extra,
  }
}

/** A saved form around `state`, with a correct checksum. */
function wrap(state: Value): Uint8Array {
  const bytes = encode(state)
  return encode({ v: 2, state: bytes, sum: contentId(bytes).bytes.subarray(4) })
}

function reason(fn: () => unknown): string | undefined {
  return (thrown(fn) as { reason?: string } | undefined)?.reason
}

describe('replay guard', () => {
  test('refuses what it accepted, however late inside the window', async () => {
    const guard = createReplayGuard()
    const bytes = await seal(alice, { domain: DOMAIN, payload: 'x', timestamp: T })
    open(bytes, { ...rules, replayGuard: guard })
    for (const now of [T, T + 1, T + 300_000, T + 600_000]) {
      expect(reason(() => open(bytes, { ...rules, now, replayGuard: guard }))).toBe('duplicate')
    }
    // past the window the time check refuses it, and the guard has let it go
    expect(errorName(() => open(bytes, { ...rules, now: T + 600_001, replayGuard: guard }))).toBe(
      'ExpiredError',
    )
    guard.prune(T + 600_001)
    expect(guard.size).toBe(0)
  })

  test('forgets each entry when the window lets go of it, not before', () => {
    const guard = createReplayGuard()
    guard.accept(claim(1, 100, 200), 100)
    guard.accept(claim(2, 150, 160, { ageBound: false }), 150)
    guard.prune(159)
    expect(guard.size).toBe(2)
    guard.prune(160)
    expect(guard.size).toBe(1)
    expect(guard.has(claim(1, 0, 0).digest)).toBe(true)
    // an entry forgotten by its own expiry does not raise the floor; one forgotten by age does
    expect(guard.floor).toBeUndefined()
    guard.prune(200)
    expect(guard.size).toBe(0)
    expect(guard.floor).toBe(100)
    expect(reason(() => guard.check(claim(3, 100, 1000)))).toBe('below-floor')
    guard.check(claim(3, 101, 1000))
  })

  test('memory stays within maxEntries; evicting raises the floor so no replay gets through', () => {
    const guard = createReplayGuard({ maxEntries: 3 })
    for (let i = 0; i < 10; i++) guard.accept(claim(i, 1000 + i, 1_000_000 + i), 1000 + i)
    expect(guard.size).toBe(3)
    // ids 0..6 were evicted: every one of them is still refused, by the floor
    expect(guard.floor).toBe(1006)
    for (let i = 0; i < 7; i++)
      expect(reason(() => guard.check(claim(i, 1000 + i, 1_000_000 + i)))).toBe('below-floor')
    for (let i = 7; i < 10; i++)
      expect(reason(() => guard.check(claim(i, 1000 + i, 1_000_000 + i)))).toBe('duplicate')
    guard.check(claim(99, 1007, 2_000_000))
  })

  test('sequence numbers: increasing per signer, required when asked for', async () => {
    const guard = createReplayGuard({ requireSequence: true })
    const make = (signer: typeof alice, sequence: number | undefined, n: number) =>
      seal(signer, { domain: DOMAIN, payload: n, timestamp: T + n, sequence })
    const options = { ...rules, now: T + 100, replayGuard: guard }
    const undefinedSequence = await seal(alice, {
      domain: DOMAIN,
      payload: 'no sequence',
      timestamp: T,
    })
    open(await make(alice, 1, 1), options)
    open(await make(alice, 5, 2), options)
    expect(reason(() => open(undefinedSequence, options))).toBe('sequence-missing')
    const stale = await make(alice, 3, 3)
    expect(reason(() => open(stale, options))).toBe('sequence')
    expect(reason(() => open(stale, options))).toBe('sequence')
    const again = await make(alice, 5, 4)
    expect(reason(() => open(again, options))).toBe('sequence')
    // another signer has its own sequence
    open(await make(bob, 1, 5), options)
    open(await make(alice, 6, 6), options)
    expect(guard.signerCount).toBe(2)
    // without requireSequence the numbers are not looked at
    const relaxed = createReplayGuard()
    open(await make(alice, 9, 7), { ...options, replayGuard: relaxed })
    open(await make(alice, 2, 8), { ...options, replayGuard: relaxed })
    expect(relaxed.signerCount).toBe(0)
  })

  test('sequence records are bounded and forgotten with the window', () => {
    const guard = createReplayGuard({ requireSequence: true, maxSigners: 2 })
    const key = (n: number) => Uint8Array.from({ length: 32 }, () => n)
    for (let n = 0; n < 5; n++)
      guard.accept(claim(n, 1000 + n, 2000 + n, { signer: key(n), sequence: 1 }), 1000 + n)
    expect(guard.signerCount).toBe(2)
    expect(guard.floor).toBe(1002)
    guard.prune(2004)
    expect(guard.signerCount).toBe(0)
  })

  test('saved state restores to the same behaviour and the same bytes', async () => {
    const guard = createReplayGuard({ requireSequence: true })
    const opened: Uint8Array[] = []
    for (let i = 0; i < 5; i++) {
      const bytes = await seal(i % 2 ? alice : bob, {
        domain: DOMAIN,
        payload: i,
        timestamp: T + i,
        sequence: 2n ** 63n + BigInt(i),
      })
      open(bytes, { ...rules, replayGuard: guard })
      opened.push(bytes)
    }
    guard.accept(
      claim(77, T, Number.POSITIVE_INFINITY, { signer: new Uint8Array(32).fill(1), sequence: 3 }),
      T,
    )
    const saved = guard.toBytes()
    const restored = replayGuardFromBytes(saved, { requireSequence: true })
    expect(restored.toBytes()).toEqual(saved)
    expect(restored.size).toBe(guard.size)
    expect(restored.signerCount).toBe(guard.signerCount)
    for (const bytes of opened)
      expect(reason(() => open(bytes, { ...rules, replayGuard: restored }))).toBe('duplicate')
    const next = await seal(alice, {
      domain: DOMAIN,
      payload: 'next',
      timestamp: T + 10,
      sequence: 2n ** 63n,
    })
    expect(reason(() => open(next, { ...rules, replayGuard: restored }))).toBe('sequence')
  })

  test('a window too large to be exact is kept forever, and still saves', async () => {
    const guard = createReplayGuard()
    const bytes = await seal(alice, { domain: DOMAIN, payload: 'long', timestamp: T })
    open(bytes, { ...rules, maxAgeMs: Number.MAX_SAFE_INTEGER, replayGuard: guard })
    guard.accept(claim(5, 10, Number.NaN), 10)
    guard.prune(Number.MAX_SAFE_INTEGER)
    expect(guard.size).toBe(2)
    expect(replayGuardFromBytes(guard.toBytes()).toBytes()).toEqual(guard.toBytes())
  })

  test('equal states give equal bytes, whatever the order of arrival', () => {
    const a = createReplayGuard()
    const b = createReplayGuard()
    for (let i = 0; i < 20; i++) a.accept(claim(i, 100 + i, 1000 + i), 100)
    for (let i = 19; i >= 0; i--) b.accept(claim(i, 100 + i, 1000 + i), 100)
    expect(a.toBytes()).toEqual(b.toBytes())
  })

  test('restoring into a smaller guard evicts safely', () => {
    const guard = createReplayGuard()
    for (let i = 0; i < 10; i++) guard.accept(claim(i, 100 + i, 1000 + i), 100)
    const small = replayGuardFromBytes(guard.toBytes(), { maxEntries: 4, savedMaxEntries: 10 })
    expect(small.size).toBe(4)
    expect(small.floor).toBe(105)
    for (let i = 0; i < 10; i++)
      expect(thrown(() => small.check(claim(i, 100 + i, 1000 + i)))).toBeDefined()
  })

  test('corrupt saved state is an InvalidStateError', () => {
    const guard = createReplayGuard()
    guard.accept(claim(1, 100, 200), 100)
    guard.accept(claim(2, 100, 200), 100)
    const saved = guard.toBytes()
    const bad = [
      new Uint8Array(),
      saved.subarray(0, saved.length - 1),
      encode({
        v: 3,
        state: encode({ floor: null, ids: [], signers: [] }),
        sum: new Uint8Array(32),
      }),
      wrap({ floor: null, ids: [] }),
      wrap({ floor: -1, ids: [], signers: [] }),
      wrap({ floor: null, ids: [[new Uint8Array(31), 1, 2, true]], signers: [] }),
      wrap({ floor: null, ids: [[new Uint8Array(32), 5, 5, true]], signers: [] }),
      wrap({ floor: null, ids: [[new Uint8Array(32), 5, 6, 'yes']], signers: [] }),
      wrap({
        floor: null,
        ids: [
          [new Uint8Array(32), 5, 6, true],
          [new Uint8Array(32), 5, 6, true],
        ],
        signers: [],
      }),
      wrap({ floor: null, ids: [], signers: [[new Uint8Array(32), -1, 5, 6, true]] }),
      encode([1, 2, 3]),
      wrap([1, 2, 3]),
    ]
    for (const bytes of bad)
      expect(errorName(() => replayGuardFromBytes(bytes))).toBe('InvalidStateError')
    expect(errorName(() => replayGuardFromBytes(saved, { maxBytes: 10 }))).toBe(
      'LimitExceededError',
    )
    expect(errorName(() => replayGuardFromBytes('x' as never))).toBe('InvalidArgumentError')
    expect(errorName(() => createReplayGuard({ maxEntries: 0 }))).toBe('InvalidArgumentError')
    expect(errorName(() => createReplayGuard({ requireSequence: 'yes' as never }))).toBe(
      'InvalidArgumentError',
    )
  })

  test('property: never accepts an id twice, stays within bounds; unless full, refuses no fresh statement', () => {
    // a model of open's time rule for one fixed window, and a stream of envelopes and clock ticks
    const MAX_AGE = 50
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('open' as const),
        id: fc.nat(40),
        age: fc.integer({ min: -5, max: 60 }),
        expiry: fc.option(fc.integer({ min: 1, max: 80 })),
      }),
      fc.record({ kind: fc.constant('tick' as const), by: fc.nat(30) }),
      fc.record({ kind: fc.constant('save' as const) }),
    )
    fc.assert(
      fc.property(
        fc.array(op, { maxLength: 120 }),
        fc.oneof(fc.integer({ min: 1, max: 12 }), fc.constant(1000)),
        (ops, maxEntries) => {
          let guard = createReplayGuard({ maxEntries })
          let now = 1000
          // an id's statement has one timestamp and expiry, fixed the first time it is seen
          const statements = new Map<number, { timestamp: number; expiresAt: number | undefined }>()
          const accepted = new Set<number>()
          for (const step of ops) {
            if (step.kind === 'tick') now += step.by
            else if (step.kind === 'save')
              guard = replayGuardFromBytes(guard.toBytes(), {
                maxEntries,
                savedMaxEntries: maxEntries,
              })
            else {
              let statement = statements.get(step.id)
              if (statement === undefined) {
                const timestamp = now - step.age
                statement = {
                  timestamp,
                  expiresAt: step.expiry === null ? undefined : timestamp + step.expiry,
                }
                statements.set(step.id, statement)
              }
              const { timestamp, expiresAt } = statement
              // open's time checks
              if (
                timestamp - now > 10 ||
                (expiresAt !== undefined && now >= expiresAt) ||
                now - timestamp > MAX_AGE
              )
                continue
              const ageLimit = timestamp + MAX_AGE + 1
              const c = claim(
                step.id,
                timestamp,
                Math.min(ageLimit, expiresAt ?? Number.POSITIVE_INFINITY),
                {
                  ageBound: ageLimit <= (expiresAt ?? Number.POSITIVE_INFINITY),
                },
              )
              const refused = thrown(() => guard.check(c)) !== undefined
              // a guard that never had to evict refuses only what it accepted before
              if (maxEntries === 1000) expect(refused).toBe(accepted.has(step.id))
              if (!refused) {
                expect(accepted.has(step.id)).toBe(false)
                guard.accept(c, now)
                accepted.add(step.id)
              }
            }
            expect(guard.size).toBeLessThanOrEqual(maxEntries)
          }
        },
      ),
      { numRuns: RUNS },
    )
  })
})
