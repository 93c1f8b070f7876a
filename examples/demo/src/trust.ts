/**
 * Chapter 5: whom to believe (@peerkit/reputation). Ratings count only with the receipt
 * of a finished trade that the vault which settled it attested, once per rater and trade;
 * EigenTrust turns everyone's ratings into global trust anchored at a peer the market
 * knows; and a router's local scorer explains why it cut a peer off.
 *
 * A reclaimed trade counts: the seller takes its coins back and the buyer's bond with
 * them (outcome `refunded`), so value moved from the buyer who never paid to the seller,
 * and the vault attests it like any other settlement. Only a trade that moved nothing
 * (cancelled, expired, unwound) earns no rating.
 */
import type { Value } from '@peerkit/codec'
import { countersign, envelopeId, seal } from '@peerkit/envelope'
import { openReceipt, RECEIPT_DOMAIN } from '@peerkit/escrow'
import { keyPairFromSeed, signerFromKeyPair } from '@peerkit/identity'
import {
  attestReceipt,
  computeGlobalTrust,
  createLocalTrust,
  createRatingLedger,
  DEFAULT_TRUST_THRESHOLD,
  RATING_DOMAIN,
  relativeTrust,
  type ScorePartName,
  sealRating,
} from '@peerkit/reputation'
import {
  alice,
  bob,
  carol,
  clockText,
  dave,
  erin,
  everyone,
  frank,
  grace,
  mallory,
  type Person,
  short,
  sybil,
} from './cast'
import type { GossipOutcome } from './gossip'
import { type Market, runTrade, type TradePlan } from './market'
import type { Report } from './report'

/** One more trade of the market: how it ends, and how each party rates the other. */
interface MarketTrade extends TradePlan {
  readonly ending: 'released' | 'reclaimed'
  readonly sellerRates: -1 | 1
  readonly buyerRates: -1 | 1
}

function trade(
  seller: Person,
  buyer: Person,
  arbiter: Person,
  ending: MarketTrade['ending'],
  sellerRates: -1 | 1,
  buyerRates: -1 | 1,
): MarketTrade {
  return { seller, buyer, arbiter, amount: 20_000n, price: 1_000n, ending, sellerRates, buyerRates }
}

/** The rest of the market, after the Alice–Bob trade. */
const MORE_TRADES: readonly MarketTrade[] = [
  trade(carol, dave, erin, 'released', 1, 1),
  trade(dave, erin, carol, 'released', 1, 1),
  trade(erin, alice, carol, 'released', 1, 1),
  trade(frank, grace, carol, 'released', 1, 1),
  trade(grace, bob, carol, 'released', 1, 1),
  trade(dave, frank, carol, 'released', 1, 1),
  // Mallory takes offers and never pays; she rates her sellers down in return
  trade(alice, mallory, carol, 'reclaimed', -1, -1),
  trade(frank, mallory, carol, 'reclaimed', -1, -1),
  // and trades with her own second identity to rate herself up
  trade(mallory, sybil, carol, 'released', 1, 1),
  trade(sybil, mallory, carol, 'released', 1, 1),
]

const PART_LABELS: Record<ScorePartName, string> = {
  firstDeliveries: 'first deliveries',
  deliveryDeficit: 'delivery deficit',
  deliveryFailures: 'delivery failures',
  invalidMessages: 'invalid messages',
  brokenPromises: 'broken promises',
  protocolViolations: 'protocol violations',
  application: 'application',
}

export async function trustChapter(
  report: Report,
  market: Market,
  receipt: Uint8Array,
  gossip: GossipOutcome,
): Promise<void> {
  report.heading('Reputation: ratings only a settled trade can earn; whom to trust')
  const { clock } = market
  // the vault's own key: it attests the receipt of each trade it settled
  const vault = signerFromKeyPair(keyPairFromSeed(new Uint8Array(32).fill(31)))
  const attest = (bytes: Uint8Array) => attestReceipt(vault, bytes, { now: clock.now })
  const local = createLocalTrust()
  const ledger = createRatingLedger({
    authorities: [vault.peerId],
    onEvict: (evicted) => local.removeRating(evicted),
  })
  const rate = async (rater: Person, bytes: Uint8Array, score: -1 | 1, comment?: string) => {
    const rating = await sealRating(rater.signer, {
      receipt: bytes,
      score,
      timestamp: clock.now,
      comment,
    })
    const accepted = ledger.accept(rating, clock.now)
    local.addRating(accepted)
    return rating
  }

  // the Alice–Bob trade: the vault settled it and attests its receipt
  const tradeId = openReceipt(receipt, { now: clock.now }).trade
  await report.refused('Alice rates Bob, unattested', 'UnattestedReceiptError', () =>
    rate(alice, receipt, 1),
  )
  const attested = await attest(receipt)
  await rate(alice, attested, 1, 'paid within the hour')
  report.check(
    'Alice rates Bob +1',
    ledger.size === 1,
    `accepted, with receipt ${short(envelopeId(receipt))} attested by the vault`,
  )
  const bobsRating = await rate(bob, attested, 1, 'released as soon as paid')
  report.check('Bob rates Alice +1', ledger.size === 2, 'accepted')

  const strangerRating = (payload: Record<string, Value>) =>
    seal(mallory.signer, { domain: RATING_DOMAIN, payload, timestamp: clock.now })
  const aboutAlice = { v: 1, trade: tradeId, ratee: alice.signer.peerId.toBytes(), score: -1 }
  await report.refused('Mallory rates Alice, no receipt', 'MissingReceiptError', async () =>
    ledger.accept(await strangerRating(aboutAlice), clock.now),
  )
  await report.refused("Mallory shows Alice–Bob's receipt", 'NotAPartyError', async () =>
    ledger.accept(await strangerRating({ ...aboutAlice, receipt: attested }), clock.now),
  )
  // a receipt Mallory and Sybil sign for a trade that never happened: no vault attested it
  const fakeHalf = await seal(mallory.signer, {
    domain: RECEIPT_DOMAIN,
    payload: {
      v: 1,
      trade: new Uint8Array(32).fill(7),
      parties: [mallory.signer.peerId.toBytes(), sybil.signer.peerId.toBytes()],
      outcome: 'released',
      at: clock.now,
    },
    timestamp: clock.now,
  })
  const fake = await countersign(fakeHalf, sybil.signer)
  await report.refused('Sybil rates Mallory, fake receipt', 'UnattestedReceiptError', () =>
    rate(sybil, fake, 1),
  )
  await report.refused('Alice rates that trade again, -1', 'DuplicateRatingError', () =>
    rate(alice, attested, -1, 'changed my mind'),
  )
  await report.refused("Bob's rating, sent again", 'DuplicateRatingError', () =>
    ledger.accept(bobsRating, clock.now),
  )
  report.check('the ledger is unchanged', ledger.size === 2, `${ledger.size} ratings`)

  // the rest of the market
  for (const t of MORE_TRADES) {
    const bytes = await attest(await runTrade(market, t, t.ending))
    await rate(t.seller, bytes, t.sellerRates)
    await rate(t.buyer, bytes, t.buyerRates)
  }
  const reclaimed = MORE_TRADES.filter((t) => t.ending === 'reclaimed').length
  report.fact(
    'more trades, all through escrow',
    `${MORE_TRADES.length}: ${MORE_TRADES.length - reclaimed} released, ${reclaimed} reclaimed`,
  )
  report.fact('Mallory', 'never paid Alice or Frank; wash-traded with Sybil')
  report.fact('ratings in the ledger', `${ledger.size}, each bound to a receipt the vault attested`)

  // global trust
  const { matrix, rowTotals, index } = local.toMatrix()
  const result = computeGlobalTrust(matrix, { preTrusted: [index.get(carol.key)!], rowTotals })
  const ranking = everyone
    .map((p) => ({ p, trust: relativeTrust(result, index.get(p.key)!) }))
    .sort((a, b) => b.trust - a.trust)
  report.say('Global trust by EigenTrust (pre-trusted: Carol; 1.00 is an average share):')
  ranking.forEach(({ p, trust }, i) => {
    const verdict =
      trust < DEFAULT_TRUST_THRESHOLD ? `under ${DEFAULT_TRUST_THRESHOLD}: refuse` : ''
    report.fact(`${i + 1}. ${p.name}`, `${trust.toFixed(2).padStart(5)}  ${verdict}`.trimEnd())
  })
  report.fact(
    'converged',
    `${result.converged ? 'yes' : 'no'}, after ${result.iterations} iterations`,
  )
  const trustOf = (p: Person) => ranking.find((r) => r.p === p)!.trust
  report.check(
    'Mallory and Sybil refused',
    result.converged &&
      trustOf(mallory) < DEFAULT_TRUST_THRESHOLD &&
      trustOf(sybil) < DEFAULT_TRUST_THRESHOLD,
    'wash trades bought no trust',
  )
  const honest = everyone.filter((p) => p !== mallory && p !== sybil)
  report.check(
    'every honest trader trusted',
    honest.every((p) => trustOf(p) >= DEFAULT_TRUST_THRESHOLD),
    "all above 0.25, Mallory's -1 ratings notwithstanding",
  )

  // why a router cut a peer off
  const { net, victim } = gossip
  const why = net.node(victim).scorer.explain(mallory.key, net.now)
  report.say(
    `What ${victim.name}'s router saw of Mallory (its local scorer, at ${clockText(net.now)}):`,
  )
  report.fact('score, level', `${why.score.toFixed(1)}, ${why.level}`)
  for (const [name, part] of Object.entries(why.parts)) {
    if (part.counter === 0 && part.contribution === 0) continue
    const label = PART_LABELS[name as ScorePartName]
    report.fact(label, `counter ${part.counter.toFixed(2)} → ${part.contribution.toFixed(1)}`)
  }
  report.fact(
    'connected',
    why.connected
      ? 'yes'
      : `no; remembered until ${clockText(why.retainedUntil ?? net.now)}, so reconnecting launders nothing`,
  )
  report.check(
    'the penalty: invalid messages',
    why.parts.invalidMessages.counter > 1.9 && why.score < 0,
    `${why.parts.invalidMessages.contribution.toFixed(1)} of ${why.score.toFixed(1)}`,
  )
}
