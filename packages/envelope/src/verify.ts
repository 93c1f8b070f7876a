/**
 * Signature checks of a parsed envelope, through @peerkit/identity's one verification rule
 * (synchronous, fastest backend) and an optional verify cache.
 *
 * @example
 * const keys = verifySignatures(parsed, id.digest, cache) // throws BadSignatureError
 * for (const key of keys) cache.add(key)                  // once the envelope is accepted
 */
import { verifySignatureSync } from '@peerkit/identity'
import { byteKey } from './byte-key'
import { BadSignatureError } from './errors'
import type { VerifyCache } from './verify-cache'
import { type ParsedEnvelope, signingMessage } from './wire'

/**
 * Verifies every signature on the envelope, signer's first. Changes nothing: the caller adds
 * the returned cache keys once it accepts the envelope.
 * @param parsed - the parsed envelope
 * @param digestKey - the body's sha2-256 digest, one character per byte (see `verifyCacheKey`)
 * @param cache - consulted, not changed
 * @param signerKey - `byteKey` of the body signer's key, when the caller has it
 * @returns the cache keys of the signatures (undefined without a cache)
 * @throws {BadSignatureError} naming the first signature that does not verify
 */
export function verifySignatures(
  parsed: ParsedEnvelope,
  digestKey: string,
  cache: VerifyCache | undefined,
  signerKey?: string,
): string[] | undefined {
  const { signatures } = parsed
  // the signed message is built once, and only when a signature is not in the cache
  let message: Uint8Array | undefined
  const keys = cache === undefined ? undefined : new Array<string>(signatures.length)
  for (let i = 0; i < signatures.length; i++) {
    const { publicKey, signature } = signatures[i]!
    if (keys !== undefined) {
      const keyOfKey = i === 0 && signerKey !== undefined ? signerKey : byteKey(publicKey)
      const key = digestKey + keyOfKey + byteKey(signature)
      keys[i] = key
      if (cache!.has(key)) continue
    }
    message ??= signingMessage(parsed.body)
    if (!verifySignatureSync(publicKey, message, signature)) throw new BadSignatureError(i)
  }
  return keys
}
