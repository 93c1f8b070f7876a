/**
 * Test helpers: deterministic peer ids without key derivation, a message check that needs
 * no signatures, and a small driver that builds a simulator of flood routers.
 */
import type { PeerId } from '@peerkit/identity'
import { createIdentities } from '../src/identities'
import type { MessageCheck } from '../src/messages'

/** Real peer ids derived from seeds (cheap for a handful of nodes). */
export function peerIds(count: number, seed = 1): PeerId[] {
  const identities = createIdentities(count, seed)
  return Array.from({ length: count }, (_, i) => identities.peerId(i))
}

/**
 * A check for plain test messages: the envelope is any bytes, its id is the bytes in hex,
 * and it is valid unless its first byte is 0xff.
 */
export const plainCheck: MessageCheck = {
  id: (bytes) => Buffer.from(bytes).toString('hex'),
  verify: (bytes) => bytes[0] !== 0xff,
}
