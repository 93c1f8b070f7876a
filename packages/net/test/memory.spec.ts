import { generateKeyPair, type Signer, signerFromKeyPair } from '@peerkit/identity'
import { testTransport } from '@peerkit/net/compliance'
import { describe, expect, it } from 'vitest'
import { createVirtualClock } from '../src/clock'
import { createMemoryNetwork, memory } from '../src/memory'
import type { Link } from '../src/types'

let counter = 0

testTransport('memory', {
  setup() {
    const network = createMemoryNetwork()
    return {
      createTransport: (signer) => memory(network)({ signer }),
      listenAddress: () => `memory://node-${counter++}`,
      unreachableAddress: 'memory://nobody-listens',
    }
  },
})

testTransport('memory with latency', {
  setup() {
    const network = createMemoryNetwork({ latencyMs: [0, 3] })
    return {
      createTransport: (signer) => memory(network)({ signer }),
      listenAddress: () => `memory://latent-${counter++}`,
      unreachableAddress: 'memory://nobody-listens',
    }
  },
})

function signer(): Signer {
  return signerFromKeyPair(generateKeyPair())
}

/** A small seeded generator (mulberry32) so latency and loss repeat exactly. */
function seeded(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

async function flush(): Promise<void> {
  for (let index = 0; index < 5; index++) await Promise.resolve()
}

/** Runs one lossy, latent exchange on virtual time and returns when each frame arrived. */
async function lossyRun(seed: number): Promise<Array<[number, number]>> {
  const clock = createVirtualClock(1000)
  const network = createMemoryNetwork({
    clock,
    latencyMs: [5, 50],
    loss: 0.2,
    random: seeded(seed),
  })
  const bob = memory(network)({ signer: signer() })
  const arrivals: Array<[number, number]> = []
  await bob.listen('memory://bob', (link) =>
    link.on('frame', (frame) => arrivals.push([frame[0] as number, clock.now()])),
  )
  const dialing = memory(network)({ signer: signer() }).dial('memory://bob')
  clock.runUntilIdle()
  const link = await dialing
  for (let index = 0; index < 100; index++) {
    link.send(Uint8Array.of(index))
    clock.advance(1)
  }
  clock.runUntilIdle()
  await flush()
  return arrivals
}

describe('memory network', () => {
  it('is deterministic under a virtual clock and a seeded random, keeping order', async () => {
    const first = await lossyRun(7)
    const second = await lossyRun(7)
    expect(second).toEqual(first)
    // Loss dropped some frames, order held for the rest, and time advanced by latency.
    expect(first.length).toBeGreaterThan(50)
    expect(first.length).toBeLessThan(100)
    const ids = first.map(([id]) => id)
    expect(ids).toEqual([...ids].sort((a, b) => a - b))
    const times = first.map(([, time]) => time)
    expect(times).toEqual([...times].sort((a, b) => a - b))
    expect(await lossyRun(8)).not.toEqual(first)
  })

  it('delivers nothing on virtual time until the clock moves', async () => {
    const clock = createVirtualClock(0)
    const network = createMemoryNetwork({ clock, latencyMs: [10, 10] })
    const received: number[] = []
    await memory(network)({ signer: signer() }).listen('memory://b', (link) =>
      link.on('frame', () => received.push(clock.now())),
    )
    const dialing = memory(network)({ signer: signer() }).dial('memory://b')
    clock.advance(10)
    const link = await dialing
    link.send(new Uint8Array(1))
    await flush()
    clock.advance(9)
    expect(received).toEqual([])
    clock.advance(1)
    expect(received).toEqual([20])
  })

  it('keeps no state between networks', async () => {
    const one = createMemoryNetwork()
    const two = createMemoryNetwork()
    await memory(one)({ signer: signer() }).listen('memory://same', () => {})
    await memory(two)({ signer: signer() }).listen('memory://same', () => {})
    expect(one.addresses()).toEqual(['memory://same'])
    await expect(memory(two)({ signer: signer() }).dial('memory://other')).rejects.toMatchObject({
      name: 'DialError',
    })
  })

  it('refuses a second listener on one address with ListenError', async () => {
    const network = createMemoryNetwork()
    await memory(network)({ signer: signer() }).listen('memory://taken', () => {})
    await expect(
      memory(network)({ signer: signer() }).listen('memory://taken', () => {}),
    ).rejects.toMatchObject({ name: 'ListenError' })
    await expect(
      memory(network)({ signer: signer() }).listen('tcp://127.0.0.1:1', () => {}),
    ).rejects.toMatchObject({ name: 'UnsupportedAddressError' })
  })

  it('closes a link whose remote never reads once its buffer passes the bound', async () => {
    const network = createMemoryNetwork()
    const links: Link[] = []
    await memory(network)({ signer: signer() }).listen('memory://deaf', (link) => links.push(link))
    const link = await memory(network, { maxBufferedBytes: 10_000, writeBufferBytes: 1000 })({
      signer: signer(),
    }).dial('memory://deaf')
    const closed = new Promise<unknown>((resolve) => link.on('close', resolve))
    let sent = 0
    while (link.status === 'open' && sent < 100) {
      link.send(new Uint8Array(1000))
      sent++
    }
    expect(sent).toBe(11)
    await expect(closed).resolves.toMatchObject({
      local: true,
      error: { name: 'QueueOverflowError' },
    })
  })

  it('uses the smaller frame limit of the two ends', async () => {
    const network = createMemoryNetwork()
    await memory(network, { maxFrameBytes: 100 })({ signer: signer() }).listen(
      'memory://small',
      () => {},
    )
    const link = await memory(network)({ signer: signer() }).dial('memory://small')
    expect(link.maxFrameBytes).toBe(100)
    expect(() => link.send(new Uint8Array(101))).toThrow(
      expect.objectContaining({ name: 'FrameTooLargeError' }),
    )
  })

  it('validates its options with InvalidArgumentError', () => {
    expect(() => createMemoryNetwork({ latencyMs: [5, 1] })).toThrow(
      expect.objectContaining({ name: 'InvalidArgumentError' }),
    )
    expect(() => createMemoryNetwork({ loss: 1 })).toThrow(
      expect.objectContaining({ name: 'InvalidArgumentError' }),
    )
    expect(() => memory({} as never)).toThrow(
      expect.objectContaining({ name: 'InvalidArgumentError' }),
    )
    expect(() => memory(createMemoryNetwork(), { writeBufferBytes: 0 })).toThrow(
      expect.objectContaining({ name: 'InvalidArgumentError' }),
    )
  })

  it('counts open links', async () => {
    const network = createMemoryNetwork()
    await memory(network)({ signer: signer() }).listen('memory://count', () => {})
    const link = await memory(network)({ signer: signer() }).dial('memory://count')
    expect(network.openLinks()).toBe(1)
    link.close()
    await flush()
    expect(network.openLinks()).toBe(0)
  })
})
