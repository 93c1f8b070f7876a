/**
 * The TCP transport on real loopback sockets: listen and dial with Noise, frames both ways,
 * the typed errors of each failure, limits, and closing.
 */
import { createServer } from 'node:net'
import { generateKeyPair, signerFromKeyPair } from '@peerkit/identity'
import { isNetError, type Link, type Transport } from '@peerkit/net'
import { afterEach, expect, test } from 'vitest'
import { tcp } from '../src/index'

const transports: Transport[] = []
afterEach(async () => {
  await Promise.all(transports.splice(0).map((transport) => transport.close()))
})

function makeTransport(init?: Parameters<typeof tcp>[0]) {
  const signer = signerFromKeyPair(generateKeyPair())
  const transport = tcp(init)({ signer })
  transports.push(transport)
  return { signer, transport }
}

function frames(link: Link): Uint8Array[] {
  const received: Uint8Array[] = []
  link.on('frame', (frame) => received.push(frame))
  return received
}

async function until(condition: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

test('a dial to a listener on port 0 makes an authenticated link both ways', async () => {
  const alice = makeTransport()
  const bob = makeTransport()
  const inbound: Link[] = []
  const listener = await bob.transport.listen('tcp://127.0.0.1:0', (link) => inbound.push(link))
  const address = listener.addresses[0] as string
  expect(address).toMatch(/^tcp:\/\/127\.0\.0\.1:[1-9]\d*$/)
  const link = await alice.transport.dial(address, { expectedPeer: bob.signer.peerId })
  expect(link.remotePeer.equals(bob.signer.peerId)).toBe(true)
  expect(link.direction).toBe('outbound')
  expect(link.remoteAddress).toBe(address)
  await until(() => inbound.length === 1)
  const other = inbound[0] as Link
  expect(other.remotePeer.equals(alice.signer.peerId)).toBe(true)
  expect(other.direction).toBe('inbound')
  const atBob = frames(other)
  const atAlice = frames(link)
  const big = new Uint8Array(1024 * 1024).map((_, index) => index % 253)
  link.send(new Uint8Array([1]))
  link.send(big)
  link.send(new Uint8Array(0))
  other.send(new Uint8Array([9, 9]))
  await until(() => atBob.length === 3 && atAlice.length === 1)
  expect(atBob[0]).toEqual(new Uint8Array([1]))
  // Compared as one Buffer: a deep equality of a million elements takes seconds.
  expect(Buffer.compare(atBob[1] as Uint8Array, big)).toBe(0)
  expect(atBob[2]).toEqual(new Uint8Array(0))
  expect(atAlice[0]).toEqual(new Uint8Array([9, 9]))
  expect(() => link.send(new Uint8Array(1024 * 1024 + 1))).toThrow(
    expect.objectContaining({ name: 'FrameTooLargeError' }),
  )
  expect(link.status).toBe('open')
})

test('a dial to a closed port fails with DialError whose cause is ECONNREFUSED', async () => {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as { port: number }
  await new Promise((resolve) => probe.close(resolve))
  const { transport } = makeTransport()
  const error = await transport.dial(`tcp://127.0.0.1:${port}`).catch((caught: unknown) => caught)
  expect(isNetError(error, 'DialError')).toBe(true)
  expect(((error as Error).cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED')
})

test('a dial that proves another peer fails with PeerMismatchError', async () => {
  const alice = makeTransport()
  const bob = makeTransport()
  const carol = makeTransport()
  const listener = await bob.transport.listen('tcp://127.0.0.1:0', () => {})
  const error = await alice.transport
    .dial(listener.addresses[0] as string, { expectedPeer: carol.signer.peerId })
    .catch((caught: unknown) => caught)
  expect(isNetError(error, 'PeerMismatchError')).toBe(true)
})

test('listening on a port in use fails with ListenError', async () => {
  const bob = makeTransport()
  const listener = await bob.transport.listen('tcp://127.0.0.1:0', () => {})
  const error = await makeTransport()
    .transport.listen(listener.addresses[0] as string, () => {})
    .catch((caught: unknown) => caught)
  expect(isNetError(error, 'ListenError')).toBe(true)
  expect(((error as Error).cause as NodeJS.ErrnoException).code).toBe('EADDRINUSE')
})

test('an aborted dial fails with DialAbortedError', async () => {
  const bob = makeTransport()
  const listener = await bob.transport.listen('tcp://127.0.0.1:0', () => {})
  const controller = new AbortController()
  const dialing = makeTransport().transport.dial(listener.addresses[0] as string, {
    signal: controller.signal,
  })
  controller.abort()
  const error = await dialing.catch((caught: unknown) => caught)
  expect(isNetError(error, 'DialAbortedError')).toBe(true)
  const aborted = AbortSignal.abort()
  const early = await makeTransport()
    .transport.dial(listener.addresses[0] as string, { signal: aborted })
    .catch((caught: unknown) => caught)
  expect(isNetError(early, 'DialAbortedError')).toBe(true)
})

test('bad addresses get InvalidAddressError; canDial tells which it dials', async () => {
  const { transport } = makeTransport()
  expect(transport.canDial('tcp://127.0.0.1:4001')).toBe(true)
  expect(transport.canDial('tcp://127.0.0.1:0')).toBe(true)
  expect(transport.canDial('tcp://127.0.0.1')).toBe(false)
  expect(transport.canDial('ws://127.0.0.1:4001/')).toBe(false)
  for (const address of ['tcp://127.0.0.1', 'ws://127.0.0.1:1/', 'tcp://127.0.0.1:0']) {
    const error = await transport.dial(address).catch((caught: unknown) => caught)
    expect(isNetError(error, 'InvalidAddressError')).toBe(true)
  }
  expect(() => tcp({ maxInboundLinks: 0 })).toThrow(
    expect.objectContaining({ name: 'InvalidArgumentError' }),
  )
})

test('connections past maxInboundLinks are dropped; the links already open keep working', async () => {
  const bob = makeTransport({ maxInboundLinks: 2 })
  const inbound: Link[] = []
  const listener = await bob.transport.listen('tcp://127.0.0.1:0', (link) => inbound.push(link))
  const address = listener.addresses[0] as string
  const first = await makeTransport().transport.dial(address)
  const second = await makeTransport().transport.dial(address)
  await until(() => inbound.length === 2)
  const third = await makeTransport()
    .transport.dial(address)
    .catch((caught: unknown) => caught)
  expect(isNetError(third, 'HandshakeError')).toBe(true)
  const received = frames(inbound[0] as Link)
  first.send(new Uint8Array([7]))
  await until(() => received.length === 1)
  expect(second.status).toBe('open')
  // A slot frees when a link closes.
  second.close()
  await until(() => inbound.filter((link) => link.status === 'open').length === 1)
  const fourth = await makeTransport().transport.dial(address)
  expect(fourth.status).toBe('open')
})

test('closing the transport closes its links on both sides; a closed listener stops accepting', async () => {
  const alice = makeTransport()
  const bob = makeTransport()
  const inbound: Link[] = []
  const listener = await bob.transport.listen('tcp://127.0.0.1:0', (link) => inbound.push(link))
  const address = listener.addresses[0] as string
  const link = await alice.transport.dial(address)
  await until(() => inbound.length === 1)
  await listener.close()
  const refused = await makeTransport()
    .transport.dial(address)
    .catch((caught: unknown) => caught)
  expect(isNetError(refused, 'DialError')).toBe(true)
  // Links made before the listener closed stay open.
  const received = frames(inbound[0] as Link)
  link.send(new Uint8Array([1]))
  await until(() => received.length === 1)
  const closedAtBob = new Promise((resolve) => (inbound[0] as Link).on('close', resolve))
  await alice.transport.close()
  expect(link.status).toBe('closed')
  await closedAtBob
  const error = await alice.transport.dial(address).catch((caught: unknown) => caught)
  expect(isNetError(error, 'LinkClosedError')).toBe(true)
})
