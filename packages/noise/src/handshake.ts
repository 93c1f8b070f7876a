/**
 * The `XX` handshake of Noise as a sans-IO state machine: three messages
 * (`-> e`, `<- e, ee, s, es`, `-> s, se`), each written or read whole, after which `split`
 * gives the transport cipher states. No I/O, no timers; the randomness for the ephemeral key
 * is injected (or the ephemeral key itself, for test vectors).
 *
 * @example
 * const alice = createHandshake({ initiator: true, staticSecretKey: a })
 * const bob = createHandshake({ initiator: false, staticSecretKey: b })
 * bob.readMessage(alice.writeMessage(new Uint8Array(0)))
 */
import type { CipherState } from './cipher-state'
import { DH_BYTES, TAG_BYTES } from './constants'
import { type NoiseCrypto, noiseCrypto } from './crypto'
import { HandshakeStateError, InvalidArgumentError, InvalidMessageError } from './errors'
import { type NoiseHash, SymmetricState, sha256Hash } from './symmetric-state'

/** Options of `createHandshake`. */
export interface HandshakeOptions {
  /** `true` for the side that writes the first message. */
  readonly initiator: boolean
  /** This side's 32-byte X25519 static secret key. */
  readonly staticSecretKey: Uint8Array
  /** Bytes both sides must agree on, mixed into the handshake hash (default empty). */
  readonly prologue?: Uint8Array
  /** The crypto backend (default: the fastest available). */
  readonly crypto?: NoiseCrypto
  /** The hash (default SHA-256; the protocol name follows it). */
  readonly hash?: NoiseHash
  /** A fixed ephemeral secret key, for test vectors only. */
  readonly ephemeralSecretKey?: Uint8Array
  /** Source of the ephemeral secret (default: the backend's `generateKeyPair`). */
  readonly randomBytes?: (length: number) => Uint8Array
}

/** The transport cipher states of a finished handshake. */
export interface TransportCiphers {
  /** Encrypts what this side sends. */
  readonly send: CipherState
  /** Decrypts what this side receives. */
  readonly receive: CipherState
}

/** One side of an `XX` handshake. */
export interface Handshake {
  readonly initiator: boolean
  /** The protocol name, e.g. `Noise_XX_25519_ChaChaPoly_SHA256`. */
  readonly protocolName: string
  /** This side's X25519 static public key. */
  readonly staticPublicKey: Uint8Array
  /** The remote static key, once its message has been read. */
  readonly remoteStaticKey: Uint8Array | undefined
  /** `true` when it is this side's turn to write. */
  readonly writable: boolean
  /** `true` after the third message. */
  readonly complete: boolean
  /** The handshake hash `h` (a channel binding once complete). */
  readonly handshakeHash: Uint8Array
  /**
   * Writes the next message with `payload` (encrypted from the second message on).
   * @throws HandshakeStateError when it is not this side's turn or the handshake failed
   * @throws MessageTooLargeError when the message would exceed 65,535 bytes
   */
  writeMessage(payload: Uint8Array): Uint8Array
  /**
   * Reads the next message and returns its payload. Any failure ends the handshake.
   * @throws InvalidMessageError for a message of the wrong length
   * @throws DecryptionError when it fails authentication (tampered, replayed, garbage)
   * @throws InvalidPublicKeyError for a low-order key
   * @throws HandshakeStateError when it is not this side's turn or the handshake failed
   */
  readMessage(message: Uint8Array): Uint8Array
  /**
   * The transport cipher states (once complete; callable once).
   * @throws HandshakeStateError before the handshake completes or on a second call
   */
  split(): TransportCiphers
}

function assertKey(value: unknown, name: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array) || value.length !== DH_BYTES) {
    throw new InvalidArgumentError(name, `must be ${DH_BYTES} bytes`)
  }
}

/**
 * Starts one side of a `Noise_XX_25519_ChaChaPoly_SHA256` handshake.
 * @param options - role, static key, prologue, backend; see `HandshakeOptions`
 * @returns the handshake state
 * @throws InvalidArgumentError for a malformed key or option
 * @example
 * const hs = createHandshake({ initiator: true, staticSecretKey, prologue })
 * socket.write(hs.writeMessage(new Uint8Array(0)))
 */
export function createHandshake(options: HandshakeOptions): Handshake {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError('options', 'must be an object')
  }
  const { initiator } = options
  if (typeof initiator !== 'boolean')
    throw new InvalidArgumentError('initiator', 'must be a boolean')
  assertKey(options.staticSecretKey, 'staticSecretKey')
  if (options.ephemeralSecretKey !== undefined)
    assertKey(options.ephemeralSecretKey, 'ephemeralSecretKey')
  const prologue = options.prologue ?? new Uint8Array(0)
  if (!(prologue instanceof Uint8Array)) throw new InvalidArgumentError('prologue', 'must be bytes')
  const crypto = options.crypto ?? noiseCrypto()
  const hash = options.hash ?? sha256Hash(crypto)
  const randomBytes = options.randomBytes
  const protocolName = `Noise_XX_25519_ChaChaPoly_${hash.name}`

  const staticSecret = Uint8Array.from(options.staticSecretKey)
  const staticPublic = crypto.publicKey(staticSecret)
  const fixedEphemeral = options.ephemeralSecretKey
  let ephemeralSecret: Uint8Array | undefined
  let ephemeralPublic: Uint8Array | undefined
  let remoteEphemeral: Uint8Array | undefined
  let remoteStatic: Uint8Array | undefined
  // messages done so far (0..3), or -1 once a step failed
  let step = 0
  let splitDone = false

  const symmetric = new SymmetricState(crypto, hash, protocolName)
  symmetric.mixHash(prologue)

  const newEphemeral = (): void => {
    if (fixedEphemeral === undefined && randomBytes === undefined) {
      const pair = crypto.generateKeyPair()
      ephemeralSecret = pair.secretKey
      ephemeralPublic = pair.publicKey
      return
    }
    const secret =
      fixedEphemeral !== undefined ? Uint8Array.from(fixedEphemeral) : randomBytes?.(DH_BYTES)
    assertKey(secret, 'randomBytes()')
    ephemeralSecret = secret
    ephemeralPublic = crypto.publicKey(secret)
  }
  const isMyTurn = (): boolean => step >= 0 && step < 3 && (step % 2 === 0) === initiator
  const concat = (parts: Uint8Array[]): Uint8Array => {
    let length = 0
    for (const part of parts) length += part.length
    const out = new Uint8Array(length)
    let offset = 0
    for (const part of parts) {
      out.set(part, offset)
      offset += part.length
    }
    return out
  }

  const write = (payload: Uint8Array): Uint8Array => {
    if (step === 0) {
      newEphemeral()
      const e = ephemeralPublic as Uint8Array
      symmetric.mixHash(e)
      return concat([e, symmetric.encryptAndHash(payload)])
    }
    if (step === 1) {
      newEphemeral()
      const e = ephemeralPublic as Uint8Array
      symmetric.mixHash(e)
      symmetric.mixKey(crypto.dh(ephemeralSecret as Uint8Array, remoteEphemeral as Uint8Array))
      const s = symmetric.encryptAndHash(staticPublic)
      symmetric.mixKey(crypto.dh(staticSecret, remoteEphemeral as Uint8Array))
      return concat([e, s, symmetric.encryptAndHash(payload)])
    }
    const s = symmetric.encryptAndHash(staticPublic)
    symmetric.mixKey(crypto.dh(staticSecret, remoteEphemeral as Uint8Array))
    return concat([s, symmetric.encryptAndHash(payload)])
  }

  const read = (message: Uint8Array): Uint8Array => {
    if (step === 0) {
      if (message.length < DH_BYTES)
        throw new InvalidMessageError('first message shorter than a key')
      remoteEphemeral = Uint8Array.from(message.subarray(0, DH_BYTES))
      symmetric.mixHash(remoteEphemeral)
      return symmetric.decryptAndHash(message.subarray(DH_BYTES))
    }
    if (step === 1) {
      if (message.length < DH_BYTES * 2 + TAG_BYTES * 2) {
        throw new InvalidMessageError('second message too short')
      }
      remoteEphemeral = Uint8Array.from(message.subarray(0, DH_BYTES))
      symmetric.mixHash(remoteEphemeral)
      symmetric.mixKey(crypto.dh(ephemeralSecret as Uint8Array, remoteEphemeral))
      const s = symmetric.decryptAndHash(message.subarray(DH_BYTES, DH_BYTES * 2 + TAG_BYTES))
      symmetric.mixKey(crypto.dh(ephemeralSecret as Uint8Array, s))
      const payload = symmetric.decryptAndHash(message.subarray(DH_BYTES * 2 + TAG_BYTES))
      remoteStatic = s
      return payload
    }
    if (message.length < DH_BYTES + TAG_BYTES * 2)
      throw new InvalidMessageError('third message too short')
    const s = symmetric.decryptAndHash(message.subarray(0, DH_BYTES + TAG_BYTES))
    symmetric.mixKey(crypto.dh(ephemeralSecret as Uint8Array, s))
    const payload = symmetric.decryptAndHash(message.subarray(DH_BYTES + TAG_BYTES))
    remoteStatic = s
    return payload
  }

  const wipeEphemeral = (): void => {
    ephemeralSecret?.fill(0)
    ephemeralSecret = undefined
  }

  return {
    initiator,
    protocolName,
    staticPublicKey: staticPublic,
    get remoteStaticKey() {
      return remoteStatic === undefined ? undefined : Uint8Array.from(remoteStatic)
    },
    get writable() {
      return isMyTurn()
    },
    get complete() {
      return step === 3
    },
    get handshakeHash() {
      return symmetric.handshakeHash
    },
    writeMessage(payload) {
      if (!(payload instanceof Uint8Array))
        throw new InvalidArgumentError('payload', 'must be bytes')
      if (!isMyTurn())
        throw new HandshakeStateError(
          step < 0 ? 'the handshake failed' : "not this side's turn to write",
        )
      try {
        const message = write(payload)
        step++
        if (step === 3) wipeEphemeral()
        return message
      } catch (error) {
        step = -1
        wipeEphemeral()
        throw error
      }
    },
    readMessage(message) {
      if (!(message instanceof Uint8Array))
        throw new InvalidArgumentError('message', 'must be bytes')
      if (step < 0 || step >= 3 || isMyTurn()) {
        throw new HandshakeStateError(
          step < 0 ? 'the handshake failed' : "not this side's turn to read",
        )
      }
      try {
        const payload = read(message)
        step++
        if (step === 3) wipeEphemeral()
        return payload
      } catch (error) {
        step = -1
        wipeEphemeral()
        throw error
      }
    },
    split() {
      if (step !== 3) throw new HandshakeStateError('the handshake is not complete')
      if (splitDone) throw new HandshakeStateError('split already called')
      splitDone = true
      const [first, second] = symmetric.split()
      return initiator ? { send: first, receive: second } : { send: second, receive: first }
    },
  }
}
