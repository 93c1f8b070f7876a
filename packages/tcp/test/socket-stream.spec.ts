/**
 * The socket adapter on real loopback sockets: order, no loss before the first listener,
 * the writes of one tick gathered into a few syscalls, backpressure and drain, clean and
 * broken closes, the idle timeout.
 */
import { connect, createServer, type Server, type Socket } from 'node:net'
import { isNetError } from '@peerkit/net'
import { afterEach, expect, test } from 'vitest'
import { byteStreamFromSocket } from '../src/socket-stream'

const cleanup: Array<() => void> = []
afterEach(() => {
  for (const fn of cleanup.splice(0)) fn()
})

async function socketPair(): Promise<{ client: Socket; server: Socket }> {
  const server: Server = createServer()
  cleanup.push(() => server.close())
  const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  const client = connect(port, '127.0.0.1')
  await new Promise<void>((resolve) => client.once('connect', resolve))
  const serverSide = await accepted
  cleanup.push(() => {
    client.destroy()
    serverSide.destroy()
  })
  return { client, server: serverSide }
}

function collect(stream: ReturnType<typeof byteStreamFromSocket>): { bytes: () => Uint8Array } {
  const chunks: Uint8Array[] = []
  stream.on('data', (chunk) => {
    expect(Object.getPrototypeOf(chunk)).toBe(Uint8Array.prototype)
    chunks.push(chunk.slice())
  })
  return {
    bytes: () => {
      const out = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0))
      let offset = 0
      for (const chunk of chunks) {
        out.set(chunk, offset)
        offset += chunk.length
      }
      return out
    },
  }
}

const closed = (stream: ReturnType<typeof byteStreamFromSocket>) =>
  new Promise<{ error?: Error }>((resolve) => stream.on('close', resolve))

test('bytes arrive in order as plain Uint8Array views, and none is lost before the first listener', async () => {
  const pair = await socketPair()
  const a = byteStreamFromSocket(pair.client)
  const b = byteStreamFromSocket(pair.server)
  expect(a.remoteAddress).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/)
  const sent = new Uint8Array(200_000).map((_, index) => index % 251)
  a.write(sent.subarray(0, 100_000))
  a.write(sent.subarray(100_000))
  await new Promise((resolve) => setTimeout(resolve, 50))
  const received = collect(b)
  const bClosed = closed(b)
  a.end()
  expect(await bClosed).toEqual({})
  expect(received.bytes()).toEqual(sent)
})

test('the writes of one tick leave the socket in a few batches, in order, and end flushes them', async () => {
  const pair = await socketPair()
  // count what the socket hands to the kernel: one call per write or writev
  const client = pair.client as unknown as Record<
    '_write' | '_writev',
    (...args: unknown[]) => void
  >
  let dispatches = 0
  for (const method of ['_write', '_writev'] as const) {
    const real = client[method].bind(client)
    client[method] = (...args: unknown[]) => {
      dispatches++
      real(...args)
    }
  }
  const a = byteStreamFromSocket(pair.client)
  const b = byteStreamFromSocket(pair.server)
  const received = collect(b)
  const bClosed = closed(b)
  const sent = new Uint8Array(1000 * 100 + 600_000).map((_, index) => index % 253)
  for (let offset = 0; offset < 100_000; offset += 100) {
    expect(a.write(sent.subarray(offset, offset + 100))).toBe(true)
  }
  // larger than a batch: flushed within the tick, not held until its end
  a.write(sent.subarray(100_000))
  a.end()
  expect(await bClosed).toEqual({})
  expect(received.bytes()).toEqual(sent)
  expect(dispatches).toBeGreaterThan(0)
  // a flush whenever the socket's 16 KiB buffer fills: about seven, against 1,001 unbatched
  expect(dispatches).toBeLessThanOrEqual(10)
})

test('write returns false once the peer stops reading, and drain follows when it reads again', async () => {
  const pair = await socketPair()
  const a = byteStreamFromSocket(pair.client)
  const chunk = new Uint8Array(64 * 1024)
  let writes = 0
  while (a.write(chunk)) {
    writes++
    if (writes > 10_000) throw new Error('write never reported backpressure')
  }
  const drained = new Promise<void>((resolve) => a.on('drain', () => resolve()))
  const b = byteStreamFromSocket(pair.server)
  let total = 0
  b.on('data', (bytes) => {
    total += bytes.length
  })
  await drained
  expect(total).toBeGreaterThan(0)
})

test('destroy with an error closes both sides, the local one with that error', async () => {
  const pair = await socketPair()
  const a = byteStreamFromSocket(pair.client)
  const b = byteStreamFromSocket(pair.server)
  b.on('data', () => {})
  const aClosed = closed(a)
  const bClosed = closed(b)
  const reason = new Error('bye')
  a.destroy(reason)
  expect((await aClosed).error).toBe(reason)
  await bClosed
  expect(a.write(new Uint8Array(1))).toBe(false)
  // A close listener added afterwards still hears it, once.
  expect((await closed(a)).error).toBe(reason)
})

test('a peer reset reaches the other side as a close with the socket error', async () => {
  const pair = await socketPair()
  const b = byteStreamFromSocket(pair.server)
  b.on('data', () => {})
  const bClosed = closed(b)
  pair.client.resetAndDestroy()
  const event = await bClosed
  expect((event.error as NodeJS.ErrnoException | undefined)?.code).toBe('ECONNRESET')
})

test('a socket without traffic closes with IdleTimeoutError', async () => {
  const pair = await socketPair()
  const a = byteStreamFromSocket(pair.client, { idleTimeoutMs: 100 })
  a.on('data', () => {})
  const started = Date.now()
  const event = await closed(a)
  expect(isNetError(event.error, 'IdleTimeoutError')).toBe(true)
  expect(Date.now() - started).toBeLessThan(2_000)
})
