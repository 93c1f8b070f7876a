/**
 * The three verification backends. Each applies the whole verification rule (DESIGN.md):
 * `S < L`, the cached public-key checks, then the cofactorless equation compared as bytes.
 * `js` computes the equation itself on noble's points; `node` and `webcrypto` hand it to the
 * runtime's native Ed25519, which compares bytes the same way once the checks in front hold.
 *
 * @example
 * verifyJs(publicKey, message, signature) === verifyNode(publicKey, message, signature)
 */

import { nodeConforms, webCryptoConforms } from './conformance'
import { KEY_TABLE_MIN_USES } from './constants'
import { buildTable, equationHolds, isScalarCanonical } from './curve'
import { publicKeyToSpki } from './der'
import { BackendUnavailableError } from './errors'
import { cachedTable, cacheKeyOf, keyEntry, storeTable } from './key-cache'
import { getNodeCrypto, getSubtle, type NodeCrypto } from './runtime'

/** Names of the verification backends. */
export type BackendName = 'js' | 'node' | 'webcrypto'
/** Names of the synchronous verification backends. */
export type SyncBackendName = 'js' | 'node'

/**
 * `node:crypto` when present and giving the rule's verdict on the probe: a fact of the
 * runtime, found once when this module loads (three native verifications), never changed.
 */
const conformingNode: NodeCrypto | undefined = (() => {
  const nodeCrypto = getNodeCrypto()
  return nodeCrypto !== undefined && nodeConforms(nodeCrypto) ? nodeCrypto : undefined
})()

/** `node:crypto` when present and giving the rule's verdict on the probe. */
export function nativeNode(): NodeCrypto | undefined {
  return conformingNode
}

/**
 * What this process knows of WebCrypto's Ed25519, a fact of the runtime found on first use
 * (the probe is asynchronous, so it cannot run when the module loads). Each field is
 * assigned once: `probe` when the first verification asks, `verdict` when the probe settles.
 */
const webCrypto: { probe?: Promise<boolean>; verdict?: boolean } = {}

/** False once WebCrypto is known to lack Ed25519 or to verify off the rule. */
export function webCryptoMaybeAvailable(): boolean {
  return getSubtle() !== undefined && webCrypto.verdict !== false
}

/** WebCrypto's subtle once the probe passed (run on first use), else undefined. */
async function webCryptoReady(): Promise<SubtleCrypto | undefined> {
  const subtle = getSubtle()
  if (subtle === undefined || webCrypto.verdict === false) return undefined
  if (webCrypto.verdict === true) return subtle
  webCrypto.probe ??= webCryptoConforms(subtle)
    .catch(() => false)
    .then((ok) => {
      webCrypto.verdict = ok
      return ok
    })
  return (await webCrypto.probe) ? subtle : undefined
}

/** The `js` backend: pure JavaScript, runs everywhere. Arguments already checked. */
export function verifyJs(
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  if (!isScalarCanonical(signature)) return false
  const cacheKey = cacheKeyOf(publicKey)
  const entry = keyEntry(publicKey, cacheKey)
  if (!entry.valid || entry.negPoint === undefined) return false
  let table = cachedTable(cacheKey)
  if (table === undefined && ++entry.uses >= KEY_TABLE_MIN_USES) {
    table = buildTable(entry.negPoint)
    storeTable(cacheKey, table)
  }
  return equationHolds(publicKey, entry.negPoint, table, signature, message)
}

/** The `node` backend: OpenSSL through `node:crypto`. Arguments already checked. */
export function verifyNode(
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  const nodeCrypto = nativeNode()
  if (nodeCrypto === undefined) throw new BackendUnavailableError('node')
  if (!isScalarCanonical(signature)) return false
  const entry = keyEntry(publicKey)
  if (!entry.valid) return false
  if (entry.nodeKey === undefined) {
    entry.nodeKey = nodeCrypto.createPublicKey({
      key: publicKeyToSpki(publicKey),
      format: 'der',
      type: 'spki',
    })
  }
  return nodeCrypto.verify(null, message, entry.nodeKey, signature)
}

/**
 * The `webcrypto` backend: `crypto.subtle` with Ed25519. Arguments already checked, and owned:
 * it reads them after an `await`, so callers pass copies (see `verifySignature`).
 */
export async function verifyWebCrypto(
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  const subtle = await webCryptoReady()
  if (subtle === undefined) throw new BackendUnavailableError('webcrypto')
  if (!isScalarCanonical(signature)) return false
  const entry = keyEntry(publicKey)
  if (!entry.valid) return false
  if (entry.webKey === undefined) {
    const pending = subtle.importKey('raw', asBufferSource(publicKey), { name: 'Ed25519' }, false, [
      'verify',
    ])
    entry.webKey = pending
    // a failed import is not remembered: the next call tries again (and reports the failure)
    pending.catch(() => {
      if (entry.webKey === pending) entry.webKey = undefined
    })
  }
  const key = await entry.webKey
  return subtle.verify({ name: 'Ed25519' }, key, asBufferSource(signature), asBufferSource(message))
}

/** WebCrypto's typings want an ArrayBuffer-backed view; ours always are unless shared. */
function asBufferSource(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes as Uint8Array<ArrayBuffer>
}
