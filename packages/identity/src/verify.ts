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
  nativeNode,
  type SyncBackendName,
  verifyJs,
  verifyNode,
  verifyWebCrypto,
  webCryptoMaybeAvailable,
} from './backends'
import { PUBLIC_KEY_LENGTH, SIGNATURE_LENGTH } from './constants'
import { InvalidArgumentError } from './errors'

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

/**
 * Lists the verification backends this runtime has, fastest first.
 * A native backend is listed only if it gives the rule's verdict on a built-in probe (run once);
 * `webcrypto` is listed while `crypto.subtle` exists and has not failed that probe (which
 * runs asynchronously on its first use).
 * @returns backend names, e.g. `['node', 'webcrypto', 'js']` on Node
 * @example
 * if (availableBackends().includes('node')) useNativeSpeed()
 */
export function availableBackends(): BackendName[] {
  const out: BackendName[] = []
  if (nativeNode() !== undefined) out.push('node')
  if (webCryptoMaybeAvailable()) out.push('webcrypto')
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
    return nativeNode() !== undefined
      ? verifyNode(publicKey, message, signature)
      : verifyJs(publicKey, message, signature)
  }
  if (backend === 'js') return verifyJs(publicKey, message, signature)
  if (backend === 'node') {
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
    if (nativeNode() !== undefined) return verifyNode(publicKey, message, signature)
    if (webCryptoMaybeAvailable()) {
      // WebCrypto answers after an await: work on copies, so the verdict is about the bytes
      // as they were when the caller asked
      const [key, data, sig] = [
        Uint8Array.from(publicKey),
        Uint8Array.from(message),
        Uint8Array.from(signature),
      ]
      try {
        return await verifyWebCrypto(key, data, sig)
      } catch {
        // no usable Ed25519 here (the probe failed), or WebCrypto refused this input: the
        // js backend gives the rule's verdict
        return verifyJs(key, data, sig)
      }
    }
    return verifyJs(publicKey, message, signature)
  }
  if (backend === 'js') return verifyJs(publicKey, message, signature)
  if (backend === 'node') return verifyNode(publicKey, message, signature)
  if (backend === 'webcrypto') {
    return verifyWebCrypto(
      Uint8Array.from(publicKey),
      Uint8Array.from(message),
      Uint8Array.from(signature),
    )
  }
  throw new InvalidArgumentError('options.backend', `unknown backend "${String(backend)}"`)
}

/** Something that verifies signatures: a collaborator to hand to code that must not pick a backend. */
export interface Verifier {
  /** The backend it uses, or `'default'` for the fastest available on each call. */
  readonly backend: BackendName | 'default'
  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean>
}

/**
 * Makes a `Verifier` bound to one backend (or the default choice).
 * @param options - `backend` to pin
 * @returns the verifier
 * @throws InvalidArgumentError for an unknown backend
 * @example
 * const verifier = createVerifier({ backend: 'js' })
 * await verifier.verify(publicKey, message, signature)
 */
export function createVerifier(options?: VerifyOptions): Verifier {
  checkOptions(options)
  const backend = options?.backend
  if (backend !== undefined && backend !== 'js' && backend !== 'node' && backend !== 'webcrypto') {
    throw new InvalidArgumentError('options.backend', `unknown backend "${String(backend)}"`)
  }
  const verifyOptions: VerifyOptions = backend === undefined ? {} : { backend }
  return Object.freeze({
    backend: backend ?? 'default',
    verify: (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) =>
      verifySignature(publicKey, message, signature, verifyOptions),
  })
}
