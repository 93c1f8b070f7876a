import { encode } from '@peerkit/codec'
import { createVerifyCache, seal } from '@peerkit/envelope'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  createOfferBook,
  DEFAULT_MAX_OFFER_BYTES,
  OFFER_DOMAIN,
  type OfferBook,
  openOffer,
  tryOpenOffer,
} from '../src/index'
import {
  alice,
  bob,
  cancel,
  carol,
  HOUR,
  MINUTE,
  mallory,
  offer,
  signer,
  T0,
} from './fixtures/offers'

function snapshot(book: OfferBook) {
  return {
    size: book.size,
    cancels: book.cancels,
    bytes: book.bytes,
    page: book.page(T0, 1000).envelopes,
  }
}

function rejected(book: OfferBook, bytes: Uint8Array, name: string, now = T0): void {
  const before = snapshot(book)
  const r = book.add(bytes, now)
  expect(r.status).toBe('rejected')
  if (r.status === 'rejected') expect(r.error.name).toBe(name)
  expect(snapshot(book)).toEqual(before)
}

describe('offers', () => {
  it('seal and open round trip every field', async () => {
    const bytes = await offer(alice, { payment: ['sepa', 'revolut'] }, { sequence: 7 })
    const o = openOffer(bytes, { now: T0 })
    expect(o.maker.equals(alice.peerId)).toBe(true)
    expect(o.sequence).toBe(7)
    expect(o.expiresAt).toBe(T0 + HOUR)
    expect(o.terms?.amount).toBe(100_000n)
    expect(o.terms?.price).toBe(5000n)
    expect(o.terms?.payment).toEqual(['sepa', 'revolut'])
    expect(o.terms?.arbiters[0]?.equals(carol.peerId)).toBe(true)
    expect(o.terms?.bond).toEqual({ seller: 10_000n, buyer: 5_000n })
  })

  it('refuses to seal terms a receiver would refuse', async () => {
    await expect(offer(alice, { amount: 0n })).rejects.toHaveProperty(
      'name',
      'InvalidArgumentError',
    )
    await expect(offer(alice, { payment: [] })).rejects.toHaveProperty(
      'name',
      'InvalidArgumentError',
    )
    await expect(
      offer(alice, { windows: { fund: 2, pay: 1, dispute: 3, resolve: 4 } }),
    ).rejects.toHaveProperty('name', 'InvalidArgumentError')
    await expect(offer(alice, {}, { expiresAt: T0 })).rejects.toHaveProperty(
      'name',
      'InvalidArgumentError',
    )
  })
})

describe('the book: replace and cancel', () => {
  it('keeps the newest version; older versions are replays', async () => {
    const book = createOfferBook()
    const v1 = await offer(alice, { price: 50_00n }, { sequence: 1 })
    const v2 = await offer(alice, { price: 49_00n }, { sequence: 2 })
    expect(book.add(v1, T0).status).toBe('added')
    expect(book.add(v1, T0).status).toBe('duplicate')
    expect(book.add(v2, T0).status).toBe('replaced')
    expect(book.size).toBe(1)
    expect(book.query({}, T0)[0]?.terms?.price).toBe(49_00n)
    rejected(book, v1, 'StaleOfferError')
    const other = await offer(alice, { price: 1_00n }, { sequence: 2 })
    rejected(book, other, 'ConflictingOfferError')
  })

  it('a cancel is final: no version after it is taken, and it is kept until they all expire', async () => {
    const book = createOfferBook()
    await book.add(await offer(alice, {}, { sequence: 1 }), T0)
    const c = await cancel(alice, 1, { sequence: 2 })
    const r = book.add(c, T0 + 1)
    expect(r.status).toBe('cancelled')
    if (r.status === 'cancelled') expect(r.evicted).toHaveLength(1)
    expect(book.size).toBe(0)
    expect(book.isCancelled(alice.peerId.toString(), '01')).toBe(true)
    expect(book.add(c, T0 + 2).status).toBe('duplicate')
    rejected(book, await offer(alice, {}, { sequence: 1 }), 'CancelledOfferError')
    rejected(book, await offer(alice, {}, { sequence: 9 }), 'CancelledOfferError')
    // a cancel that arrives first still wins over the offer arriving later
    const fresh = createOfferBook()
    expect(fresh.add(c, T0).status).toBe('cancelled')
    rejected(fresh, await offer(alice, {}, { sequence: 1 }), 'CancelledOfferError')
    // retained past its own expiry (a version might still be live), dropped after the lifetime
    book.prune(T0 + 2 * HOUR)
    expect(book.cancels).toBe(1)
    book.prune(T0 + 25 * HOUR)
    expect(book.cancels).toBe(0)
  })

  it('expires offers: they stop showing, prune drops them, and a late one is refused', async () => {
    const book = createOfferBook()
    book.add(await offer(alice, {}, { expiresAt: T0 + 10 * MINUTE }), T0)
    book.add(await offer(bob, {}, { expiresAt: T0 + HOUR }), T0)
    expect(book.query({}, T0 + 11 * MINUTE)).toHaveLength(1)
    expect(book.get(alice.peerId.toString(), '01', T0 + 11 * MINUTE)).toBeUndefined()
    expect(book.prune(T0 + 11 * MINUTE)).toBe(1)
    expect(book.size).toBe(1)
    rejected(
      book,
      await offer(carol, {}, { expiresAt: T0 + MINUTE }),
      'ExpiredOfferError',
      T0 + MINUTE,
    )
  })
})

describe('the book: bounded', () => {
  it('holds at most maxOffersPerMaker of one maker', async () => {
    const book = createOfferBook({ maxOffersPerMaker: 3 })
    for (let i = 0; i < 3; i++)
      expect(book.add(await offer(alice, { id: new Uint8Array([i]) }), T0).status).toBe('added')
    rejected(book, await offer(alice, { id: new Uint8Array([9]) }), 'MakerLimitError')
    // replacing a held offer is not a new one
    expect(
      book.add(await offer(alice, { id: new Uint8Array([0]) }, { sequence: 2 }), T0).status,
    ).toBe('replaced')
  })

  it('holds at most maxOffers; when full, the largest maker gives way, never a fair one', async () => {
    const book = createOfferBook({ maxOffers: 6, maxOffersPerMaker: 6 })
    for (let i = 0; i < 5; i++)
      book.add(await offer(mallory, { id: new Uint8Array([i]) }, { expiresAt: T0 + HOUR + i }), T0)
    book.add(await offer(alice), T0)
    expect(book.size).toBe(6)
    const r = book.add(await offer(bob), T0)
    expect(r.status).toBe('added')
    if (r.status === 'added') {
      expect(r.evicted).toHaveLength(1)
      expect(r.evicted[0]?.maker.equals(mallory.peerId)).toBe(true)
      expect(r.evicted[0]?.expiresAt).toBe(T0 + HOUR)
    }
    expect(book.size).toBe(6)
    // mallory, holding the most, cannot push anyone else out
    rejected(book, await offer(mallory, { id: new Uint8Array([42]) }), 'BookFullError')
    expect(book.query({ maker: alice.peerId.toString() }, T0)).toHaveLength(1)
  })

  it('takes at most makerUpdates updates of one maker per window', async () => {
    const book = createOfferBook({ makerUpdates: 4, makerWindowMs: MINUTE })
    for (let s = 1; s <= 4; s++)
      expect(book.add(await offer(alice, {}, { sequence: s }), T0).status).not.toBe('rejected')
    rejected(book, await offer(alice, {}, { sequence: 5 }), 'MakerRateError')
    expect(book.add(await offer(alice, {}, { sequence: 5 }), T0 + MINUTE).status).toBe('replaced')
  })

  it('bounds cancels per maker and in total', async () => {
    const book = createOfferBook({ maxCancelsPerMaker: 2, maxCancels: 3, makerUpdates: 100 })
    for (let i = 0; i < 2; i++)
      expect(book.add(await cancel(alice, i), T0).status).toBe('cancelled')
    rejected(book, await cancel(alice, 3), 'MakerLimitError')
    expect(book.add(await cancel(bob, 0), T0).status).toBe('cancelled')
    rejected(book, await cancel(carol, 0), 'BookFullError')
  })
})

describe('the book: hostile offers', () => {
  it('refuses a forged offer (any byte of the signature flipped)', async () => {
    const book = createOfferBook()
    const bytes = await offer(alice)
    for (const at of [bytes.length - 2, bytes.length - 40, bytes.length - 65]) {
      const forged = bytes.slice()
      forged[at]! ^= 1
      rejected(book, forged, 'ForgedOfferError')
    }
  })

  it('takes a verify cache: a signature checked once is not checked again, a forgery is still refused', async () => {
    const cache = createVerifyCache()
    const bytes = await offer(alice)
    expect(createOfferBook({ cache }).add(bytes, T0).status).toBe('added')
    expect(cache.size).toBe(1)
    const [key] = [...cache.keys()]
    // a second book sharing the cache files the same envelope from the remembered verdict
    const other = createOfferBook({ cache })
    expect(other.add(bytes, T0).status).toBe('added')
    expect([...cache.keys()]).toEqual([key])
    for (const at of [bytes.length - 2, bytes.length - 40]) {
      const forged = bytes.slice()
      forged[at]! ^= 1
      rejected(createOfferBook({ cache }), forged, 'ForgedOfferError')
    }
    expect(cache.size).toBe(1)
    expect(() => createOfferBook({ cache: {} as never })).toThrow(
      expect.objectContaining({ name: 'InvalidArgumentError' }),
    )
  })

  it('refuses an oversized offer before reading it', async () => {
    const book = createOfferBook()
    rejected(book, new Uint8Array(DEFAULT_MAX_OFFER_BYTES + 1), 'OfferTooLargeError')
    const big = await offer(alice, {
      payment: Array.from({ length: 8 }, (_, i) => `${i}`.padStart(32, 'x')),
    })
    const small = createOfferBook({ maxOfferBytes: 300 })
    expect(big.length).toBeGreaterThan(300)
    rejected(small, big, 'OfferTooLargeError')
  })

  it('refuses offers dated ahead, without expiry, living too long, or of another domain', async () => {
    const book = createOfferBook()
    rejected(
      book,
      await offer(alice, {}, { timestamp: T0 + MINUTE, expiresAt: T0 + HOUR }),
      'NotYetValidOfferError',
    )
    rejected(book, await offer(alice, {}, { expiresAt: T0 + 25 * HOUR }), 'OfferLifetimeError')
    const noExpiry = await seal(alice, {
      domain: OFFER_DOMAIN,
      payload: { v: 1, id: new Uint8Array([1]), cancel: true },
      timestamp: T0,
      sequence: 1,
    })
    rejected(book, noExpiry, 'MalformedOfferError')
    const noSequence = await seal(alice, {
      domain: OFFER_DOMAIN,
      payload: { v: 1, id: new Uint8Array([1]), cancel: true },
      timestamp: T0,
      expiresAt: T0 + HOUR,
    })
    rejected(book, noSequence, 'MalformedOfferError')
    const otherDomain = await seal(alice, {
      domain: 'peerkit/gossip/1',
      payload: { v: 1 },
      timestamp: T0,
      expiresAt: T0 + HOUR,
      sequence: 1,
    })
    rejected(book, otherDomain, 'MalformedOfferError')
  })

  it('refuses malformed payloads with a typed reason', async () => {
    const book = createOfferBook()
    const base = {
      v: 1,
      id: new Uint8Array([1]),
      side: 'sell',
      asset: 'BTC',
      amount: 1,
      currency: 'EUR',
      price: 1,
      payment: ['x'],
      arbiters: [carol.peerId.toBytes()],
      bond: { seller: 0, buyer: 0 },
      windows: { fund: 1, pay: 2, dispute: 3, resolve: 4 },
    }
    const bad = [
      { ...base, v: 2 },
      { ...base, side: 'both' },
      { ...base, amount: -1 },
      { ...base, extra: 1 },
      { ...base, arbiters: [new Uint8Array(5)] },
      { ...base, payment: ['x', 'x'] },
      { ...base, windows: { fund: 1, pay: 1, dispute: 3, resolve: 4 } },
      { v: 1, id: new Uint8Array([1]), cancel: false },
      { v: 1, id: new Uint8Array(33), cancel: true },
    ]
    for (const payload of bad) {
      const bytes = await seal(alice, {
        domain: OFFER_DOMAIN,
        payload,
        timestamp: T0,
        expiresAt: T0 + HOUR,
        sequence: 1,
      })
      rejected(book, bytes, 'MalformedOfferError')
    }
    expect(
      book.add(
        await seal(alice, {
          domain: OFFER_DOMAIN,
          payload: base,
          timestamp: T0,
          expiresAt: T0 + HOUR,
          sequence: 1,
        }),
        T0,
      ).status,
    ).toBe('added')
  })

  it('any bytes at all: a typed rejection or an offer, never a throw, and a rejection changes nothing', async () => {
    const book = createOfferBook()
    book.add(await offer(bob), T0)
    const valid = await offer(alice)
    const before = snapshot(book)
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 3000 }),
          fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 1, max: 255 })).map(([at, x]) => {
            const b = valid.slice()
            b[at]! ^= x
            return b
          }),
          fc.anything().map((v) => {
            try {
              return encode(v as never)
            } catch {
              return new Uint8Array([0xff])
            }
          }),
        ),
        (bytes) => {
          const r = book.add(bytes, T0)
          if (r.status === 'rejected') {
            expect(r.error.name).toMatch(/Offer|Error/)
            expect(snapshot(book)).toEqual(before)
          } else {
            // a mutation that still verifies can only be the same statement
            expect(tryOpenOffer(bytes, { now: T0 }).ok).toBe(true)
            book.dropMaker(alice.peerId.toString())
          }
        },
      ),
      { numRuns: 300 },
    )
  })

  it('spam from one maker: the rate limit and the per-maker bound hold, others still get in', async () => {
    const book = createOfferBook({ maxOffersPerMaker: 8, makerUpdates: 16 })
    const spammer = signer(99)
    const results: string[] = []
    for (let i = 0; i < 60; i++) {
      const r = book.add(
        await offer(spammer, { id: new Uint8Array([i % 12]) }, { sequence: i }),
        T0,
      )
      results.push(r.status === 'rejected' ? r.error.name : r.status)
    }
    expect(book.query({ maker: spammer.peerId.toString() }, T0).length).toBeLessThanOrEqual(8)
    expect(results.filter((r) => r === 'MakerRateError').length).toBeGreaterThanOrEqual(40)
    expect(results).toContain('MakerLimitError')
    expect(book.add(await offer(alice), T0).status).toBe('added')
  })

  it('refuses makers the admission policy refuses', async () => {
    const blocked = new Set([mallory.peerId.toString()])
    const book = createOfferBook({ admit: (maker) => !blocked.has(maker) })
    rejected(book, await offer(mallory), 'RefusedMakerError')
    expect(book.add(await offer(alice), T0).status).toBe('added')
  })
})

describe('queries', () => {
  it('filters by asset, side, currency, payment, arbiter and unit price; ranks by price', async () => {
    const book = createOfferBook()
    book.add(await offer(alice, { price: 60_00n }), T0)
    book.add(await offer(bob, { price: 50_00n, amount: 200_000n }), T0) // cheaper per unit
    book.add(await offer(carol, { asset: 'ETH', payment: ['cash'], arbiters: [alice.peerId] }), T0)
    book.add(await offer(mallory, { side: 'buy', price: 40_00n }), T0)
    const sells = book.query({ asset: 'BTC', side: 'sell' }, T0)
    expect(sells.map((o) => o.maker.toString())).toEqual([
      bob.peerId.toString(),
      alice.peerId.toString(),
    ])
    expect(book.query({ payment: 'cash' }, T0)).toHaveLength(1)
    expect(book.query({ arbiter: alice.peerId.toString() }, T0)).toHaveLength(1)
    // at most 0.04 cents per satoshi: bob's 50.00 EUR / 200_000 sat = 0.025
    expect(book.query({ side: 'sell', maxPrice: { amount: 4n, per: 100n } }, T0)).toHaveLength(1)
    expect(book.query({ side: 'sell', minPrice: { amount: 4n, per: 100n } }, T0)).toHaveLength(2)
    expect(book.query({ side: 'buy' }, T0)).toHaveLength(1)
    expect(book.query({}, T0, {}).length).toBe(4)
    expect(book.query({ limit: 2 }, T0)).toHaveLength(2)
  })

  it('hides makers below the trust floor, ranks by trust, and shows newcomers unless told not to', async () => {
    const book = createOfferBook()
    book.add(await offer(alice, { price: 60_00n }), T0)
    book.add(await offer(bob, { price: 50_00n }), T0)
    book.add(await offer(mallory, { price: 10_00n }), T0)
    book.add(await offer(carol, { price: 70_00n }), T0)
    const table = new Map([
      [alice.peerId.toString(), 2],
      [bob.peerId.toString(), 0.5],
      [mallory.peerId.toString(), 0],
    ])
    const trustOf = (m: string) => table.get(m)
    const names = (list: { maker: { toString(): string } }[]) => list.map((o) => o.maker.toString())
    expect(names(book.query({}, T0, { trustOf, trustFloor: 0.25 }))).toEqual(
      [bob, alice, carol].map((s) => s.peerId.toString()),
    )
    expect(names(book.query({}, T0, { trustOf, trustFloor: 0.25, order: 'trust' }))).toEqual(
      [alice, bob, carol].map((s) => s.peerId.toString()),
    )
    expect(names(book.query({}, T0, { trustOf, trustFloor: 0.25, hideUnknown: true }))).toEqual(
      [bob, alice].map((s) => s.peerId.toString()),
    )
    expect(book.query({}, T0, { hidden: (m) => m === carol.peerId.toString() })).toHaveLength(3)
  })
})
