/**
 * The first two chapters: who the peers are (@peerkit/identity) and the one canonical
 * encoding of what they say (@peerkit/codec).
 */
import { contentId, decode, encode, equalBytes, isCodecError } from '@peerkit/codec'
import {
  availableBackends,
  peerIdFromString,
  verifySignature,
  verifySignatureSync,
} from '@peerkit/identity'
import { alice, mallory, peers, short } from './cast'
import type { Report } from './report'

/** The Ed25519 group order L. */
const L = 2n ** 252n + 27742317777372353535851937790883648493n

/** The signature with its scalar S replaced by S + L: the same point, other bytes. */
function malleate(signature: Uint8Array): Uint8Array {
  let s = 0n
  for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(signature[i]!)
  s += L
  const out = signature.slice()
  for (let i = 32; i < 64; i++) {
    out[i] = Number(s & 0xffn)
    s >>= 8n
  }
  return out
}

/** Chapter 1: peer ids from fixed seeds, and one signature verdict on every backend. */
export async function identityChapter(report: Report): Promise<void> {
  report.heading('Identity: eight peers, each an Ed25519 key from a fixed seed')
  for (const p of peers) report.fact(`${p.name} (${p.role})`, short(p.signer.peerId))
  const libp2p = alice.signer.peerId.toLibp2pString()
  report.fact("Alice's libp2p form", short(libp2p))
  report.check(
    'the libp2p form reads back',
    peerIdFromString(libp2p).equals(alice.signer.peerId),
    'same peer as z6Mk… form',
  )

  const statement = new TextEncoder().encode('Alice sells 100_000 sat for 50.00 EUR')
  const genuine = await alice.signer.sign(statement)
  const altered = new TextEncoder().encode('Alice sells 100_000 sat for 5.00 EUR')
  const cases: [string, Uint8Array, Uint8Array, boolean][] = [
    ['her signature', statement, genuine, true],
    ['the price changed afterwards', altered, genuine, false],
    ["Mallory's signature as hers", statement, await mallory.signer.sign(statement), false],
    ['her signature with S + L', statement, malleate(genuine), false],
  ]
  const backends = availableBackends()
  report.say(`A statement by Alice, checked on every backend (${backends.join(', ')}):`)
  for (const [label, message, signature, expected] of cases) {
    const verdicts: boolean[] = []
    for (const backend of backends) {
      verdicts.push(await verifySignature(alice.signer.publicKey, message, signature, { backend }))
    }
    verdicts.push(verifySignatureSync(alice.signer.publicKey, message, signature))
    const agreed = verdicts.every((v) => v === expected)
    report.check(label, agreed, `${expected ? 'accepted' : 'refused'} by all ${backends.length}`)
  }
}

/** Chapter 2: the same value is the same bytes everywhere; anything else is a typed error. */
export function bytesChapter(report: Report): void {
  report.heading('Canonical bytes: one encoding per value, typed errors for the rest')
  const written = { kind: 'offer', amount: 100_000, asset: 'BTC', price: 5_000 }
  const reordered = { price: 5_000, asset: 'BTC', amount: 100_000, kind: 'offer' }
  const a = encode(written)
  const b = encode(reordered)
  report.check(
    'keys written in two orders',
    equalBytes(a, b),
    `same ${a.length} bytes, id ${short(contentId(a))}`,
  )
  report.check('decode then encode', equalBytes(encode(decode(a)), a), 'the same bytes again')
  const hostile: [string, string, Uint8Array][] = [
    ['23 written in two bytes', 'NonCanonicalError', Uint8Array.from([0x18, 0x17])],
    [
      'map keys out of order',
      'NonCanonicalError',
      Uint8Array.from([0xa2, 0x61, 0x62, 0x01, 0x61, 0x61, 0x01]),
    ],
    ['a float', 'UnsupportedTypeError', Uint8Array.from([0xf9, 0x3c, 0x00])],
    ['10,000 nested arrays', 'LimitExceededError', new Uint8Array(10_000).fill(0x81)],
    [
      'an array claiming 4 billion items',
      'MalformedError',
      Uint8Array.from([0x9a, 0xff, 0xff, 0xff, 0xff]),
    ],
  ]
  for (const [label, expected, bytes] of hostile) {
    let verdict = 'accepted'
    try {
      decode(bytes)
    } catch (error) {
      verdict = isCodecError(error) ? error.name : `untyped ${String(error)}`
    }
    report.check(label, verdict === expected, `refused: ${verdict}`)
  }
}
