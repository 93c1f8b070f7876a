/**
 * Escrow suite: steps applied per second by the pure `apply` (open the step envelope,
 * check its signature, fold it into the trade state), against the bare signature check on
 * messages of the size a step signature covers, in the same run: peerkit's own check
 * (`verifySignatureSync`, the verification rule) for the headline ratio, and the raw
 * `node:crypto` call with a cached KeyObject and the bare `openMulti` for scale; and the
 * replay of a 10,000-step trade log from storage, in memory and from a file.
 * Every apply is of a distinct step (a pool of valid next steps sealed ahead), so nothing
 * is served from a cache.
 */
import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decode } from '@peerkit/codec'
import { openMulti, SIGNATURE_CONTEXT } from '@peerkit/envelope'
import {
  acceptTerms,
  apply,
  createMemoryStore,
  createSession,
  type EscrowState,
  type LogStore,
  loadSession,
  makeStep,
  openTrade,
  proposeTerms,
  startTrade,
  tradeEscrow,
  tradeEscrowTerms,
} from '@peerkit/escrow'
import {
  type KeyPairSigner,
  keyPairFromSeed,
  publicKeyToSpki,
  seedToPkcs8,
  signerFromKeyPair,
  verifySignatureSync,
} from '@peerkit/identity'
// the file store is the package's `./node` subpath; the bench reads it from source
import { createFileStore } from '../../packages/escrow/src/node'
import type { Suite } from '../src/harness'

const T0 = 1_763_600_000_000
const MINUTE = 60_000

function signerFor(n: number): { signer: KeyPairSigner; seed: Uint8Array } {
  const seed = new Uint8Array(32).fill(n)
  return { signer: signerFromKeyPair(keyPairFromSeed(seed)), seed }
}

function cycle<T>(pool: readonly T[]): () => T {
  let i = 0
  return () => pool[i++ % pool.length]!
}

/** A trade between seller and buyer, funded and disputed: evidence steps can follow forever. */
async function disputedTrade(parties: Record<'seller' | 'buyer' | 'arbiter', KeyPairSigner>) {
  const offer = await proposeTerms(tradeEscrow, parties.seller, {
    ...tradeEscrowTerms({
      seller: parties.seller.peerId,
      buyer: parties.buyer.peerId,
      arbiter: parties.arbiter.peerId,
      asset: 'BTC',
      amount: 100_000n,
      sellerBond: 10_000n,
      buyerBond: 10_000n,
      fundBy: T0 + 60 * MINUTE,
      payBy: T0 + 120 * MINUTE,
      disputeBy: T0 + 180 * MINUTE,
      resolveBy: T0 + 100_000 * MINUTE,
    }),
    timestamp: T0,
  })
  const terms = await acceptTerms(offer, parties.buyer)
  let state = startTrade(tradeEscrow, openTrade(tradeEscrow, terms, { now: T0 }))
  const steps: Uint8Array[] = []
  const take = async (
    who: KeyPairSigner,
    action: string,
    at: number,
    body: null | { note: string } = null,
  ) => {
    const bytes = await makeStep(state, who, action, body, at)
    const r = apply(state, bytes, at)
    if (!r.ok) throw r.error
    state = r.state
    steps.push(bytes)
  }
  await take(parties.buyer, 'accept', T0 + 1)
  await take(parties.seller, 'fund', T0 + 2)
  await take(parties.buyer, 'markPaid', T0 + 3)
  await take(parties.buyer, 'dispute', T0 + 4, { note: 'paid by SEPA, not released' })
  return { terms, steps, take, state: () => state }
}

/** Median of `runs` timings of `fn`, in ms. */
async function medianMs(runs: number, fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    const start = performance.now()
    await fn()
    times.push(performance.now() - start)
  }
  times.sort((a, b) => a - b)
  return times[times.length >> 1]!
}

const suite: Suite = {
  name: 'escrow',
  async run(ctx) {
    const seller = signerFor(1)
    const buyer = signerFor(2)
    const arbiter = signerFor(3)
    const parties = { seller: seller.signer, buyer: buyer.signer, arbiter: arbiter.signer }

    // apply: a pool of distinct, valid next steps on one disputed state
    const poolSize = ctx.quick ? 512 : 2048
    const trade = await disputedTrade(parties)
    const state: EscrowState = trade.state()
    const now = T0 + 10 * MINUTE
    const pool: Uint8Array[] = []
    for (let i = 0; i < poolSize; i++) {
      const who = i % 2 === 0 ? parties.seller : parties.buyer
      pool.push(
        await makeStep(state, who, 'evidence', { note: `statement ${i}: see attachment` }, now - i),
      )
    }
    for (const bytes of pool.slice(0, 8))
      if (!apply(state, bytes, now).ok) throw new Error('apply refused')

    // the bare baseline verifies messages of the size a step signature covers
    const body = (decode(pool[0]!) as Uint8Array[])[1]!
    const signedSize = SIGNATURE_CONTEXT.length + 1 + body.length
    const nodePrivate = createPrivateKey({
      key: Buffer.from(seedToPkcs8(buyer.seed)),
      format: 'der',
      type: 'pkcs8',
    })
    const nodePublic = createPublicKey({
      key: Buffer.from(publicKeyToSpki(buyer.signer.publicKey)),
      format: 'der',
      type: 'spki',
    })
    const messages: Uint8Array[] = []
    const signatures: Uint8Array[] = []
    for (let i = 0; i < poolSize; i++) {
      const message = Uint8Array.from({ length: signedSize }, (_, j) => (i * 7 + j) & 0xff)
      messages.push(message)
      signatures.push(sign(null, message, nodePrivate))
    }
    if (!verify(null, messages[0]!, nodePublic, signatures[0]!)) throw new Error('node refused')
    ctx.log(
      `  pool: ${poolSize} distinct steps of ${pool[0]!.length} bytes; signed message ${signedSize} bytes`,
    )
    ctx.figure('escrow.step.bytes', pool[0]!.length)

    const nextStep = cycle(pool)
    const nextOpen = cycle(pool)
    const nextIndex = cycle(Array.from({ length: poolSize }, (_, i) => i))
    const nextIndex2 = cycle(Array.from({ length: poolSize }, (_, i) => i))
    const signers = [...state.trade.signers]
    const applied = await ctx.measure('apply (distinct steps)', {
      'escrow.apply': () => {
        const r = apply(state, nextStep(), now)
        if (!r.ok) throw r.error
        return r
      },
      // what apply is built on: opening the step envelope alone, no state, no fold
      'envelope.openMulti': () =>
        openMulti(nextOpen(), {
          domain: 'peerkit/escrow/1',
          now,
          maxSkewMs: 120_000,
          maxAgeMs: Number.POSITIVE_INFINITY,
          signers,
          threshold: 1,
        }),
      'node-verify': () => {
        const i = nextIndex()
        return verify(null, messages[i]!, nodePublic, signatures[i]!)
      },
      // peerkit's own bare check (the verification rule of @peerkit/identity) on the same messages
      'identity-verify': () => {
        const i = nextIndex2()
        return verifySignatureSync(buyer.signer.publicKey, messages[i]!, signatures[i]!)
      },
    })
    // the headline: apply against peerkit's own bare signature check (the verification rule
    // every peerkit verdict runs); the raw native call and the bare envelope open for scale
    ctx.ratio('escrow.apply/verify', applied['escrow.apply']! / applied['identity-verify']!)
    ctx.ratio('escrow.apply/node-verify', applied['escrow.apply']! / applied['node-verify']!)
    ctx.ratio('escrow.apply/open', applied['escrow.apply']! / applied['envelope.openMulti']!)

    // replay: a 10,000-step log (4 steps to a dispute, then evidence) reloaded from storage
    const total = ctx.quick ? 2_000 : 10_000
    const roles = [parties.seller, parties.buyer, parties.arbiter]
    for (let i = trade.steps.length; i < total; i++) {
      await trade.take(roles[i % 3]!, 'evidence', T0 + 5 + i, { note: `note ${i}` })
    }
    const dir = await mkdtemp(join(tmpdir(), 'peerkit-escrow-bench-'))
    try {
      const stores: Array<[string, LogStore]> = [
        ['memory store', createMemoryStore()],
        ['file store', await createFileStore(dir, { sync: false })],
      ]
      for (const [name, store] of stores) {
        const writer = await createSession({
          definition: tradeEscrow,
          signer: parties.buyer,
          store,
          terms: trade.terms,
          now: T0,
        })
        for (const bytes of trade.steps) {
          const r = await writer.receiveStep(bytes, T0 + 5 + total)
          if (r.status !== 'applied') throw new Error(`setup step ${r.status}`)
        }
        const id = writer.trade.idText
        await writer.close()
        let seq = 0
        const ms = await medianMs(3, async () => {
          const reloaded = await loadSession({
            definition: tradeEscrow,
            signer: parties.buyer,
            store,
            trade: id,
          })
          seq = reloaded.state.seq
          await reloaded.close()
        })
        if (seq !== total) throw new Error(`replayed ${seq} of ${total} steps`)
        ctx.record(`replay ${total}-step log`, name, (total * 1000) / ms)
        ctx.figure(`escrow.replay-${total}.${name.split(' ')[0]}.ms`, Math.round(ms))
        ctx.log(`  replay of ${total} steps from the ${name}: ${ms.toFixed(0)} ms`)
      }
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  },
}

export default suite
