import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createAddressBook } from '../src/address-book'
import { MAX_PEER_RECORD_BYTES } from '../src/constants'
import { isNetError } from '../src/errors'
import { openPeerRecord, sealPeerRecord } from '../src/peer-record'
import { type ControlMessage, decodeControl, encodeControl } from '../src/protocols'
import { createMemoryBudget, createOutboundQueue } from '../src/queue'
import { createTokenBucket } from '../src/rate-limit'
import { signerOf } from './fixtures/nodes'

const frame = (size: number, mark = 0) => new Uint8Array(size).fill(mark)

describe('outbound queue', () => {
  it('sends by priority, oldest first within one', () => {
    const queue = createOutboundQueue({ maxBytes: 1000, budget: createMemoryBudget(1000) })
    queue.push(frame(1, 4), 'lazy')
    queue.push(frame(1, 3), 'forward')
    queue.push(frame(1, 1), 'control')
    queue.push(frame(1, 2), 'publish')
    queue.push(frame(1, 5), 'control')
    const order: number[] = []
    for (let f = queue.shift(); f !== undefined; f = queue.shift()) order.push(f[0] as number)
    expect(order).toEqual([1, 5, 2, 3, 4])
    expect(queue.bytes).toBe(0)
  })

  it('drops the lowest priority past its bound, and refuses what has nothing lower', () => {
    const budget = createMemoryBudget(10_000)
    const queue = createOutboundQueue({ maxBytes: 100, budget })
    expect(queue.push(frame(40), 'lazy')).toEqual({ accepted: true, dropped: 0 })
    expect(queue.push(frame(40), 'forward')).toEqual({ accepted: true, dropped: 0 })
    expect(queue.push(frame(40), 'control')).toEqual({ accepted: true, dropped: 1 })
    expect(queue.push(frame(40), 'lazy')).toEqual({ accepted: false, dropped: 1 })
    expect(queue.bytes).toBe(80)
    expect(budget.used).toBe(80)
    queue.clear()
    expect(budget.used).toBe(0)
  })

  it('shares one memory budget between queues', () => {
    const budget = createMemoryBudget(100)
    const a = createOutboundQueue({ maxBytes: 100, budget })
    const b = createOutboundQueue({ maxBytes: 100, budget })
    expect(a.push(frame(80), 'forward').accepted).toBe(true)
    expect(b.push(frame(40), 'forward').accepted).toBe(false)
    a.shift()
    expect(b.push(frame(40), 'forward').accepted).toBe(true)
  })

  it('keeps bytes and budget consistent under any sequence (property)', () => {
    const priorities = ['control', 'publish', 'forward', 'lazy'] as const
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.tuple(fc.integer({ min: 0, max: 60 }), fc.constantFrom(...priorities)),
            fc.constant(null),
          ),
          {
            maxLength: 200,
          },
        ),
        (ops) => {
          const budget = createMemoryBudget(150)
          const queue = createOutboundQueue({ maxBytes: 120, budget })
          let held = 0
          for (const op of ops) {
            if (op === null) held -= queue.shift()?.length ?? 0
            else {
              const before = queue.bytes
              const result = queue.push(frame(op[0]), op[1])
              held = queue.bytes
              expect(queue.bytes).toBeLessThanOrEqual(120)
              if (result.accepted) expect(queue.bytes).toBeLessThanOrEqual(before + op[0])
            }
            expect(queue.bytes).toBe(held)
            expect(budget.used).toBe(queue.bytes)
          }
        },
      ),
    )
  })
})

describe('token bucket', () => {
  it('allows the burst, then the rate', () => {
    const bucket = createTokenBucket({ ratePerSecond: 10, burst: 5, now: 0 })
    for (let i = 0; i < 5; i++) expect(bucket.take(1, 0)).toBe(true)
    expect(bucket.take(1, 0)).toBe(false)
    expect(bucket.take(1, 100)).toBe(true)
    expect(bucket.take(1, 100)).toBe(false)
    expect(bucket.take(5, 10_000)).toBe(true)
    expect(bucket.take(6, 20_000)).toBe(false)
  })
})

describe('peer records', () => {
  const alice = signerOf(1)
  const bob = signerOf(2)

  it('round-trips and checks the signer', async () => {
    const bytes = await sealPeerRecord(alice, { addresses: ['memory://a'], sequence: 7 })
    const record = openPeerRecord(bytes, { expectedPeer: alice.peerId })
    expect(record.addresses).toEqual(['memory://a'])
    expect(record.sequence).toBe(7)
    expect(() => openPeerRecord(bytes, { expectedPeer: bob.peerId })).toThrow(
      expect.objectContaining({ name: 'InvalidPeerRecordError' }),
    )
  })

  it('refuses a tampered, oversized or wrong-domain record', async () => {
    const bytes = await sealPeerRecord(alice, { addresses: ['memory://a'], sequence: 7 })
    const tampered = bytes.slice()
    tampered[tampered.length - 70] = (tampered[tampered.length - 70] ?? 0) ^ 1
    for (const bad of [tampered, new Uint8Array(MAX_PEER_RECORD_BYTES + 1), new Uint8Array(3)]) {
      let error: unknown
      try {
        openPeerRecord(bad)
      } catch (e) {
        error = e
      }
      expect(isNetError(error, 'InvalidPeerRecordError')).toBe(true)
    }
    await expect(
      sealPeerRecord(alice, {
        addresses: Array.from({ length: 17 }, (_, i) => `memory://${i}`),
        sequence: 1,
      }),
    ).rejects.toMatchObject({ name: 'InvalidArgumentError' })
    await expect(
      sealPeerRecord(alice, { addresses: ['has space'], sequence: 1 }),
    ).rejects.toMatchObject({
      name: 'InvalidArgumentError',
    })
  })

  it('never throws anything but InvalidPeerRecordError on random bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1200 }), (bytes) => {
        try {
          openPeerRecord(bytes)
        } catch (error) {
          expect(isNetError(error, 'InvalidPeerRecordError')).toBe(true)
        }
      }),
    )
  })

  it('the address book keeps the newest sequence', async () => {
    const book = createAddressBook({ maxEntries: 2 })
    const older = openPeerRecord(
      await sealPeerRecord(alice, { addresses: ['memory://old'], sequence: 1 }),
    )
    const newer = openPeerRecord(
      await sealPeerRecord(alice, { addresses: ['memory://new'], sequence: 2 }),
    )
    expect(book.putRecord(newer)).toBe(true)
    expect(book.putRecord(older)).toBe(false)
    book.addAddress(alice.peerId, 'memory://dialed')
    expect(book.addresses(alice.peerId.toString())).toEqual(['memory://new', 'memory://dialed'])
    book.addAddress(bob.peerId, 'memory://b')
    book.addAddress(signerOf(3).peerId, 'memory://c')
    expect(book.size).toBe(2)
    expect(book.get(alice.peerId.toString())).toBeUndefined()
  })
})

describe('control frames', () => {
  it('round-trip', () => {
    const messages = [
      {
        kind: 'hello',
        record: new Uint8Array([1, 2]),
        protocols: ['/a/1', '', '/b/2'],
        idleTimeoutMs: 45_000,
      },
      { kind: 'protocols', protocols: ['/a/1'] },
      { kind: 'record', record: new Uint8Array([3]) },
      { kind: 'ping' },
    ] satisfies ControlMessage[]
    for (const message of messages) {
      expect(decodeControl(encodeControl(message).subarray(1))).toEqual(message)
    }
  })

  it('never throw anything but MalformedFrameError on random bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        try {
          decodeControl(bytes)
        } catch (error) {
          expect(isNetError(error, 'MalformedFrameError')).toBe(true)
        }
      }),
    )
  })
})
