/**
 * secureStream over real loopback TCP sockets: both identities proved, frames whole and in
 * order (split across Noise messages when large), backpressure, close semantics.
 */
import { generateKeyPair, signerFromKeyPair } from '@peerkit/identity'
import { isNetError, type Link, type LinkCloseEvent } from '@peerkit/net'
import { afterEach, describe, expect, test } from 'vitest'
import { MAX_PLAINTEXT_BYTES } from '../src/constants'
import { secureStream } from '../src/secure-stream'
import { type SocketPair, socketPair } from './fixtures/socket-stream'

const alice = signerFromKeyPair(generateKeyPair())
const bob = signerFromKeyPair(generateKeyPair())
const pairs: SocketPair[] = []

afterEach(() => {
  for (const pair of pairs.splice(0)) pair.close()
})

async function securedPair(options?: {
  maxFrameBytes?: number
  writeLimitBytes?: number
}): Promise<[Link, Link, SocketPair]> {
  const pair = await socketPair()
  pairs.push(pair)
  const [a, b] = await Promise.all([
    secureStream(pair.clientStream, {
      signer: alice,
      initiator: true,
      expectedPeer: bob.peerId,
      ...options,
    }),
    secureStream(pair.serverStream, { signer: bob, initiator: false, ...options }),
  ])
  return [a, b, pair]
}

function collect(link: Link, count: number): Promise<Uint8Array[]> {
  const frames: Uint8Array[] = []
  return new Promise((resolve, reject) => {
    link.on('frame', (frame) => {
      frames.push(frame.slice())
      if (frames.length === count) resolve(frames)
    })
    link.on('close', (event) => reject(event.error ?? new Error('closed')))
  })
}

function closed(link: Link): Promise<LinkCloseEvent> {
  return new Promise((resolve) => link.on('close', resolve))
}

function pattern(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length)
  for (let i = 0; i < length; i++) out[i] = (i * 31 + seed) & 0xff
  return out
}

describe('secureStream over loopback TCP', () => {
  test('both sides prove their identities and exchange frames both ways', async () => {
    const [a, b] = await securedPair()
    expect(a.remotePeer.equals(bob.peerId)).toBe(true)
    expect(b.remotePeer.equals(alice.peerId)).toBe(true)
    expect(a.direction).toBe('outbound')
    expect(b.direction).toBe('inbound')
    expect(a.status).toBe('open')
    expect(a.remoteAddress).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/)
    const toBob = collect(b, 3)
    const toAlice = collect(a, 1)
    a.send(new TextEncoder().encode('one'))
    a.send(new Uint8Array(0))
    a.send(new TextEncoder().encode('three'))
    b.send(new TextEncoder().encode('back'))
    const frames = await toBob
    expect(frames.map((f) => new TextDecoder().decode(f))).toEqual(['one', '', 'three'])
    expect(new TextDecoder().decode((await toAlice)[0])).toBe('back')
  })

  test('frames larger than one Noise message are split and reassembled, in order', async () => {
    const [a, b] = await securedPair({ maxFrameBytes: 1 << 20 })
    const sizes = [
      MAX_PLAINTEXT_BYTES - 1,
      MAX_PLAINTEXT_BYTES,
      MAX_PLAINTEXT_BYTES * 2 + 7,
      5,
      1 << 20,
    ]
    const received = collect(b, sizes.length)
    for (const [index, size] of sizes.entries()) a.send(pattern(size, index))
    const frames = await received
    expect(frames.map((f) => f.length)).toEqual(sizes)
    frames.forEach((frame, index) => {
      expect(Buffer.compare(frame, pattern(sizes[index] as number, index))).toBe(0)
    })
  })

  test('a frame over maxFrameBytes throws FrameTooLargeError and leaves the link open', async () => {
    const [a, b] = await securedPair({ maxFrameBytes: 1000 })
    expect(a.maxFrameBytes).toBe(1000)
    const error = (() => {
      try {
        a.send(new Uint8Array(1001))
      } catch (caught) {
        return caught
      }
    })()
    expect(isNetError(error, 'FrameTooLargeError')).toBe(true)
    expect(a.status).toBe('open')
    const received = collect(b, 1)
    a.send(new Uint8Array(1000))
    expect((await received)[0]?.length).toBe(1000)
  })

  test('frames sent before the first listener are held and delivered in order', async () => {
    const [a, b] = await securedPair()
    for (let i = 0; i < 5; i++) a.send(Uint8Array.of(i))
    await new Promise((resolve) => setTimeout(resolve, 50))
    const frames = await collect(b, 5)
    expect(frames.map((f) => f[0])).toEqual([0, 1, 2, 3, 4])
  })

  test('backpressure: send returns false past the write limit, drain follows, nothing is lost', async () => {
    const [a, b] = await securedPair({ writeLimitBytes: 64 * 1024 })
    const frame = pattern(16 * 1024, 1)
    const total = 400
    const received = collect(b, total)
    // the receiver stops reading for a while, so the sender's socket fills up
    let sent = 0
    let sawFalse = false
    await new Promise<void>((resolve) => {
      const pump = () => {
        while (sent < total) {
          sent++
          if (!a.send(frame)) {
            sawFalse = true
            expect(a.bufferedBytes).toBeGreaterThanOrEqual(64 * 1024)
            a.on('drain', () => pump())
            return
          }
        }
        resolve()
      }
      pump()
    })
    expect(sawFalse).toBe(true)
    const frames = await received
    expect(frames.length).toBe(total)
    expect(frames.every((f) => f.length === frame.length && f[100] === frame[100])).toBe(true)
  })

  test('close flushes what was sent, and both sides see one close event', async () => {
    const [a, b] = await securedPair()
    const frames = collect(b, 3)
    const aClosed = closed(a)
    const bClosed = closed(b)
    let aEvents = 0
    a.on('close', () => aEvents++)
    for (let i = 0; i < 3; i++) a.send(pattern(40_000, i))
    a.close()
    a.close()
    expect(a.status).toBe('closed')
    expect((await frames).length).toBe(3)
    expect(await aClosed).toEqual({ local: true })
    expect(await bClosed).toEqual({ local: false })
    expect(aEvents).toBe(1)
    expect(() => a.send(new Uint8Array(1))).toThrowError(
      expect.objectContaining({ name: 'LinkClosedError' }),
    )
  })

  test('an error given to close reaches the remote side', async () => {
    const [a, b] = await securedPair()
    const bClosed = closed(b)
    const { RateLimitError } = await import('@peerkit/net')
    a.close(new RateLimitError('too fast'))
    const event = await bClosed
    expect(event.local).toBe(false)
    expect(isNetError(event.error, 'RateLimitError')).toBe(true)
  })

  test('a stream torn down under an open link closes it with LinkClosedError', async () => {
    const [a, , pair] = await securedPair()
    const aClosed = closed(a)
    pair.server.destroy()
    const event = await aClosed
    expect(event.local).toBe(false)
    expect(isNetError(event.error, 'LinkClosedError')).toBe(true)
  })
})
