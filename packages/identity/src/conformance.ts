/**
 * Known-answer checks run once before a native backend is trusted. A native Ed25519 that
 * verifies with the cofactored equation (or otherwise off the rule) would accept signatures
 * whose `R` carries a small-order component; such a backend is reported unavailable and the
 * default falls back to `js`, so the verdict stays the rule's on every runtime.
 *
 * @example
 * if (!nodeConforms(nodeCrypto)) useJs()
 */
import { bytesOfHex } from './bytes'
import { publicKeyToSpki } from './der'
import type { NodeCrypto } from './runtime'

/** Probe message; the signatures below are over it, by the key of seed `07…07`. */
const MESSAGE_TEXT = 'peerkit/identity/probe'
/** The public key of seed `07…07` (a test derives it again). */
const PUBLIC_KEY = 'ea4a6c63e29c520abef5507b132ec5f9954776aebebe7b92421eea691446d22c'
/** That key's RFC 8032 signature of the probe message (a test signs it again). */
const VALID_SIGNATURE =
  '1de492f7a0398f3dc9c77b2ca11611b67416f90c764a3f13ad162fbc04cd6cf09352b95cf093901ca6b760b0b3e6c9ac25c865079338f2e4b1804ae365848c07'
/**
 * Signatures whose `R` is `[r]B` plus a point of order 8 (first) and of order 2 (second), with
 * `S` computed from that `R`: the cofactored equation accepts them, the rule does not.
 */
const TORSION_R_SIGNATURES = [
  'da188fb0760291db01efaaa1d4762c90648afffc5ba300d801e1e5654c97b60ebca05e0419ffc73a703a53233a872550e3b6e7010fd41270585dff377709820a',
  '48ffcee533a40dde1388f5e51e284c5502f19bc5eb0df06ceda92ec6b527aab87b02c9e0fa5410cc6e96366ebf48eea34510917ddc1b5451468f77711a64c90a',
]

/** The probe: a key, a message, one valid signature and the signatures the rule rejects. */
export interface ProbeCases {
  readonly publicKey: Uint8Array
  readonly message: Uint8Array
  readonly valid: Uint8Array
  readonly invalid: readonly Uint8Array[]
}

/** The probe cases, fresh bytes on every call (a probe runs once per backend and process). */
export function probeCases(): ProbeCases {
  return {
    publicKey: bytesOfHex(PUBLIC_KEY)!,
    message: new TextEncoder().encode(MESSAGE_TEXT),
    valid: bytesOfHex(VALID_SIGNATURE)!,
    invalid: TORSION_R_SIGNATURES.map((hex) => bytesOfHex(hex)!),
  }
}

/** True when `node:crypto`'s Ed25519 gives the rule's verdict on the probe. */
export function nodeConforms(nodeCrypto: NodeCrypto): boolean {
  try {
    const probe = probeCases()
    const key = nodeCrypto.createPublicKey({
      key: publicKeyToSpki(probe.publicKey),
      format: 'der',
      type: 'spki',
    })
    if (!nodeCrypto.verify(null, probe.message, key, probe.valid)) return false
    return probe.invalid.every(
      (signature) => !nodeCrypto.verify(null, probe.message, key, signature),
    )
  } catch {
    return false
  }
}

/**
 * Resolves to true when WebCrypto's Ed25519 gives the rule's verdict on the probe, false when it
 * verifies differently; rejects (with the runtime's error) when it has no Ed25519 at all.
 */
export async function webCryptoConforms(subtle: SubtleCrypto): Promise<boolean> {
  const probe = probeCases()
  const key = await subtle.importKey(
    'raw',
    probe.publicKey as Uint8Array<ArrayBuffer>,
    { name: 'Ed25519' },
    false,
    ['verify'],
  )
  const verify = (signature: Uint8Array) =>
    subtle.verify(
      { name: 'Ed25519' },
      key,
      signature as Uint8Array<ArrayBuffer>,
      probe.message as Uint8Array<ArrayBuffer>,
    )
  if (!(await verify(probe.valid))) return false
  for (const signature of probe.invalid) if (await verify(signature)) return false
  return true
}
