/**
 * The market demo: a bank, an arbiter and 5 to 10 trading peers, each its own process
 * on loopback TCP (or WebSocket), trade bitcoin for euros through `@peerkit/offers` and
 * `@peerkit/escrow`. Makers gossip offers, takers take them, trades settle at the bank,
 * both parties rate each other and every peer recomputes global trust. The scammer marks
 * trades paid without paying and loses its bond to the arbiter's ruling; the spammer
 * floods invalid offers and is refused; one taker is killed mid-trade and restarted, and
 * finishes from its file store. The run ends with a table and checks, and exits 0 only
 * if every check holds.
 *
 * Run: `pnpm demo [--peers N] [--transport tcp|ws|memory|libp2p] [--seed S] [--json FILE]`.
 */
import { type ChildProcess, fork } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import {
  createMemoryNetwork,
  createNode,
  type MemoryNetwork,
  type Node,
  systemClock,
} from '@peerkit/net'
import {
  type PeerConfig,
  type PeerEvent,
  type PeerReport,
  type RunningPeer,
  runPeer,
} from './agent'
import { type Bank, createBank } from './bank'
import {
  ASSET,
  BANK,
  CURRENCY,
  castOf,
  keySeedOf,
  type Member,
  OPENING_CASH,
  OPENING_SAT,
  short,
  signerOf,
  TERMINAL,
} from './cast'
import { runChild } from './child'
import { startLinks, TRANSPORTS, type TransportName } from './transports'
import { startUiFeed, type UiFeed, type UiState } from './ui-feed'

/** The port the dashboard of examples/web connects to by default. */
const DEFAULT_UI_PORT = 4050
/** How long a peer has to answer for its final report before its last status stands in (ms). */
const FINAL_REPORT_MS = 5_000
/** How long the run waits for a refund or a refusal once every peer is done (ms). */
const LATE_EVENT_MS = 3_000
/** How long every peer must stay done before the run ends (ms): a few of their 300 ms statuses. */
const SETTLE_MS = 1_000

/** Options of a run. */
export interface RunOptions {
  readonly peers: number
  readonly transport: TransportName
  readonly seed: number
  readonly json?: string | undefined
  /** Where progress lines go (default stdout). */
  readonly log?: (line: string) => void
  /** Give up after this long (ms). */
  readonly deadlineMs?: number
  /** The dashboard's port (`--ui [PORT]`): main serves the feed while and after the run. */
  readonly ui?: number | undefined
  /** Where the run sends the dashboard its state and events. */
  readonly feed?: UiFeed | undefined
}

/** One row of the final table. */
export interface Row {
  readonly name: string
  readonly kind: string
  readonly peerId: string
  readonly outcomes: Readonly<Record<string, number>>
  readonly sat: string
  readonly cash: string
  readonly score: number
  readonly trust: number | null
  /** The scammer's offers in this peer's book, and how many of them it shows. */
  readonly scammerOffers: { readonly inBook: number; readonly shown: number }
  /** Ratings this peer accepted. */
  readonly ratings: number
}

/** What a run produced. */
export interface RunResult {
  readonly ok: boolean
  readonly seconds: number
  readonly transport: TransportName
  readonly rows: readonly Row[]
  readonly checks: Readonly<Record<string, boolean>>
  readonly restarted: string
  /** Every trade, as its buyer saw it. */
  readonly trades: readonly {
    readonly buyer: string
    readonly seller: string
    readonly state: string
    readonly spannedRestart: boolean
  }[]
}

interface Handle {
  readonly member: Member
  config: PeerConfig
  ready: Promise<{ address: string; peerId: string }>
  last: PeerReport | undefined
  /** When the last status came (ms). */
  lastAt: number
  /** How the peer's process ended when nobody stopped or killed it ("code 1", "SIGSEGV"). */
  crashed: string | undefined
  send(message: unknown): void
  kill(): Promise<void>
  stop(): Promise<void>
  finalReport(): Promise<PeerReport>
}

function parseArgs(argv: readonly string[]): RunOptions {
  const options: { peers: number; transport: string; seed: number; json?: string; ui?: number } = {
    peers: 7,
    transport: 'tcp',
    seed: 1,
  }
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]
    const value = argv[i + 1]
    if (flag === '--') continue
    if (flag === '--ui') {
      // an optional port: `--ui` alone serves the dashboard's default address
      const port = value !== undefined && /^\d+$/.test(value) ? Number(value) : DEFAULT_UI_PORT
      if (port > 65_535) throw new Error('--ui takes a port number')
      options.ui = port
      if (value !== undefined && /^\d+$/.test(value)) i++
      continue
    }
    if (value === undefined) throw new Error(`${flag} needs a value`)
    if (flag === '--peers') options.peers = Number(value)
    else if (flag === '--transport') options.transport = value
    else if (flag === '--seed') options.seed = Number(value)
    else if (flag === '--json') options.json = value
    else throw new Error(`unknown flag ${flag}`)
    i++
  }
  if (!Number.isInteger(options.peers) || options.peers < 6 || options.peers > 12)
    throw new Error(
      '--peers must be 6 to 12 (the scammer, the spammer and at least two makers and two takers)',
    )
  if (!(TRANSPORTS as readonly string[]).includes(options.transport))
    throw new Error(`--transport must be ${TRANSPORTS.join(', ')}`)
  if (!Number.isSafeInteger(options.seed) || options.seed < 0)
    throw new Error('--seed must be a non-negative integer')
  return options as RunOptions
}

/**
 * Runs the market.
 * @param options - peers, transport, seed, JSON output file
 * @returns the table and the checks
 */
export async function run(options: RunOptions): Promise<RunResult> {
  // on a terminal, a live status line stays under the event lines
  const live = options.log === undefined && process.stdout.isTTY === true
  let statusLine = ''
  const log =
    options.log ??
    ((line: string) => process.stdout.write(live ? `\r\x1b[2K${line}\n${statusLine}` : `${line}\n`))
  const started = Date.now()
  const elapsed = () => ((Date.now() - started) / 1000).toFixed(1).padStart(5)
  const dir = await mkdtemp(join(tmpdir(), 'peerkit-market-'))
  const clock = systemClock()
  const cast = castOf(options.peers)
  const ids = new Map(cast.map((m) => [m.name, signerOf(m, options.seed).peerId.toString()]))
  const nameOf = new Map([...ids].map(([name, id]) => [id, name]))
  const network: MemoryNetwork | undefined =
    options.transport === 'memory' ? createMemoryNetwork() : undefined
  const bankSigner = signerOf(BANK, options.seed)
  const bankLinks = await startLinks(
    options.transport,
    keySeedOf(BANK, options.seed),
    BANK.name,
    network,
  )
  const bankNode: Node = await createNode({
    signer: bankSigner,
    transports: [bankLinks.factory],
    listen: [bankLinks.listen],
    clock,
  })
  const balances = Object.fromEntries(cast.map((m) => [ids.get(m.name)!, { [ASSET]: OPENING_SAT }]))
  const cash = Object.fromEntries(cast.map((m) => [ids.get(m.name)!, { [CURRENCY]: OPENING_CASH }]))
  const bank: Bank = createBank(bankNode, clock, balances, cash, bankSigner)
  const bankAddress = bankNode.addresses()[0]!
  const scammer = ids.get('mallory')!
  const spammer = ids.get('sam')!
  const arbiter = ids.get('judge')!
  // the founding members (every honest maker and taker) are pre-trusted: EigenTrust
  // restarts its walk at them, so a newcomer earns trust only along ratings from finished
  // trades, and one rated down by everyone it traded with ends near zero
  const honest = new Set(
    cast.filter((m) => m.kind === 'maker' || m.kind === 'taker').map((m) => ids.get(m.name)!),
  )
  const refusedSpammer = new Set<string>()
  const counts = { opened: 0, released: 0, refunded: 0, other: 0, ratings: 0, rulings: 0 }
  let restartedName = ''

  log(
    `peerkit market: ${cast.length} peers and a bank on ${options.transport === 'memory' ? 'the memory transport (one process)' : options.transport === 'libp2p' ? 'libp2p nodes (TCP, Noise, yamux on loopback), one process each' : `loopback ${options.transport.toUpperCase()}, one process each`}, seed ${options.seed}`,
  )
  log(
    `bank ${short(bankSigner.peerId)} at ${bankAddress}: ${OPENING_SAT} sat and ${Number(OPENING_CASH) / 100} ${CURRENCY} for each peer`,
  )
  for (const m of cast) log(`  ${m.name.padEnd(8)} ${short(ids.get(m.name)!)}  ${m.kind}`)

  // midway, the first taker is killed the moment it accepts a trade with an honest maker
  const victim = cast.find((m) => m.kind === 'taker')!
  let victimInTrade = false
  const onEvent = (event: PeerEvent) => {
    const kind = event.kind ?? ''
    if (
      event.peer === victim.name &&
      kind === 'act:accept' &&
      event.other !== undefined &&
      honest.has(event.other)
    )
      victimInTrade = true
    if (kind === 'take') counts.opened++
    if (kind === 'ended:released') counts.released++
    else if (kind === 'ended:refunded') counts.refunded++
    else if (kind.startsWith('ended:')) counts.other++
    if (kind === 'rating') counts.ratings++
    if (kind === 'ruling') counts.rulings++
    if (kind === 'refused' && event.text.includes(short(spammer))) refusedSpammer.add(event.peer)
    const id = ids.get(event.peer)
    const line = `${elapsed()}s  ${event.peer.padEnd(8)} ${id === undefined ? '' : short(id)}  ${event.text}`
    log(line)
    options.feed?.event(line.trim())
  }

  const baseConfig = (m: Member, bootstrap: string[]): PeerConfig => ({
    name: m.name,
    kind: m.kind,
    index: m.index,
    seed: options.seed,
    dir: join(dir, m.name),
    transport: options.transport,
    bootstrap,
    bank: bankSigner.peerId.toString(),
    arbiter,
    preTrusted: [...honest],
    scammer,
  })

  function spawn(m: Member, config: PeerConfig): Handle {
    if (options.transport === 'memory') {
      let peer: RunningPeer | undefined
      const handle: Handle = {
        member: m,
        config,
        last: undefined,
        lastAt: Date.now(),
        crashed: undefined,
        ready: runPeer(config, onEvent, network).then((p) => {
          peer = p
          return { address: p.address, peerId: p.node.peerId.toString() }
        }),
        send(message) {
          const msg = message as { type: string; addresses?: string[] }
          if (msg.type === 'connect') void peer?.connect(msg.addresses ?? [])
        },
        async kill() {
          await peer?.stop()
        },
        async stop() {
          await peer?.stop()
        },
        async finalReport() {
          return peer!.report()
        },
      }
      const poll = setInterval(() => {
        if (peer !== undefined) {
          handle.last = peer.report()
          handle.lastAt = Date.now()
        }
      }, 300)
      const stop = handle.stop
      handle.stop = async () => {
        clearInterval(poll)
        await stop()
      }
      handle.kill = async () => {
        clearInterval(poll)
        await stop()
      }
      return handle
    }
    // the same program (a bundle under `pnpm demo`, tsx in tests) in its peer role
    const child: ChildProcess = fork(process.argv[1]!, ['--child', JSON.stringify(config)], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    let reportWaiter: ((r: PeerReport) => void) | undefined
    let ending = false
    const handle: Handle = {
      member: m,
      config,
      last: undefined,
      lastAt: Date.now(),
      crashed: undefined,
      ready: new Promise((resolve, reject) => {
        child.on('message', (message: { type: string } & Record<string, unknown>) => {
          if (message.type === 'ready')
            resolve({ address: message.address as string, peerId: message.peerId as string })
          else if (message.type === 'event') onEvent(message as unknown as PeerEvent)
          else if (message.type === 'status') {
            handle.last = message.report as PeerReport
            handle.lastAt = Date.now()
          } else if (message.type === 'report') reportWaiter?.(message.report as PeerReport)
        })
        child.once('exit', (code, signal) => {
          if (!ending) handle.crashed = signal === null ? `code ${code}` : signal
          reject(new Error(`${m.name} exited with ${signal ?? code}`))
        })
      }),
      send: (message) => {
        if (child.connected) child.send(message as never)
      },
      async kill() {
        ending = true
        const gone = new Promise((r) => child.once('exit', r))
        child.kill('SIGKILL')
        await gone
      },
      async stop() {
        ending = true
        if (child.exitCode !== null || child.signalCode !== null) return
        const gone = new Promise((r) => child.once('exit', r))
        handle.send({ type: 'stop' })
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
        await gone
        clearTimeout(timer)
      },
      finalReport() {
        // a process that is gone answers nothing: its last status is its report
        if (handle.crashed !== undefined || !child.connected)
          return handle.last === undefined
            ? Promise.reject(new Error(`${m.name} ended (${handle.crashed}) before it reported`))
            : Promise.resolve(handle.last)
        return new Promise((resolve, reject) => {
          const timer = setTimeout(() => {
            if (handle.last !== undefined) resolve(handle.last)
            else reject(new Error(`${m.name} did not answer for its report`))
          }, FINAL_REPORT_MS)
          reportWaiter = (report) => {
            clearTimeout(timer)
            resolve(report)
          }
          handle.send({ type: 'report' })
        })
      },
    }
    handle.ready.catch(() => undefined)
    return handle
  }

  const handles = new Map<string, Handle>()
  /** The dashboard's view: balances at the bank, trust and the book as the arbiter sees them. */
  const uiState = (): UiState => {
    const judgeView = [...handles.values()].find((h) => h.member.kind === 'arbiter')?.last
    const name = (id: string) => nameOf.get(id) ?? short(id)
    const trades = new Map<string, UiState['trades'][number]>()
    for (const h of handles.values()) {
      for (const t of h.last?.trades ?? []) {
        const known = trades.get(t.id)
        // a party that reached an ending knows more than one still waiting
        if (known !== undefined && TERMINAL.includes(known.state)) continue
        const me = h.member.name
        const [seller, buyer] = t.role === 'seller' ? [me, name(t.other)] : [name(t.other), me]
        trades.set(t.id, { id: short(t.id), seller, buyer, state: t.state })
      }
    }
    return {
      peers: cast.map((m) => {
        const id = ids.get(m.name)!
        return {
          id: m.name,
          role: m.kind,
          balance: Number(bank.cash(id, CURRENCY)) / 100,
          trust: judgeView?.trust.find((t) => t.peer === id)?.trust ?? 0,
        }
      }),
      offers: (judgeView?.book ?? []).map((o) => ({ ...o, id: short(o.id), maker: name(o.maker) })),
      trades: [...trades.values()],
    }
  }
  const feedTimer =
    options.feed === undefined ? undefined : setInterval(() => options.feed?.state(uiState()), 500)
  const statusTimer = setInterval(() => {
    if (!live) return
    const open = [...handles.values()].reduce(
      (n, h) => n + (h.last?.trades.filter((t) => !TERMINAL.includes(t.state)).length ?? 0),
      0,
    )
    statusLine = `${elapsed()}s  ${handles.size} peers · trades ${counts.opened} taken, ${counts.released} released, ${counts.refunded} refunded, ${open} open · ratings ${counts.ratings} · rulings ${counts.rulings} · spammer refused by ${refusedSpammer.size}`
    process.stdout.write(`\r\x1b[2K${statusLine}`)
  }, 250)

  let result: RunResult | undefined
  try {
    // the arbiter first, then everyone, all bootstrapping from the bank and the arbiter
    const judge = cast.find((m) => m.kind === 'arbiter')!
    handles.set(judge.name, spawn(judge, baseConfig(judge, [bankAddress])))
    const judgeAddress = (await handles.get(judge.name)!.ready).address
    for (const m of cast)
      if (m !== judge) handles.set(m.name, spawn(m, baseConfig(m, [bankAddress, judgeAddress])))
    const addresses = await Promise.all(
      [...handles.values()].map((h) => h.ready.then((r) => r.address)),
    )
    for (const h of handles.values()) h.send({ type: 'connect', addresses })
    log(`${elapsed()}s  all ${handles.size} peers are up`)

    restartedName = victim.name
    const deadline = started + (options.deadlineMs ?? 55_000)
    let restarted = false
    const waitFor = async (what: string, check: () => boolean, everyMs = 100) => {
      while (!check()) {
        // a peer whose process died is named at once, not when the deadline comes
        const crashed = [...handles.values()].filter((h) => h.crashed !== undefined)
        if (crashed.length > 0)
          throw new Error(
            `waiting for ${what}: ${crashed.map((h) => `${h.member.name} exited (${h.crashed}) ${((Date.now() - h.lastAt) / 1000).toFixed(0)} s after its last status (${h.last === undefined ? 'none yet' : (h.last.waiting ?? 'done')})`).join('; ')}`,
          )
        if (Date.now() > deadline) {
          const stuck = [...handles.values()]
            .filter((h) => h.last?.done !== true)
            .map((h) => {
              const silent = (Date.now() - h.lastAt) / 1000
              return `${h.member.name}: ${h.last?.waiting ?? 'no report yet'}${silent > 2 ? `, silent for ${silent.toFixed(0)} s` : ''}`
            })
          // every peer may be done while the run still waits for an event nobody reported
          if (counts.refunded === 0) stuck.push('no trade refunded by the arbiter yet')
          if (refusedSpammer.size === 0) stuck.push('no peer has refused the spammer yet')
          throw new Error(
            `timed out waiting for ${what}${stuck.length > 0 ? ` (${stuck.join('; ')})` : ''}`,
          )
        }
        await new Promise((r) => setTimeout(r, everyMs))
      }
    }
    await waitFor(`${victim.name} to accept a trade with an honest maker`, () => victimInTrade, 10)
    log(
      `${elapsed()}s  ${victim.name.padEnd(8)} ${short(ids.get(victim.name)!)}  ✗ killed mid-trade (SIGKILL)`,
    )
    await handles.get(victim.name)!.kill()
    await new Promise((r) => setTimeout(r, 500))
    const again = spawn(victim, {
      ...baseConfig(victim, [bankAddress, judgeAddress]),
      restarted: true,
    })
    handles.set(victim.name, again)
    const newAddress = (await again.ready).address
    again.send({
      type: 'connect',
      addresses: addresses.filter((a) => a !== handles.get(victim.name)!.config.dir),
    })
    for (const h of handles.values())
      if (h !== again) h.send({ type: 'connect', addresses: [newAddress] })
    restarted = true

    let allDoneAt: number | undefined
    await waitFor('every trade to end and every peer to finish', () => {
      if (!restarted) return false
      const reports = [...handles.values()].map((h) => h.last)
      if (!reports.every((r) => r?.done === true)) {
        allDoneAt = undefined
        return false
      }
      allDoneAt ??= Date.now()
      // done for a few statuses in a row: a peer done with its own trades may still take
      // another offer (a scammer tries again after its first fraud), seen one status later
      if (counts.refunded > 0 && refusedSpammer.size > 0) return Date.now() - allDoneAt > SETTLE_MS
      // every peer is done, yet no refund or no refusal of the spammer was seen: such an
      // event can only be late by moments; after that the checks say what is missing
      return Date.now() - allDoneAt > LATE_EVENT_MS
    })
    // ratings are gossiped: give the last ones a moment to reach everyone
    await new Promise((r) => setTimeout(r, 600))
    const reports = new Map<string, PeerReport>()
    for (const [name, h] of handles) reports.set(name, await h.finalReport())

    // the table, as the arbiter (who never restarts) sees trust and scores
    const judgeReport = reports.get('judge')!
    const trustOf = new Map(judgeReport.trust.map((t) => [t.peer, t.trust]))
    const rows: Row[] = cast.map((m) => {
      const id = ids.get(m.name)!
      const report = reports.get(m.name)!
      const outcomes: Record<string, number> = {}
      for (const t of report.trades) outcomes[t.state] = (outcomes[t.state] ?? 0) + 1
      return {
        name: m.name,
        kind: m.kind,
        peerId: id,
        outcomes,
        sat: bank.vault.balance(id, ASSET).toString(),
        cash: bank.cash(id, CURRENCY).toString(),
        score: judgeReport.scores[id] ?? 0,
        trust: trustOf.get(id) ?? null,
        scammerOffers: { inBook: report.scammerOffersInBook, shown: report.scammerOffersShown },
        ratings: report.ratings,
      }
    })
    const traders = rows.filter((r) => r.trust !== null)
    const lowest = traders.reduce((a, b) => ((a.trust ?? 0) <= (b.trust ?? 0) ? a : b))
    const satTotal = bank.vault.totals().get(ASSET) ?? 0n
    const openLocks = bank.vault.locks().filter((l) => bank.vault.lockOf(l)!.remaining > 0n)
    // trades between two honest peers, each seen from its buyer
    const honestTrades = [...reports.values()].flatMap((r) =>
      honest.has(r.peerId) ? r.trades.filter((t) => t.role === 'buyer' && honest.has(t.other)) : [],
    )
    const scamTrades = reports.get('mallory')!.trades.filter((t) => t.role === 'buyer')
    const victimReport = reports.get(victim.name)!
    const honestViews = [...reports.values()].filter(
      (r) => r.kind === 'maker' || r.kind === 'taker',
    )
    const checks = {
      scammerLowestTrust: lowest.peerId === scammer,
      noAssetCreatedOrLost:
        satTotal === OPENING_SAT * BigInt(cast.length) &&
        bank.cashTotal(CURRENCY) === OPENING_CASH * BigInt(cast.length) &&
        openLocks.length === 0,
      everyHonestTradeReleased:
        honestTrades.length > 0 && honestTrades.every((t) => t.state === 'released'),
      scammerRefundedByArbiter:
        scamTrades.length > 0 && scamTrades.every((t) => t.state === 'refunded'),
      scammerOffersHidden:
        honestViews.every((r) => r.scammerOffersShown === 0) &&
        honestViews.some((r) => r.scammerOffersInBook > 0),
      spammerRefused: refusedSpammer.size > 0,
      // every trade it had open when killed ended, those with honest makers released
      restartedPeerFinished:
        victimReport.restarted &&
        victimReport.done &&
        victimReport.trades.some((t) => t.spannedRestart && t.state === 'released') &&
        victimReport.trades.every(
          (t) =>
            !t.spannedRestart ||
            (honest.has(t.other) ? t.state === 'released' : TERMINAL.includes(t.state)),
        ),
    }
    const ok = Object.values(checks).every(Boolean)
    const seconds = (Date.now() - started) / 1000

    log('')
    log(
      'peer      id              kind      released refunded other   sat         EUR      score  trust',
    )
    for (const r of rows) {
      const other = Object.entries(r.outcomes)
        .filter(([k]) => k !== 'released' && k !== 'refunded')
        .reduce((n, [, v]) => n + v, 0)
      log(
        `${r.name.padEnd(9)} ${short(r.peerId).padEnd(15)} ${r.kind.padEnd(9)} ${String(r.outcomes.released ?? 0).padStart(8)} ${String(r.outcomes.refunded ?? 0).padStart(8)} ${String(other).padStart(5)}   ${r.sat.padStart(9)}  ${(Number(r.cash) / 100).toFixed(2).padStart(8)}  ${String(r.score).padStart(5)}  ${r.trust === null ? '   —' : r.trust.toFixed(2).padStart(5)}`,
      )
    }
    log('')
    for (const [name, passed] of Object.entries(checks)) log(`${passed ? '✓' : '✗'} ${name}`)
    log(`${ok ? 'market closed cleanly' : 'market FAILED a check'} after ${seconds.toFixed(1)} s`)
    const trades = [...reports.values()].flatMap((r) =>
      r.trades
        .filter((t) => t.role === 'buyer')
        .map((t) => ({
          buyer: r.name,
          seller: nameOf.get(t.other) ?? t.other,
          state: t.state,
          spannedRestart: t.spannedRestart,
        })),
    )
    result = {
      ok,
      seconds,
      transport: options.transport,
      rows,
      checks,
      restarted: restartedName,
      trades,
    }
    return result
  } finally {
    clearInterval(statusTimer)
    clearInterval(feedTimer)
    options.feed?.state(uiState())
    if (live) process.stdout.write('\r\x1b[2K')
    await Promise.all([...handles.values()].map((h) => h.stop().catch(() => undefined)))
    bank.close()
    await bankNode.stop().catch(() => undefined)
    await bankLinks.stop().catch(() => undefined)
    if (options.json !== undefined && result !== undefined)
      await writeFile(options.json, `${JSON.stringify(result, null, 2)}\n`)
    await rm(dir, { recursive: true, force: true })
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv[2] === '--child') await runChild(process.argv[3] ?? '{}')
  else await main()
}

async function main(): Promise<void> {
  try {
    const options = parseArgs(process.argv.slice(2))
    const feed = options.ui === undefined ? undefined : await startUiFeed(options.ui)
    if (feed !== undefined) {
      console.log(
        `dashboard feed at ${feed.url}: run \`pnpm --filter @peerkit/example-web dev\` and open #market?feed=${feed.url}`,
      )
    }
    const result = await run({ ...options, feed })
    process.exitCode = result.ok ? 0 : 1
    if (feed !== undefined) {
      // the dashboard keeps showing the final state until asked to stop
      console.log('the dashboard feed stays up: Ctrl-C to stop')
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve)
        process.once('SIGTERM', resolve)
      })
      await feed.close()
    }
  } catch (error) {
    console.error(error instanceof Error ? error.message : error)
    process.exitCode = 1
  }
  // stray handles of finished children must not keep the run alive
  setTimeout(() => process.exit(), 200).unref()
}
