/**
 * Interop with an independent Noise implementation from the registry: `noise-handshake`
 * (Holepunch, libsodium underneath). It hashes with BLAKE2b only, so both sides run
 * `Noise_XX_25519_ChaChaPoly_BLAKE2b`: the same state machine, DH and cipher as this
 * package's SHA-256 protocol with the hash swapped through the `NoiseHash` option.
 * Handshakes complete in both roles and transport messages flow both ways.
 */
import { blake2b } from '@noble/hashes/blake2.js'
import { hmac } from '@noble/hashes/hmac.js'
import NoiseState from 'noise-handshake'
import Cipher from 'noise-handshake/cipher.js'
import { describe, expect, test } from 'vitest'
import { availableCryptoBackends, noiseCrypto } from '../src/crypto'
import { createHandshake } from '../src/handshake'
import type { NoiseHash } from '../src/symmetric-state'

const blake2bHash: NoiseHash = {
  name: 'BLAKE2b',
  length: 64,
  hash: (data) => blake2b(data),
  hmac: (key, data) => hmac(blake2b, key, data),
}
const prologue = new TextEncoder().encode('interop prologue')
const text = (value: string) => new TextEncoder().encode(value)
const u8 = (bytes: Uint8Array) => Uint8Array.from(bytes)
const randomKey = () => globalThis.crypto.getRandomValues(new Uint8Array(32))

describe.each(availableCryptoBackends())(
  'interop with noise-handshake on the %s backend',
  (backend) => {
    const crypto = noiseCrypto(backend)

    test('peerkit initiates, noise-handshake responds', () => {
      const ourStatic = randomKey()
      const ours = createHandshake({
        initiator: true,
        staticSecretKey: ourStatic,
        prologue,
        crypto,
        hash: blake2bHash,
      })
      expect(ours.protocolName).toBe('Noise_XX_25519_ChaChaPoly_BLAKE2b')
      const theirs = new NoiseState('XX', false)
      theirs.initialise(prologue)

      expect(u8(theirs.recv(ours.writeMessage(text('hello'))))).toEqual(text('hello'))
      expect(ours.readMessage(theirs.send(text('from the responder')))).toEqual(
        text('from the responder'),
      )
      expect(u8(theirs.recv(ours.writeMessage(text('from the initiator'))))).toEqual(
        text('from the initiator'),
      )
      expect(ours.complete && theirs.complete).toBe(true)
      expect(Buffer.from(ours.remoteStaticKey as Uint8Array)).toEqual(
        Buffer.from(theirs.s.publicKey),
      )
      expect(Buffer.from(theirs.rs as Uint8Array)).toEqual(Buffer.from(crypto.publicKey(ourStatic)))
      expect(Buffer.from(ours.handshakeHash)).toEqual(Buffer.from(theirs.hash))

      const { send, receive } = ours.split()
      const theirSend = new Cipher(theirs.tx)
      const theirReceive = new Cipher(theirs.rx)
      for (let i = 0; i < 5; i++) {
        const message = text(`message ${i}`)
        expect(u8(theirReceive.decrypt(send.encryptWithAd(new Uint8Array(0), message)))).toEqual(
          message,
        )
        expect(receive.decryptWithAd(new Uint8Array(0), theirSend.encrypt(message))).toEqual(
          message,
        )
      }
    })

    test('noise-handshake initiates, peerkit responds', () => {
      const theirs = new NoiseState('XX', true)
      theirs.initialise(prologue)
      const ours = createHandshake({
        initiator: false,
        staticSecretKey: randomKey(),
        prologue,
        crypto,
        hash: blake2bHash,
      })

      expect(ours.readMessage(theirs.send(text('e')))).toEqual(text('e'))
      expect(u8(theirs.recv(ours.writeMessage(text('responder payload'))))).toEqual(
        text('responder payload'),
      )
      expect(ours.readMessage(theirs.send(text('initiator payload')))).toEqual(
        text('initiator payload'),
      )
      expect(ours.complete && theirs.complete).toBe(true)
      expect(Buffer.from(ours.remoteStaticKey as Uint8Array)).toEqual(
        Buffer.from(theirs.s.publicKey),
      )
      expect(Buffer.from(ours.handshakeHash)).toEqual(Buffer.from(theirs.hash))

      const { send, receive } = ours.split()
      const theirSend = new Cipher(theirs.tx)
      const theirReceive = new Cipher(theirs.rx)
      const big = new Uint8Array(65_519).fill(7)
      expect(
        Buffer.compare(theirReceive.decrypt(send.encryptWithAd(new Uint8Array(0), big)), big),
      ).toBe(0)
      expect(receive.decryptWithAd(new Uint8Array(0), theirSend.encrypt(text('reply')))).toEqual(
        text('reply'),
      )
    })

    test('a tampered message from noise-handshake is refused', () => {
      const theirs = new NoiseState('XX', true)
      theirs.initialise(prologue)
      const ours = createHandshake({
        initiator: false,
        staticSecretKey: randomKey(),
        prologue,
        crypto,
        hash: blake2bHash,
      })
      ours.readMessage(theirs.send())
      theirs.recv(ours.writeMessage(new Uint8Array(0)))
      const third = Uint8Array.from(theirs.send(text('payload')))
      third[10] = (third[10] as number) ^ 1
      expect(() => ours.readMessage(third)).toThrowError(
        expect.objectContaining({ name: 'DecryptionError' }),
      )
    })

    test('a different prologue fails the handshake on the second message', () => {
      const theirs = new NoiseState('XX', false)
      theirs.initialise(text('another prologue'))
      const ours = createHandshake({
        initiator: true,
        staticSecretKey: randomKey(),
        prologue,
        crypto,
        hash: blake2bHash,
      })
      theirs.recv(ours.writeMessage(new Uint8Array(0)))
      expect(() => ours.readMessage(theirs.send())).toThrowError(
        expect.objectContaining({ name: 'DecryptionError' }),
      )
    })
  },
)
