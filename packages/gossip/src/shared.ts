/**
 * What routers may share when their application asks them to: one string per key (message
 * ids, sources), one copy of each accepted envelope, one frozen settings object per set of
 * values, and the slabs small control frames are cut from. A share is an object made by `createGossipShare` and passed to each router in
 * `components.share`: routers of one simulation of thousands of nodes hand one share to all;
 * a router given none makes its own, so unrelated routers of a process never see each
 * other's bytes. It is a cache only: no output depends on it. Each table keeps two
 * generations and drops the older when the newer is full, so no peer can grow it past its
 * bounds.
 *
 * @example
 * const share = createGossipShare()
 * const a = createGossip({}, { self: alice, random, share })
 * const b = createGossip({}, { self: bob, random, share }) // one copy of each message for both
 */
import { equalBytes } from '@peerkit/codec'
import {
  FRAME_SLAB_BYTES,
  INTERN_GENERATION,
  MAX_INTERNED_SETTINGS,
  MAX_PINNED_SLACK,
  MAX_SLAB_FRAME_BYTES,
  SHARED_ENVELOPE_GENERATION_BYTES,
} from './constants'
import type { ResolvedInit } from './options'

/** Tables that routers given the same share have in common (see the module comment). */
export interface GossipShare {
  /**
   * The share's one string for a key: stored once instead of once per router, and found in
   * a router's map by identity instead of by comparing characters.
   * @param key - a binary-string key (a message id's digest, a public key)
   * @returns a string with the same characters, the same one for every router of the share
   */
  key(key: string): string
  /**
   * The envelope to keep for an accepted message: the bytes another router of the share
   * already keeps for it when they are equal byte for byte, else `keepable` of this view
   * (which becomes the one to share). Bytes are compared in full, so a copy that differs
   * anywhere (another signature over the same body) is never swapped for another.
   * @param key - the message's key (`idKeyOf`)
   * @param view - the envelope as decoded from a frame
   * @returns bytes equal to `view` that are safe to keep
   */
  envelope(key: string, view: Uint8Array): Uint8Array
  /**
   * The one frozen settings object of the share with these values (up to
   * `MAX_INTERNED_SETTINGS` distinct ones; past that, `resolved` itself).
   */
  settings(resolved: ResolvedInit): ResolvedInit
  /**
   * A buffer for a control frame (ihave, iwant, graft) of `size` bytes: a view of the
   * share's current slab, as Node cuts small Buffers from a pool (a new slab when it is
   * full). A slab is freed once no frame cut from it is alive; frames that carry a message
   * get their own buffer, since receivers keep the message as a view of the frame.
   */
  frameBuffer(size: number): Uint8Array
  /** How much the tables hold (for tests of their bounds). */
  sizes(): { keys: number; envelopes: number; envelopeBytes: number; settings: number }
}

/**
 * Makes an empty share.
 * @returns tables for the routers that are given it
 * @example createGossip({}, { self, random, share: createGossipShare() })
 */
export function createGossipShare(): GossipShare {
  let keysYoung = new Map<string, string>()
  let keysOld = new Map<string, string>()
  let envelopesYoung = new Map<string, Uint8Array>()
  let envelopesOld = new Map<string, Uint8Array>()
  let youngBytes = 0
  const settings = new Map<string, ResolvedInit>()
  let slab = new Uint8Array(0)
  let slabAt = 0
  return {
    frameBuffer(size) {
      if (size > MAX_SLAB_FRAME_BYTES) return new Uint8Array(size)
      if (slabAt + size > slab.length) {
        slab = new Uint8Array(FRAME_SLAB_BYTES)
        slabAt = 0
      }
      const out = slab.subarray(slabAt, slabAt + size)
      // the next frame starts 8-byte aligned
      slabAt += (size + 7) & ~7
      return out
    },
    key(key) {
      const young = keysYoung.get(key)
      if (young !== undefined) return young
      const shared = keysOld.get(key) ?? key
      if (keysYoung.size >= INTERN_GENERATION) {
        keysOld = keysYoung
        keysYoung = new Map()
      }
      keysYoung.set(shared, shared)
      return shared
    },
    envelope(key, view) {
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
    },
    settings(resolved) {
      // JSON writes both infinities (allowed thresholds) as null: spell them out
      const signature = JSON.stringify(resolved, (_, v) =>
        typeof v === 'number' && !Number.isFinite(v) ? String(v) : v,
      )
      const known = settings.get(signature)
      if (known !== undefined) return known
      if (settings.size < MAX_INTERNED_SETTINGS) settings.set(signature, resolved)
      return resolved
    },
    sizes() {
      let envelopeBytes = youngBytes
      for (const bytes of envelopesOld.values()) envelopeBytes += bytes.length
      return {
        keys: keysYoung.size + keysOld.size,
        envelopes: envelopesYoung.size + envelopesOld.size,
        envelopeBytes,
        settings: settings.size,
      }
    },
  }
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
