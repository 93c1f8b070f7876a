/**
 * Signature verification under peerkit's one rule, on a chosen or the fastest backend.
 * Every backend gives the same verdict on every input; a wrong-length argument is a typed
 * error, an invalid signature (or an invalid public key) is `false`.
 *
 * @example
 * const ok = await verifySignature(peer.publicKey, message, signature)
 * const same = verifySignatureSync(peer.publicKey, message, signature, { backend: 'js' })
 */
import { assertBytes } from './assert'
import {
  type BackendName,
  type SyncBackendName,
  verifyJs,
  verifyNode,
  verifyWebCrypto,
} from './backends'
import { PUBLIC_KEY_LENGTH, SIGNATURE_LENGTH } from './constants'
import { BackendUnavailableError, InvalidArgumentError } from './errors'
import { getNodeCrypto, getSubtle } from './runtime'

export type { BackendName, SyncBackendName }

/** Options of `verifySignature`. */
export interface VerifyOptions {
  /** The backend to use; by default the fastest one available. */
  backend?: BackendName
}

/** Options of `verifySignatureSync`. */
export interface VerifySyncOptions {
  /** The synchronous backend to use; by default the fastest one available. */
  backend?: SyncBackendName
}

/** Set once a WebCrypto import reports that the runtime has no Ed25519. */
let webCryptoLacksEd25519 = false

/**
 * Lists the verification backends this runtime has, fastest first.
 * `webcrypto` is listed when `crypto.subtle` exists and has not yet refused Ed25519.
 * @returns backend names, e.g. `['node', 'webcrypto', 'js']` on Node
 * @example
 * if (availableBackends().includes('node')) useNativeSpeed()
 */
export function availableBackends(): BackendName[] {
  const out: BackendName[] = []
  if (getNodeCrypto() !== undefined) out.push('node')
  if (getSubtle() !== undefined && !webCryptoLacksEd25519) out.push('webcrypto')
  out.push('js')
  return out
}

function checkArguments(publicKey: unknown, message: unknown, signature: unknown): void {
  assertBytes(publicKey, 'publicKey', PUBLIC_KEY_LENGTH)
  assertBytes(message, 'message')
  assertBytes(signature, 'signature', SIGNATURE_LENGTH)
}

function checkOptions(options: unknown): void {
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw new InvalidArgumentError('options', '"options" must be an object')
  }
}

/**
 * Verifies an Ed25519 signature synchronously under the verification rule.
 * @param publicKey - the signer's 32-byte public key
 * @param message - the exact bytes that were signed
 * @param signature - the 64-byte signature `R ‖ S`
 * @param options - `backend`: `'js'` or `'node'` (default: `node` when present, else `js`)
 * @returns true when the signature is valid; false for any invalid signature or public key
 * @throws InvalidArgumentError for a wrong-length key or signature, or a non-byte argument
 * @throws BackendUnavailableError when the named backend is missing here
 * @example
 * verifySignatureSync(publicKey, message, signature) // true or false
 */
export function verifySignatureSync(
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
  options?: VerifySyncOptions,
): boolean {
  checkArguments(publicKey, message, signature)
  checkOptions(options)
  const backend = options?.backend
  if (backend === undefined) {
    return getNodeCrypto() !== undefined
      ? verifyNode(publicKey, message, signature)
      : verifyJs(publicKey, message, signature)
  }
  if (backend === 'js') return verifyJs(publicKey, message, signature)
  if (backend === 'node') {
    if (getNodeCrypto() === undefined) throw new BackendUnavailableError('node')
    return verifyNode(publicKey, message, signature)
  }
  throw new InvalidArgumentError(
    'options.backend',
    `unknown synchronous backend "${String(backend)}"`,
  )
}

/**
 * Verifies an Ed25519 signature under the verification rule.
 * @param publicKey - the signer's 32-byte public key
 * @param message - the exact bytes that were signed
 * @param signature - the 64-byte signature `R ‖ S`
 * @param options - `backend`: `'js'`, `'node'` or `'webcrypto'` (default: the fastest available)
 * @returns true when the signature is valid; false for any invalid signature or public key
 * @throws InvalidArgumentError for a wrong-length key or signature, or a non-byte argument
 * @throws BackendUnavailableError when the named backend is missing here
 * @example
 * if (!(await verifySignature(publicKey, message, signature))) reject()
 */
export async function verifySignature(
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
  options?: VerifyOptions,
): Promise<boolean> {
  checkArguments(publicKey, message, signature)
  checkOptions(options)
  const backend = options?.backend
  if (backend === undefined) {
    if (getNodeCrypto() !== undefined) return verifyNode(publicKey, message, signature)
    if (getSubtle() !== undefined && !webCryptoLacksEd25519) {
      try {
        return await verifyWithWebCrypto(publicKey, message, signature)
      } catch (error) {
        if (!webCryptoLacksEd25519) throw error
      }
    }
    return verifyJs(publicKey, message, signature)
  }
  if (backend === 'js') return verifyJs(publicKey, message, signature)
  if (backend === 'node') {
    if (getNodeCrypto() === undefined) throw new BackendUnavailableError('node')
    return verifyNode(publicKey, message, signature)
  }
  if (backend === 'webcrypto') {
    if (getSubtle() === undefined || webCryptoLacksEd25519)
      throw new BackendUnavailableError('webcrypto')
    return verifyWithWebCrypto(publicKey, message, signature)
  }
  throw new InvalidArgumentError('options.backend', `unknown backend "${String(backend)}"`)
}

async function verifyWithWebCrypto(
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  try {
    return await verifyWebCrypto(publicKey, message, signature)
  } catch (error) {
    if ((error as { name?: unknown } | null)?.name === 'NotSupportedError') {
      webCryptoLacksEd25519 = true
      throw new BackendUnavailableError('webcrypto', "this runtime's WebCrypto has no Ed25519")
    }
    throw error
  }
}
