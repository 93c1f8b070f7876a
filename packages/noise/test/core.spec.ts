/**
 * The sans-IO core: cipher state limits (nonces, message size), the handshake's turn and
 * length rules, the two backends giving identical bytes, the length-prefix reader under any
 * chunking, and the transport session's record rules.
 */
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { CipherState } from '../src/cipher-state'
import { MAX_MESSAGE_BYTES, MAX_PLAINTEXT_BYTES } from '../src/constants'
import { jsCrypto, noiseCrypto } from '../src/crypto'
import { isNoiseError } from '../src/errors'
import { createHandshake, type Handshake } from '../src/handshake'
import { MessageReader, withLengthPrefix } from '../src/message-reader'
import { SecureSession } from '../src/session'

const js = jsCrypto()
const native = noiseCrypto('node')
const key = new Uint8Array(32).fill(9)
const empty = new Uint8Array(0)
const randomKey = () => globalThis.crypto.getRandomValues(new Uint8Array(32))

function errorOf(fn: () => unknown): unknown {
  try {
    fn()
  } catch (error) {
    return error
  }
  return undefined
}

function completed(): [Handshake, Handshake] {
  const a = createHandshake({ initiator: true, staticSecretKey: randomKey() })
  const b = createHandshake({ initiator: false, staticSecretKey: randomKey() })
  b.readMessage(a.writeMessage(empty))
  a.readMessage(b.writeMessage(empty))
  b.readMessage(a.writeMessage(empty))
  return [a, b]
}

describe('cipher state', () => {
  test('the last nonce, 2^64 - 1, is never used: NonceExhaustedError', () => {
    for (const crypto of [js, native]) {
      const sender = new CipherState(crypto, key)
      const receiver = new CipherState(crypto, key)
      sender.setNonce((1n << 64n) - 2n)
      receiver.setNonce((1n << 64n) - 2n)
      const last = sender.encryptWithAd(empty, Uint8Array.of(1))
      expect(receiver.decryptWithAd(empty, last)).toEqual(Uint8Array.of(1))
      expect(sender.nonce).toBe((1n << 64n) - 1n)
      expect(
        isNoiseError(
          errorOf(() => sender.encryptWithAd(empty, Uint8Array.of(2))),
          'NonceExhaustedError',
        ),
      ).toBe(true)
      expect(
        isNoiseError(
          errorOf(() => receiver.decryptWithAd(empty, last)),
          'NonceExhaustedError',
        ),
      ).toBe(true)
    }
  })

  test('the nonce counter carries across bytes', () => {
    const a = new CipherState(native, key)
    const b = new CipherState(js, key)
    a.setNonce(0xffn)
    b.setNonce(0xffn)
    expect(a.encryptWithAd(empty, Uint8Array.of(5))).toEqual(
      b.encryptWithAd(empty, Uint8Array.of(5)),
    )
    expect(a.nonce).toBe(0x100n)
    expect(errorOf(() => a.setNonce(1n << 64n))).toMatchObject({ name: 'InvalidArgumentError' })
  })

  test('a message may not exceed 65,535 bytes', () => {
    const cipher = new CipherState(native, key)
    expect(cipher.encryptWithAd(empty, new Uint8Array(MAX_PLAINTEXT_BYTES)).length).toBe(
      MAX_MESSAGE_BYTES,
    )
    const error = errorOf(() =>
      cipher.encryptWithAd(empty, new Uint8Array(MAX_PLAINTEXT_BYTES + 1)),
    )
    expect(isNoiseError(error, 'MessageTooLargeError')).toBe(true)
    expect(cipher.nonce).toBe(1n)
    expect(
      isNoiseError(
        errorOf(() => cipher.decryptWithAd(empty, new Uint8Array(MAX_MESSAGE_BYTES + 1))),
        'MessageTooLargeError',
      ),
    ).toBe(true)
  })

  test('a failed decryption leaves the nonce where it was', () => {
    for (const crypto of [js, native]) {
      const sender = new CipherState(crypto, key)
      const receiver = new CipherState(crypto, key)
      const message = sender.encryptWithAd(empty, Uint8Array.of(1, 2, 3))
      const tampered = Uint8Array.from(message)
      tampered[0] = (tampered[0] as number) ^ 0x80
      expect(
        isNoiseError(
          errorOf(() => receiver.decryptWithAd(empty, tampered)),
          'DecryptionError',
        ),
      ).toBe(true)
      expect(
        isNoiseError(
          errorOf(() => receiver.decryptWithAd(empty, new Uint8Array(15))),
          'DecryptionError',
        ),
      ).toBe(true)
      expect(receiver.nonce).toBe(0n)
      expect(receiver.decryptWithAd(empty, message)).toEqual(Uint8Array.of(1, 2, 3))
    }
  })
})

describe('backends', () => {
  test('js and node give identical bytes and verdicts', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ maxLength: 300 }),
        fc.uint8Array({ maxLength: 40 }),
        (secret, publicKey, plaintext, ad) => {
          expect(js.publicKey(secret)).toEqual(native.publicKey(secret))
          const dh = (crypto: typeof js) => {
            try {
              return crypto.dh(secret, publicKey)
            } catch (error) {
              return (error as Error).name
            }
          }
          expect(dh(js)).toEqual(dh(native))
          const nonce = secret.subarray(0, 12)
          const sealed = js.encrypt(secret, nonce, ad, plaintext)
          expect(native.encrypt(secret, nonce, ad, plaintext)).toEqual(sealed)
          expect(native.decrypt(secret, nonce, ad, sealed)).toEqual(plaintext)
          // seal: head ‖ body behind reserved bytes, in three pieces, the same ciphertext as encrypt
          const cut = plaintext.length >> 1
          for (const crypto of [js, native]) {
            const parts = crypto.seal(
              secret,
              nonce,
              ad,
              plaintext.subarray(0, cut),
              plaintext.subarray(cut),
              3,
            )
            const [first, body, tag] = parts
            expect(first.length).toBe(3 + cut)
            expect(body.length).toBe(plaintext.length - cut)
            expect(tag.length).toBe(16)
            const joined = new Uint8Array([...first, ...body, ...tag])
            expect(joined.subarray(3)).toEqual(sealed)
          }
          expect(js.hash(plaintext)).toEqual(native.hash(plaintext))
          expect(js.hmac(ad, plaintext)).toEqual(native.hmac(ad, plaintext))
        },
      ),
      { numRuns: 50 },
    )
  })

  test('generated key pairs agree across backends, and a changed array is imported again', () => {
    for (const crypto of [js, native]) {
      const pair = crypto.generateKeyPair()
      expect(pair.secretKey.length).toBe(32)
      expect(js.publicKey(pair.secretKey)).toEqual(pair.publicKey)
      expect(native.publicKey(pair.secretKey)).toEqual(pair.publicKey)
      const other = crypto.generateKeyPair()
      expect(native.dh(pair.secretKey, other.publicKey)).toEqual(
        js.dh(other.secretKey, pair.publicKey),
      )
    }
    // the node backend keeps key objects per array: new bytes in the same arrays give new keys
    const secret = randomKey()
    const peer = randomKey()
    const peerPublic = native.publicKey(peer)
    const first = native.dh(secret, peerPublic)
    expect(first).toEqual(js.dh(secret, peerPublic))
    secret.set(randomKey())
    peerPublic.set(js.publicKey(randomKey()))
    const second = native.dh(secret, peerPublic)
    expect(second).toEqual(js.dh(secret, peerPublic))
    expect(second).not.toEqual(first)
    expect(native.publicKey(secret)).toEqual(js.publicKey(secret))
  })

  test('handshakes with generated ephemerals complete across backends', () => {
    for (const [left, right] of [
      [js, native],
      [native, js],
      [native, native],
    ] as const) {
      const a = createHandshake({ initiator: true, staticSecretKey: randomKey(), crypto: left })
      const b = createHandshake({ initiator: false, staticSecretKey: randomKey(), crypto: right })
      b.readMessage(a.writeMessage(empty))
      a.readMessage(b.writeMessage(empty))
      b.readMessage(a.writeMessage(empty))
      expect(a.handshakeHash).toEqual(b.handshakeHash)
      expect(a.remoteStaticKey).toEqual(b.staticPublicKey)
      const sealed = a.split().send.encryptWithAd(empty, Uint8Array.of(7))
      expect(b.split().receive.decryptWithAd(empty, sealed)).toEqual(Uint8Array.of(7))
    }
  })

  test('both refuse low-order X25519 points', () => {
    const lowOrder = [new Uint8Array(32), Uint8Array.of(1, ...new Uint8Array(31))]
    for (const point of lowOrder) {
      for (const crypto of [js, native]) {
        expect(
          isNoiseError(
            errorOf(() => crypto.dh(key, point)),
            'InvalidPublicKeyError',
          ),
        ).toBe(true)
      }
    }
  })
})

describe('handshake', () => {
  test('each side writes and reads only in turn', () => {
    const a = createHandshake({ initiator: true, staticSecretKey: randomKey() })
    const b = createHandshake({ initiator: false, staticSecretKey: randomKey() })
    expect(
      isNoiseError(
        errorOf(() => b.writeMessage(empty)),
        'HandshakeStateError',
      ),
    ).toBe(true)
    expect(
      isNoiseError(
        errorOf(() => a.readMessage(new Uint8Array(32))),
        'HandshakeStateError',
      ),
    ).toBe(true)
    expect(
      isNoiseError(
        errorOf(() => a.split()),
        'HandshakeStateError',
      ),
    ).toBe(true)
    b.readMessage(a.writeMessage(empty))
    a.readMessage(b.writeMessage(empty))
    b.readMessage(a.writeMessage(empty))
    a.split()
    expect(
      isNoiseError(
        errorOf(() => a.split()),
        'HandshakeStateError',
      ),
    ).toBe(true)
  })

  test('truncated or garbage messages fail with typed errors and end the handshake', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.integer({ min: 0, max: 2 }),
        (garbage, position) => {
          const a = createHandshake({ initiator: true, staticSecretKey: randomKey() })
          const b = createHandshake({ initiator: false, staticSecretKey: randomKey() })
          if (position === 0) {
            // the first message is not authenticated: anything of 32 bytes or more is accepted as a key
            const error = errorOf(() => b.readMessage(garbage))
            if (garbage.length < 32) expect(isNoiseError(error, 'InvalidMessageError')).toBe(true)
            return
          }
          b.readMessage(a.writeMessage(empty))
          if (position === 1) {
            const error = errorOf(() => a.readMessage(garbage))
            expect(isNoiseError(error)).toBe(true)
            expect(
              isNoiseError(
                errorOf(() => a.writeMessage(empty)),
                'HandshakeStateError',
              ),
            ).toBe(true)
            return
          }
          a.readMessage(b.writeMessage(empty))
          expect(isNoiseError(errorOf(() => b.readMessage(garbage)))).toBe(true)
          expect(b.complete).toBe(false)
        },
      ),
      { numRuns: 80 },
    )
  })

  test('a message cut short by one byte is refused at each step', () => {
    const a = createHandshake({ initiator: true, staticSecretKey: randomKey() })
    const b = createHandshake({ initiator: false, staticSecretKey: randomKey() })
    b.readMessage(a.writeMessage(empty))
    const second = b.writeMessage(Uint8Array.of(1, 2))
    expect(isNoiseError(errorOf(() => a.readMessage(second.subarray(0, second.length - 1))))).toBe(
      true,
    )
  })
})

describe('message reader', () => {
  test('any chunking of length-prefixed messages gives them back whole and in order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 10 }),
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 20 }),
        (messages, cuts) => {
          const wire = Buffer.concat(messages.map((m) => withLengthPrefix(m)))
          const reader = new MessageReader()
          const out: Uint8Array[] = []
          let offset = 0
          let cut = 0
          while (offset < wire.length) {
            const size = cuts[cut++ % cuts.length] as number
            reader.push(Uint8Array.from(wire.subarray(offset, offset + size)))
            offset += size
            for (let m = reader.next(); m !== undefined; m = reader.next())
              out.push(Uint8Array.from(m))
          }
          expect(out).toEqual(messages.map((m) => Uint8Array.from(m)))
          expect(reader.bufferedBytes).toBe(0)
        },
      ),
    )
  })
})

describe('transport session', () => {
  test('a split frame whose length passes the limit is refused before it is allocated', () => {
    const [a, b] = completed()
    const sender = new SecureSession(a.split(), 1 << 20)
    const receiver = new SecureSession(b.split(), 100_000)
    const reader = new MessageReader()
    reader.push(sender.sealFrame(new Uint8Array(200_000)))
    const error = errorOf(() => receiver.open(reader.next() as Uint8Array))
    expect(error).toMatchObject({ name: 'FrameTooLargeError', size: 200_000, limit: 100_000 })
  })

  test('records out of order are malformed', () => {
    const [a, b] = completed()
    const ciphers = a.split()
    const receiver = new SecureSession(b.split(), 1 << 20)
    // a continuation with no start
    const sealed = ciphers.send.encryptWithAd(empty, Uint8Array.of(2, 1, 2, 3))
    expect(errorOf(() => receiver.open(sealed))).toMatchObject({ name: 'MalformedFrameError' })
    const unknown = ciphers.send.encryptWithAd(empty, Uint8Array.of(9))
    expect(errorOf(() => receiver.open(unknown))).toMatchObject({ name: 'MalformedFrameError' })
    const none = ciphers.send.encryptWithAd(empty, empty)
    expect(errorOf(() => receiver.open(none))).toMatchObject({ name: 'MalformedFrameError' })
  })
})
