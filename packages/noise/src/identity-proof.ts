/**
 * The identity proof carried in the handshake payload: the peer's Ed25519 key and its
 * signature over the Noise static key, under the domain tag `peerkit/noise/1`. The payload
 * is canonical CBOR `{ v: 1, key, sig }`, decoded strictly within small limits; the signed
 * bytes are the canonical CBOR of `['peerkit/noise/1', staticKey]`. Verifying it proves
 * that whoever holds the Noise static key also holds the Ed25519 identity.
 *
 * @example
 * const payload = await createIdentityProof(signer, staticPublicKey)
 * const peer = await verifyIdentityProof(payload, remoteStaticKey) // the remote PeerId
 */
import { decode, encode } from '@peerkit/codec'
import { type PeerId, peerIdFromPublicKey, type Signer, verifySignature } from '@peerkit/identity'
import { DH_BYTES, IDENTITY_DOMAIN, MAX_PAYLOAD_BYTES, PAYLOAD_VERSION } from './constants'
import { IdentityProofError, InvalidArgumentError } from './errors'

const PUBLIC_KEY_BYTES = 32
const SIGNATURE_BYTES = 64

/** Verifies one Ed25519 signature (the `Verifier` shape of @peerkit/identity). */
export type VerifySignature = (
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
) => Promise<boolean>

/**
 * The exact bytes a peer signs to bind its Noise static key.
 * @param staticPublicKey - the 32-byte X25519 static public key
 * @returns canonical CBOR of `['peerkit/noise/1', staticPublicKey]`
 * @example
 * const message = identityProofMessage(staticPublicKey)
 */
export function identityProofMessage(staticPublicKey: Uint8Array): Uint8Array {
  if (!(staticPublicKey instanceof Uint8Array) || staticPublicKey.length !== DH_BYTES) {
    throw new InvalidArgumentError('staticPublicKey', `must be ${DH_BYTES} bytes`)
  }
  return encode([IDENTITY_DOMAIN, staticPublicKey])
}

/**
 * Signs the static key with the peer's identity and encodes the payload.
 * @param signer - the peer's Ed25519 signer
 * @param staticPublicKey - the Noise static public key to bind
 * @returns the handshake payload bytes
 * @example
 * const payload = await createIdentityProof(signer, handshake.staticPublicKey)
 */
export async function createIdentityProof(
  signer: Signer,
  staticPublicKey: Uint8Array,
): Promise<Uint8Array> {
  const message = identityProofMessage(staticPublicKey)
  const signature = await signer.sign(message)
  return encode({ v: PAYLOAD_VERSION, key: signer.publicKey, sig: signature })
}

/**
 * Checks a remote identity proof against the static key the handshake authenticated.
 * @param payload - the handshake payload as received
 * @param remoteStaticKey - the remote Noise static key
 * @param verify - the signature check (default `verifySignature` of @peerkit/identity)
 * @returns the proven remote `PeerId`
 * @throws IdentityProofError (`malformed`, `version` or `signature`)
 * @example
 * const remotePeer = await verifyIdentityProof(payload, handshake.remoteStaticKey)
 */
export async function verifyIdentityProof(
  payload: Uint8Array,
  remoteStaticKey: Uint8Array,
  verify: VerifySignature = verifySignature,
): Promise<PeerId> {
  if (payload.length > MAX_PAYLOAD_BYTES) {
    throw new IdentityProofError(
      'malformed',
      `payload of ${payload.length} bytes is over ${MAX_PAYLOAD_BYTES}`,
    )
  }
  let value: unknown
  try {
    value = decode(payload, {
      maxBytes: MAX_PAYLOAD_BYTES,
      maxDepth: 1,
      maxItems: 3,
      maxTotalItems: 3,
    })
  } catch (error) {
    throw new IdentityProofError(
      'malformed',
      `payload is not canonical CBOR (${(error as Error).name})`,
    )
  }
  if (
    typeof value !== 'object' ||
    value === null ||
    Array.isArray(value) ||
    value instanceof Uint8Array
  ) {
    throw new IdentityProofError('malformed', 'payload is not a map')
  }
  const fields = value as Record<string, unknown>
  const keys = Object.keys(fields)
  if (!keys.includes('v')) throw new IdentityProofError('malformed', 'payload has no version')
  if (fields.v !== PAYLOAD_VERSION) {
    throw new IdentityProofError(
      'version',
      `unknown payload version ${String(fields.v).slice(0, 20)}`,
    )
  }
  if (keys.length !== 3 || !keys.includes('key') || !keys.includes('sig')) {
    throw new IdentityProofError('malformed', 'payload fields are not exactly v, key, sig')
  }
  const key = fields.key
  const signature = fields.sig
  if (!(key instanceof Uint8Array) || key.length !== PUBLIC_KEY_BYTES) {
    throw new IdentityProofError('malformed', 'key is not 32 bytes')
  }
  if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_BYTES) {
    throw new IdentityProofError('malformed', 'sig is not 64 bytes')
  }
  let peer: PeerId
  try {
    peer = peerIdFromPublicKey(key)
  } catch (error) {
    throw new IdentityProofError(
      'malformed',
      `key is not a valid Ed25519 key (${(error as Error).name})`,
    )
  }
  const valid = await verify(key, identityProofMessage(remoteStaticKey), signature)
  if (!valid) throw new IdentityProofError('signature', 'the identity signature does not verify')
  return peer
}
