/**
 * Hostile peers over real loopback sockets: a forged identity proof, replayed handshake
 * messages, garbage and truncated messages, a peer that stalls mid-handshake, a tampered
 * ciphertext after the handshake. Each closes that one link with a typed error within the
 * deadline, while a healthy link beside it keeps working.
 */
import { encode } from '@peerkit/codec'
import { generateKeyPair, signerFromKeyPair } from '@peerkit/identity'
import { isNetError, type Link, type LinkCloseEvent, type NetError } from '@peerkit/net'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { identityProofMessage } from '../src/identity-proof'
import { withLengthPrefix } from '../src/message-reader'
import { createNoiseIdentity } from '../src/noise-identity'
import { secureStream } from '../src/secure-stream'
import { type SocketPair, socketPair } from './fixtures/socket-stream'

const alice = signerFromKeyPair(generateKeyPair())
const bob = signerFromKeyPair(generateKeyPair())
const mallory = signerFromKeyPair(generateKeyPair())
const DEADLINE = 400
const pairs: SocketPair[] = []
let healthy: [Link, Link]

async function pair(): Promise<SocketPair> {
  const made = await socketPair()
  pairs.push(made)
  return made
}

async function securedPair(): Promise<[Link, Link]> {
  const p = await pair()
  return Promise.all([
    secureStream(p.clientStream, { signer: alice, initiator: true, handshakeTimeoutMs: DEADLINE }),
    secureStream(p.serverStream, { signer: bob, initiator: false, handshakeTimeoutMs: DEADLINE }),
  ])
}

async function failure(
  promise: Promise<unknown>,
): Promise<NetError & { cause?: { name: string } }> {
  try {
    await promise
  } catch (error) {
    expect(isNetError(error)).toBe(true)
    return error as NetError & { cause?: { name: string } }
  }
  throw new Error('the handshake succeeded')
}

function nextFrame(link: Link): Promise<Uint8Array> {
  return new Promise((resolve) => {
    const off = link.on('frame', (frame) => {
      off()
      resolve(frame)
    })
  })
}

async function expectHealthy(): Promise<void> {
  const [a, b] = healthy
  expect(a.status).toBe('open')
  const received = nextFrame(b)
  a.send(Uint8Array.of(42))
  expect(await received).toEqual(Uint8Array.of(42))
}

/** The bytes a socket receives, recorded. */
function record(p: SocketPair, side: 'client' | 'server'): Uint8Array[] {
  const chunks: Uint8Array[] = []
  p[side].on('data', (chunk: Buffer) => chunks.push(Uint8Array.from(chunk)))
  return chunks
}

beforeEach(async () => {
  healthy = await securedPair()
})

afterEach(async () => {
  await expectHealthy()
  for (const p of pairs.splice(0)) p.close()
})

describe('hostile peers', () => {
  test('a forged identity proof fails the handshake with HandshakeError on both sides', async () => {
    const p = await pair()
    const identity = await createNoiseIdentity(bob)
    // mallory's signature over the static key, presented as bob's
    const sig = await mallory.sign(identityProofMessage(identity.staticPublicKey))
    const forged = { ...identity, proof: encode({ v: 1, key: bob.publicKey, sig }) }
    const [dialer, listener] = await Promise.all([
      failure(
        secureStream(p.clientStream, {
          signer: alice,
          initiator: true,
          handshakeTimeoutMs: DEADLINE,
        }),
      ),
      failure(
        secureStream(p.serverStream, {
          signer: bob,
          initiator: false,
          identity: forged,
          handshakeTimeoutMs: DEADLINE,
        }),
      ),
    ])
    expect(dialer.name).toBe('HandshakeError')
    expect(dialer.cause).toMatchObject({ name: 'IdentityProofError', reason: 'signature' })
    expect(listener.name).toBe('HandshakeError')
  })

  test('a valid proof of another peer fails with PeerMismatchError', async () => {
    const p = await pair()
    const [dialer, listener] = await Promise.all([
      failure(
        secureStream(p.clientStream, {
          signer: alice,
          initiator: true,
          expectedPeer: bob.peerId,
          handshakeTimeoutMs: DEADLINE,
        }),
      ),
      failure(
        secureStream(p.serverStream, {
          signer: mallory,
          initiator: false,
          handshakeTimeoutMs: DEADLINE,
        }),
      ),
    ])
    expect(dialer).toMatchObject({
      name: 'PeerMismatchError',
      expected: bob.peerId.toString(),
      actual: mallory.peerId.toString(),
    })
    expect(listener.name).toBe('HandshakeError')
  })

  test('the listener side checks expectedPeer too', async () => {
    const p = await pair()
    const [, listener] = await Promise.allSettled([
      secureStream(p.clientStream, {
        signer: mallory,
        initiator: true,
        handshakeTimeoutMs: DEADLINE,
      }),
      failure(
        secureStream(p.serverStream, {
          signer: bob,
          initiator: false,
          expectedPeer: alice.peerId,
          handshakeTimeoutMs: DEADLINE,
        }),
      ),
    ])
    expect(listener.status === 'fulfilled' && listener.value.name).toBe('PeerMismatchError')
  })

  test('a second message replayed from an earlier handshake is refused', async () => {
    // record bob's second message in one handshake
    const first = await pair()
    const heard = record(first, 'client')
    await Promise.all([
      secureStream(first.clientStream, { signer: alice, initiator: true }),
      secureStream(first.serverStream, { signer: bob, initiator: false }),
    ])
    const secondMessage = Buffer.concat(heard)
    const length = secondMessage.readUInt16BE(0)
    const replay = secondMessage.subarray(0, 2 + length)
    // replay it to a new handshake of alice's
    const second = await pair()
    second.server.once('data', () => second.server.write(replay))
    const error = await failure(
      secureStream(second.clientStream, {
        signer: alice,
        initiator: true,
        handshakeTimeoutMs: DEADLINE,
      }),
    )
    expect(error.name).toBe('HandshakeError')
    expect(error.cause?.name).toBe('DecryptionError')
  })

  test('a first message sent again in place of the third is refused', async () => {
    const p = await pair()
    const heard = record(p, 'server')
    const listening = failure(
      secureStream(p.serverStream, { signer: bob, initiator: false, handshakeTimeoutMs: DEADLINE }),
    )
    // a raw client: a real first message, then the same bytes again
    const dialer = await pair()
    const sent = record(dialer, 'server')
    const dialing = secureStream(dialer.clientStream, {
      signer: alice,
      initiator: true,
      handshakeTimeoutMs: DEADLINE,
    }).catch(() => {})
    await new Promise((resolve) => setTimeout(resolve, 50))
    const firstMessage = Buffer.concat(sent)
    p.client.write(firstMessage)
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(heard.length).toBeGreaterThan(0)
    p.client.write(firstMessage)
    const error = await listening
    expect(error.name).toBe('HandshakeError')
    await dialing
  })

  test('garbage and truncated handshake messages fail with HandshakeError', async () => {
    const cases: Uint8Array[] = [
      withLengthPrefix(new Uint8Array(10)), // shorter than a key
      withLengthPrefix(globalThis.crypto.getRandomValues(new Uint8Array(100))), // a payload in the first message
      Uint8Array.of(0, 0), // an empty message
    ]
    for (const bytes of cases) {
      const p = await pair()
      const listening = failure(
        secureStream(p.serverStream, {
          signer: bob,
          initiator: false,
          handshakeTimeoutMs: DEADLINE,
        }),
      )
      p.client.write(bytes)
      expect((await listening).name).toBe('HandshakeError')
    }
    // garbage for the second message, to a dialer
    const p = await pair()
    p.server.once('data', () =>
      p.server.write(withLengthPrefix(globalThis.crypto.getRandomValues(new Uint8Array(200)))),
    )
    expect(
      (
        await failure(
          secureStream(p.clientStream, {
            signer: alice,
            initiator: true,
            handshakeTimeoutMs: DEADLINE,
          }),
        )
      ).name,
    ).toBe('HandshakeError')
  })

  test('a peer that stalls mid-handshake fails with HandshakeTimeoutError within the deadline', async () => {
    // silent from the start
    const silent = await pair()
    const started = Date.now()
    const error = await failure(
      secureStream(silent.serverStream, {
        signer: bob,
        initiator: false,
        handshakeTimeoutMs: DEADLINE,
      }),
    )
    expect(error.name).toBe('HandshakeTimeoutError')
    expect(Date.now() - started).toBeLessThan(DEADLINE + 300)
    // half a message, then nothing
    const half = await pair()
    half.client.write(Uint8Array.of(0, 32, 1, 2, 3))
    expect(
      (
        await failure(
          secureStream(half.serverStream, {
            signer: bob,
            initiator: false,
            handshakeTimeoutMs: DEADLINE,
          }),
        )
      ).name,
    ).toBe('HandshakeTimeoutError')
    // a dialer whose peer answers nothing after the first message
    const mute = await pair()
    expect(
      (
        await failure(
          secureStream(mute.clientStream, {
            signer: alice,
            initiator: true,
            handshakeTimeoutMs: DEADLINE,
          }),
        )
      ).name,
    ).toBe('HandshakeTimeoutError')
    expect(mute.client.destroyed).toBe(true)
  })

  test('a tampered ciphertext after the handshake closes that link with MalformedFrameError', async () => {
    // alice <-> relay <-> bob, the relay flips one bit once the handshake is done
    const near = await pair()
    const far = await pair()
    let tamper = false
    near.server.on('data', (chunk: Buffer) => {
      const copy = Uint8Array.from(chunk)
      if (tamper) {
        copy[copy.length - 1] = (copy[copy.length - 1] as number) ^ 1
        tamper = false
      }
      far.client.write(copy)
    })
    far.client.on('data', (chunk: Buffer) => near.server.write(chunk))
    const [a, b] = await Promise.all([
      secureStream(near.clientStream, {
        signer: alice,
        initiator: true,
        handshakeTimeoutMs: DEADLINE,
      }),
      secureStream(far.serverStream, {
        signer: bob,
        initiator: false,
        handshakeTimeoutMs: DEADLINE,
      }),
    ])
    const bClosed = new Promise<LinkCloseEvent>((resolve) => b.on('close', resolve))
    const aClosed = new Promise<LinkCloseEvent>((resolve) => a.on('close', resolve))
    const frames: Uint8Array[] = []
    b.on('frame', (frame) => frames.push(frame))
    tamper = true
    a.send(new TextEncoder().encode('pay 10'))
    const event = await bClosed
    expect(event.local).toBe(false)
    expect(event.error?.name).toBe('MalformedFrameError')
    expect(frames).toEqual([])
    // the remote side hears why
    expect((await aClosed).error?.name).toBe('MalformedFrameError')
  })

  test('a transport message cut short by the stream ending closes the link', async () => {
    const [a, b] = await securedPair()
    const bClosed = new Promise<LinkCloseEvent>((resolve) => b.on('close', resolve))
    const p = pairs[pairs.length - 1] as SocketPair
    p.client.write(Uint8Array.of(0, 100, 1, 2, 3))
    p.client.end()
    const event = await bClosed
    expect(event.error?.name).toBe('LinkClosedError')
    expect(a.status).toBe('open')
  })
})
