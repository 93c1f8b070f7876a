/**
 * The stream link gathers the frames of one turn of the event loop into one `stream.send`
 * (one yamux frame, one Noise message, one socket write), on real libp2p streams.
 */
import type { Stream } from '@libp2p/interface'
import type { Link } from '@peerkit/net'
import { afterEach, expect, it } from 'vitest'
import { streamToLink } from '../src/index'
import { identityFromSeed, type PeerkitLibp2p, startNode } from './fixtures/nodes'

const PROTOCOL = '/peerkit-test/link/1.0.0'
const started: PeerkitLibp2p[] = []

afterEach(async () => {
  await Promise.all(started.splice(0).map((node) => node.stop()))
})

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/** A link from one libp2p node to another over PROTOCOL, the sender's `stream.send` calls counted. */
async function pair(coalesceBytes?: number): Promise<{
  link: Link
  sends: () => number
  received: Uint8Array[]
}> {
  const a = await startNode('memory', identityFromSeed().seed)
  const b = await startNode('memory', identityFromSeed().seed)
  started.push(a, b)
  const received: Uint8Array[] = []
  await b.handle(PROTOCOL, (stream: Stream) => {
    const inbound = streamToLink(stream, identityFromSeed().signer.peerId)
    inbound.on('frame', (frame) => received.push(frame))
  })
  const stream = await a.dialProtocol(b.getMultiaddrs()[0]!, PROTOCOL)
  let sends = 0
  const send = stream.send.bind(stream)
  stream.send = (data) => {
    sends++
    return send(data)
  }
  const link = streamToLink(
    stream,
    identityFromSeed().signer.peerId,
    coalesceBytes === undefined ? {} : { coalesceBytes },
  )
  return { link, sends: () => sends, received }
}

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000
  while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5))
}

it('sends the frames of one turn in one stream.send, in order', async () => {
  const { link, sends, received } = await pair()
  for (let i = 0; i < 20; i++) expect(link.send(new Uint8Array([i, i]))).toBe(true)
  expect(sends()).toBe(0)
  expect(link.bufferedBytes).toBeGreaterThan(0)
  await turn()
  expect(sends()).toBe(1)
  await until(() => received.length === 20)
  expect(received.map((frame) => frame[0])).toEqual([...Array(20).keys()])
})

it('frames of separate turns leave separately', async () => {
  const { link, sends, received } = await pair()
  for (let i = 0; i < 3; i++) {
    link.send(new Uint8Array([i]))
    await turn()
  }
  expect(sends()).toBe(3)
  await until(() => received.length === 3)
  expect(received.map((frame) => frame[0])).toEqual([0, 1, 2])
})

it('past coalesceBytes the gathered frames leave at once', async () => {
  const { link, sends, received } = await pair(1_000)
  for (let i = 0; i < 10; i++) link.send(new Uint8Array(300).fill(i))
  // 10 frames of 300 bytes (and a header each) past a 1,000-byte bound: a send every fourth frame
  expect(sends()).toBe(2)
  await turn()
  expect(sends()).toBe(3)
  await until(() => received.length === 10)
  expect(received.map((frame) => frame[299])).toEqual([...Array(10).keys()])
})

it('close sends what was gathered before ending the stream', async () => {
  const { link, received } = await pair()
  for (let i = 0; i < 5; i++) link.send(new Uint8Array([i]))
  link.close()
  await until(() => received.length === 5)
  expect(received.map((frame) => frame[0])).toEqual([0, 1, 2, 3, 4])
})
