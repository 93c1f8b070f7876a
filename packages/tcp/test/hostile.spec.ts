/**
 * Hostile peers on real sockets: garbage before and after the handshake, a frame whose
 * length is over the limit, peers that connect and send nothing. Each costs only its own
 * connection, with a typed error, while a third peer's link keeps delivering every frame.
 */
import { connect, type Socket } from 'node:net'
import { generateKeyPair, signerFromKeyPair } from '@peerkit/identity'
import { isNetError, type Link, type LinkCloseEvent, type NetError } from '@peerkit/net'
import { secureStream } from '@peerkit/noise'
import { afterEach, expect, test } from 'vitest'
import { byteStreamFromSocket, parseTcpAddress, tcp } from '../src/index'

const HANDSHAKE_TIMEOUT_MS = 400
const MAX_FRAME_BYTES = 64 * 1024
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

/** Bob listens with tight limits; Carol holds a link to him that must keep working. */
async function arena() {
  const errors: NetError[] = []
  const bobSigner = signerFromKeyPair(generateKeyPair())
  const bob = tcp({
    handshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS,
    maxPendingHandshakes: 4,
    maxFrameBytes: MAX_FRAME_BYTES,
    onInboundError: (error) => errors.push(error),
  })({ signer: bobSigner })
  cleanup.push(() => bob.close())
  const inbound: Link[] = []
  const listener = await bob.listen('tcp://127.0.0.1:0', (link) => inbound.push(link))
  const address = listener.addresses[0] as string
  const carol = tcp({ maxFrameBytes: MAX_FRAME_BYTES })({
    signer: signerFromKeyPair(generateKeyPair()),
  })
  cleanup.push(() => carol.close())
  const carolLink = await carol.dial(address, { expectedPeer: bobSigner.peerId })
  await until(() => inbound.length === 1)
  const atBob = inbound[0] as Link
  const received: number[] = []
  atBob.on('frame', (frame) =>
    received.push(new DataView(frame.buffer, frame.byteOffset).getUint32(0)),
  )

  /** Carol sends `count` frames while `attack` runs; Bob must get all of them, in order. */
  const steadyDuring = async (attack: () => Promise<void>, count = 200): Promise<void> => {
    const start = received.length
    let sent = 0
    const sending = (async () => {
      for (; sent < count; sent++) {
        const frame = new Uint8Array(256)
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
    expect(atBob.status).toBe('open')
  }

  const rawSocket = async (): Promise<Socket> => {
    const { host, port } = parseTcpAddress(address)
    const socket = connect(port, host)
    socket.on('error', () => {})
    cleanup.push(() => socket.destroy())
    await new Promise<void>((resolve) => socket.once('connect', resolve))
    return socket
  }
  const socketClosed = (socket: Socket) =>
    new Promise<void>((resolve) => {
      if (socket.destroyed) resolve()
      else socket.once('close', () => resolve())
    })

  return { bob, bobSigner, address, inbound, errors, steadyDuring, rawSocket, socketClosed }
}

test('garbage instead of a handshake costs only that connection', async () => {
  const { errors, steadyDuring, rawSocket, socketClosed, inbound } = await arena()
  await steadyDuring(async () => {
    const sockets = await Promise.all([rawSocket(), rawSocket(), rawSocket()])
    for (const [index, socket] of sockets.entries()) {
      const garbage = new Uint8Array(3000 + index * 70_000).map((_, at) => (at * 31 + index) % 256)
      socket.write(garbage)
    }
    const started = Date.now()
    await Promise.all(sockets.map(socketClosed))
    expect(Date.now() - started).toBeLessThan(HANDSHAKE_TIMEOUT_MS + 1_000)
  })
  await until(() => errors.length === 3)
  for (const error of errors) {
    expect(['HandshakeError', 'HandshakeTimeoutError']).toContain(error.name)
  }
  expect(inbound).toHaveLength(1)
})

test('garbage after the handshake closes that link with a typed error', async () => {
  const { steadyDuring, rawSocket, socketClosed, inbound, bobSigner } = await arena()
  await steadyDuring(async () => {
    const socket = await rawSocket()
    const link = await secureStream(byteStreamFromSocket(socket), {
      signer: signerFromKeyPair(generateKeyPair()),
      initiator: true,
      expectedPeer: bobSigner.peerId,
    })
    await until(() => inbound.length === 2)
    const attacked = inbound[1] as Link
    const closed = new Promise<LinkCloseEvent>((resolve) => attacked.on('close', resolve))
    link.send(new Uint8Array([1, 2, 3]))
    // Bytes that are not a sealed Noise message of this session, on the raw socket.
    socket.write(new Uint8Array([0, 40, ...new Uint8Array(40).fill(0xab)]))
    const event = await closed
    expect(isNetError(event.error)).toBe(true)
    await socketClosed(socket)
  })
})

test('a frame longer than the limit closes that link with FrameTooLargeError', async () => {
  const { steadyDuring, inbound, address } = await arena()
  const mallory = tcp({ maxFrameBytes: 16 * MAX_FRAME_BYTES })({
    signer: signerFromKeyPair(generateKeyPair()),
  })
  cleanup.push(() => mallory.close())
  await steadyDuring(async () => {
    const link = await mallory.dial(address)
    await until(() => inbound.length === 2)
    const attacked = inbound[1] as Link
    const closed = new Promise<LinkCloseEvent>((resolve) => attacked.on('close', resolve))
    attacked.on('frame', () => {
      throw new Error('no frame of the attacker may arrive')
    })
    link.send(new Uint8Array(8 * MAX_FRAME_BYTES))
    const event = await closed
    expect(isNetError(event.error, 'FrameTooLargeError')).toBe(true)
  })
})

test('peers that connect and send nothing time out, and only fill the pending slots meanwhile', async () => {
  const { errors, steadyDuring, rawSocket, socketClosed, address } = await arena()
  await steadyDuring(async () => {
    const silent = await Promise.all([rawSocket(), rawSocket(), rawSocket(), rawSocket()])
    await new Promise((resolve) => setTimeout(resolve, 50))
    // Every pending slot is taken: a fifth connection is dropped at accept.
    const dialer = tcp()({ signer: signerFromKeyPair(generateKeyPair()) })
    cleanup.push(() => dialer.close())
    const refused = await dialer.dial(address).catch((caught: unknown) => caught)
    expect(isNetError(refused)).toBe(true)
    const started = Date.now()
    await Promise.all(silent.map(socketClosed))
    expect(Date.now() - started).toBeLessThan(HANDSHAKE_TIMEOUT_MS + 1_000)
    await until(() => errors.length === 4)
    expect(errors.every((error) => error.name === 'HandshakeTimeoutError')).toBe(true)
    // The slots are free again.
    const link = await dialer.dial(address)
    expect(link.status).toBe('open')
  })
})
