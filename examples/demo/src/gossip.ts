/**
 * Chapter 3: word spreads. Eight `@peerkit/net` nodes on the memory transport carry Alice's
 * signed offer to every peer exactly once; Mallory, a relay, puts replays and tampered
 * copies on her link, and is refused and cut off. Then the same router runs on 100 simulated peers
 * (`@peerkit/sim`) beside flooding.
 */
import { decode, encode, type Value } from '@peerkit/codec'
import { open } from '@peerkit/envelope'
import { DEFAULT_GRAYLIST_THRESHOLD, encodeFrame, GOSSIP_DOMAIN } from '@peerkit/gossip'
import { floodStrategy, plumtreeStrategy, runGossip } from '@peerkit/sim'
import {
  alice,
  bob,
  type Clock,
  carol,
  clockText,
  dave,
  erin,
  euros,
  frank,
  grace,
  MINUTE,
  mallory,
  nameOf,
  type Person,
  peers,
  SECOND,
  short,
  units,
} from './cast'
import { createGossipNet, type GossipNet } from './gossip-net'
import type { Report } from './report'

const OFFERS = 'market/offers'

/** What Alice offers, as it travels inside her signed gossip message. */
export interface Offer {
  readonly kind: 'offer'
  readonly asset: string
  /** Satoshis. */
  readonly amount: number
  /** Euro cents, paid by bank transfer outside the escrow. */
  readonly price: number
  /** The arbiter's peer id text. */
  readonly arbiter: string
}

/** What the later chapters need from this one. */
export interface GossipOutcome {
  readonly net: GossipNet
  /** The offer as Bob read it. */
  readonly offer: Offer
  /** The peer Mallory attacked, and whose scorer judged her. */
  readonly victim: Person
}

/** The bootstrap list: who dials whom when the market opens. */
const BOOTSTRAP: readonly [Person, Person][] = [
  [bob, alice],
  [carol, alice],
  [dave, bob],
  [erin, carol],
  [frank, dave],
  [grace, erin],
  [mallory, bob],
  [mallory, frank],
]

function isOffer(value: Value): value is Value & Offer {
  const v = value as Partial<Offer> | null
  return (
    v !== null &&
    typeof v === 'object' &&
    v.kind === 'offer' &&
    typeof v.asset === 'string' &&
    typeof v.amount === 'number' &&
    typeof v.price === 'number' &&
    typeof v.arbiter === 'string'
  )
}

/** The envelope re-dated and with another price, Alice's signature kept. */
function doctored(envelope: Uint8Array, price: number, timestamp: number): Uint8Array {
  const [version, body, signature, countersignatures] = decode(envelope) as [
    Value,
    Uint8Array,
    Value,
    Value,
  ]
  const fields = decode(body) as { t: number; p: { topic: string; data: Record<string, Value> } }
  fields.t = timestamp
  fields.p.data.price = price
  return encode([version, encode(fields), signature, countersignatures])
}

export async function gossipChapter(report: Report, clock: Clock): Promise<GossipOutcome> {
  report.heading('Gossip: an offer reaches every peer once; replays and forgeries do not')
  const net = await createGossipNet({ people: peers, seed: 7, start: clock.now })
  net.subscribeAll(OFFERS)
  for (const [a, b] of BOOTSTRAP) net.link(a, b)
  await net.run(10 * SECOND)
  const degrees = peers.map((p) => net.node(p).router.activeView().length)
  report.fact(
    'overlay after 10 s of joining',
    `${peers.length} routers, ${Math.min(...degrees)} to ${Math.max(...degrees)} neighbours each`,
  )

  // Alice publishes a signed offer
  const offer: Offer = {
    kind: 'offer',
    asset: 'BTC',
    amount: 100_000,
    price: 5_000,
    arbiter: carol.key,
  }
  const publishedAt = net.now
  const copiesBefore = net.payloadCopies
  const id = await net.publish(alice, OFFERS, { ...offer })
  await net.run(2 * SECOND)
  const envelope = net.node(alice).inbox.get(id) ?? new Uint8Array(0)
  const copies = net.payloadCopies - copiesBefore
  const receivers = peers.length - 1
  report.fact(`Alice publishes on ${OFFERS}`, `offer ${short(id)} at ${clockText(publishedAt)}`)
  const counts = net.nodes.map((n) => n.delivered.get(id) ?? 0)
  report.check(
    'delivered',
    counts.every((c) => c === 1),
    `${counts.filter((c) => c === 1).length} of ${peers.length} peers, each exactly once`,
  )
  const last = Math.max(...net.nodes.map((n) => n.deliveredAt.get(id) ?? publishedAt))
  report.fact('last peer had it after', `${last - publishedAt} ms`)
  // Alice's first offer: no tree for her yet, so her neighbours get it pushed and the rest
  // pull it after an announcement: about one copy per receiver
  report.check(
    'payload copies sent',
    copies >= receivers && copies <= receivers + 2,
    `${copies} for ${receivers} receivers (${(copies / receivers).toFixed(2)} per receiver)`,
  )

  // Bob's application opens what his router delivered
  const received = net.node(bob).inbox.get(id)
  let read: Offer | undefined
  if (received !== undefined) {
    const opened = open(received, {
      domain: GOSSIP_DOMAIN,
      now: net.now,
      maxSkewMs: 10 * SECOND,
      maxAgeMs: 2 * MINUTE,
    })
    const data = (opened.payload as { data: Value }).data
    if (opened.signer.equals(alice.signer.peerId) && isOffer(data)) read = data
  }
  report.check(
    'Bob reads it, signed by Alice',
    read !== undefined,
    read === undefined
      ? 'unreadable'
      : `${units(read.amount)} sat ${read.asset} for ${euros(read.price)}, arbiter ${nameOf(read.arbiter)}`,
  )

  // Mallory, a relay, misbehaves towards a neighbour
  const victim = [bob, ...peers].find((p) => p !== mallory && net.linked(mallory, p))!
  const victimNode = net.node(victim)
  const frame = (bytes: Uint8Array) =>
    encodeFrame({ kind: 'gossip', topic: OFFERS, hops: 1, envelope: bytes })
  report.say(`Mallory sends copies of the offer to her neighbour ${victim.name}:`)

  const deliveredAtVictim = (): number => victimNode.router.stats().delivered
  let stats = victimNode.router.stats()
  await net.inject(mallory, victim, frame(envelope))
  report.check(
    'the same copy again, at once',
    deliveredAtVictim() === stats.delivered &&
      victimNode.router.stats().duplicates === stats.duplicates + 1,
    'dropped: already seen',
  )

  await net.run(3 * MINUTE)
  stats = victimNode.router.stats()
  const reportsBefore = victimNode.reports.length
  await net.inject(mallory, victim, frame(envelope))
  const lateReason = victimNode.reports.slice(reportsBefore).map((r) => r.reason)[0]
  report.check(
    'the same copy, 3 minutes later',
    deliveredAtVictim() === stats.delivered &&
      victimNode.router.stats().replaysRejected === stats.replaysRejected + 1,
    lateReason === undefined
      ? 'refused, nobody blamed (too old for the window: an honest relay may forward it late)'
      : `refused: ${lateReason} (too old for the window)`,
  )

  // forgeries are blamed on the neighbour that sent them: the third crosses the graylist,
  // where the scorer and the router agree (one scale, -80)
  for (const price of [500, 450, 400, 350]) {
    const forged = doctored(envelope, price, net.now)
    const before = victimNode.router.stats().delivered
    await net.inject(mallory, victim, frame(forged))
    const forgedReason = victimNode.reports.at(-1)?.reason
    report.check(
      `re-dated, price cut to ${euros(price)}`,
      deliveredAtVictim() === before && forgedReason === 'BadSignatureError',
      `refused: ${forgedReason ?? 'accepted'}`,
    )
    if (!net.linked(mallory, victim)) break
  }
  const score = victimNode.scorer.score(mallory.key, net.now)
  await net.run(SECOND)
  report.check(
    `${victim.name}'s router cuts Mallory off`,
    !net.linked(mallory, victim),
    `score ${score.toFixed(1)} < ${DEFAULT_GRAYLIST_THRESHOLD} (graylist): disconnected`,
  )
  const stillOnce = net.nodes.every((n) => (n.delivered.get(id) ?? 0) === 1)
  report.check('still once per peer', stillOnce, 'no copy was delivered twice')

  // the same router at scale, beside flooding
  report.say('The same router on 100 simulated peers (@peerkit/sim, seed 7, 10 messages):')
  const scale = { nodes: 100, messages: 10, seed: 7 }
  const plumtree = await runGossip({ ...scale, strategy: plumtreeStrategy })
  const flood = await runGossip({ ...scale, strategy: floodStrategy })
  for (const [name, run] of [
    ['peerkit gossip', plumtree],
    ['flooding', flood],
  ] as const) {
    report.fact(
      name,
      `reached ${(run.reliability * 100).toFixed(1)}%, ${(run.rmr + 1).toFixed(2)} payload copies per receiver`,
    )
  }
  report.check(
    'fewer copies than flooding',
    plumtree.rmr < flood.rmr && plumtree.reliability >= 0.99,
    `${((flood.rmr + 1) / (plumtree.rmr + 1)).toFixed(1)}× fewer, as reliable`,
  )

  clock.now = net.now
  return { net, offer: read ?? offer, victim }
}
