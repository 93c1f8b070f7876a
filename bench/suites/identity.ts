/**
 * Identity suite: Ed25519 sign and verify over a pool of distinct 256-byte messages (so no
 * result can come from a cache), with keys cached as a long-lived peer keeps them. Subjects:
 * peerkit's default backend, peerkit's `js` backend, raw node:crypto (`crypto.verify` /
 * `crypto.sign` with cached KeyObjects), raw @noble/ed25519 (`zip215: false`) and
 * @libp2p/crypto's Ed25519 keys.
 */
import * as nodeCrypto from 'node:crypto'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import * as noble from '@noble/ed25519'
import { sha512 } from '@noble/hashes/sha2.js'
import {
  keyPairFromSeed,
  keyPairToPkcs8,
  publicKeyToSpki,
  signerFromKeyPair,
  verifySignature,
  verifySignatureSync,
} from '@peerkit/identity'
import type { Suite } from '../src/harness'

noble.hashes.sha512 = sha512

const KEYS = 8
const MESSAGES = 512

const suite: Suite = {
  name: 'identity',
  async run(ctx) {
    const seeds = Array.from({ length: KEYS }, (_, k) =>
      Uint8Array.from({ length: 32 }, (_, i) => (i * 7 + k * 13 + 1) & 0xff),
    )
    const keyPairs = seeds.map((seed) => keyPairFromSeed(seed))
    const signers = keyPairs.map((keyPair) => signerFromKeyPair(keyPair))
    const nodePrivate = keyPairs.map((kp) =>
      nodeCrypto.createPrivateKey({
        key: Buffer.from(keyPairToPkcs8(kp)),
        format: 'der',
        type: 'pkcs8',
      }),
    )
    const nodePublic = keyPairs.map((kp) =>
      nodeCrypto.createPublicKey({
        key: Buffer.from(publicKeyToSpki(kp.publicKey)),
        format: 'der',
        type: 'spki',
      }),
    )
    const libp2pKeys = await Promise.all(
      seeds.map((seed) => generateKeyPairFromSeed('Ed25519', seed)),
    )
    const pool = Array.from({ length: MESSAGES }, (_, i) => {
      const key = i % KEYS
      const message = Uint8Array.from(
        { length: 256 },
        (_, j) => (i * 131 + j * 17 + (j >> 3)) & 0xff,
      )
      const signature = signers[key]!.signSync(message)
      return { key, publicKey: keyPairs[key]!.publicKey, message, signature }
    })
    // every subject must accept every signature, or the comparison means nothing
    for (const item of pool.slice(0, 32)) {
      const ok =
        verifySignatureSync(item.publicKey, item.message, item.signature) &&
        verifySignatureSync(item.publicKey, item.message, item.signature, { backend: 'js' }) &&
        nodeCrypto.verify(null, item.message, nodePublic[item.key]!, item.signature) &&
        noble.verify(item.signature, item.message, item.publicKey, { zip215: false }) &&
        (await libp2pKeys[item.key]!.publicKey.verify(item.message, item.signature))
      if (!ok) throw new Error('a subject rejected a valid signature')
    }
    ctx.log(`  pool: ${MESSAGES} distinct 256-byte messages under ${KEYS} keys`)

    let v = 0
    const next = () => pool[v++ % MESSAGES]!
    // the ratio-critical pairs run alone, in many short alternating rounds, so both subjects
    // of a ratio see the same load from whatever else shares the machine
    const pairRounds = { rounds: ctx.quick ? 5 : 21, roundMs: ctx.quick ? 60 : 120 }
    const verify = await ctx.measure(
      'verify',
      {
        peerkit: () => {
          const item = next()
          return verifySignatureSync(item.publicKey, item.message, item.signature)
        },
        'node-crypto': () => {
          const item = next()
          return nodeCrypto.verify(null, item.message, nodePublic[item.key]!, item.signature)
        },
      },
      pairRounds,
    )
    const verifyOthers = await ctx.measure('verify (other native paths)', {
      'peerkit-async': () => {
        const item = next()
        return verifySignature(item.publicKey, item.message, item.signature)
      },
      'peerkit-webcrypto': () => {
        const item = next()
        return verifySignature(item.publicKey, item.message, item.signature, {
          backend: 'webcrypto',
        })
      },
      'node-crypto': () => {
        const item = next()
        return nodeCrypto.verify(null, item.message, nodePublic[item.key]!, item.signature)
      },
      libp2p: () => {
        const item = next()
        return libp2pKeys[item.key]!.publicKey.verify(item.message, item.signature)
      },
    })
    const verifyJs = await ctx.measure(
      'verify (pure js)',
      {
        'peerkit-js': () => {
          const item = next()
          return verifySignatureSync(item.publicKey, item.message, item.signature, {
            backend: 'js',
          })
        },
        noble: () => {
          const item = next()
          return noble.verify(item.signature, item.message, item.publicKey, { zip215: false })
        },
      },
      { rounds: ctx.quick ? 5 : 15, roundMs: ctx.quick ? 100 : 250 },
    )
    let s = 0
    const sign = await ctx.measure(
      'sign',
      {
        peerkit: () => {
          const item = pool[s++ % MESSAGES]!
          return signers[item.key]!.sign(item.message)
        },
        'node-crypto': () => {
          const item = pool[s++ % MESSAGES]!
          return nodeCrypto.sign(null, item.message, nodePrivate[item.key]!)
        },
      },
      pairRounds,
    )
    const signOthers = await ctx.measure('sign (others)', {
      'peerkit-sync': () => {
        const item = pool[s++ % MESSAGES]!
        return signers[item.key]!.signSync(item.message)
      },
      'node-crypto': () => {
        const item = pool[s++ % MESSAGES]!
        return nodeCrypto.sign(null, item.message, nodePrivate[item.key]!)
      },
      noble: () => {
        const item = pool[s++ % MESSAGES]!
        return noble.sign(item.message, seeds[item.key]!)
      },
      libp2p: () => {
        const item = pool[s++ % MESSAGES]!
        return libp2pKeys[item.key]!.sign(item.message)
      },
    })
    ctx.ratio('identity.verify/node-crypto', verify.peerkit! / verify['node-crypto']!)
    ctx.ratio('identity.sign/node-crypto', sign.peerkit! / sign['node-crypto']!)
    ctx.ratio('identity.verify-js/noble', verifyJs['peerkit-js']! / verifyJs.noble!)
    const nodeOthers = verifyOthers['node-crypto']!
    ctx.ratio('identity.verify-async/node-crypto', verifyOthers['peerkit-async']! / nodeOthers)
    ctx.ratio(
      'identity.verify-webcrypto/node-crypto',
      verifyOthers['peerkit-webcrypto']! / nodeOthers,
    )
    ctx.ratio('identity.verify-libp2p/node-crypto', verifyOthers.libp2p! / nodeOthers)
    ctx.ratio(
      'identity.sign-sync/node-crypto',
      signOthers['peerkit-sync']! / signOthers['node-crypto']!,
    )
    ctx.ratio('identity.sign-libp2p/node-crypto', signOthers.libp2p! / signOthers['node-crypto']!)
  },
}

export default suite
