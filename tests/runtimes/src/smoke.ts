/**
 * The cores on whatever runtime runs this bundle: it prints one JSON line of verdicts that
 * must be the same everywhere — Wycheproof Ed25519 on every backend the runtime has, an
 * envelope sealed and opened (and a tampered one refused), canonical CBOR bytes, and a
 * 40-node gossip simulation's figures.
 */
import { decode, encode } from '@peerkit/codec'
import { BadSignatureError, open, seal } from '@peerkit/envelope'
import {
  availableBackends,
  generateKeyPair,
  isIdentityError,
  signerFromKeyPair,
  verifySignature,
} from '@peerkit/identity'
import { runGossip, strategyFromName } from '@peerkit/sim'
import corpus from '../../../packages/identity/test/vectors/wycheproof_ed25519_test.json'

const hex = (text: string): Uint8Array =>
  Uint8Array.from(text.match(/../g) ?? [], (byte) => Number.parseInt(byte, 16))
const toHex = (bytes: Uint8Array): string =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')

const cases = corpus.testGroups.flatMap((group) =>
  group.tests.map((test) => ({ pk: group.publicKey.pk, ...test })),
)

async function wycheproof(backend: string): Promise<number[]> {
  const wrong: number[] = []
  for (const test of cases) {
    let got: boolean | string
    try {
      got = await verifySignature(hex(test.pk), hex(test.msg), hex(test.sig), {
        backend: backend as 'js',
      })
    } catch (error) {
      got = isIdentityError(error) ? error.name : 'untyped'
    }
    const expected = test.result === 'valid'
    const ok =
      hex(test.sig).length !== 64 ? got === 'InvalidArgumentError' && !expected : got === expected
    if (!ok) wrong.push(test.tcId)
  }
  return wrong
}

const backends = availableBackends()
const verdicts: Record<string, number[]> = {}
for (const backend of backends) verdicts[backend] = await wycheproof(backend)

const signer = signerFromKeyPair(generateKeyPair())
const now = 1_800_000_000_000
const sealed = await seal(signer, {
  domain: 'smoke/1',
  payload: { n: 7, text: 'héllo' },
  timestamp: now,
})
const rules = { domain: 'smoke/1', now, maxSkewMs: 1000, maxAgeMs: 1000 }
const opened = open(sealed, rules)
// one letter of the signed payload changed: the structure holds, the signature does not
const tampered = Uint8Array.from(sealed)
const letter = tampered.findIndex((byte, i) => byte === 0x6c && tampered[i + 1] === 0x6c)
tampered[letter] = 0x4c
let tamper = 'accepted'
try {
  open(tampered, rules)
} catch (error) {
  tamper = error instanceof BadSignatureError ? error.name : `other: ${(error as Error).name}`
}

const value = { b: new Uint8Array([1, 2]), a: [1, -2, 2n ** 63n], t: 'x' }
const cbor = toHex(encode(value))
const roundTrip = toHex(encode(decode(encode(value))))

const run = await runGossip({
  strategy: strategyFromName('plumtree'),
  nodes: 40,
  messages: 5,
  seed: 3,
})

console.log(
  JSON.stringify({
    runtime: 'Bun' in globalThis ? 'bun' : 'Deno' in globalThis ? 'deno' : `node`,
    backends,
    wycheproofWrong: verdicts,
    envelope: { signer: opened.signer.equals(signer.peerId), payload: opened.payload, tamper },
    cbor,
    roundTrip: roundTrip === cbor,
    gossip: { reliability: run.reliability, rmr: run.rmr, ldh: run.ldh },
  }),
)
