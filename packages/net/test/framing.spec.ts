import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createFrameDecoder, encodeFrame, encodeFrameHeader } from '../src/framing'

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

describe('framing', () => {
  it('writes minimal varint headers', () => {
    expect([...encodeFrameHeader(0)]).toEqual([0])
    expect([...encodeFrameHeader(127)]).toEqual([127])
    expect([...encodeFrameHeader(128)]).toEqual([0x80, 0x01])
    expect([...encodeFrameHeader(300)]).toEqual([0xac, 0x02])
    expect(encodeFrameHeader(2 ** 35 - 1)).toHaveLength(5)
    expect(() => encodeFrameHeader(2 ** 35)).toThrow(
      expect.objectContaining({ name: 'InvalidArgumentError' }),
    )
    expect(() => encodeFrameHeader(-1)).toThrow(
      expect.objectContaining({ name: 'InvalidArgumentError' }),
    )
    expect(() => encodeFrame(new Uint8Array(11), 10)).toThrow(
      expect.objectContaining({ name: 'FrameTooLargeError' }),
    )
  })

  it('decodes frames from chunks cut anywhere', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 400 }), { maxLength: 20 }),
        fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 30 }),
        (frames, cuts) => {
          const wire = concat(frames.map((frame) => encodeFrame(frame)))
          const decoder = createFrameDecoder({ maxFrameBytes: 400 })
          const out: Uint8Array[] = []
          let offset = 0
          let cut = 0
          while (offset < wire.length) {
            const size = cuts[cut++ % cuts.length] as number
            out.push(
              ...decoder.push(wire.subarray(offset, offset + size)).map((frame) => frame.slice()),
            )
            offset += size
          }
          decoder.end()
          expect(out).toEqual(frames)
          expect(decoder.bufferedBytes).toBe(0)
        },
      ),
    )
  })

  it('returns views for frames whole inside a chunk and copies frames spanning chunks once', () => {
    const decoder = createFrameDecoder()
    const wire = concat([encodeFrame(Uint8Array.of(1, 2)), encodeFrame(Uint8Array.of(3, 4, 5))])
    const [first, second] = decoder.push(wire)
    expect(first?.buffer).toBe(wire.buffer)
    expect([...(second ?? [])]).toEqual([3, 4, 5])
    const split = encodeFrame(new Uint8Array(1000).fill(9))
    expect(decoder.push(split.subarray(0, 500))).toEqual([])
    // Two header bytes read, 498 of the body held.
    expect(decoder.bufferedBytes).toBe(498)
    const [joined] = decoder.push(split.subarray(500))
    expect(joined?.length).toBe(1000)
  })

  it('refuses an oversized length before allocating, even from its first bytes', () => {
    const decoder = createFrameDecoder({ maxFrameBytes: 1000 })
    // 2^34 announced over five bytes: refused at the second byte, with nothing allocated.
    const error = (() => {
      try {
        decoder.push(Uint8Array.of(0x80, 0x80))
      } catch (caught) {
        return caught
      }
      try {
        decoder.push(Uint8Array.of(0xff, 0x7f))
      } catch (caught) {
        return caught
      }
      return undefined
    })()
    expect(error).toMatchObject({ name: 'FrameTooLargeError' })
    const exact = createFrameDecoder({ maxFrameBytes: 1000 })
    expect(() => exact.push(encodeFrameHeader(1001))).toThrow(
      expect.objectContaining({ name: 'FrameTooLargeError', size: 1001 }),
    )
    expect(() => exact.push(Uint8Array.of(0))).toThrow(
      expect.objectContaining({ name: 'MalformedFrameError' }),
    )
    expect(
      createFrameDecoder({ maxFrameBytes: 1000 }).push(encodeFrame(new Uint8Array(1000))),
    ).toHaveLength(1)
  })

  it('refuses non-minimal and overlong varints with MalformedFrameError', () => {
    for (const header of [
      [0x80, 0x00],
      [0x81, 0x80, 0x00],
      [0x80, 0x80, 0x80, 0x80, 0x80, 0x01],
    ]) {
      const decoder = createFrameDecoder({ maxFrameBytes: 2 ** 34 })
      expect(() => decoder.push(Uint8Array.from(header))).toThrow(
        expect.objectContaining({ name: 'MalformedFrameError' }),
      )
    }
  })

  it('reports a stream that ends inside a frame', () => {
    const decoder = createFrameDecoder()
    decoder.push(encodeFrame(new Uint8Array(10)).subarray(0, 5))
    expect(() => decoder.end()).toThrow(expect.objectContaining({ name: 'MalformedFrameError' }))
    const header = createFrameDecoder()
    header.push(Uint8Array.of(0x80))
    expect(() => header.end()).toThrow(expect.objectContaining({ name: 'MalformedFrameError' }))
  })

  it('gives a typed error or frames for any bytes, never anything else', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 10 }), (chunks) => {
        const decoder = createFrameDecoder({ maxFrameBytes: 100 })
        try {
          for (const chunk of chunks) {
            for (const frame of decoder.push(chunk)) expect(frame.length).toBeLessThanOrEqual(100)
          }
        } catch (error) {
          expect(['FrameTooLargeError', 'MalformedFrameError']).toContain((error as Error).name)
          expect(() => decoder.push(new Uint8Array(1))).toThrow(
            expect.objectContaining({ name: 'MalformedFrameError' }),
          )
        }
        expect(decoder.bufferedBytes).toBeLessThanOrEqual(105)
      }),
    )
  })

  it('decodes a large stream of small chunks in linear time', () => {
    const frame = new Uint8Array(64 * 1024).fill(1)
    const wire = concat(Array.from({ length: 64 }, () => encodeFrame(frame)))
    const decoder = createFrameDecoder()
    let count = 0
    const started = performance.now()
    for (let offset = 0; offset < wire.length; offset += 100)
      count += decoder.push(wire.subarray(offset, offset + 100)).length
    expect(count).toBe(64)
    // 4 MiB in 100-byte chunks: quadratic copying would take seconds.
    expect(performance.now() - started).toBeLessThan(2000)
  })

  it('refuses chunks that are not bytes', () => {
    expect(() => createFrameDecoder().push('abc' as never)).toThrow(
      expect.objectContaining({ name: 'InvalidArgumentError' }),
    )
    expect(() => createFrameDecoder({ maxFrameBytes: -1 })).toThrow(
      expect.objectContaining({ name: 'InvalidArgumentError' }),
    )
  })
})
