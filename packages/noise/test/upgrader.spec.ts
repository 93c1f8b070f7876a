/**
 * The upgrader transports share, over real loopback sockets: links both ways with one static
 * key per upgrader, the expected peer checked, an abort honoured, and every failure a typed
 * error with the stream destroyed.
 */
import { generateKeyPair, signerFromKeyPair } from '@peerkit/identity'
import { isNetError, type Link } from '@peerkit/net'
import { afterEach, expect, test } from 'vitest'
import { createSecureUpgrader } from '../src/upgrader'
import { type SocketPair, socketPair } from './fixtures/socket-stream'

const pairs: SocketPair[] = []
afterEach(() => {
  for (const pair of pairs.splice(0)) pair.close()
})

async function pair(): Promise<SocketPair> {
  const made = await socketPair()
  pairs.push(made)
  return made
}

const closed = (socket: SocketPair['client']) =>
  new Promise<void>((resolve) => {
    if (socket.destroyed) resolve()
    else socket.once('close', () => resolve())
  })

test('links both ways, twice from one upgrader, with the expected peer proven', async () => {
  const alice = signerFromKeyPair(generateKeyPair())
  const bob = signerFromKeyPair(generateKeyPair())
  const dialer = createSecureUpgrader(alice, { handshakeTimeoutMs: 5_000 })
  const listener = createSecureUpgrader(bob, { maxFrameBytes: 4096 })
  const links: Link[] = []
  for (let i = 0; i < 2; i++) {
    const { clientStream, serverStream } = await pair()
    const [outbound, inbound] = await Promise.all([
      dialer.outbound(clientStream, { expectedPeer: bob.peerId }),
      listener.inbound(serverStream),
    ])
    expect(outbound.remotePeer.equals(bob.peerId)).toBe(true)
    expect(inbound.remotePeer.equals(alice.peerId)).toBe(true)
    expect(inbound.maxFrameBytes).toBe(4096)
    links.push(outbound, inbound)
  }
  const frame = new Promise<Uint8Array>((resolve) => links[3]?.on('frame', resolve))
  links[2]?.send(Uint8Array.of(1, 2, 3))
  expect(await frame).toEqual(Uint8Array.of(1, 2, 3))
  for (const link of links) link.close()
})

test('the wrong peer fails with PeerMismatchError and the stream is destroyed', async () => {
  const dialer = createSecureUpgrader(signerFromKeyPair(generateKeyPair()))
  const listener = createSecureUpgrader(signerFromKeyPair(generateKeyPair()))
  const { client, clientStream, serverStream } = await pair()
  const stranger = signerFromKeyPair(generateKeyPair()).peerId
  const [outbound, inbound] = await Promise.all([
    dialer.outbound(clientStream, { expectedPeer: stranger }).catch((error: unknown) => error),
    listener.inbound(serverStream).catch((error: unknown) => error),
  ])
  expect(isNetError(outbound, 'PeerMismatchError')).toBe(true)
  expect(isNetError(inbound)).toBe(true)
  await closed(client)
})

test('an aborted dial fails with DialAbortedError, before or during the handshake', async () => {
  const dialer = createSecureUpgrader(signerFromKeyPair(generateKeyPair()))
  const early = await pair()
  const controller = new AbortController()
  controller.abort()
  const before = await dialer
    .outbound(early.clientStream, { signal: controller.signal })
    .catch((error: unknown) => error)
  expect(isNetError(before, 'DialAbortedError')).toBe(true)
  await closed(early.client)

  // the other side never answers: the dial waits in its handshake until aborted
  const silent = await pair()
  const during = new AbortController()
  const dialing = dialer
    .outbound(silent.clientStream, { signal: during.signal })
    .catch((error: unknown) => error)
  setTimeout(() => during.abort(), 50)
  expect(isNetError(await dialing, 'DialAbortedError')).toBe(true)
  await closed(silent.client)
})

test('garbage instead of a handshake is a typed error on the responder', async () => {
  const listener = createSecureUpgrader(signerFromKeyPair(generateKeyPair()), {
    handshakeTimeoutMs: 2_000,
  })
  const { client, serverStream } = await pair()
  const inbound = listener.inbound(serverStream).catch((error: unknown) => error)
  client.write(Uint8Array.of(0, 40, ...new Uint8Array(40).fill(7)))
  expect(isNetError(await inbound, 'HandshakeError')).toBe(true)
})

test('a malformed signer is refused with InvalidArgumentError', () => {
  let caught: unknown
  try {
    createSecureUpgrader({} as never)
  } catch (error) {
    caught = error
  }
  expect(isNetError(caught, 'InvalidArgumentError')).toBe(true)
})
