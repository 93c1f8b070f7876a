/** Runs one Noise vector through both sides of a handshake and its transport messages. */
import { expect } from 'vitest'
import type { NoiseCrypto } from '../src/crypto'
import { createHandshake } from '../src/handshake'
import { hex, type NoiseVector, toHex } from './vectors'

export function runVector(vector: NoiseVector, crypto: NoiseCrypto): void {
  expect(vector.protocol_name).toBe('Noise_XX_25519_ChaChaPoly_SHA256')
  const initiator = createHandshake({
    initiator: true,
    crypto,
    prologue: hex(vector.init_prologue),
    staticSecretKey: hex(vector.init_static),
    ephemeralSecretKey: hex(vector.init_ephemeral),
  })
  const responder = createHandshake({
    initiator: false,
    crypto,
    prologue: hex(vector.resp_prologue),
    staticSecretKey: hex(vector.resp_static),
    ephemeralSecretKey: hex(vector.resp_ephemeral),
  })
  expect(vector.messages.length).toBeGreaterThan(3)
  vector.messages.slice(0, 3).forEach((message, index) => {
    const [writer, reader] = index % 2 === 0 ? [initiator, responder] : [responder, initiator]
    const written = writer.writeMessage(hex(message.payload))
    expect(toHex(written)).toBe(message.ciphertext)
    expect(toHex(reader.readMessage(written))).toBe(message.payload)
  })
  expect(initiator.complete && responder.complete).toBe(true)
  expect(toHex(initiator.handshakeHash)).toBe(toHex(responder.handshakeHash))
  if (vector.handshake_hash !== undefined) {
    expect(toHex(initiator.handshakeHash)).toBe(vector.handshake_hash)
  }
  expect(toHex(initiator.remoteStaticKey as Uint8Array)).toBe(
    toHex(crypto.publicKey(hex(vector.resp_static))),
  )
  const a = initiator.split()
  const b = responder.split()
  vector.messages.slice(3).forEach((message, offset) => {
    const [send, receive] = (3 + offset) % 2 === 0 ? [a.send, b.receive] : [b.send, a.receive]
    const written = send.encryptWithAd(new Uint8Array(0), hex(message.payload))
    expect(toHex(written)).toBe(message.ciphertext)
    expect(toHex(receive.decryptWithAd(new Uint8Array(0), written))).toBe(message.payload)
  })
}
