import { generateKeyPair, signerFromKeyPair } from '@peerkit/identity'
import { pipe } from 'it-pipe'
import { describe, expect, it } from 'vitest'
import { linkToDuplex } from '../src/duplex'
import { IdleTimeoutError } from '../src/errors'
import { createMemoryNetwork, memory } from '../src/memory'
import type { Link } from '../src/types'

async function pair(options?: {
  writeBufferBytes?: number
}): Promise<{ outbound: Link; inbound: Link }> {
  const network = createMemoryNetwork()
  let inbound: Link | undefined
  await memory(
    network,
    options,
  )({ signer: signerFromKeyPair(generateKeyPair()) }).listen('memory://server', (link) => {
    inbound = link
  })
  const outbound = await memory(
    network,
    options,
  )({ signer: signerFromKeyPair(generateKeyPair()) }).dial('memory://server')
  if (inbound === undefined) throw new Error('no inbound link')
  return { outbound, inbound }
}

async function* reversed(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  for await (const frame of source) yield frame.slice().reverse()
}

describe('linkToDuplex', () => {
  it('pipes frames through it-pipe both ways, whole and in order', async () => {
    const { outbound, inbound } = await pair()
    const server = linkToDuplex(inbound)
    const echo = pipe(server, reversed, server)
    const client = linkToDuplex(outbound)
    const frames = Array.from({ length: 50 }, (_, index) =>
      Uint8Array.of(index, index + 1, index + 2),
    )
    const replies = pipe(frames, client, async (source) => {
      const out: number[][] = []
      for await (const frame of source) {
        out.push([...frame])
        if (out.length === frames.length) break
      }
      return out
    })
    expect(await replies).toEqual(frames.map((frame) => [...frame].reverse()))
    outbound.close()
    await echo
  })

  it('waits for drain in the sink, so a large stream passes a small write buffer', async () => {
    const { outbound, inbound } = await pair({ writeBufferBytes: 4096 })
    let drains = 0
    outbound.on('drain', () => drains++)
    const frames = Array.from({ length: 200 }, (_, index) =>
      new Uint8Array(5000).fill(index & 0xff),
    )
    const received = pipe(linkToDuplex(inbound), async (source) => {
      let count = 0
      for await (const frame of source) {
        expect(frame[0]).toBe(count & 0xff)
        count++
      }
      return count
    })
    await pipe(frames, linkToDuplex(outbound, { closeOnSinkEnd: true }).sink)
    expect(await received).toBe(200)
    expect(drains).toBe(200)
    expect(outbound.bufferedBytes).toBe(0)
  })

  it('ends the source with the close error', async () => {
    const { outbound, inbound } = await pair()
    const source = linkToDuplex(inbound).source
    outbound.send(Uint8Array.of(1))
    outbound.close(new IdleTimeoutError())
    const seen: number[] = []
    await expect(
      (async () => {
        for await (const frame of source) seen.push(frame[0] as number)
      })(),
    ).rejects.toMatchObject({ name: 'IdleTimeoutError' })
    expect(seen).toEqual([1])
  })

  it('closes the link with QueueOverflowError when the source is not read past its bound', async () => {
    const { outbound, inbound } = await pair()
    linkToDuplex(inbound, { maxBufferedBytes: 1000 })
    const closed = new Promise((resolve) => outbound.on('close', resolve))
    for (let index = 0; index < 5; index++) outbound.send(new Uint8Array(300))
    await expect(closed).resolves.toMatchObject({ error: { name: 'QueueOverflowError' } })
  })

  it('refuses frames over the limit, frames of the wrong type, and a second sink', async () => {
    const { outbound } = await pair()
    const duplex = linkToDuplex(outbound)
    await expect(duplex.sink([new Uint8Array(outbound.maxFrameBytes + 1)])).rejects.toMatchObject({
      name: 'FrameTooLargeError',
    })
    await expect(duplex.sink([])).rejects.toMatchObject({ name: 'InvalidArgumentError' })
    await expect(linkToDuplex(outbound).sink(['text' as never])).rejects.toMatchObject({
      name: 'InvalidArgumentError',
    })
    // A list of chunks (Uint8ArrayList's shape) is flattened.
    await linkToDuplex(outbound).sink([{ subarray: () => Uint8Array.of(1) }])
    outbound.close()
    await expect(linkToDuplex(outbound).sink([Uint8Array.of(1)])).rejects.toMatchObject({
      name: 'LinkClosedError',
    })
  })
})
