import { encode } from '@peerkit/codec'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  createOfferBook,
  decodeCatchUpRequest,
  decodeCatchUpResponse,
  encodeCatchUpRequest,
  encodeCatchUpResponse,
  inBookPart,
  MAX_CATCH_UP_OFFERS,
  MAX_CATCH_UP_PARTS,
  type OfferBook,
} from '../src/index'
import { alice, bob, cancel, carol, HOUR, offer, signer, T0 } from './fixtures/offers'

/** Pages through `from`'s book into `to`, as a newcomer does on its first neighbour. */
function catchUp(from: OfferBook, to: OfferBook, now: number, limit: number, maxPages = 100) {
  let cursor: string | undefined
  let pages = 0
  const statuses: string[] = []
  do {
    const request = decodeCatchUpRequest(encodeCatchUpRequest({ limit, cursor }))
    const response = decodeCatchUpResponse(
      encodeCatchUpResponse(from.page(now, request.limit, request.cursor)),
    )
    for (const bytes of response.envelopes) statuses.push(to.add(bytes, now).status)
    cursor = response.next
    pages++
  } while (cursor !== undefined && pages < maxPages)
  return { pages, statuses }
}

describe('catch-up', () => {
  it('a newcomer gets the current book, cancels included, page by page', async () => {
    const old = createOfferBook()
    const makers = Array.from({ length: 10 }, (_, i) => signer(20 + i))
    for (const m of makers)
      for (let i = 0; i < 3; i++) old.add(await offer(m, { id: new Uint8Array([i]) }), T0)
    old.add(await cancel(alice, 1), T0)
    old.add(await offer(bob, {}, { sequence: 1 }), T0)
    old.add(await offer(bob, { price: 1n }, { sequence: 2 }), T0)
    const fresh = createOfferBook()
    const { pages, statuses } = catchUp(old, fresh, T0 + 1, 7)
    expect(pages).toBe(Math.ceil(32 / 7))
    expect(statuses.filter((s) => s === 'added')).toHaveLength(31)
    expect(statuses.filter((s) => s === 'cancelled')).toHaveLength(1)
    expect(fresh.size).toBe(old.size)
    expect(fresh.isCancelled(alice.peerId.toString(), '01')).toBe(true)
    expect(fresh.get(bob.peerId.toString(), '01', T0)?.sequence).toBe(2)
    // the cancel learned on catch-up refuses the offer arriving later by gossip
    const late = fresh.add(await offer(alice, {}, { sequence: 1 }), T0 + 2)
    expect(late.status === 'rejected' && late.error.name).toBe('CancelledOfferError')
    // nothing expired is served
    expect(old.page(T0 + HOUR, 100).envelopes).toHaveLength(0)
  })

  it('a book split into parts: neighbours asked at once for disjoint parts bring the whole book', async () => {
    const old = createOfferBook()
    const makers = Array.from({ length: 12 }, (_, i) => signer(40 + i))
    for (const m of makers)
      for (let i = 0; i < 4; i++) old.add(await offer(m, { id: new Uint8Array([i]) }), T0)
    old.add(await cancel(alice, 1), T0)
    const whole = old.page(T0 + 1, MAX_CATCH_UP_OFFERS).envelopes.length
    expect(whole).toBe(49)
    const of = 4
    const fresh = createOfferBook()
    const sizes: number[] = []
    for (let index = 0; index < of; index++) {
      let cursor: string | undefined
      let got = 0
      do {
        const request = decodeCatchUpRequest(
          encodeCatchUpRequest({ limit: 5, cursor, part: { index, of } }),
        )
        expect(request.part).toEqual({ index, of })
        const page = old.page(T0 + 1, request.limit, request.cursor, request.part)
        const response = decodeCatchUpResponse(encodeCatchUpResponse(page))
        for (const bytes of response.envelopes)
          expect(fresh.add(bytes, T0 + 1).status).not.toBe('duplicate')
        got += response.envelopes.length
        cursor = response.next
      } while (cursor !== undefined)
      sizes.push(got)
    }
    // disjoint (no duplicate above), together the whole book, none empty at this size
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(whole)
    expect(fresh.size).toBe(old.size)
    expect(Math.min(...sizes)).toBeGreaterThan(0)
    expect(() => encodeCatchUpRequest({ limit: 1, part: { index: 4, of: 4 } })).toThrow(
      expect.objectContaining({ name: 'InvalidArgumentError' }),
    )
    // the book refuses a part no request could name, and stays as it was
    for (const part of [
      { index: 0, of: 0 },
      { index: 0, of: 1 },
      { index: 1.5, of: 4 },
      { index: 0, of: 17 },
    ])
      expect(() => old.page(T0 + 1, 10, undefined, part)).toThrow(
        expect.objectContaining({ name: 'InvalidArgumentError' }),
      )
    expect(old.page(T0 + 1, MAX_CATCH_UP_OFFERS).envelopes).toHaveLength(whole)
  })

  it('parts are about equal whatever the ids (a hash of the envelope id)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ minLength: 1, maxLength: 80 }), { minLength: 1, maxLength: 50 }),
        fc.integer({ min: 2, max: MAX_CATCH_UP_PARTS }),
        (ids, of) => {
          // every id in exactly one part
          for (const id of ids) {
            let in_ = 0
            for (let index = 0; index < of; index++) if (inBookPart(id, { index, of })) in_++
            expect(in_).toBe(1)
          }
        },
      ),
    )
    const counts = new Array(8).fill(0)
    for (let i = 0; i < 8000; i++)
      for (let index = 0; index < 8; index++)
        if (inBookPart(`bafireib${i.toString(36)}`, { index, of: 8 })) counts[index]++
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(150)
  })

  it('catching up twice changes nothing', async () => {
    const old = createOfferBook()
    old.add(await offer(alice), T0)
    old.add(await offer(carol), T0)
    const fresh = createOfferBook()
    catchUp(old, fresh, T0, 1)
    const { statuses } = catchUp(old, fresh, T0, 1)
    expect(statuses).toEqual(['duplicate', 'duplicate'])
  })

  it('requests and responses are bounded', async () => {
    expect(() => encodeCatchUpRequest({ limit: 0 })).toThrow(
      expect.objectContaining({ name: 'InvalidArgumentError' }),
    )
    expect(() => encodeCatchUpRequest({ limit: MAX_CATCH_UP_OFFERS + 1 })).toThrow(
      expect.objectContaining({ name: 'InvalidArgumentError' }),
    )
    const tooMany = Array.from({ length: MAX_CATCH_UP_OFFERS + 1 }, () => new Uint8Array(1))
    expect(() => encodeCatchUpResponse({ envelopes: tooMany })).toThrow(
      expect.objectContaining({ name: 'InvalidArgumentError' }),
    )
    const hostile = [
      encode({ v: 1, kind: 'response', offers: tooMany }),
      encode({ v: 2, kind: 'response', offers: [] }),
      encode({ v: 1, kind: 'request', limit: 1 }),
      encode({ v: 1, kind: 'response', offers: [new Uint8Array(5000)] }),
      encode({ v: 1, kind: 'response', offers: ['text'] }),
      encode({ v: 1, kind: 'response', offers: [], extra: 1 }),
      new Uint8Array(600 * 1024),
    ]
    for (const frame of hostile)
      expect(() => decodeCatchUpResponse(frame)).toThrow(
        expect.objectContaining({ name: 'MalformedCatchUpError' }),
      )
    for (const frame of [
      encode({ v: 1, kind: 'request', limit: 100_000 }),
      encode({ v: 1, kind: 'request', limit: 1, cursor: 'x'.repeat(300) }),
      encode({ v: 1, kind: 'response', offers: [] }),
      new Uint8Array(1000),
      encode({ v: 1, kind: 'request', limit: 1, part: [0, 1] }),
      encode({ v: 1, kind: 'request', limit: 1, part: [2, 2] }),
      encode({ v: 1, kind: 'request', limit: 1, part: [0, MAX_CATCH_UP_PARTS + 1] }),
      encode({ v: 1, kind: 'request', limit: 1, part: [-1, 4] }),
      encode({ v: 1, kind: 'request', limit: 1, part: [0, 4, 1] }),
      encode({ v: 1, kind: 'request', limit: 1, part: { index: 0, of: 4 } }),
      encode({ v: 1, kind: 'request', limit: 1, part: ['0', 4] }),
    ])
      expect(() => decodeCatchUpRequest(frame)).toThrow(
        expect.objectContaining({ name: 'MalformedCatchUpError' }),
      )
  })

  it('any bytes: a decoded frame or MalformedCatchUpError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
        for (const decodeFrame of [
          decodeCatchUpRequest,
          (b: Uint8Array) => decodeCatchUpResponse(b),
        ]) {
          try {
            decodeFrame(bytes)
          } catch (error) {
            expect((error as Error).name).toBe('MalformedCatchUpError')
          }
        }
      }),
      { numRuns: 500 },
    )
  })

  it('a hostile neighbour serving forged offers gets rejections, not a changed book', async () => {
    const good = await offer(alice)
    const forged = good.slice()
    forged[forged.length - 10]! ^= 1
    const fresh = createOfferBook()
    const response = decodeCatchUpResponse(encodeCatchUpResponse({ envelopes: [forged, good] }))
    const statuses = response.envelopes.map((b) => {
      const r = fresh.add(b, T0)
      return r.status === 'rejected' ? r.error.name : r.status
    })
    expect(statuses).toEqual(['ForgedOfferError', 'added'])
  })
})
