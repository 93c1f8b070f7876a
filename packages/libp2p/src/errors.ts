/**
 * Typed errors of @peerkit/libp2p that are not link failures (those are the `NetError`
 * classes of @peerkit/net). Match on `name`, never on message text.
 *
 * @example
 * try { signerFromPrivateKey(rsaKey) } catch (error) { if (isLibp2pAdapterError(error, 'UnsupportedKeyTypeError')) refuse() }
 */

export type Libp2pAdapterErrorName =
  | 'UnsupportedKeyTypeError'
  | 'IdentityMismatchError'
  | 'TransportInUseError'

/** The base of the errors of this package. */
export class Libp2pAdapterError extends Error {
  override readonly name: Libp2pAdapterErrorName
  constructor(name: Libp2pAdapterErrorName, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = name
  }
}

/** A libp2p key or peer id is not Ed25519: peerkit identities are Ed25519 keys only. */
export class UnsupportedKeyTypeError extends Libp2pAdapterError {
  readonly keyType: string
  constructor(keyType: string) {
    super(
      'UnsupportedKeyTypeError',
      `peerkit needs an Ed25519 key, not ${String(keyType).slice(0, 40)}`,
    )
    this.keyType = String(keyType)
  }
}

/** The node's signer is not the libp2p node's own key (both must come from one seed). */
export class IdentityMismatchError extends Libp2pAdapterError {
  constructor(signer: string, libp2p: string) {
    super('IdentityMismatchError', `the signer is ${signer}, the libp2p node is ${libp2p}`)
  }
}

/** The service's transport was asked for twice while the first one is open. */
export class TransportInUseError extends Libp2pAdapterError {
  constructor() {
    super('TransportInUseError', 'this peerkit service already has an open transport')
  }
}

const NAMES: ReadonlySet<string> = new Set<Libp2pAdapterErrorName>([
  'UnsupportedKeyTypeError',
  'IdentityMismatchError',
  'TransportInUseError',
])

/** Whether `value` is an error of this package (optionally of one name), by shape. */
export function isLibp2pAdapterError<N extends Libp2pAdapterErrorName>(
  value: unknown,
  name?: N,
): value is Libp2pAdapterError & { name: N } {
  if (!(value instanceof Error) || !NAMES.has(value.name)) return false
  return name === undefined || value.name === name
}
