/**
 * Optional native crypto found at run time: Node's `node:crypto` (reached through
 * `process.getBuiltinModule`, so no static Node import) and WebCrypto's `crypto.subtle`.
 * Both are typed structurally by the few calls this package makes.
 *
 * @example
 * const nodeCrypto = getNodeCrypto()
 * if (nodeCrypto) nodeCrypto.verify(null, message, keyObject, signature)
 */

/** The part of `node:crypto` this package uses. */
export interface NodeCrypto {
  createPublicKey(input: { key: Uint8Array; format: 'der'; type: 'spki' }): NodeKeyObject
  createPrivateKey(input: { key: Uint8Array; format: 'der'; type: 'pkcs8' }): NodeKeyObject
  verify(algorithm: null, data: Uint8Array, key: NodeKeyObject, signature: Uint8Array): boolean
  sign(algorithm: null, data: Uint8Array, key: NodeKeyObject): Uint8Array
}

/** An opaque Node `KeyObject`. */
export interface NodeKeyObject {
  readonly type: string
  readonly asymmetricKeyType?: string
  export(options: { format: 'der'; type: 'spki' | 'pkcs8' }): Uint8Array
}

/** Finds `node:crypto` with Ed25519 signing and verifying, or undefined. */
function findNodeCrypto(): NodeCrypto | undefined {
  try {
    const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } })
      .process
    const mod = proc?.getBuiltinModule?.('node:crypto') as NodeCrypto | undefined
    if (mod !== undefined && typeof mod.verify === 'function' && typeof mod.sign === 'function') {
      return mod
    }
  } catch {
    // no node:crypto here
  }
  return undefined
}

/**
 * Whether the runtime has `node:crypto`: a fact of the runtime, found once when this module
 * loads, and never changed.
 */
const nodeCrypto: NodeCrypto | undefined = findNodeCrypto()

/** Node's `node:crypto`, or undefined outside Node (or when it lacks Ed25519). */
export function getNodeCrypto(): NodeCrypto | undefined {
  return nodeCrypto
}

/** WebCrypto's `SubtleCrypto`, when the runtime has one. */
export function getSubtle(): SubtleCrypto | undefined {
  const subtle = (globalThis as { crypto?: { subtle?: SubtleCrypto } }).crypto?.subtle
  return subtle !== undefined && typeof subtle.verify === 'function' ? subtle : undefined
}

/** Fills `length` bytes from the runtime's CSPRNG. */
export function systemRandomBytes(length: number): Uint8Array {
  const c = (globalThis as { crypto?: { getRandomValues?: (array: Uint8Array) => Uint8Array } })
    .crypto
  if (typeof c?.getRandomValues !== 'function') {
    throw new Error('crypto.getRandomValues is not available; pass randomBytes explicitly')
  }
  return c.getRandomValues(new Uint8Array(length))
}
