/**
 * The transport compliance suite: every rule of the link contract as vitest tests, for any
 * transport. A transport package calls `testTransport` in one of its spec files with a
 * `setup` that says how to make a transport for an identity and where it may listen.
 *
 * @example
 * import { testTransport } from '@peerkit/net/compliance'
 * testTransport('tcp', {
 *   setup: async () => ({ createTransport: (signer) => tcp()({ signer }), listenAddress: () => 'tcp://127.0.0.1:0', unreachableAddress: 'tcp://127.0.0.1:1' }),
 * })
 */
import { generateKeyPair, type PeerId, type Signer, signerFromKeyPair } from '@peerkit/identity'
import { afterEach, describe, expect, it } from 'vitest'
import { IdleTimeoutError, isNetError, type NetError } from './errors'
import type { Link, LinkCloseEvent, Listener, Transport } from './types'

/** What a transport under test provides to the suite. */
export interface TransportTestContext {
  /**
   * Makes the signer of a fresh identity (default: a new random key pair). A transport that
   * needs the key itself (libp2p makes its key from the same seed) keeps what it needs here.
   */
  createSigner?(): Signer
  /** Makes a transport proving `signer`'s identity (the suite makes a fresh signer for each). */
  createTransport(signer: Signer): Transport | Promise<Transport>
  /** A fresh address to listen on; the suite dials the `addresses` its listener reports. */
  listenAddress(): string
  /** An address of this transport's form on which nobody listens (a dial gets `DialError`). */
  readonly unreachableAddress: string
  /** How long one step may take before the test fails (default 10 s). */
  readonly timeoutMs?: number
}

/** The setup and teardown of `testTransport`. */
export interface TransportTestSetup {
  /** Called before each test. */
  setup(): TransportTestContext | Promise<TransportTestContext>
  /** Called after each test, after the suite closed every transport it made. */
  teardown?(context: TransportTestContext): void | Promise<void>
}

interface Peer {
  readonly signer: Signer
  readonly peerId: PeerId
  readonly transport: Transport
}

interface ListeningPeer extends Peer {
  readonly address: string
  readonly listener: Listener
  readonly accepted: Link[]
  nextLink(): Promise<Link>
}

interface Harness {
  readonly context: TransportTestContext
  readonly timeoutMs: number
  peer(): Promise<Peer>
  /** A peer listening on a fresh address, with the links it accepts in order. */
  listening(onLink?: (link: Link) => void): Promise<ListeningPeer>
  /** A listening peer, a dialer and both ends of the link between them. */
  pair(): Promise<{ dialer: Peer; listener: ListeningPeer; outbound: Link; inbound: Link }>
}

/**
 * Registers the compliance tests of the link contract for one transport.
 * @param name - the name the tests are grouped under
 * @param setup - `setup` returns a `TransportTestContext`; `teardown` cleans up after each test
 * @example
 * testTransport('memory', { setup: () => memoryContext() })
 */
export function testTransport(name: string, setup: TransportTestSetup): void {
  describe(`transport compliance: ${name}`, () => {
    let current: { harness: Harness; transports: Transport[] } | undefined

    const start = async (): Promise<Harness> => {
      const context = await setup.setup()
      const transports: Transport[] = []
      const timeoutMs = context.timeoutMs ?? 10_000
      const peer = async (): Promise<Peer> => {
        const signer = context.createSigner?.() ?? signerFromKeyPair(generateKeyPair())
        const transport = await context.createTransport(signer)
        transports.push(transport)
        return { signer, peerId: signer.peerId, transport }
      }
      const harness: Harness = {
        context,
        timeoutMs,
        peer,
        async listening(onLink) {
          const self = await peer()
          const accepted: Link[] = []
          const waiting: Array<(link: Link) => void> = []
          const listener = await self.transport.listen(context.listenAddress(), (link) => {
            onLink?.(link)
            accepted.push(link)
            waiting.shift()?.(link)
          })
          const address = listener.addresses[0]
          expect(address, 'the listener reports an address').toBeTypeOf('string')
          let taken = 0
          return {
            ...self,
            address: address as string,
            listener,
            accepted,
            nextLink: () => {
              const index = taken++
              const ready = accepted[index]
              if (ready !== undefined) return Promise.resolve(ready)
              return within(
                timeoutMs,
                'an inbound link',
                new Promise<Link>((resolve) => {
                  waiting.push(resolve)
                }),
              )
            },
          }
        },
        async pair() {
          const listener = await harness.listening()
          const dialer = await peer()
          const outbound = await within(
            timeoutMs,
            'the dial',
            dialer.transport.dial(listener.address),
          )
          const inbound = await listener.nextLink()
          return { dialer, listener, outbound, inbound }
        },
      }
      current = { harness, transports }
      return harness
    }

    afterEach(async () => {
      const done = current
      current = undefined
      if (done === undefined) return
      await Promise.allSettled(done.transports.map((transport) => transport.close()))
      await setup.teardown?.(done.harness.context)
    })

    it('dials and accepts authenticated links', async () => {
      const h = await start()
      const { dialer, listener, outbound, inbound } = await h.pair()
      expect(outbound.remotePeer.equals(listener.peerId)).toBe(true)
      expect(inbound.remotePeer.equals(dialer.peerId)).toBe(true)
      expect(outbound.direction).toBe('outbound')
      expect(inbound.direction).toBe('inbound')
      expect(outbound.status).toBe('open')
      expect(inbound.status).toBe('open')
      expect(outbound.maxFrameBytes).toBeGreaterThanOrEqual(1024)
      expect(listener.transport.canDial(listener.address)).toBe(true)
      expect(listener.transport.canDial('not an address')).toBe(false)
    })

    it('dials with the expected peer', async () => {
      const h = await start()
      const listener = await h.listening()
      const dialer = await h.peer()
      const link = await dialer.transport.dial(listener.address, { expectedPeer: listener.peerId })
      expect(link.remotePeer.equals(listener.peerId)).toBe(true)
    })

    it('delivers frames whole and in order, both ways', async () => {
      const h = await start()
      const { outbound, inbound } = await h.pair()
      const sizes = Array.from({ length: 200 }, (_, index) => (index * 7919) % 3000)
      const frames = sizes.map((size, index) => patterned(size, index))
      const atInbound = collect(inbound, frames.length, h.timeoutMs)
      const atOutbound = collect(outbound, frames.length, h.timeoutMs)
      await sendAll(outbound, frames, h.timeoutMs)
      await sendAll(inbound, frames, h.timeoutMs)
      expectFrames(await atInbound, frames)
      expectFrames(await atOutbound, frames)
    })

    it('carries empty frames and frames of the largest size', async () => {
      const h = await start()
      const { outbound, inbound } = await h.pair()
      const largest = Math.min(outbound.maxFrameBytes, 4 * 1024 * 1024)
      const frames = [new Uint8Array(0), patterned(largest, 1), new Uint8Array(0), patterned(1, 2)]
      const received = collect(inbound, frames.length, h.timeoutMs)
      await sendAll(outbound, frames, h.timeoutMs)
      expectFrames(await received, frames)
    })

    it('refuses a frame over the limit with FrameTooLargeError and stays open', async () => {
      const h = await start()
      const { outbound, inbound } = await h.pair()
      const limit = outbound.maxFrameBytes
      if (limit <= 16 * 1024 * 1024) {
        expect(() => outbound.send(new Uint8Array(limit + 1))).toThrow(
          expect.objectContaining({ name: 'FrameTooLargeError' }),
        )
      }
      expect(outbound.status).toBe('open')
      const received = collect(inbound, 1, h.timeoutMs)
      outbound.send(patterned(10, 3))
      expectFrames(await received, [patterned(10, 3)])
    })

    it('returns false from send past the write buffer, then emits drain', async () => {
      const h = await start()
      const { outbound, inbound } = await h.pair()
      const chunk = Math.min(64 * 1024, outbound.maxFrameBytes)
      const frames: Uint8Array[] = []
      let accepted = true
      while (accepted) {
        const frame = patterned(chunk, frames.length)
        frames.push(frame)
        accepted = outbound.send(frame)
        expect(frames.length * chunk, 'send returns false within 256 MiB').toBeLessThan(
          256 * 1024 * 1024,
        )
      }
      expect(outbound.bufferedBytes).toBeGreaterThan(0)
      const received = collect(inbound, frames.length, h.timeoutMs)
      await within(h.timeoutMs, 'drain', once(outbound, 'drain'))
      expectFrames(await received, frames)
      expect(outbound.status).toBe('open')
    })

    it('holds frames that arrive before the first frame listener', async () => {
      const h = await start()
      const early = [patterned(5, 1), patterned(70_000, 2), patterned(0, 3)]
      const listener = await h.listening((link) => {
        // The listener side writes first, before the dialer can have a listener.
        for (const frame of early) link.send(frame)
      })
      const dialer = await h.peer()
      const outbound = await dialer.transport.dial(listener.address)
      for (const frame of early) outbound.send(frame)
      const inbound = await listener.nextLink()
      // Give both sides time to receive while nobody listens.
      await pause(50)
      const atOutbound = collect(outbound, early.length, h.timeoutMs)
      const atInbound = collect(inbound, early.length, h.timeoutMs)
      expectFrames(await atOutbound, early)
      expectFrames(await atInbound, early)
    })

    for (const side of ['dialer', 'listener'] as const) {
      it(`closes once on both sides when the ${side} closes, after the frames sent before`, async () => {
        const h = await start()
        const { outbound, inbound } = await h.pair()
        const [closer, other] = side === 'dialer' ? [outbound, inbound] : [inbound, outbound]
        const closerEvents = recordCloses(closer)
        const otherEvents = recordCloses(other)
        const frames = Array.from({ length: 10 }, (_, index) => patterned(100 + index, index))
        const received: Uint8Array[] = []
        other.on('frame', (frame) => received.push(frame))
        for (const frame of frames) closer.send(frame)
        closer.close()
        closer.close()
        expect(closer.status).toBe('closed')
        await within(h.timeoutMs, 'the local close event', closerEvents.first)
        await within(h.timeoutMs, 'the remote close event', otherEvents.first)
        expectFrames(received, frames)
        await pause(20)
        expect(closerEvents.all).toEqual([{ local: true }])
        expect(otherEvents.all).toHaveLength(1)
        expect(otherEvents.all[0]?.local).toBe(false)
        expect(other.status).toBe('closed')
        other.close()
        await pause(5)
        expect(otherEvents.all).toHaveLength(1)
      })
    }

    it('reports the error given to close on the closing side and closes the other', async () => {
      const h = await start()
      const { outbound, inbound } = await h.pair()
      const remote = recordCloses(inbound)
      const local = recordCloses(outbound)
      outbound.close(new IdleTimeoutError())
      const localEvent = await within(h.timeoutMs, 'the local close event', local.first)
      expect(localEvent.local).toBe(true)
      expect(localEvent.error?.name).toBe('IdleTimeoutError')
      const remoteEvent = await within(h.timeoutMs, 'the remote close event', remote.first)
      expect(remoteEvent.local).toBe(false)
      if (remoteEvent.error !== undefined) expect(isNetError(remoteEvent.error)).toBe(true)
    })

    it('throws LinkClosedError from send after close, on both sides', async () => {
      const h = await start()
      const { outbound, inbound } = await h.pair()
      const remoteClosed = once(inbound, 'close')
      outbound.close()
      expect(() => outbound.send(new Uint8Array(1))).toThrow(
        expect.objectContaining({ name: 'LinkClosedError' }),
      )
      await within(h.timeoutMs, 'the remote close event', remoteClosed)
      expect(() => inbound.send(new Uint8Array(1))).toThrow(
        expect.objectContaining({ name: 'LinkClosedError' }),
      )
    })

    it('fails a dial with PeerMismatchError when the remote is not the expected peer', async () => {
      const h = await start()
      const listener = await h.listening()
      const dialer = await h.peer()
      const stranger = signerFromKeyPair(generateKeyPair()).peerId
      const error = await captureError(
        within(
          h.timeoutMs,
          'the dial',
          dialer.transport.dial(listener.address, { expectedPeer: stranger }),
        ),
      )
      expect(error.name).toBe('PeerMismatchError')
      // Whatever the listener accepted for that dial does not stay open.
      for (const link of listener.accepted) {
        if (link.status === 'open')
          await within(h.timeoutMs, 'the refused link to close', once(link, 'close'))
      }
    })

    it('fails a dial with DialAbortedError when the signal aborts, before or during the dial', async () => {
      const h = await start()
      const listener = await h.listening()
      const dialer = await h.peer()
      const before = new AbortController()
      before.abort()
      const early = await captureError(
        dialer.transport.dial(listener.address, { signal: before.signal }),
      )
      expect(early.name).toBe('DialAbortedError')
      const during = new AbortController()
      const dialing = dialer.transport.dial(listener.address, { signal: during.signal })
      during.abort()
      const late = await captureError(within(h.timeoutMs, 'the aborted dial', dialing))
      expect(late.name).toBe('DialAbortedError')
      // The transport still dials afterwards.
      const link = await within(
        h.timeoutMs,
        'a dial after aborts',
        dialer.transport.dial(listener.address),
      )
      expect(link.status).toBe('open')
    })

    it('fails a dial to an address nobody listens on with DialError', async () => {
      const h = await start()
      const dialer = await h.peer()
      const error = await captureError(
        within(h.timeoutMs, 'the dial', dialer.transport.dial(h.context.unreachableAddress)),
      )
      expect(error.name).toBe('DialError')
    })

    it('rejects a malformed address with a typed error', async () => {
      const h = await start()
      const dialer = await h.peer()
      const error = await captureError(dialer.transport.dial('\u0000 nonsense'))
      expect(isNetError(error)).toBe(true)
      expect(['InvalidAddressError', 'UnsupportedAddressError']).toContain(error.name)
    })

    it('makes two links when two peers dial each other at once', async () => {
      const h = await start()
      const a = await h.listening()
      const b = await h.listening()
      const [fromA, fromB] = await within(
        h.timeoutMs,
        'both dials',
        Promise.all([a.transport.dial(b.address), b.transport.dial(a.address)]),
      )
      expect(fromA.remotePeer.equals(b.peerId)).toBe(true)
      expect(fromB.remotePeer.equals(a.peerId)).toBe(true)
      const atB = await b.nextLink()
      const atA = await a.nextLink()
      expect(atB.remotePeer.equals(a.peerId)).toBe(true)
      expect(atA.remotePeer.equals(b.peerId)).toBe(true)
      const received = [collect(atB, 1, h.timeoutMs), collect(atA, 1, h.timeoutMs)]
      fromA.send(patterned(3, 1))
      fromB.send(patterned(3, 2))
      expectFrames(await received[0]!, [patterned(3, 1)])
      expectFrames(await received[1]!, [patterned(3, 2)])
    })

    it('carries many links at once, each to the right peer', async () => {
      const h = await start()
      const listener = await h.listening()
      const dialers = await Promise.all(Array.from({ length: 12 }, () => h.peer()))
      const links = await within(
        h.timeoutMs,
        'the dials',
        Promise.all(dialers.map((dialer) => dialer.transport.dial(listener.address))),
      )
      const inbound = await Promise.all(dialers.map(() => listener.nextLink()))
      const byPeer = new Map(inbound.map((link) => [link.remotePeer.toString(), link]))
      expect(byPeer.size).toBe(dialers.length)
      await Promise.all(
        dialers.map(async (dialer, index) => {
          const far = byPeer.get(dialer.peerId.toString())
          expect(far).toBeDefined()
          const echo = collect(links[index] as Link, 2, h.timeoutMs)
          ;(far as Link).on('frame', (frame) => (far as Link).send(frame))
          const frames = [patterned(32, index), patterned(2000, index + 100)]
          for (const frame of frames) (links[index] as Link).send(frame)
          expectFrames(await echo, frames)
        }),
      )
    })

    it('stops accepting after the listener closes; links made before stay open', async () => {
      const h = await start()
      const { dialer, listener, outbound, inbound } = await h.pair()
      await within(h.timeoutMs, 'the listener to close', listener.listener.close())
      const error = await captureError(
        within(h.timeoutMs, 'the dial', dialer.transport.dial(listener.address)),
      )
      expect(isNetError(error)).toBe(true)
      expect(outbound.status).toBe('open')
      const received = collect(inbound, 1, h.timeoutMs)
      outbound.send(patterned(9, 9))
      expectFrames(await received, [patterned(9, 9)])
    })

    it('closes its links when the transport closes', async () => {
      const h = await start()
      const { dialer, outbound, inbound } = await h.pair()
      const remote = once(inbound, 'close')
      const local = once(outbound, 'close')
      await within(h.timeoutMs, 'the transport to close', dialer.transport.close())
      await within(h.timeoutMs, 'the local close event', local)
      await within(h.timeoutMs, 'the remote close event', remote)
      expect(outbound.status).toBe('closed')
      expect(inbound.status).toBe('closed')
    })
  })
}

/** Bytes of `size` whose content depends on `seed`, to tell frames apart. */
function patterned(size: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(size)
  for (let index = 0; index < size; index++)
    bytes[index] = (index * 31 + seed * 17 + (index >> 8)) & 0xff
  return bytes
}

function expectFrames(received: Uint8Array[], expected: Uint8Array[]): void {
  expect(received.length, 'the number of frames').toBe(expected.length)
  for (let index = 0; index < expected.length; index++) {
    const got = received[index] as Uint8Array
    const want = expected[index] as Uint8Array
    expect(got.length, `the length of frame ${index}`).toBe(want.length)
    expect(sameBytes(got, want), `the bytes of frame ${index}`).toBe(true)
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let index = 0; index < a.length; index++) if (a[index] !== b[index]) return false
  return true
}

function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`timed out waiting for ${what} (${ms} ms)`)),
      ms,
    )
    promise.then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      (error: unknown) => {
        clearTimeout(timer)
        reject(error)
      },
    )
  })
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

async function captureError(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(Error)
    return error as Error
  }
  throw new Error('expected a rejection')
}

function once(link: Link, event: 'close'): Promise<LinkCloseEvent>
function once(link: Link, event: 'drain'): Promise<undefined>
function once(link: Link, event: 'drain' | 'close'): Promise<unknown> {
  return new Promise((resolve) => {
    const off = link.on(event, (value: unknown) => {
      off()
      resolve(value)
    })
  })
}

function recordCloses(link: Link): { all: LinkCloseEvent[]; first: Promise<LinkCloseEvent> } {
  const all: LinkCloseEvent[] = []
  const first = new Promise<LinkCloseEvent>((resolve) => {
    link.on('close', (event) => {
      all.push(event.error === undefined ? { local: event.local } : event)
      resolve(event)
    })
  })
  return { all, first }
}

/** The next `count` frames of a link (copied, since transports may hand out views). */
function collect(link: Link, count: number, ms: number): Promise<Uint8Array[]> {
  const frames: Uint8Array[] = []
  return within(
    ms,
    `${count} frames`,
    new Promise<Uint8Array[]>((resolve, reject) => {
      if (count === 0) {
        resolve(frames)
        return
      }
      const offFrame = link.on('frame', (frame) => {
        frames.push(frame.slice())
        if (frames.length === count) {
          offFrame()
          offClose()
          resolve(frames)
        }
      })
      const offClose = link.on('close', ({ error }) => {
        offFrame()
        offClose()
        reject(closedEarly(frames.length, count, error))
      })
    }),
  )
}

function closedEarly(got: number, count: number, error: NetError | undefined): Error {
  return new Error(
    `the link closed after ${got} of ${count} frames${error ? ` (${error.name})` : ''}`,
  )
}

/** Sends every frame, waiting for `drain` whenever `send` returns false. */
async function sendAll(link: Link, frames: Uint8Array[], ms: number): Promise<void> {
  for (const frame of frames) {
    if (!link.send(frame)) await within(ms, 'drain', once(link, 'drain'))
  }
}
