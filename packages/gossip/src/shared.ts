/**
 * Process-wide caches that let many routers in one process (a simulation of thousands of
 * nodes) share what they all hold: the keys of message ids and sources, and accepted
 * envelopes. They are caches only: no output depends on them. Each keeps two generations
 * and drops the older when the newer is full, so no peer can grow them past their bounds.
 *
 * @example
 * internKey(String.fromCharCode(1, 2, 3)) === internKey(String.fromCharCode(1, 2, 3)) // true
 */
import { equalBytes } from '@peerkit/codec'
import { INTERN_GENERATION, MAX_PINNED_SLACK, SHARED_ENVELOPE_GENERATION_BYTES } from './constants'

/** Keys met lately, each mapped to itself: the newer generation, then the older. */
let keysYoung = new Map<string, string>()
let keysOld = new Map<string, string>()

/**
 * The process's one string for a key. A shared key is stored once instead of once per
 * router, and a router's map then finds it by identity instead of comparing characters.
 * @param key - a binary-string key (a message id's digest, a public key)
 * @returns a string with the same characters, the same one for every caller
 */
export function internKey(key: string): string {
  const young = keysYoung.get(key)
  if (young !== undefined) return young
  const shared = keysOld.get(key) ?? key
  if (keysYoung.size >= INTERN_GENERATION) {
    keysOld = keysYoung
    keysYoung = new Map()
  }
  keysYoung.set(shared, shared)
  return shared
}

/**
 * Bytes from a decoded frame, ready to be kept after the frame is gone: the view itself when
 * its buffer is its own (give or take `MAX_PINNED_SLACK` bytes of frame around it), else a
 * copy, so that keeping a small view never pins a large or shared buffer.
 * @param view - bytes a decoder returned
 * @returns the view, or a copy of it
 */
export function keepable(view: Uint8Array): Uint8Array {
  const { buffer } = view
  return buffer instanceof ArrayBuffer && buffer.byteLength - view.length <= MAX_PINNED_SLACK
    ? view
    : view.slice()
}

/** Accepted envelopes by message key, and the bytes the newer generation holds. */
let envelopesYoung = new Map<string, Uint8Array>()
let envelopesOld = new Map<string, Uint8Array>()
let youngBytes = 0

/**
 * The envelope to keep for an accepted message: the bytes another router of the process
 * already keeps for the same message when they are equal byte for byte, else `keepable`
 * of this view (and it becomes the one to share). Routers of one process then hold one
 * copy of each message instead of one each. The bytes are compared in full, so a copy that
 * differs anywhere (another signature over the same body) is never swapped for another.
 * @param key - the message's key (`idKeyOf`)
 * @param view - the envelope as decoded from a frame
 * @returns bytes equal to `view` that are safe to keep
 */
export function keptEnvelope(key: string, view: Uint8Array): Uint8Array {
  const young = envelopesYoung.get(key)
  const known = young ?? envelopesOld.get(key)
  if (known !== undefined && equalBytes(known, view)) return known
  const kept = keepable(view)
  // other bytes under the same key replace the young entry
  if (young !== undefined) youngBytes -= young.length
  if (youngBytes + kept.length > SHARED_ENVELOPE_GENERATION_BYTES) {
    envelopesOld = envelopesYoung
    envelopesYoung = new Map()
    youngBytes = 0
  }
  envelopesYoung.set(key, kept)
  youngBytes += kept.length
  return kept
}

/** How much the process-wide tables hold (for tests of their bounds). */
export function sharedSizes(): { keys: number; envelopes: number; envelopeBytes: number } {
  let envelopeBytes = 0
  for (const bytes of envelopesOld.values()) envelopeBytes += bytes.length
  return {
    keys: keysYoung.size + keysOld.size,
    envelopes: envelopesYoung.size + envelopesOld.size,
    envelopeBytes: envelopeBytes + youngBytes,
  }
}
