/**
 * Hostile peers on real WebSockets: garbage instead of a handshake, a text message, a
 * message over `maxPayload`, peers that upgrade and send nothing, and a connection that
 * never finishes its request headers. Each costs only its own connection while a third
 * peer's link keeps delivering every frame.
 */
import { connect } from 'node:net'
import { generateKeyPair, signerFromKeyPair } from '@peerkit/identity'
import { isNetError, type Link, type NetError } from '@peerkit/net'
import { afterEach, expect, test } from 'vitest'
import WebSocket from 'ws'
import { parseWebSocketAddress, ws } from '../src/index'

const HANDSHAKE_TIMEOUT_MS = 400
const MAX_MESSAGE_BYTES = 8 * 1024
const cleanup: Array<() => unknown> = []
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
})

async function until(condition: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

async function arena() {
  const errors: NetError[] = []
  const bob = ws({
    handshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS,
    maxPendingHandshakes: 4,
    maxMessageBytes: MAX_MESSAGE_BYTES,
    onInboundError: (error) => errors.push(error),
  })({ signer: signerFromKeyPair(generateKeyPair()) })
  cleanup.push(() => bob.close())
  const inbound: Link[] = []
  const listener = await bob.listen('ws://127.0.0.1:0/', (link) => inbound.push(link))
  const address = listener.addresses[0] as string
  const carol = ws({ maxMessageBytes: MAX_MESSAGE_BYTES })({
    signer: signerFromKeyPair(generateKeyPair()),
  })
  cleanup.push(() => carol.close())
  const carolLink = await carol.dial(address)
  await until(() => inbound.length === 1)
  const atBob = inbound[0] as Link
  const received: number[] = []
  atBob.on('frame', (frame) =>
    received.push(new DataView(frame.buffer, frame.byteOffset).getUint32(0)),
  )

  const steadyDuring = async (attack: () => Promise<void>, count = 200): Promise<void> => {
    const start = received.length
    const sending = (async () => {
      for (let sent = 0; sent < count; sent++) {
        const frame = new Uint8Array(20_000)
        new DataView(frame.buffer).setUint32(0, start + sent)
        carolLink.send(frame)
        if (sent % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 5))
      }
    })()
    await attack()
    await sending
    await until(() => received.length === start + count)
    expect(received.slice(start)).toEqual(
      Array.from({ length: count }, (_, index) => start + index),
    )
    expect(carolLink.status).toBe('open')
  }

  const rawWebSocket = async (): Promise<WebSocket> => {
    const socket = new WebSocket(address)
    socket.on('error', () => {})
    cleanup.push(() => socket.terminate())
    await new Promise((resolve) => socket.once('open', resolve))
    return socket
  }
  const closedSocket = (socket: WebSocket) =>
    new Promise<void>((resolve) => {
      if (socket.readyState === WebSocket.CLOSED) resolve()
      else socket.once('close', () => resolve())
    })
  return { address, inbound, errors, steadyDuring, rawWebSocket, closedSocket }
}

test('garbage, a text message and an oversized message each cost only their connection', async () => {
  const { errors, steadyDuring, rawWebSocket, closedSocket, inbound } = await arena()
  await steadyDuring(async () => {
    const [garbage, text, oversized] = await Promise.all([
      rawWebSocket(),
      rawWebSocket(),
      rawWebSocket(),
    ])
    garbage.send(new Uint8Array(5000).map((_, at) => (at * 13) % 256))
    text.send('hello')
    oversized.send(new Uint8Array(MAX_MESSAGE_BYTES + 1))
    const started = Date.now()
    await Promise.all([garbage, text, oversized].map(closedSocket))
    expect(Date.now() - started).toBeLessThan(HANDSHAKE_TIMEOUT_MS + 1_000)
  })
  await until(() => errors.length === 3)
  expect(errors.every((error) => isNetError(error))).toBe(true)
  expect(inbound).toHaveLength(1)
})

test('peers that upgrade and send nothing time out; a request that never ends is cut off', async () => {
  const { errors, steadyDuring, rawWebSocket, closedSocket, address } = await arena()
  await steadyDuring(async () => {
    const silent = await Promise.all([rawWebSocket(), rawWebSocket(), rawWebSocket()])
    const { host, port } = parseWebSocketAddress(address)
    const dribbler = connect(port, host)
    dribbler.on('error', () => {})
    cleanup.push(() => dribbler.destroy())
    dribbler.write('GET / HTTP/1.1\r\nHost: x\r\n')
    const dribblerClosed = new Promise<void>((resolve) => dribbler.once('close', () => resolve()))
    const started = Date.now()
    await Promise.all(silent.map(closedSocket))
    expect(Date.now() - started).toBeLessThan(HANDSHAKE_TIMEOUT_MS + 1_000)
    await until(() => errors.length === 3)
    expect(errors.every((error) => error.name === 'HandshakeTimeoutError')).toBe(true)
    await dribblerClosed
    expect(Date.now() - started).toBeLessThan(HANDSHAKE_TIMEOUT_MS + 1_000)
  })
})
