/**
 * The id of a body: its sha2-256 digest, computed with the runtime's native SHA-256 when there
 * is one (Node, Deno and Bun expose `node:crypto` through `process.getBuiltinModule`; reached at
 * run time, never imported statically) and with @peerkit/codec's `contentId` everywhere else.
 * Both give the same id: SHA-256 is SHA-256; only the speed differs.
 *
 * The digest travels as a *digest key*, one character per byte (see `byteKey`), which is what
 * the replay guard and the verify cache look up; the `ContentId` object is built from it only
 * when someone asks for it.
 *
 * @example
 * bodyId(parsed.body).equals(contentId(parsed.body)) // true
 */
import {
  CBOR_CODEC,
  type ContentId,
  contentId,
  contentIdText,
  equalBytes,
  SHA2_256,
} from '@peerkit/codec'
import { byteKey } from './byte-key'

interface NodeHashing {
  hash?: (algorithm: string, data: Uint8Array, outputEncoding: 'latin1') => string
  createHash?: (algorithm: string) => {
    update(data: Uint8Array): { digest(encoding: 'latin1'): string }
  }
}

/** CID version 1, codec cbor, multihash sha2-256 of 32 bytes. */
const ID_PREFIX = new Uint8Array([1, CBOR_CODEC, SHA2_256, 32])

type DigestKeyFunction = (data: Uint8Array) => string

function findNativeDigestKey(): DigestKeyFunction | null {
  try {
    const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } })
      .process
    const mod = proc?.getBuiltinModule?.('node:crypto') as NodeHashing | undefined
    const { hash, createHash } = mod ?? {}
    // latin1 output is one character per byte: the digest key itself, and no off-heap buffer
    if (typeof hash === 'function') return (data) => hash('sha256', data, 'latin1')
    if (typeof createHash === 'function')
      return (data) => createHash('sha256').update(data).digest('latin1')
  } catch {
    // no native hashing here: fall back to the codec's
  }
  return null
}

/**
 * The runtime's native SHA-256, as a digest key function: a fact of the runtime, found once
 * when this module loads, never changed.
 */
const nativeDigestKey: DigestKeyFunction | null = findNativeDigestKey()

/**
 * The sha2-256 digest of `body` as a digest key (32 characters, one per byte).
 * @param body - the body bytes
 */
export function bodyDigestKey(body: Uint8Array): string {
  if (nativeDigestKey === null) return byteKey(contentId(body).digest)
  return nativeDigestKey(body)
}

/** The digest bytes of a digest key. */
export function digestOfKey(key: string): Uint8Array {
  const digest = new Uint8Array(32)
  for (let i = 0; i < 32; i++) digest[i] = key.charCodeAt(i)
  return digest
}

/**
 * A content id made here from a digest this package computed: the same bytes, text and
 * equality as @peerkit/codec's, built with one allocation (the codec's constructor re-validates
 * and copies, which `open` would pay on every envelope). The text form is the codec's, made on
 * first use.
 */
class BodyContentId implements ContentId {
  readonly bytes: Uint8Array
  readonly hashCode = SHA2_256
  readonly hashName = 'sha2-256'
  #digest: Uint8Array | undefined
  #text: string | undefined

  constructor(bytes: Uint8Array) {
    this.bytes = bytes
  }

  get digest(): Uint8Array {
    this.#digest ??= this.bytes.subarray(ID_PREFIX.length)
    return this.#digest
  }

  toString(): string {
    this.#text ??= contentIdText(this.bytes)
    return this.#text
  }

  equals(other: ContentId): boolean {
    return equalBytes(this.bytes, other.bytes)
  }
}

/** The content id of a body whose digest key is `key`. */
export function idOfDigestKey(key: string): ContentId {
  const bytes = new Uint8Array(ID_PREFIX.length + 32)
  bytes.set(ID_PREFIX)
  for (let i = 0; i < 32; i++) bytes[ID_PREFIX.length + i] = key.charCodeAt(i)
  return new BodyContentId(bytes)
}

/**
 * The sha2-256 content id of `body` (already canonical CBOR bytes).
 * @param body - the body bytes
 * @returns the same id as `contentId(body)`
 */
export function bodyId(body: Uint8Array): ContentId {
  return idOfDigestKey(bodyDigestKey(body))
}
