/**
 * Reputation attack scenarios on a simulated market of 1,000 peers with a known ground
 * truth. Every trade produces a real receipt (sealed by one party, countersigned by the
 * other, and attested by the market's settlement authority, which saw it settle) and every
 * rating is a real signed envelope that goes through a rating ledger trusting only that
 * authority;
 * global trust is EigenTrust over the local trust the accepted ratings build, recomputed
 * (warm start) every few rounds. Partners are drawn uniformly: the attackers get every
 * trade they ask for (a market that used trust to choose partners would give them fewer).
 *
 * - collusion: 30% of peers trade and rate among themselves (and cheat outsiders most of
 *   the time) → their share of global trust;
 * - whitewashing: a malicious peer re-enters with fresh identities → their local scores
 *   against the newcomer floor, and their global trust;
 * - slander: one peer trades with an honest peer every round and rates it badly each time
 *   → the victim's relative trust against the action threshold;
 * - forgery: self-promotion, replayed ratings, receipt-less Sybils, forged receipts →
 *   how many the ledger accepted;
 * - fabricated receipts: fresh Sybils and the colluders sign receipts of trades that never
 *   settled (unattested, attested by a Sybil, or of an outcome that moved nothing) and rate
 *   each other → how many ratings the ledger accepted and the Sybils' global trust, against
 *   a newcomer's (0); beside it, what a ledger without an authority policy would have given;
 * - overall: Spearman rank correlation of global trust with ground-truth honesty.
 */
import { contentId, encode } from '@peerkit/codec'
import { countersign, createVerifyCache, seal, type VerifyCache } from '@peerkit/envelope'
import { keyPairFromSeed, type Signer, signerFromKeyPair } from '@peerkit/identity'
import {
  type AcceptedRating,
  computeGlobalTrust,
  createLocalTrust,
  createRatingLedger,
  createScorer,
  DEFAULT_ALPHA,
  DEFAULT_TRUST_THRESHOLD,
  type GlobalTrust,
  isReputationError,
  type LocalTrust,
  RATING_DOMAIN,
  type RatingLedger,
  RECEIPT_DOMAIN,
  sealRating,
} from '@peerkit/reputation'
import { mulberry32 as random32 } from '@peerkit/sim'
import type { ScenarioGroup } from '../src/scenario'

const PEERS = 1_000
const COLLUDERS = 300
/** Pre-trusted peers (10%): known-good traders, e.g. the market's vetted members. */
const PRE_TRUSTED = 100
/** Rounds; in each, every peer starts one trade with a partner drawn uniformly. */
const ROUNDS = 32
/** Global trust is recomputed (warm start) every this many rounds. */
const EPOCH = 8
/** Chance a colluder picks another colluder for a (fake) trade. */
const COLLUDER_INSIDE = 0.5
/** Colluders behave well towards outsiders with a probability drawn from [0, this]. */
const CAMOUFLAGE = 0.1
/** Independent (non-colluding) peers behave well with a probability drawn from [this, 1]. */
const HONEST_MIN = 0.3
/** Fresh Sybil identities in the fabricated-receipt attack. */
const SYBILS = 20
/** Trades the colluders and Sybils fabricate (each gives two ratings). */
const FABRICATED = 1_000
/** Rounds at which the whitewasher drops its identity for a fresh one. */
const WHITEWASH_ROUNDS = [4, 10, 16, 22, 28]
const T0 = 1_800_000_000_000
const ROUND_MS = 3_600_000

type Role = 'honest' | 'colluder' | 'slanderer' | 'whitewasher'

interface Agent {
  readonly role: Role
  /** Ground truth: the chance this peer behaves well in a trade with an outsider. */
  honesty: number
  readonly signer: Signer
  readonly key: string
  /** Original identities are 0 … 999; fresh whitewash identities come after. */
  readonly index: number
  retired: boolean
}

function signerFor(seed: number, n: number): Signer {
  const bytes = new Uint8Array(32)
  new DataView(bytes.buffer).setUint32(0, seed >>> 0)
  new DataView(bytes.buffer).setUint32(4, n)
  bytes[31] = 0x72
  return signerFromKeyPair(keyPairFromSeed(bytes))
}

/** Spearman's rank correlation (average ranks for ties). */
export function spearman(xs: readonly number[], ys: readonly number[]): number {
  const ranks = (v: readonly number[]): number[] => {
    const order = v.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0])
    const r = new Array<number>(v.length)
    for (let i = 0; i < order.length; ) {
      let j = i
      while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++
      for (let k = i; k <= j; k++) r[order[k]![1]] = (i + j) / 2 + 1
      i = j + 1
    }
    return r
  }
  const rx = ranks(xs)
  const ry = ranks(ys)
  const mean = (rx.length + 1) / 2
  let num = 0
  let dx = 0
  let dy = 0
  for (let i = 0; i < rx.length; i++) {
    num += (rx[i]! - mean) * (ry[i]! - mean)
    dx += (rx[i]! - mean) ** 2
    dy += (ry[i]! - mean) ** 2
  }
  return num / Math.sqrt(dx * dy)
}

export interface MarketOptions {
  seed: number
  log: (line: string) => void
  alpha?: number
  rounds?: number
  preTrusted?: number
  camouflage?: number
  honestMin?: number
  withheldShare?: number
  /**
   * False skips the envelopes and the ledger and feeds ratings straight into local trust,
   * for quick parameter studies only; the scenario groups always run signed.
   */
  signed?: boolean
}

export interface MarketResult {
  trust: GlobalTrust
  agents: Agent[]
  colluders: Agent[]
  preTrusted: Agent[]
  ledger: RatingLedger
  local: LocalTrust
  cache: VerifyCache
  authority: Signer
  colluderShare: number
  victimRelative: number
  rank: number
  freshRelative: number[]
  forgedAccepted: number
  forgeryAttempts: number
  trades: number
}

/** Runs the market and the attacks against the ledger; returns what the figures need. */
export async function runMarket(options: MarketOptions): Promise<MarketResult> {
  const { seed, log } = options
  const alpha = options.alpha ?? DEFAULT_ALPHA
  const rounds = options.rounds ?? ROUNDS
  const preTrustedCount = options.preTrusted ?? PRE_TRUSTED
  const camouflage = options.camouflage ?? CAMOUFLAGE
  const signed = options.signed ?? true
  const honestMin = options.honestMin ?? HONEST_MIN
  const random = random32(seed)
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!

  // roles on a shuffled layout
  const layout = Array.from({ length: PEERS }, (_, i) => i)
  for (let i = layout.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[layout[i], layout[j]] = [layout[j]!, layout[i]!]
  }
  const roleOf = new Array<Role>(PEERS).fill('honest')
  for (let k = 0; k < COLLUDERS; k++) roleOf[layout[k]!] = 'colluder'
  roleOf[layout[COLLUDERS]!] = 'slanderer'
  roleOf[layout[COLLUDERS + 1]!] = 'whitewasher'
  const agents: Agent[] = []
  const setHonesty = (agent: Agent, honesty: number): Agent => {
    agent.honesty = honesty
    return agent
  }
  const newAgent = (role: Role, honesty: number): Agent => {
    const index = agents.length
    const signer = signerFor(seed, index)
    const agent: Agent = {
      role,
      honesty,
      signer,
      key: signer.peerId.toString(),
      index,
      retired: false,
    }
    agents.push(agent)
    return agent
  }
  for (let i = 0; i < PEERS; i++) {
    const role = roleOf[i]!
    const honesty =
      role === 'colluder'
        ? random() * camouflage
        : role === 'whitewasher'
          ? 0.1
          : role === 'slanderer'
            ? 0.9
            : honestMin + (1 - honestMin) * random()
    newAgent(role, honesty)
  }
  const honest = agents.filter((a) => a.role === 'honest')
  // the pre-trusted peers are known to be good (founders, vetted traders), and the victim
  // of the slander is a good trader: their honesty is set, not drawn
  const preTrustedAgents = honest
    .slice(0, preTrustedCount)
    .map((a) => setHonesty(a, 0.9 + 0.1 * random()))
  const victim = setHonesty(honest[preTrustedCount]!, 0.9)
  const slanderer = agents.find((a) => a.role === 'slanderer')!
  const colluders = agents.filter((a) => a.role === 'colluder')
  let whitewasher = agents.find((a) => a.role === 'whitewasher')!

  const cache: VerifyCache = createVerifyCache()
  // the market's settlement authority (its arbiter, or the vault's signer): it attests the
  // receipt of every trade it saw settle, and it is the only authority the ledger trusts
  const authority = signerFor(seed ^ 0xa7, 0)
  const local = createLocalTrust(
    options.withheldShare === undefined ? {} : { withheldShare: options.withheldShare },
  )
  const ledger: RatingLedger = createRatingLedger({
    cache,
    ratingMaxAgeMs: 400 * ROUND_MS,
    authorities: [authority.peerId],
    onEvict: (rating) => local.removeRating(rating),
  })
  const kept: Array<{ rater: Agent; bytes: Uint8Array; receipt: Uint8Array; trade: Uint8Array }> =
    []
  let trades = 0

  // global trust over every identity ever seen, in creation order (stable indices)
  let trust: GlobalTrust | undefined
  const recompute = (): GlobalTrust => {
    const keys = agents.map((a) => a.key)
    const { matrix, index, rowTotals } = local.toMatrix(keys)
    const preTrusted = preTrustedAgents.map((a) => index.get(a.key)!)
    let initial: Float64Array | undefined
    if (trust !== undefined) {
      initial = new Float64Array(keys.length)
      initial.set(trust.trust)
    }
    trust = computeGlobalTrust(matrix, {
      preTrusted,
      alpha,
      ...(initial ? { initial } : {}),
      rowTotals,
    })
    return trust
  }
  const relative = (a: Agent): number =>
    trust === undefined ? 1 : (trust.trust[a.index] ?? 0) * trust.trust.length

  const scoreBy = (rater: Agent, ratee: Agent, rateeGood: boolean): -1 | 0 | 1 => {
    if (rater.role === 'colluder') return ratee.role === 'colluder' ? 1 : -1
    if (rater.role === 'whitewasher') return -1
    if (rater.role === 'slanderer' && ratee === victim) return -1
    return rateeGood ? 1 : -1
  }

  const trade = async (a: Agent, b: Agent, now: number): Promise<void> => {
    const inside = a.role === 'colluder' && b.role === 'colluder'
    const goodA = inside || random() < a.honesty
    const goodB = inside || random() < b.honesty
    if (!signed) {
      trades++
      local.addRating({ rater: a.key, ratee: b.key, score: scoreBy(a, b, goodB) })
      local.addRating({ rater: b.key, ratee: a.key, score: scoreBy(b, a, goodA) })
      return
    }
    const id = contentId(encode({ market: seed, trade: trades++ })).bytes
    const payload = {
      v: 1,
      trade: id,
      parties: [a.signer.peerId.toBytes(), b.signer.peerId.toBytes()],
      outcome: goodA && goodB ? 'released' : 'refunded',
      at: now,
    }
    const receipt = await countersign(
      await countersign(
        await seal(a.signer, { domain: RECEIPT_DOMAIN, payload, timestamp: now }),
        b.signer,
      ),
      authority,
    )
    for (const [rater, ratee, good] of [
      [a, b, goodB],
      [b, a, goodA],
    ] as const) {
      const bytes = await sealRating(
        rater.signer,
        { receipt, score: scoreBy(rater, ratee, good), timestamp: now + 1 },
        { cache },
      )
      local.addRating(ledger.accept(bytes, now + 2))
      if (kept.length < 400 && random() < 0.05) kept.push({ rater, bytes, receipt, trade: id })
    }
  }

  const freshRelative: number[] = []
  for (let round = 0; round < rounds; round++) {
    const now = T0 + round * ROUND_MS
    if (round > 0 && round % EPOCH === 0) {
      const t = recompute()
      log(
        `round ${round}: trust recomputed in ${t.iterations} iterations; colluder share ` +
          colluders.reduce((s, c) => s + t.trust[c.index]!, 0).toFixed(4),
      )
    }
    if (WHITEWASH_ROUNDS.includes(round)) {
      whitewasher.retired = true
      whitewasher = newAgent('whitewasher', 0.1)
      // nobody has rated a fresh identity yet: its global trust is 0 whenever it is computed
      freshRelative.push(trust === undefined ? 0 : relative(whitewasher))
    }
    const active = agents.filter((a) => !a.retired)
    const order = [...active]
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1))
      ;[order[i], order[j]] = [order[j]!, order[i]!]
    }
    for (const a of order) {
      let b: Agent
      if (a.role === 'colluder') b = random() < COLLUDER_INSIDE ? pick(colluders) : pick(active)
      else if (a === slanderer) b = victim
      else if (a.role === 'whitewasher') b = pick(active)
      else b = pick(active)
      if (b === a) continue
      await trade(a, b, now)
    }
  }
  const final = recompute()

  // the attacks on the ledger: none may be accepted
  let attempts = 0
  let accepted = 0
  const refusals = new Map<string, number>()
  const attempt = async (make: () => Promise<Uint8Array>): Promise<void> => {
    attempts++
    try {
      ledger.accept(await make(), T0 + rounds * ROUND_MS)
      accepted++
    } catch (error) {
      const name = isReputationError(error) ? error.name : `unexpected ${String(error)}`
      refusals.set(name, (refusals.get(name) ?? 0) + 1)
    }
  }
  const at = T0 + rounds * ROUND_MS
  const sybil = signerFor(seed ^ 0x5eed, 1)
  for (const { rater, bytes, receipt, trade: id } of kept) {
    const ratee = honest[Math.floor(random() * honest.length)]!
    // replay of an accepted rating, and a second rating of the same trade
    await attempt(async () => bytes)
    await attempt(() => sealRating(rater.signer, { receipt, score: 1, timestamp: at }))
    // self-promotion: rating oneself with a real receipt
    await attempt(() =>
      seal(rater.signer, {
        domain: RATING_DOMAIN,
        payload: { v: 1, trade: id, ratee: rater.signer.peerId.toBytes(), score: 1, receipt },
        timestamp: at,
      }),
    )
    // a real receipt replayed for another trade
    await attempt(() =>
      seal(rater.signer, {
        domain: RATING_DOMAIN,
        payload: {
          v: 1,
          trade: contentId(encode({ fake: attempts })).bytes,
          ratee: ratee.signer.peerId.toBytes(),
          score: 1,
          receipt,
        },
        timestamp: at,
      }),
    )
    // a Sybil that never traded: no receipt, a receipt it signed alone, someone else's receipt
    await attempt(() =>
      seal(sybil, {
        domain: RATING_DOMAIN,
        payload: { v: 1, trade: id, ratee: ratee.signer.peerId.toBytes(), score: -1 },
        timestamp: at,
      }),
    )
    await attempt(async () => {
      const fake = {
        v: 1,
        trade: id,
        parties: [sybil.peerId.toBytes(), ratee.signer.peerId.toBytes()],
        outcome: 'released',
        at,
      }
      const oneSided = await seal(sybil, { domain: RECEIPT_DOMAIN, payload: fake, timestamp: at })
      return seal(sybil, {
        domain: RATING_DOMAIN,
        payload: {
          v: 1,
          trade: id,
          ratee: ratee.signer.peerId.toBytes(),
          score: -1,
          receipt: oneSided,
        },
        timestamp: at,
      })
    })
    await attempt(() =>
      seal(sybil, {
        domain: RATING_DOMAIN,
        payload: { v: 1, trade: id, ratee: rater.signer.peerId.toBytes(), score: -1, receipt },
        timestamp: at,
      }),
    )
    // a receipt both real parties signed that no authority attested
    await attempt(async () => {
      const fake = {
        v: 1,
        trade: contentId(encode({ unattested: attempts })).bytes,
        parties: [rater.signer.peerId.toBytes(), ratee.signer.peerId.toBytes()],
        outcome: 'released',
        at,
      }
      const both = await countersign(
        await seal(rater.signer, { domain: RECEIPT_DOMAIN, payload: fake, timestamp: at }),
        ratee.signer,
      )
      return sealRating(rater.signer, { receipt: both, score: 1, timestamp: at })
    })
    // a forged signature on an accepted rating
    await attempt(async () => {
      const forged = bytes.slice()
      forged[forged.length - 5]! ^= 0x10
      return forged
    })
  }
  log(
    `ledger: ${ledger.size} ratings accepted from ${trades} trades; ${attempts} attacks, refused as ` +
      [...refusals].map(([n, c]) => `${n} ${c}`).join(', '),
  )

  const originals = agents.slice(0, PEERS)
  const rank = spearman(
    originals.map((a) => final.trust[a.index]!),
    originals.map((a) => a.honesty),
  )
  return {
    trust: final,
    agents,
    colluders,
    preTrusted: preTrustedAgents,
    ledger,
    local,
    cache,
    authority,
    colluderShare: colluders.reduce((s, c) => s + final.trust[c.index]!, 0),
    victimRelative: final.trust[victim.index]! * agents.length,
    rank,
    freshRelative,
    forgedAccepted: accepted,
    forgeryAttempts: attempts,
    trades,
  }
}

export interface FabricatedResult {
  /** Fabricated ratings offered to the market's ledger. */
  attempts: number
  /** Of them, accepted by the market's ledger (which trusts only the real authority). */
  accepted: number
  /** Of them, accepted by a ledger with no authority policy (the deprecated default). */
  legacyAccepted: number
  /** Largest relative global trust of a Sybil after the attack. */
  sybilTrust: number
  /** The same, had the ratings gone through the ledger with no authority policy. */
  legacySybilTrust: number
  /** The colluders' share of global trust after the attack, and before it. */
  colluderShare: number
  colluderShareBefore: number
}

/**
 * Colluders and fresh Sybils fabricate receipts: both named parties sign trades that never
 * settled, and each rates the other +1. A third of the receipts carry no attestation, a
 * third are "attested" by a Sybil posing as an authority, a third name an outcome that
 * moved nothing. Global trust is recomputed over every identity, Sybils included.
 */
export async function fabricateReceipts(
  m: MarketResult,
  seed: number,
  log: (line: string) => void,
): Promise<FabricatedResult> {
  const random = random32(seed ^ 0xfab)
  const sybils = Array.from({ length: SYBILS }, (_, i) => signerFor(seed ^ 0xfab, i))
  const fakeAuthority = sybils[0]!
  const gang: Signer[] = [...sybils.slice(1), ...m.colluders.map((c) => c.signer)]
  const at = T0 + ROUNDS * ROUND_MS
  const legacy = createRatingLedger({ cache: m.cache, ratingMaxAgeMs: 400 * ROUND_MS })
  const beforeLocal = createLocalTrust()
  for (const r of m.ledger.ratings()) beforeLocal.addRating(r)
  const legacyRatings: AcceptedRating[] = []
  const refusals = new Map<string, number>()
  let attempts = 0
  let accepted = 0
  for (let n = 0; n < FABRICATED; n++) {
    // every fabricated trade has a Sybil on one side, so the Sybils are what it would promote
    const a = sybils[1 + Math.floor(random() * (SYBILS - 1))]!
    let b = gang[Math.floor(random() * gang.length)]!
    if (b === a) b = m.colluders[0]!.signer
    const kind = n % 3
    const payload = {
      v: 1,
      trade: contentId(encode({ fabricated: seed, n })).bytes,
      parties: [a.peerId.toBytes(), b.peerId.toBytes()],
      outcome: kind === 2 ? 'never-traded' : 'released',
      at,
    }
    let receipt = await countersign(
      await seal(a, { domain: RECEIPT_DOMAIN, payload, timestamp: at }),
      b,
    )
    if (kind === 1) receipt = await countersign(receipt, fakeAuthority)
    for (const rater of [a, b]) {
      const bytes = await sealRating(
        rater,
        { receipt, score: 1, timestamp: at + 1 },
        { cache: m.cache },
      )
      attempts++
      try {
        m.local.addRating(m.ledger.accept(bytes, at + 2))
        accepted++
      } catch (error) {
        const name = isReputationError(error) ? error.name : `unexpected ${String(error)}`
        refusals.set(name, (refusals.get(name) ?? 0) + 1)
      }
      try {
        legacyRatings.push(legacy.accept(bytes, at + 2))
      } catch {
        // refused by the deprecated ledger too: not counted as accepted there
      }
    }
  }
  const keys = [...m.agents.map((a) => a.key), ...sybils.map((s) => s.peerId.toString())]
  const trustOver = (local: LocalTrust): GlobalTrust => {
    const { matrix, index, rowTotals } = local.toMatrix(keys)
    return computeGlobalTrust(matrix, {
      preTrusted: m.preTrusted.map((a) => index.get(a.key)!),
      rowTotals,
    })
  }
  const sybilMax = (t: GlobalTrust): number =>
    Math.max(...sybils.map((_, i) => t.trust[m.agents.length + i]! * keys.length))
  const share = (t: GlobalTrust): number =>
    m.colluders.reduce((sum, c) => sum + t.trust[c.index]!, 0)
  const after = trustOver(m.local)
  const before = trustOver(beforeLocal)
  const legacyLocal = createLocalTrust()
  for (const r of [...m.ledger.ratings(), ...legacyRatings]) legacyLocal.addRating(r)
  const legacyTrust = trustOver(legacyLocal)
  log(
    `${attempts} fabricated ratings: ${accepted} accepted, refused as ` +
      [...refusals].map(([n, c]) => `${n} ${c}`).join(', ') +
      `; a ledger without an authority policy would have accepted ${legacyRatings.length}` +
      ` and given a Sybil relative trust ${sybilMax(legacyTrust).toFixed(3)}`,
  )
  return {
    attempts,
    accepted,
    legacyAccepted: legacyRatings.length,
    sybilTrust: sybilMax(after),
    legacySybilTrust: sybilMax(legacyTrust),
    colluderShare: share(after),
    colluderShareBefore: share(before),
  }
}

/**
 * One market per seed, shared by the groups that read it. The cache is an object the
 * groups are built around (see `reputationGroups`), not module state.
 */
type MarketCache = Map<number, Promise<MarketResult>>
function marketFor(
  markets: MarketCache,
  seed: number,
  log: (line: string) => void,
): Promise<MarketResult> {
  let market = markets.get(seed)
  if (market === undefined) {
    market = runMarket({ seed, log })
    markets.set(seed, market)
  }
  return market
}

/**
 * Whitewashing against the local scorer: a peer misbehaves until graylisted, reconnects
 * (its score is retained), then comes back under fresh identities that behave perfectly;
 * returns the largest score any fresh identity reached above the floor during probation.
 */
function whitewashLocal(seed: number, log: (line: string) => void): number {
  const scorer = createScorer({}, {})
  const floor = scorer.params.newcomer.score
  const random = random32(seed ^ 0x77)
  let now = T0
  const original = `whitewasher-${seed}`
  scorer.connect(original, now)
  for (let k = 0; k < 4; k++) scorer.record(original, 'invalid-message', now)
  now += 1_000
  scorer.disconnect(original, now)
  now += 60_000
  scorer.connect(original, now)
  log(
    `whitewasher reconnected with the same identity: score ${scorer.score(original, now).toFixed(1)} (${scorer.level(original, now)})`,
  )
  let worst = Number.NEGATIVE_INFINITY
  for (let n = 0; n < 5; n++) {
    const fresh = `fresh-${seed}-${n}`
    now += 10_000
    scorer.connect(fresh, now)
    worst = Math.max(worst, scorer.score(fresh, now) - floor)
    // it behaves perfectly: a first delivery every 100 to 500 ms through its probation
    const end = now + scorer.params.newcomer.probationMs
    while (now < end - 500) {
      now += 100 + Math.floor(random() * 400)
      scorer.record(fresh, 'first-delivery', now)
      worst = Math.max(worst, scorer.score(fresh, now) - floor)
    }
    scorer.disconnect(fresh, now)
  }
  return worst
}

/** The reputation groups, sharing one market per seed through `markets`. */
export function reputationGroups(markets: MarketCache = new Map()): ScenarioGroup[] {
  const marketOf = (seed: number, log: (line: string) => void) => marketFor(markets, seed, log)
  return [
    {
      name: 'reputation-collusion',
      description: `${PEERS} peers, ${COLLUDERS} colluding: share of global trust held by the colluders`,
      targets: { 'reputation.collusion.trustShare': { op: '<=', value: 0.1 } },
      async run({ seed, log }) {
        const m = await marketOf(seed, log)
        log(
          `${m.trades} trades; colluders hold ${(m.colluderShare * 100).toFixed(2)}% of global trust`,
        )
        return { 'reputation.collusion.trustShare': m.colluderShare }
      },
    },
    {
      name: 'reputation-whitewash',
      description:
        'a malicious peer re-enters under fresh identities: newcomer scores against the floor',
      targets: {
        'reputation.whitewash.maxNewcomerOverFloor': { op: '<=', value: 0 },
        'reputation.whitewash.maxNewcomerRelativeTrust': null,
      },
      async run({ seed, log }) {
        const local = whitewashLocal(seed, log)
        const m = await marketOf(seed, log)
        const fresh = m.agents.filter((a) => a.index >= PEERS)
        const finalFresh = fresh.map((a) => m.trust.trust[a.index]! * m.agents.length)
        log(
          `fresh identities: relative global trust at entry ${m.freshRelative.map((v) => v.toFixed(2)).join(', ')}; ` +
            `at the end ${finalFresh.map((v) => v.toFixed(2)).join(', ')} (threshold ${DEFAULT_TRUST_THRESHOLD})`,
        )
        return {
          'reputation.whitewash.maxNewcomerOverFloor': local,
          'reputation.whitewash.maxNewcomerRelativeTrust': Math.max(...m.freshRelative),
        }
      },
    },
    {
      name: 'reputation-slander',
      description: 'one peer trades with an honest peer every round and rates it -1 every time',
      targets: { 'reputation.slander.victimMarginOverThreshold': { op: '>', value: 0 } },
      async run({ seed, log }) {
        const m = await marketOf(seed, log)
        log(
          `victim's relative trust ${m.victimRelative.toFixed(3)} against the threshold ${DEFAULT_TRUST_THRESHOLD}`,
        )
        return {
          'reputation.slander.victimMarginOverThreshold':
            m.victimRelative - DEFAULT_TRUST_THRESHOLD,
        }
      },
    },
    {
      name: 'reputation-forgery',
      description:
        'self-promotion, replayed ratings, receipt-less Sybils, forged receipts and signatures',
      targets: {
        'reputation.forgedAccepted': { op: '==', value: 0 },
        'reputation.forgeryAttempts': null,
      },
      async run({ seed, log }) {
        const m = await marketOf(seed, log)
        return {
          'reputation.forgedAccepted': m.forgedAccepted,
          'reputation.forgeryAttempts': m.forgeryAttempts,
        }
      },
    },
    {
      name: 'reputation-rank',
      description:
        'rank correlation of global trust with ground-truth honesty over the 1,000 peers',
      targets: { 'reputation.rankCorrelation': { op: '>=', value: 0.9 } },
      async run({ seed, log }) {
        const m = await marketOf(seed, log)
        return { 'reputation.rankCorrelation': m.rank }
      },
    },
    {
      name: 'reputation-fabricated',
      description: `colluders and ${SYBILS} fresh Sybils fabricate ${FABRICATED} receipts of trades that never settled and rate each other`,
      targets: {
        'reputation.fabricated.accepted': { op: '==', value: 0 },
        'reputation.fabricated.sybilTrustOverNewcomer': { op: '<=', value: 0 },
        'reputation.fabricated.colluderShareGain': { op: '<=', value: 0 },
        'reputation.fabricated.attempts': null,
        'reputation.fabricated.legacyAccepted': null,
        'reputation.fabricated.legacySybilTrust': null,
      },
      async run({ seed, log }) {
        const m = await marketOf(seed, log)
        const f = await fabricateReceipts(m, seed, log)
        log(
          `Sybils' largest relative trust ${f.sybilTrust.toFixed(4)} (a newcomer's is 0); colluders' share ` +
            `${(f.colluderShareBefore * 100).toFixed(2)}% before, ${(f.colluderShare * 100).toFixed(2)}% after`,
        )
        return {
          'reputation.fabricated.accepted': f.accepted,
          // a newcomer nobody rated holds no global trust: 0 is the newcomer level
          'reputation.fabricated.sybilTrustOverNewcomer': f.sybilTrust - 0,
          'reputation.fabricated.colluderShareGain': f.colluderShare - f.colluderShareBefore,
          'reputation.fabricated.attempts': f.attempts,
          'reputation.fabricated.legacyAccepted': f.legacyAccepted,
          'reputation.fabricated.legacySybilTrust': f.legacySybilTrust,
        }
      },
    },
  ]
}

export default reputationGroups()
