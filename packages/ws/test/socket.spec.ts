/**
 * The WebSocket byte streams on real loopback sockets: the Node (`ws`) adapter and the
 * browser adapter (driven by `ws`'s WHATWG-compatible client), order, message splitting,
 * the writes of one task gathered into messages, backpressure and drain, bytes held before
 * the first reader, and hostile messages.
 */
import type { AddressInfo } from 'node:net'
import { type ByteStream, isNetError } from '@peerkit/net'
import { afterEach, expect, test } from 'vitest'
import WebSocket, { WebSocketServer } from 'ws'
import { byteStreamFromBrowserWebSocket } from '../src/browser-socket'
import { byteStreamFromWebSocket } from '../src/node-socket'
import { resolveSettings } from '../src/settings'

const settings = { ...resolveSettings({}), maxMessageBytes: 1000, writeBufferBytes: 64 * 1024 }
const cleanup: Array<() => void> = []
afterEach(() => {
  for (const fn of cleanup.splice(0)) fn()
})

async function pair(
  clientKind: 'node' | 'browser',
): Promise<{ client: ByteStream; server: ByteStream; raw: WebSocket; serverRaw: WebSocket }> {
  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    maxPayload: settings.maxMessageBytes,
  })
  cleanup.push(() => wss.close())
  await new Promise((resolve) => wss.once('listening', resolve))
  const { port } = wss.address() as AddressInfo
  const accepted = new Promise<WebSocket>((resolve) => wss.once('connection', resolve))
  const raw = new WebSocket(`ws://127.0.0.1:${port}/`, { maxPayload: settings.maxMessageBytes })
  cleanup.push(() => raw.terminate())
  const client =
    clientKind === 'node'
      ? byteStreamFromWebSocket(raw, settings)
      : byteStreamFromBrowserWebSocket(raw as never, settings)
  await new Promise((resolve) => raw.once('open', resolve))
  const serverRaw = await accepted
  cleanup.push(() => serverRaw.terminate())
  return { client, server: byteStreamFromWebSocket(serverRaw, settings), raw, serverRaw }
}

function collect(stream: ByteStream): () => Uint8Array {
  const chunks: Uint8Array[] = []
  stream.on('data', (chunk) => {
    expect(chunk.length).toBeLessThanOrEqual(settings.maxMessageBytes)
    chunks.push(chunk.slice())
  })
  return () => {
    const out = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0))
    let offset = 0
    for (const chunk of chunks) {
      out.set(chunk, offset)
      offset += chunk.length
    }
    return out
  }
}

const closed = (stream: ByteStream) =>
  new Promise<{ error?: Error }>((resolve) => stream.on('close', resolve))

for (const kind of ['node', 'browser'] as const) {
  test(`${kind}: bytes arrive in order in messages of at most maxMessageBytes, none lost before the first reader`, async () => {
    const { client, server } = await pair(kind)
    const sent = new Uint8Array(25_000).map((_, index) => (index * 7) % 256)
    client.write(sent.subarray(0, 12_345))
    client.write(sent.subarray(12_345))
    await new Promise((resolve) => setTimeout(resolve, 50))
    const received = collect(server)
    const serverClosed = closed(server)
    client.end()
    expect(await serverClosed).toEqual({})
    expect(received()).toEqual(sent)
  })

  test(`${kind}: the writes of one task leave in full messages, and end sends them first`, async () => {
    const { client, server, serverRaw } = await pair(kind)
    let messages = 0
    serverRaw.on('message', () => {
      messages++
    })
    const received = collect(server)
    const serverClosed = closed(server)
    const sent = new Uint8Array(5000).map((_, index) => (index * 11) % 256)
    for (let offset = 0; offset < sent.length; offset += 10) {
      expect(client.write(sent.subarray(offset, offset + 10))).toBe(true)
    }
    client.end()
    expect(await serverClosed).toEqual({})
    expect(received()).toEqual(sent)
    // 500 writes of 10 bytes: five messages of maxMessageBytes (1000)
    expect(messages).toBe(5)
  })

  test(`${kind}: server to client, then a clean close on both sides`, async () => {
    const { client, server } = await pair(kind)
    const received = collect(client)
    const clientClosed = closed(client)
    server.write(new Uint8Array([1, 2, 3]))
    server.end()
    expect(await clientClosed).toEqual({})
    expect(received()).toEqual(new Uint8Array([1, 2, 3]))
  })

  test(`${kind}: write reports backpressure once the peer stops reading, and drain follows`, async () => {
    const { client, server, serverRaw } = await pair(kind)
    let total = 0
    server.on('data', (chunk) => {
      total += chunk.length
    })
    serverRaw.pause()
    const chunk = new Uint8Array(64 * 1024)
    let writes = 0
    while (client.write(chunk)) {
      writes++
      if (writes > 10_000) throw new Error('write never reported backpressure')
      if (kind === 'browser') await new Promise((resolve) => setImmediate(resolve))
    }
    const drained = new Promise<void>((resolve) => client.on('drain', () => resolve()))
    serverRaw.resume()
    await drained
    const expected = (writes + 1) * chunk.length
    for (let wait = 0; wait < 100 && total < expected; wait++) {
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    expect(total).toBe(expected)
  })

  test(`${kind}: a text message breaks the stream with MalformedFrameError`, async () => {
    const { client, serverRaw } = await pair(kind)
    client.on('data', () => {})
    const clientClosed = closed(client)
    serverRaw.send('hello')
    const event = await clientClosed
    expect(isNetError(event.error, 'MalformedFrameError')).toBe(true)
  })
}

test('node: a message over maxPayload breaks the receiving stream with MalformedFrameError', async () => {
  const { server, raw } = await pair('node')
  server.on('data', () => {})
  const serverClosed = closed(server)
  raw.on('error', () => {})
  raw.send(new Uint8Array(settings.maxMessageBytes + 1))
  const event = await serverClosed
  expect(isNetError(event.error, 'MalformedFrameError')).toBe(true)
})

test('node: more than the held limit before the first reader closes with QueueOverflowError', async () => {
  const small = { ...settings, maxHeldBytes: 2000 }
  const { raw, serverRaw } = await pair('node')
  const server = byteStreamFromWebSocket(serverRaw, small)
  const serverClosed = closed(server)
  for (let index = 0; index < 3; index++) raw.send(new Uint8Array(1000))
  const event = await serverClosed
  expect(isNetError(event.error, 'QueueOverflowError')).toBe(true)
})

test('node: destroy with an error reports it locally; the other side sees the socket go', async () => {
  const { client, server } = await pair('node')
  server.on('data', () => {})
  const clientClosed = closed(client)
  const serverClosed = closed(server)
  const reason = new Error('bye')
  client.destroy(reason)
  expect((await clientClosed).error).toBe(reason)
  expect((await serverClosed).error).toBeInstanceOf(Error)
  expect(client.write(new Uint8Array(1))).toBe(false)
})
