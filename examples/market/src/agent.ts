/**
 * One market peer: a node of `@peerkit/net` on the chosen transport, the market of
 * `@peerkit/offers` on it, trade logs in a file store, custody at the bank, and a small
 * behaviour per kind. Each trade is driven from its current state (so a restarted peer
 * picks up exactly where its log stands): a buyer accepts, pays through the bank and
 * marks paid; a seller funds, checks the bank and releases or disputes; the arbiter rules
 * by the bank's record; the scammer marks paid without paying; the spammer floods junk.
 *
 * @example
 * const peer = await runPeer(config, (event) => console.log(event))
 * await peer.stop()
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { seal } from '@peerkit/envelope'
import type { EscrowSession } from '@peerkit/escrow'
import { createFileStore } from '@peerkit/escrow/node'
import { peerIdFromString } from '@peerkit/identity'
import { createNode, type MemoryNetwork, type Node, systemClock } from '@peerkit/net'
import {
  createMarket,
  defaultRating,
  type Market,
  OFFER_DOMAIN,
  OFFERS_TOPIC,
  type Offer,
} from '@peerkit/offers'
import { type BankClient, bankClient } from './bank'
import {
  AMOUNT,
  ASSET,
  BUYER_BOND,
  CURRENCY,
  type Kind,
  keySeedOf,
  MARGIN_MS,
  NOTHING_LEFT_MS,
  OFFERS_PER_MAKER,
  PRICE,
  SELLER_BOND,
  SETTLED,
  SHOP_AROUND_MS,
  SILENT_MAKER_MS,
  short,
  signerOf,
  TERMINAL,
  TRADES_PER_TAKER,
  WINDOWS,
} from './cast'
import { startLinks, type TransportName } from './transports'

/** What a peer is told at start. */
export interface PeerConfig {
  readonly name: string
  readonly kind: Kind
  readonly index: number
  readonly seed: number
  readonly dir: string
  readonly transport: TransportName
  readonly bootstrap: readonly string[]
  readonly bank: string
  readonly arbiter: string
  readonly preTrusted: readonly string[]
  readonly scammer: string
  readonly restarted?: boolean
}

/** A line for the progress log. */
export interface PeerEvent {
  readonly type: 'event'
  readonly peer: string
  readonly text: string
  readonly kind?: string
  /** The other party, for a step this peer took. */
  readonly other?: string
}

/** A peer's account of itself. */
export interface PeerReport {
  readonly name: string
  readonly kind: Kind
  readonly peerId: string
  readonly address: string
  readonly trades: readonly {
    id: string
    role: string
    /** The other party's peer id. */
    other: string
    state: string
    spannedRestart: boolean
  }[]
  readonly trust: readonly { peer: string; trust: number }[]
  /** The offers this peer shows (ranked by trust, the trust floor applied), at most 30. */
  readonly book: readonly {
    id: string
    maker: string
    side: string
    amount: string
    price: string
  }[]
  readonly ratingsReceived: number
  /** The sum of the ratings each peer received, as this peer has them. */
  readonly scores: Readonly<Record<string, number>>
  readonly ratings: number
  readonly scammerOffersInBook: number
  readonly scammerOffersShown: number
  readonly refused: readonly string[]
  readonly restarted: boolean
  readonly done: boolean
  /** What the peer still waits for, when it is not done. */
  readonly waiting: string | undefined
}

export interface RunningPeer {
  readonly node: Node
  readonly market: Market
  readonly address: string
  report(): PeerReport
  /** Dials these addresses (failures are retried by the driver's own backoff later). */
  connect(addresses: readonly string[]): Promise<void>
  stop(): Promise<void>
}

/**
 * Starts one peer.
 * @param config - who it is and where the others are
 * @param emit - receives progress events
 * @param network - the shared memory network (memory transport only)
 */
export async function runPeer(
  config: PeerConfig,
  emit: (event: PeerEvent) => void,
  network?: MemoryNetwork,
): Promise<RunningPeer> {
  const clock = systemClock()
  const signer = signerOf(config, config.seed)
  const me = signer.peerId.toString()
  const say = (text: string, kind?: string, other?: string) =>
    emit({
      type: 'event',
      peer: config.name,
      text,
      ...(kind === undefined ? {} : { kind }),
      ...(other === undefined ? {} : { other }),
    })
  const links = await startLinks(
    config.transport,
    keySeedOf(config, config.seed),
    config.name,
    network,
  )
  // no bootstrap yet: the bank and market protocols are registered before the first link,
  // so every neighbour's first table already lists them
  const node = await createNode({
    signer,
    transports: [links.factory],
    listen: [links.listen],
    clock,
  })
  const address = node.addresses()[0]!
  await mkdir(config.dir, { recursive: true })
  const store = await createFileStore(join(config.dir, 'trades'))
  const bank: BankClient = bankClient(node, clock, peerIdFromString(config.bank))
  const spannedRestart = new Set<string>()
  const busy = new Set<string>()
  let stopped = false
  const market = await createMarket({
    node,
    signer,
    store,
    vault: bank,
    settle: (session) => bank.settleTrade(session),
    // the bank attests the trades it settled, the arbiter the disputes it ruled: a rating
    // counts only with a receipt one of them countersigned
    attest: (session, receipt) => bank.attest(session, receipt),
    authorities: [config.bank, config.arbiter],
    clock,
    preTrusted: config.preTrusted,
    resendMs: 500,
    rate: config.kind === 'scammer' ? (s) => (s.state.terminal ? -1 : undefined) : defaultRating,
    ...(config.kind !== 'arbiter'
      ? {}
      : {
          arbitrate: async (session: EscrowSession) => {
            const t = session.trade
            const paid = await bank.paid(
              t.roles.buyer!.toString(),
              t.roles.seller!.toString(),
              PRICE,
              t.idText,
            )
            say(
              `rules on ${short(t.idText)}: the bank ${paid ? 'shows' : 'has no'} payment → ${paid ? 'release' : 'refund'}`,
              'ruling',
            )
            return paid
              ? { action: 'ruleRelease' as const, note: 'the payment is on record' }
              : {
                  action: 'ruleRefund' as const,
                  note: 'no payment on record: the buyer forfeits its bond',
                }
          },
        }),
  })
  for (const id of market.trades().keys()) spannedRestart.add(id)
  const dialing = (async () => {
    for (const a of config.bootstrap) {
      for (let attempt = 0; attempt < 20 && !stopped; attempt++) {
        if (
          await node.dial(a).then(
            () => true,
            () => false,
          )
        )
          break
        await new Promise((r) => setTimeout(r, 100 + 50 * attempt))
      }
    }
  })()
  if (config.restarted)
    say(`restarted: ${market.trades().size} trades reloaded from its store`, 'restart')

  market.on('fault', ({ context, error }) => {
    if (process.env.PEERKIT_MARKET_DEBUG)
      say(`${context} failed: ${(error as Error).name} ${(error as Error).message}`)
  })
  market.on('maker-refused', ({ maker, invalid }) =>
    say(
      `refuses ${short(maker)} after ${invalid} invalid offers (graylisted, offers dropped)`,
      'refused',
    ),
  )
  market.on('trade-opened', ({ session }) =>
    say(`trade ${short(session.trade.idText)} opened as ${session.role}`),
  )
  market.on('trade-ended', ({ session, outcome }) =>
    say(`trade ${short(session.trade.idText)} ${outcome}, settled at the bank`, `ended:${outcome}`),
  )
  market.on('rating-accepted', ({ rating }) => {
    if (rating.rater === me)
      say(`rates ${short(rating.ratee)} ${rating.score > 0 ? '+1' : rating.score}`, 'rating')
  })

  const failedTakes = new Set<string>()
  let taking = false

  async function drive(session: EscrowSession): Promise<void> {
    const id = session.trade.idText
    if (busy.has(id) || session.state.terminal) return
    busy.add(id)
    try {
      const state = session.state.name
      const d = session.trade.deadlines
      const now = clock.now()
      // a step due before a deadline starts only with time to spare for the bank and the
      // link; a step a deadline allows waits a little past it (and for the other party)
      const inTime = (deadline: number | undefined) => now < deadline! - MARGIN_MS
      const past = (deadline: number | undefined) => now > deadline! + MARGIN_MS / 2
      const act = async (action: string, body: Parameters<Market['act']>[2] = null) => {
        await market.act(id, action, body)
        const other = session.trade.roles[session.role === 'buyer' ? 'seller' : 'buyer']!
        say(`${action} ${short(id)}`, `act:${action}`, other.toString())
      }
      if (session.role === 'buyer') {
        const seller = session.trade.roles.seller!.toString()
        if (state === 'offered' && inTime(d.fundBy)) await act('accept')
        // one party per deadline step, or both would sign one at the same place (a fork):
        // the buyer expires what it accepted (its bond is locked), the seller the rest
        else if (state === 'accepted' && past(d.fundBy)) await act('expire')
        else if (state === 'funded') {
          if (config.kind === 'scammer') {
            if (inTime(d.payBy)) await act('markPaid', { note: 'paid, trust me' })
          } else if (inTime(d.payBy)) {
            await bank.pay(seller, CURRENCY, PRICE, id)
            await act('markPaid', { note: `paid at the bank, reference ${short(id)}` })
          } else if (now < d.disputeBy! && (await bank.paid(me, seller, PRICE, id))) {
            // paid, then too late to say so (a crash in between): the arbiter sees the bank
            await act('dispute', { note: `paid at the bank, reference ${short(id)}` })
          }
        }
      } else if (session.role === 'seller') {
        if (state === 'accepted' && config.kind !== 'scammer' && inTime(d.fundBy)) await act('fund')
        else if (state === 'offered' && past(d.fundBy)) await act('expire')
        else if (state === 'funded' && past(d.payBy)) await act('reclaim')
        else if (state === 'paid') {
          const buyer = session.trade.roles.buyer!.toString()
          if (await bank.paid(buyer, me, PRICE, id)) await act('release')
          else await act('dispute', { note: 'the bank shows no payment' })
        }
      }
    } catch (error) {
      // retried on the next tick (a deadline step that waits for the other party, a bank
      // that did not answer in time)
      if (process.env.PEERKIT_MARKET_DEBUG)
        say(`drive ${short(id)} failed: ${(error as Error).name} ${(error as Error).message}`)
    } finally {
      busy.delete(id)
    }
  }

  const candidates = () =>
    market
      .offers({ asset: ASSET, side: 'sell' })
      .filter(
        (o: Offer) =>
          !failedTakes.has(o.envelopeId) &&
          o.maker.toString() !== me &&
          clock.now() - (silentMakers.get(o.makerKey) ?? Number.NEGATIVE_INFINITY) >
            SILENT_MAKER_MS,
      )
  let noOffersSince: number | undefined
  let firstSeen: number | undefined
  const silentMakers = new Map<string, number>()
  const mine = () => [...market.trades().values()].filter((s) => s.role === 'buyer')
  const target = config.kind === 'taker' ? TRADES_PER_TAKER : config.kind === 'scammer' ? 2 : 0

  async function takeOne(): Promise<void> {
    if (taking || target === 0) return
    const open = mine().filter((s) => !s.state.terminal).length
    if (mine().length >= target || open > 0) return
    const found = candidates()
    // shop around first: an offer is only a good one next to others
    firstSeen ??= found.length > 0 ? clock.now() : undefined
    const makers = new Set(found.map((o) => o.makerKey)).size
    if (makers < 2 && firstSeen !== undefined && clock.now() - firstSeen < SHOP_AROUND_MS) return
    const offer = found[0]
    if (offer === undefined) {
      noOffersSince ??= clock.now()
      return
    }
    noOffersSince = undefined
    taking = true
    try {
      const session = await market.take(offer)
      say(
        `takes ${short(offer.maker)}'s offer: ${AMOUNT} sat for ${Number(PRICE) / 100} ${CURRENCY} → trade ${short(session.trade.idText)}`,
        'take',
      )
    } catch (error) {
      failedTakes.add(offer.envelopeId)
      // a maker that did not answer is left alone for a while: its other offers can wait
      if ((error as Error).message.includes('in time'))
        silentMakers.set(offer.makerKey, clock.now())
      say(`take of ${short(offer.maker)}'s offer refused (${(error as Error).message})`)
    } finally {
      taking = false
    }
  }

  async function publishOffers(): Promise<void> {
    const count = config.kind === 'maker' ? OFFERS_PER_MAKER : config.kind === 'scammer' ? 4 : 0
    for (let i = 0; i < count; i++) {
      await market.publish({
        id: new Uint8Array([config.index, i]),
        side: 'sell',
        asset: ASSET,
        amount: AMOUNT,
        currency: CURRENCY,
        // the scammer asks a little more: honest takers start with better offers
        price: config.kind === 'scammer' ? PRICE + 5_00n : PRICE,
        payment: ['bank'],
        arbiters: [peerIdFromString(config.arbiter)],
        bond: { seller: SELLER_BOND, buyer: BUYER_BOND },
        windows: WINDOWS,
        ttlMs: 10 * 60_000,
      })
    }
    if (count > 0)
      say(
        `publishes ${count} offers: ${AMOUNT} sat for ${Number(config.kind === 'scammer' ? PRICE + 5_00n : PRICE) / 100} ${CURRENCY} each`,
        'publish',
      )
  }

  async function spam(): Promise<void> {
    for (let i = 0; i < 20 && !stopped; i++) {
      const now = clock.now()
      const junk = await seal(signer, {
        domain: OFFER_DOMAIN,
        payload: {
          v: 1,
          id: new Uint8Array([i]),
          side: 'sell',
          asset: ASSET,
          amount: -1,
          junk: 'x'.repeat(200),
        },
        timestamp: now,
        expiresAt: now + 60_000,
        sequence: 1,
      })
      await node.gossip.publish(OFFERS_TOPIC, junk).catch(() => undefined)
      await new Promise((r) => setTimeout(r, 40))
    }
    say('flooded 20 invalid offers', 'spam')
  }

  // start once connected to someone
  const started = (async () => {
    const t0 = clock.now()
    while (node.peers().length === 0 && clock.now() - t0 < 10_000 && !stopped)
      await new Promise((r) => setTimeout(r, 50))
    await new Promise((r) => setTimeout(r, 300))
    if (!config.restarted)
      await publishOffers().catch((e) => say(`could not publish: ${(e as Error).message}`))
    if (config.kind === 'spammer') await spam()
  })()

  /** Links to more peers (the orchestrator hands out every address once all are up). */
  const timer = setInterval(() => {
    if (stopped) return
    for (const session of market.trades().values()) void drive(session)
    void takeOne()
  }, 150)

  function report(): PeerReport {
    const trades: PeerReport['trades'] = [...market.trades().values()]
      .filter((s) => s.role !== 'arbiter')
      .map((s) => ({
        id: s.trade.idText,
        role: s.role,
        other: s.trade.roles[s.role === 'buyer' ? 'seller' : 'buyer']!.toString(),
        state: s.state.name,
        spannedRestart: spannedRestart.has(s.trade.idText),
      }))
    const waiting = waitingFor(trades)
    const ratings = market.ratings()
    const scores: Record<string, number> = {}
    for (const r of ratings) scores[r.ratee] = (scores[r.ratee] ?? 0) + r.score
    return {
      scores,
      name: config.name,
      kind: config.kind,
      peerId: me,
      address,
      trades,
      trust: market.trust().ranking,
      book: market
        .offers()
        .slice(0, 30)
        .flatMap((o) =>
          o.terms === undefined
            ? []
            : [
                {
                  id: o.idHex,
                  maker: o.makerKey,
                  side: o.terms.side,
                  // amounts are in the asset's smallest unit: satoshis for BTC
                  amount:
                    o.terms.asset === 'BTC'
                      ? `${Number(o.terms.amount) / 1e8} BTC`
                      : `${o.terms.amount} ${o.terms.asset}`,
                  price: `${Number(o.terms.price) / 100} ${o.terms.currency}`,
                },
              ],
        ),
      ratingsReceived: ratings.filter((r) => r.ratee === me).reduce((sum, r) => sum + r.score, 0),
      ratings: ratings.length,
      scammerOffersInBook: market.book.query({ maker: config.scammer }, clock.now()).length,
      scammerOffersShown: market.offers({ maker: config.scammer }).length,
      refused: [],
      restarted: config.restarted === true,
      done: waiting === undefined,
      waiting,
    }
  }

  /** Why this peer is not done yet, or undefined. */
  function waitingFor(trades: PeerReport['trades']): string | undefined {
    const open = trades.find((t) => !TERMINAL.includes(t.state))
    if (open !== undefined) return `trade ${short(open.id)} is ${open.state}`
    // a take on its way to a maker may open a trade yet (a scammer done after its first tries again)
    if (taking) return 'a take is waiting for its maker'
    // a trade that moved nothing earns no rating, and its taker may never have opened it;
    // one that moved value is rated once the bank or the arbiter attested its receipt
    const unsigned = trades.find(
      (t) => SETTLED.includes(t.state) && market.attestedBy(t.id) === undefined,
    )
    if (unsigned !== undefined) return `no attested receipt of trade ${short(unsigned.id)} yet`
    const count = mine().length
    if (target === 0 || count >= target || (config.kind === 'scammer' && count >= 1)) return
    // a taker that finds nothing left to take is done too, once nothing new came for a while
    if (noOffersSince !== undefined && clock.now() - noOffersSince > NOTHING_LEFT_MS) return
    return `${count} of ${target} trades, ${candidates().length} offers to take`
  }

  return {
    node,
    market,
    address,
    report,
    async connect(addresses) {
      for (const a of addresses) if (a !== address) await node.dial(a).catch(() => undefined)
    },
    async stop() {
      stopped = true
      clearInterval(timer)
      await started.catch(() => undefined)
      await dialing.catch(() => undefined)
      await market.close()
      bank.close()
      await node.stop()
      await links.stop()
    },
  }
}
