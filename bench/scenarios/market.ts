/**
 * A simulated market for `pnpm scenarios`: traders on `@peerkit/sim`, each a
 * `@peerkit/gossip` router on the simulator's own network (uniform 10–100 ms links), with
 * signed `@peerkit/offers` offers gossiped on the offers topic and ratings on the ratings
 * topic. The simulator rather than the driver on the memory transport: the driver runs
 * real timers and queues per node and handles about a hundred nodes in a scenario's time;
 * the simulator runs the same routers on a virtual clock.
 *
 * - offers from makers (10% of the traders are scammers); 5% are spammers that gossip
 *   offers with broken signatures, which every router's validator rejects (and scores);
 * - 10 desks (the takers, each keeping a full `createOfferBook`, 5 of them pre-trusted)
 *   take offers: each asks its book for the best offers of one side, hiding makers below
 *   the trust floor (`makerTrust` over the ratings its own `createRatingLedger` accepted);
 * - a trade with an honest maker is released, one with a scammer is refunded from the
 *   scammer's bond by the arbiter; the maker seals the receipt, the desk countersigns, the
 *   arbiter attests it (`attestReceipt`) and each party gossips a rating; every desk's
 *   ledger trusts only that arbiter;
 * - a new peer joins after the offers were published, through four desks, and asks each at
 *   once for one part of its book (catch-up request/response frames, pages of the desk's
 *   book), each delayed by the link.
 *
 * Figures: the share of trades with honest makers that settled (the taker's rating of the
 * released trade reached every desk's ledger and was accepted), the share of all trades
 * lost to a scammer after its third fraud, the share of live offers the new peer holds 5 s
 * after joining, and the bytes of offers a book-keeping peer holds (its book's envelopes).
 */
import { contentId, encode, toHex } from '@peerkit/codec'
import { countersign, createVerifyCache, seal } from '@peerkit/envelope'
import { createGossip, type Gossip, sealMessage } from '@peerkit/gossip'
import type { PeerId, Signer } from '@peerkit/identity'
import {
  createOfferBook,
  decodeCatchUpRequest,
  decodeCatchUpResponse,
  encodeCatchUpRequest,
  encodeCatchUpResponse,
  makerTrust,
  type Offer,
  type OfferBook,
  type OfferTerms,
  sealOffer,
  tryOpenOffer,
} from '@peerkit/offers'
import {
  attestReceipt,
  createLocalTrust,
  createRatingLedger,
  isReputationError,
  type LocalTrust,
  type RatingLedger,
  RECEIPT_DOMAIN,
  sealRating,
} from '@peerkit/reputation'
import { createIdentities, createRandom, createSimulator, type Simulator } from '@peerkit/sim'
import type { ScenarioGroup } from '../src/scenario'

/** The market's size; `runMarketScenario` takes a smaller one for quick runs. */
export interface MarketSize {
  traders: number
  offers: number
  trades: number
  /** Shares of the traders. */
  scammers: number
  spammers: number
  spamOffers: number
  desks: number
  /** Virtual time over which the offers are published, and the trades made (ms). */
  offersMs: number
  tradesMs: number
}

/** The market of the figures' definitions: 1,000 traders, 10,000 offers, 2,000 trades. */
export const FULL_MARKET: MarketSize = {
  traders: 1_000,
  offers: 10_000,
  trades: 2_000,
  scammers: 0.1,
  spammers: 0.05,
  spamOffers: 1_000,
  desks: 10,
  offersMs: 60_000,
  tradesMs: 200_000,
}
const PRE_TRUSTED_DESKS = 5
/** Frauds after which a scammer's further trades count as lost to it. */
const FRAUDS_FORGIVEN = 3
/** How long a new peer has to hold the book. */
const COVERAGE_WINDOW_MS = 5_000
/**
 * The desks hide makers whose known relative trust is below this. Most makers here have one
 * or two trades, so an honest maker rated once sits near the default action threshold (0.25)
 * of an average share; a maker only ever rated -1 holds exactly 0.
 */
const TRUST_FLOOR = 0.05
/** Offers per catch-up page. */
const PAGE = 256
/**
 * Desks a new peer joins through and asks at once, each for one part of its book: one
 * neighbour alone serves 10,000 offers in 40 pages, 40 round trips (5.6 s over a 70 ms
 * link); four bring them in 10.
 */
const CATCH_UP_NEIGHBOURS = 4
const OFFERS_TOPIC = 'peerkit/offers/1'
const RATINGS_TOPIC = 'peerkit/ratings/1'
const EPOCH = 1_800_000_000_000
const HOUR = 3_600_000
/** Phases, in virtual ms from the start. */
const JOIN_MS = 2_000
const OFFERS_FROM = 10_000
/** Virtual time the simulator runs between two awaits of the trades' signing. */
const SLICE_MS = 100

type Role = 'honest' | 'scammer' | 'spammer' | 'desk' | 'arbiter' | 'newcomer'

/** What one desk keeps: its book, its ledger, its local trust and trust cache. */
interface Desk {
  readonly node: number
  readonly book: OfferBook
  readonly ledger: RatingLedger
  readonly local: LocalTrust
  trust: ReturnType<typeof makerTrust> | undefined
}

export interface MarketScenarioResult {
  honestSettled: number
  scamShareAfter3: number
  newPeerCoverage: number
  bytesPerPeer: number
  trafficPerPeer: number
  trades: number
  scamTrades: number
  spamAccepted: number
  spamRejected: number
  ratingsAccepted: number
}

/** Runs the market; every figure comes from the simulated routers, books and ledgers. */
export async function runMarketScenario(
  seed: number,
  log: (line: string) => void,
  size: MarketSize = FULL_MARKET,
): Promise<MarketScenarioResult> {
  const TRADERS = size.traders
  const OFFERS = size.offers
  const TRADES = size.trades
  const SCAMMERS = Math.round(size.scammers * TRADERS)
  const SPAMMERS = Math.round(size.spammers * TRADERS)
  const SPAM_OFFERS = size.spamOffers
  const DESKS = size.desks
  const OFFERS_MS = size.offersMs
  const TRADES_MS = size.tradesMs
  const TRADES_FROM = OFFERS_FROM + OFFERS_MS + 5_000
  const NEWCOMER_AT = TRADES_FROM + 20_000
  const END = TRADES_FROM + TRADES_MS + 10_000
  const random = createRandom(seed ^ 0x3a7e)
  const nodes = TRADERS + 2 // the traders, the arbiter and the new peer
  const ids = createIdentities(nodes, seed)
  const arbiterNode = TRADERS
  const newcomerNode = TRADERS + 1
  const roles: Role[] = new Array<Role>(nodes).fill('honest')
  const order = Array.from({ length: TRADERS }, (_, i) => i)
  for (let i = order.length - 1; i > 0; i--) {
    const j = random.int(i + 1)
    ;[order[i], order[j]] = [order[j]!, order[i]!]
  }
  // node 0 joins first and everyone joins through someone before it: keep the desks early
  const desksAt = order.slice(0, DESKS).sort((a, b) => a - b)
  for (const d of desksAt) roles[d] = 'desk'
  for (const i of order.slice(DESKS, DESKS + SCAMMERS)) roles[i] = 'scammer'
  for (const i of order.slice(DESKS + SCAMMERS, DESKS + SCAMMERS + SPAMMERS)) roles[i] = 'spammer'
  roles[arbiterNode] = 'arbiter'
  roles[newcomerNode] = 'newcomer'
  const arbiter = ids.signer(arbiterNode)
  const makers = order.filter((i) => roles[i] === 'honest' || roles[i] === 'scammer')

  // ------------------------------------------------------------ offers, sealed up front
  const terms = (maker: number, n: number): OfferTerms => ({
    id: contentId(encode({ maker, n })).bytes.subarray(0, 16),
    side: n % 2 === 0 ? 'sell' : 'buy',
    asset: 'BTC',
    amount: BigInt(10_000 + random.int(90_000)),
    currency: 'EUR',
    price: BigInt(1_000 + random.int(9_000)),
    payment: ['sepa'],
    arbiters: [arbiter.peerId],
    bond: { seller: 1_000n, buyer: 1_000n },
    windows: { fund: 60_000, pay: 600_000, dispute: 1_200_000, resolve: 3_600_000 },
  })
  const published: Array<{ at: number; node: number; envelope: Uint8Array; spam: boolean }> = []
  const perMaker = new Map<number, number>()
  for (let k = 0; k < OFFERS; k++) {
    const maker = makers[k % makers.length]!
    const n = perMaker.get(maker) ?? 0
    perMaker.set(maker, n + 1)
    const at = OFFERS_FROM + Math.floor((k * OFFERS_MS) / OFFERS)
    const offer = await sealOffer(ids.signer(maker), terms(maker, n), {
      sequence: 1,
      timestamp: EPOCH + at,
      expiresAt: EPOCH + at + 12 * HOUR,
    })
    const envelope = await sealMessage(ids.signer(maker), {
      topic: OFFERS_TOPIC,
      data: offer,
      timestamp: EPOCH + at,
    })
    published.push({ at, node: maker, envelope, spam: false })
  }
  const spammers = order.filter((i) => roles[i] === 'spammer')
  for (let k = 0; k < SPAM_OFFERS; k++) {
    const spammer = spammers[k % spammers.length]!
    const at = OFFERS_FROM + Math.floor((k * OFFERS_MS) / SPAM_OFFERS)
    const offer = await sealOffer(ids.signer(spammer), terms(spammer, k), {
      sequence: 1,
      timestamp: EPOCH + at,
      expiresAt: EPOCH + at + 12 * HOUR,
    })
    offer[offer.length - 3]! ^= 0x20 // a broken signature: the offer does not open
    const envelope = await sealMessage(ids.signer(spammer), {
      topic: OFFERS_TOPIC,
      data: offer,
      timestamp: EPOCH + at,
    })
    published.push({ at, node: spammer, envelope, spam: true })
  }

  // ------------------------------------------------------------ books, ledgers, validators
  const cache = createVerifyCache({ maxEntries: 1 << 18 })
  const desks = new Map<number, Desk>()
  for (const node of desksAt) {
    const local = createLocalTrust()
    desks.set(node, {
      node,
      book: createOfferBook({ cache }),
      local,
      ledger: createRatingLedger({
        cache,
        authorities: [arbiter.peerId],
        onEvict: (r) => local.removeRating(r),
      }),
      trust: undefined,
    })
  }
  const newcomerBook = createOfferBook({ cache })
  const preTrusted = desksAt.slice(0, PRE_TRUSTED_DESKS).map((d) => ids.peerId(d).toString())
  /** One verdict per offer message: the check is the same at every router (a shared cache). */
  const offerVerdicts = new Map<string, 'accept' | 'reject'>()
  let spamAccepted = 0
  let spamRejected = 0
  let ratingsAccepted = 0
  let sim: Simulator | undefined
  const now = (): number => sim!.now

  const validatorOf = (node: number) => {
    const desk = desks.get(node)
    return (message: { topic: string; messageId: string; data: unknown }) => {
      if (!(message.data instanceof Uint8Array)) return 'reject' as const
      if (message.topic === OFFERS_TOPIC) {
        let verdict = offerVerdicts.get(message.messageId)
        if (verdict === undefined) {
          verdict = tryOpenOffer(message.data, { now: now(), cache }).ok ? 'accept' : 'reject'
          offerVerdicts.set(message.messageId, verdict)
        }
        const book = desk?.book ?? (node === newcomerNode ? newcomerBook : undefined)
        if (verdict === 'accept' && book !== undefined) book.add(message.data, now())
        return verdict
      }
      if (message.topic === RATINGS_TOPIC) {
        if (desk === undefined) return 'accept' // relays: the desks are the ones who rank
        try {
          desk.local.addRating(desk.ledger.accept(message.data, now()))
          desk.trust = undefined
          ratingsAccepted++
          return 'accept'
        } catch (error) {
          return isReputationError(error, 'DuplicateRatingError') ? 'ignore' : 'reject'
        }
      }
      return 'reject' as const
    }
  }

  let traffic = 0
  sim = createSimulator({
    seed,
    startTime: EPOCH,
    routerErrors: 'count',
    observer: {
      send(_from, _to, bytes) {
        traffic += bytes.length
      },
    },
  })
  const routers: Gossip[] = []
  for (let i = 0; i < nodes; i++) {
    const node = i
    sim.addNode({
      peerId: ids.peerId(i),
      create(context) {
        const router = createGossip(
          {},
          {
            self: ids.peerId(node),
            random: context.random,
            verifyCache: cache,
            validate: validatorOf(node),
          },
        )
        routers[node] = router
        return router
      },
    })
  }
  const s = sim
  const at = (t: number, fn: () => void): void => s.at(EPOCH + t, fn)
  const join = (node: number, contact: number | undefined): void => {
    s.start(node)
    s.input(node, { type: 'subscribe', topic: OFFERS_TOPIC, now: s.now })
    s.input(node, { type: 'subscribe', topic: RATINGS_TOPIC, now: s.now })
    if (contact !== undefined) s.connect(node, contact)
  }
  for (let i = 0; i <= arbiterNode; i++) {
    const node = i
    at(Math.floor((i * JOIN_MS) / TRADERS), () =>
      join(node, node === 0 ? undefined : random.int(node)),
    )
  }
  for (const step of published) {
    at(step.at, () => {
      s.input(step.node, {
        type: 'publish',
        topic: OFFERS_TOPIC,
        envelope: step.envelope,
        now: s.now,
      })
    })
  }

  // what the routers hold once the offers are out: each keeps a seen id for every message
  // within its window and the envelopes of the last `messageCacheMs` for requests
  at(TRADES_FROM - 1_000, () => {
    let seenIds = 0
    let cached = 0
    for (const router of routers) {
      const st = router.stats()
      seenIds += st.seenSize
      cached += st.cachedMessages
    }
    const heap = process.memoryUsage().heapUsed
    log(
      `after the offers: the routers hold ${(seenIds / routers.length).toFixed(0)} seen ids and ${(cached / routers.length).toFixed(0)} cached envelopes each; heap ${(heap / 2 ** 20).toFixed(0)} MiB (${(heap / nodes / 2 ** 20).toFixed(2)} MiB per trader)`,
    )
  })

  // ------------------------------------------------------------ trades
  const fraudsBy = new Map<string, number>()
  let trades = 0
  /** Takes that found no offer to take. */
  let unmatched = 0
  /** Trades with honest makers: trade id hex and the taking desk's key. */
  const honest: Array<{ trade: string; taker: string }> = []
  const taken = new Set<string>()
  let scamTrades = 0
  let scamAfter3 = 0
  const pending: Array<Promise<void>> = []
  const trustOf = (desk: Desk) => {
    desk.trust ??= makerTrust(
      desk.local,
      preTrusted,
      desk.ledger.ratings().map((r) => r.ratee),
    )
    return desk.trust.trustOf
  }
  const signerOfKey = new Map<string, Signer>()
  const nodeOfKey = new Map<string, number>()
  for (let i = 0; i < nodes; i++) {
    signerOfKey.set(ids.peerId(i).toString(), ids.signer(i))
    nodeOfKey.set(ids.peerId(i).toString(), i)
  }
  const rateAndPublish = async (
    node: number,
    receipt: Uint8Array,
    score: -1 | 1,
    time: number,
  ): Promise<void> => {
    const signer = ids.signer(node)
    const rating = await sealRating(signer, { receipt, score, timestamp: time }, { cache })
    const envelope = await sealMessage(signer, {
      topic: RATINGS_TOPIC,
      data: rating,
      timestamp: time,
    })
    s.input(node, { type: 'publish', topic: RATINGS_TOPIC, envelope, now: s.now })
    // a router does not validate its own publish: a desk files its own rating itself
    const own = desks.get(node)
    if (own !== undefined) {
      own.local.addRating(own.ledger.accept(rating, s.now))
      own.trust = undefined
      ratingsAccepted++
    }
  }
  const tradeIdOf = (n: number): Uint8Array => contentId(encode({ market: seed, trade: n })).bytes
  const settle = async (desk: Desk, offer: Offer, time: number, n: number): Promise<void> => {
    const makerNode = nodeOfKey.get(offer.makerKey)!
    const scam = roles[makerNode] === 'scammer'
    const deskId: PeerId = ids.peerId(desk.node)
    const payload = {
      v: 1,
      trade: tradeIdOf(n),
      parties: [offer.maker.toBytes(), deskId.toBytes()],
      outcome: scam ? 'refunded' : 'released',
      at: time,
    }
    const receipt = await attestReceipt(
      arbiter,
      await countersign(
        await seal(signerOfKey.get(offer.makerKey)!, {
          domain: RECEIPT_DOMAIN,
          payload,
          timestamp: time,
        }),
        ids.signer(desk.node),
      ),
      { now: time, cache },
    )
    await rateAndPublish(desk.node, receipt, scam ? -1 : 1, time + 1)
    await rateAndPublish(makerNode, receipt, 1, time + 1)
  }
  for (let n = 0; n < TRADES; n++) {
    const t = TRADES_FROM + Math.floor((n * TRADES_MS) / TRADES)
    const desk = desks.get(desksAt[n % DESKS]!)!
    at(t, () => {
      const time = s.now
      // the best offers of one side shown, less those already taken (an offer is taken
      // whole); the desk takes one of the 20 best at random
      const shown = desk.book
        .query({ asset: 'BTC', side: n % 2 === 0 ? 'sell' : 'buy' }, time, {
          trustOf: trustOf(desk),
          trustFloor: TRUST_FLOOR,
        })
        .filter((o) => !taken.has(o.envelopeId))
        .slice(0, 20)
      if (shown.length === 0) {
        unmatched++
        return
      }
      const offer = shown[random.int(shown.length)]!
      const makerNode = nodeOfKey.get(offer.makerKey)!
      taken.add(offer.envelopeId)
      trades++
      if (roles[makerNode] === 'scammer') {
        scamTrades++
        const frauds = fraudsBy.get(offer.makerKey) ?? 0
        if (frauds >= FRAUDS_FORGIVEN) scamAfter3++
        fraudsBy.set(offer.makerKey, frauds + 1)
      } else {
        honest.push({ trade: toHex(tradeIdOf(n)), taker: ids.peerId(desk.node).toString() })
      }
      pending.push(settle(desk, offer, time, n))
    })
  }

  // ------------------------------------------------------------ the new peer catches up
  let coverage = 0
  at(NEWCOMER_AT, () => {
    // the new peer joins through a few desks and asks each at once for one part of its book
    const contacts = desksAt.slice(0, CATCH_UP_NEIGHBOURS).map((d) => desks.get(d)!)
    join(newcomerNode, contacts[0]!.node)
    for (const desk of contacts.slice(1)) s.connect(newcomerNode, desk.node)
    const joinedAt = s.now
    const delays = contacts.map((desk) => s.latency(newcomerNode, desk.node))
    const ask = (k: number, cursor: string | undefined): void => {
      const desk = contacts[k]!
      const delay = delays[k]!
      const part = { index: k, of: contacts.length }
      const request = encodeCatchUpRequest({ limit: PAGE, cursor, part })
      s.at(s.now + delay, () => {
        const asked = decodeCatchUpRequest(request)
        const page = desk.book.page(s.now, asked.limit, asked.cursor, asked.part)
        const response = encodeCatchUpResponse(page)
        s.at(s.now + delay, () => {
          const { envelopes, next } = decodeCatchUpResponse(response)
          for (const e of envelopes) newcomerBook.add(e, s.now)
          if (next !== undefined) ask(k, next)
        })
      })
    }
    for (let k = 0; k < contacts.length; k++) ask(k, undefined)
    s.at(joinedAt + COVERAGE_WINDOW_MS, () => {
      // live offers anywhere: the union of what the desks hold is every valid offer published
      const live = new Set<string>()
      for (const desk of desks.values())
        for (const o of desk.book.query({}, s.now)) live.add(o.envelopeId)
      let held = 0
      for (const o of newcomerBook.query({}, s.now)) if (live.has(o.envelopeId)) held++
      coverage = live.size === 0 ? 0 : held / live.size
      log(
        `new peer: ${held} of ${live.size} live offers within ${COVERAGE_WINDOW_MS / 1000} s (a part of the book from each of ${contacts.length} desks at once, pages of ${PAGE}, links of ${delays.join(', ')} ms)`,
      )
    })
  })

  // ------------------------------------------------------------ run
  // the routers run synchronously; signing is asynchronous: run in slices of virtual time and
  // let the trades of each slice seal their receipts and ratings before the next
  const started = performance.now()
  let lastLog = started
  for (let t = 0; t < END; t += SLICE_MS) {
    s.runUntil(EPOCH + Math.min(END, t + SLICE_MS))
    while (pending.length > 0) await pending.shift()
    if (performance.now() - lastLog > 15_000) {
      lastLog = performance.now()
      log(`… virtual ${((t + SLICE_MS) / 1000).toFixed(0)} s of ${END / 1000}`)
    }
  }
  // settled: the taker's rating of the released trade reached every desk and was accepted
  let honestSettled = 0
  for (const h of honest)
    if ([...desks.values()].every((d) => d.ledger.has(h.trade, h.taker))) honestSettled++
  for (const desk of desks.values()) {
    for (const o of desk.book.query({}, EPOCH + END))
      if (roles[nodeOfKey.get(o.makerKey)!] === 'spammer') spamAccepted++
  }
  spamRejected = [...offerVerdicts.values()].filter((v) => v === 'reject').length
  const bookBytes = [...desks.values()].map((d) => d.book.bytes)
  const firstDesk = desks.get(desksAt[0]!)!
  const heldByRole = new Map<string, number>()
  for (const o of firstDesk.book.query({}, EPOCH + OFFERS_FROM + OFFERS_MS + 1_000)) {
    const role = roles[nodeOfKey.get(o.makerKey)!]!
    heldByRole.set(role, (heldByRole.get(role) ?? 0) + 1)
  }
  log(`a desk's book: ${[...heldByRole].map(([r, c]) => `${c} ${r}`).join(', ')}`)
  const mostFrauds = Math.max(0, ...fraudsBy.values())
  log(
    `${trades} trades, ${unmatched} takes found nothing (${scamTrades} with scammers, ${fraudsBy.size} scammers caught, at most ${mostFrauds} frauds by one, ${scamAfter3} after a scammer's ${FRAUDS_FORGIVEN}rd fraud); ` +
      `${ratingsAccepted} ratings accepted by the desks; spam offers rejected ${spamRejected}, kept ${spamAccepted}; ` +
      `${(traffic / nodes / 1024).toFixed(0)} KiB sent per peer; ${((performance.now() - started) / 1000).toFixed(1)} s`,
  )
  return {
    honestSettled: honest.length === 0 ? 0 : honestSettled / honest.length,
    scamShareAfter3: trades === 0 ? 1 : scamAfter3 / trades,
    newPeerCoverage: coverage,
    bytesPerPeer: bookBytes.reduce((a, b) => a + b, 0) / bookBytes.length,
    trafficPerPeer: traffic / nodes,
    trades,
    scamTrades,
    spamAccepted,
    spamRejected,
    ratingsAccepted,
  }
}

/**
 * The market `pnpm scenarios` runs: a fifth of the traders with the same shares, ten offers
 * and two trades per trader as in the full market. Every router handles every offer and
 * rating, so the cost grows with traders × messages: the full market is about 15 million
 * router-message handlings, this one about 600,000, and each costs what a gossip router
 * spends on one delivery (about 120 µs of CPU here, most of it in the router and the
 * simulator, not in the market's checks). `PEERKIT_MARKET=full` runs the full one,
 * `PEERKIT_MARKET=1000,2000,400` 1,000 traders with 2,000 offers and 400 trades.
 */
export const SCENARIO_MARKET: MarketSize = {
  ...FULL_MARKET,
  traders: 200,
  offers: 2_000,
  trades: 400,
  spamOffers: 200,
}

/**
 * The size `PEERKIT_MARKET` asks for: unset, the default market; `full`, the full one;
 * `TRADERS,OFFERS,TRADES` (such as `1000,2000,400`), the full market's shares at that size,
 * with a tenth as many spam offers as offers.
 */
function chosen(): MarketSize {
  const asked = process.env.PEERKIT_MARKET
  if (asked === undefined || asked === '') return SCENARIO_MARKET
  if (asked === 'full') return FULL_MARKET
  const [traders, offers, trades, ...rest] = asked.split(',').map(Number)
  const valid = (n: number | undefined, least: number): n is number =>
    n !== undefined && Number.isSafeInteger(n) && n >= least
  if (rest.length > 0 || !valid(traders, 20) || !valid(offers, 1) || !valid(trades, 1))
    throw new Error(
      `PEERKIT_MARKET must be full or TRADERS,OFFERS,TRADES (at least 20 traders), got ${asked}`,
    )
  return { ...FULL_MARKET, traders, offers, trades, spamOffers: Math.ceil(offers / 10) }
}

const groups: ScenarioGroup[] = [
  {
    name: 'market',
    description: `${chosen().traders} traders on the simulator: ${chosen().offers} offers, ${chosen().trades} trades, ${chosen().scammers * 100}% scammers, ${chosen().spammers * 100}% spammers`,
    targets: {
      'market.honestSettled': { op: '>=', value: 0.99 },
      'market.scamShareAfter3': { op: '<=', value: 0.01 },
      'market.newPeerCoverage': { op: '>=', value: 0.95 },
      'market.bytesPerPeer': null,
      'market.trafficPerPeer': null,
    },
    async run({ seed, log }) {
      const r = await runMarketScenario(seed, log, chosen())
      return {
        'market.honestSettled': r.honestSettled,
        'market.scamShareAfter3': r.scamShareAfter3,
        'market.newPeerCoverage': r.newPeerCoverage,
        'market.bytesPerPeer': r.bytesPerPeer,
        'market.trafficPerPeer': r.trafficPerPeer,
      }
    },
  },
]

export default groups
