/**
 * Interop with an independent `Noise_XX_25519_ChaChaPoly_SHA256`: the connection encrypter of
 * `@chainsafe/libp2p-noise` (libp2p's Noise, its own state machine and crypto), through its
 * public `secureInbound` and `secureOutbound` on a byte pipe of `@libp2p/utils`. This package's
 * handshake core runs the other side with an empty prologue, as libp2p does, and carries
 * libp2p's handshake payload (its protobuf, signed by a peerkit Ed25519 key over
 * `noise-libp2p-static-key:` ‖ static key), which the test builds and checks by hand. Handshakes
 * complete in both roles, each side proves the other's identity, and transport messages flow
 * both ways, on both backends.
 */
import { noise } from '@chainsafe/libp2p-noise'
import { generateKeyPair as libp2pKeyPair } from '@libp2p/crypto/keys'
import { defaultLogger } from '@libp2p/logger'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddrConnectionPair } from '@libp2p/utils'
import {
  generateKeyPair,
  keyPairFromSeed,
  signerFromKeyPair,
  verifySignature,
} from '@peerkit/identity'
import { beforeAll, describe, expect, test } from 'vitest'
import { availableCryptoBackends, noiseCrypto } from '../src/crypto'
import { createHandshake, type Handshake } from '../src/handshake'
import { MessageReader, withLengthPrefix } from '../src/message-reader'

const text = (value: string) => new TextEncoder().encode(value)
const EMPTY = new Uint8Array(0)
const STATIC_KEY_PREFIX = text('noise-libp2p-static-key:')
// libp2p's PublicKey protobuf of an Ed25519 key: Type = 1 (field 1), Data (field 2, 32 bytes)
const ED25519_KEY_HEADER = Uint8Array.of(0x08, 0x01, 0x12, 0x20)

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

/** A protobuf length-delimited field (tags and lengths here fit one byte each). */
function field(tag: number, bytes: Uint8Array): Uint8Array {
  expect(bytes.length).toBeLessThan(128)
  return concat(Uint8Array.of((tag << 3) | 2, bytes.length), bytes)
}

/** Reads the length-delimited fields of a protobuf message (unknown fields kept by number). */
function fields(message: Uint8Array): Map<number, Uint8Array> {
  const out = new Map<number, Uint8Array>()
  let offset = 0
  const varint = (): number => {
    let value = 0
    for (let shift = 0; ; shift += 7) {
      const byte = message[offset++] as number
      value += (byte & 0x7f) * 2 ** shift
      if (byte < 0x80) return value
    }
  }
  while (offset < message.length) {
    const key = varint()
    expect(key & 7).toBe(2)
    const length = varint()
    out.set(key >> 3, message.subarray(offset, offset + length))
    offset += length
  }
  return out
}

/** libp2p's NoiseHandshakePayload, signed by a peerkit signer. */
async function payloadOf(
  signer: ReturnType<typeof signerFromKeyPair>,
  staticPublicKey: Uint8Array,
): Promise<Uint8Array> {
  const signature = await signer.sign(concat(STATIC_KEY_PREFIX, staticPublicKey))
  return concat(field(1, concat(ED25519_KEY_HEADER, signer.peerId.publicKey)), field(2, signature))
}

/** Checks libp2p's payload against the remote static key; returns the Ed25519 key it proves. */
async function provenKey(payload: Uint8Array, state: Handshake): Promise<Uint8Array> {
  const parts = fields(payload)
  const identityKey = parts.get(1) as Uint8Array
  expect(identityKey.subarray(0, 4)).toEqual(ED25519_KEY_HEADER)
  const publicKey = identityKey.subarray(4)
  const signed = concat(STATIC_KEY_PREFIX, state.remoteStaticKey as Uint8Array)
  expect(await verifySignature(publicKey, signed, parts.get(2) as Uint8Array)).toBe(true)
  return publicKey
}

/** Our end of the pipe: whole Noise messages in, length-prefixed messages out. */
function endpoint(connection: ReturnType<typeof multiaddrConnectionPair>[number]) {
  const reader = new MessageReader()
  const waiting: ((message: Uint8Array) => void)[] = []
  const queued: Uint8Array[] = []
  connection.addEventListener('message', (event) => {
    const data = event.data
    reader.push(data instanceof Uint8Array ? Uint8Array.from(data) : data.subarray())
    for (let message = reader.next(); message !== undefined; message = reader.next()) {
      const resolve = waiting.shift()
      if (resolve === undefined) queued.push(Uint8Array.from(message))
      else resolve(Uint8Array.from(message))
    }
  })
  return {
    next: (): Promise<Uint8Array> => {
      const message = queued.shift()
      if (message !== undefined) return Promise.resolve(message)
      return new Promise((resolve) => waiting.push(resolve))
    },
    write: (message: Uint8Array) => {
      connection.send(withLengthPrefix(message))
    },
  }
}

async function libp2pNoise() {
  const privateKey = await libp2pKeyPair('Ed25519')
  const encrypter = noise()({
    privateKey,
    peerId: peerIdFromPrivateKey(privateKey),
    logger: defaultLogger(),
    upgrader: { getStreamMuxers: () => new Map() } as never,
  })
  return { encrypter, publicKey: privateKey.publicKey.raw }
}

/** libp2p 3 uses `Promise.withResolvers` (Node 22+); Node 20 lacks it. */
beforeAll(() => {
  const statics = Promise as unknown as { withResolvers?: () => unknown }
  statics.withResolvers ??= () => {
    let resolve: unknown
    let reject: unknown
    const promise = new Promise((res, rej) => {
      resolve = res
      reject = rej
    })
    return { promise, resolve, reject }
  }
})

describe.each(availableCryptoBackends())(
  'interop with @chainsafe/libp2p-noise on the %s backend',
  (backend) => {
    const crypto = noiseCrypto(backend)

    test('peerkit initiates, libp2p responds', async () => {
      const libp2p = await libp2pNoise()
      const signer = signerFromKeyPair(generateKeyPair())
      const [outbound, inbound] = multiaddrConnectionPair()
      const secured = libp2p.encrypter.secureInbound(inbound, { skipStreamMuxerNegotiation: true })
      const ours = endpoint(outbound)
      const handshake = createHandshake({
        initiator: true,
        staticSecretKey: crypto.generateKeyPair().secretKey,
        crypto,
      })
      expect(handshake.protocolName).toBe('Noise_XX_25519_ChaChaPoly_SHA256')

      ours.write(handshake.writeMessage(EMPTY))
      const theirPayload = handshake.readMessage(await ours.next())
      expect(await provenKey(theirPayload, handshake)).toEqual(libp2p.publicKey)
      ours.write(handshake.writeMessage(await payloadOf(signer, handshake.staticPublicKey)))
      const connection = await secured
      expect(connection.remotePeer.publicKey?.raw).toEqual(signer.peerId.publicKey)

      const { send, receive } = handshake.split()
      const received = new Promise<Uint8Array>((resolve) =>
        connection.connection.addEventListener('message', (event) =>
          resolve(Uint8Array.from(event.data.subarray())),
        ),
      )
      ours.write(send.encryptWithAd(EMPTY, text('from peerkit')))
      expect(await received).toEqual(text('from peerkit'))
      connection.connection.send(text('from libp2p'))
      expect(receive.decryptWithAd(EMPTY, await ours.next())).toEqual(text('from libp2p'))
    })

    test('libp2p initiates, peerkit responds', async () => {
      const libp2p = await libp2pNoise()
      const signer = signerFromKeyPair(keyPairFromSeed(new Uint8Array(32).fill(5)))
      const [outbound, inbound] = multiaddrConnectionPair()
      const secured = libp2p.encrypter.secureOutbound(outbound, {
        skipStreamMuxerNegotiation: true,
      })
      const ours = endpoint(inbound)
      const handshake = createHandshake({
        initiator: false,
        staticSecretKey: crypto.generateKeyPair().secretKey,
        crypto,
      })

      expect(handshake.readMessage(await ours.next())).toEqual(EMPTY)
      ours.write(handshake.writeMessage(await payloadOf(signer, handshake.staticPublicKey)))
      const theirPayload = handshake.readMessage(await ours.next())
      expect(await provenKey(theirPayload, handshake)).toEqual(libp2p.publicKey)
      expect(handshake.complete).toBe(true)
      const connection = await secured
      expect(connection.remotePeer.publicKey?.raw).toEqual(signer.peerId.publicKey)

      const { send, receive } = handshake.split()
      const received = new Promise<Uint8Array>((resolve) =>
        connection.connection.addEventListener('message', (event) =>
          resolve(Uint8Array.from(event.data.subarray())),
        ),
      )
      const bytes = crypto.generateKeyPair().secretKey
      ours.write(send.encryptWithAd(EMPTY, bytes))
      expect(await received).toEqual(bytes)
      connection.connection.send(text('from libp2p'))
      expect(receive.decryptWithAd(EMPTY, await ours.next())).toEqual(text('from libp2p'))
    })

    test('a forged payload signature is refused by libp2p', async () => {
      const libp2p = await libp2pNoise()
      const signer = signerFromKeyPair(generateKeyPair())
      const [outbound, inbound] = multiaddrConnectionPair()
      const secured = libp2p.encrypter
        .secureInbound(inbound, { skipStreamMuxerNegotiation: true })
        .catch((error: unknown) => error)
      const ours = endpoint(outbound)
      const handshake = createHandshake({
        initiator: true,
        staticSecretKey: crypto.generateKeyPair().secretKey,
        crypto,
      })
      ours.write(handshake.writeMessage(EMPTY))
      handshake.readMessage(await ours.next())
      // signed over another static key: the proof does not bind this handshake's key
      const wrong = await payloadOf(signer, crypto.generateKeyPair().publicKey)
      ours.write(handshake.writeMessage(wrong))
      const error = await secured
      expect(error).toBeInstanceOf(Error)
      expect((error as Error).name).toBe('UnexpectedPeerError')
    })
  },
)
