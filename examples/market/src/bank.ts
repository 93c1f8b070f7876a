/**
 * The bank of the market: one peer that keeps the custody ledger (a `@peerkit/escrow`
 * ledger vault) and a payment rail for the money paid outside the escrow. Traders reach
 * it over a direct protocol of the node driver, authenticated by the link:
 *
 * - `lock`: lock assets from the caller's own account (a step it is about to sign locks them);
 * - `settle`: the caller sends a trade's signed terms and steps; the bank folds them with the
 *   escrow core and executes exactly the operations the log implies (idempotent keys);
 * - `attest`: the same, with the receipt both parties signed: once the trade is settled the
 *   bank, as its settlement authority, countersigns the receipt if it says what the log says
 *   and the outcome moved value. Ratings count only with such an attestation;
 * - `pay` / `paid`: a payment from the caller to a peer, named by a reference (the trade id),
 *   and the question an arbiter or a seller asks of it.
 *
 * @example
 * const bank = createBank(node, clock, balances, cash, bankSigner)
 * const client = bankClient(node, bankPeer)   // a Vault for createMarket, plus pay/paid
 */
import { decode, encode, type Value } from '@peerkit/codec'
import {
  apply,
  createLedgerVault,
  type EscrowSession,
  type LedgerVault,
  openTrade,
  settle,
  startTrade,
  tradeEscrow,
  type Vault,
} from '@peerkit/escrow'
import type { PeerId, Signer } from '@peerkit/identity'
import type { Clock, Node } from '@peerkit/net'
import { attestSettlement } from '@peerkit/offers'

const BANK_PROTOCOL = '/peerkit/example/bank/1'
const MAX_FRAME = 256 * 1024

/** Every request and answer on stderr, with `PEERKIT_MARKET_DEBUG=1`. */
function trace(line: string): void {
  if (process.env.PEERKIT_MARKET_DEBUG) console.error(line)
}

/*
 * The requests the bank answers (CBOR maps):
 * - `{ t: 'lock', id, request }` (a LockRequest of the caller's own assets);
 * - `{ t: 'settle', id, terms, steps }`;
 * - `{ t: 'attest', id, terms, steps, receipt }` (answered with the attested receipt);
 * - `{ t: 'pay', id, to, currency, amount, reference }`;
 * - `{ t: 'paid', id, from, to, reference, amount }`.
 */

type Reply = { t: 'ok'; id: number; value?: Value } | { t: 'error'; id: number; name: string }

function decodeFrame(bytes: Uint8Array): Record<string, Value> | undefined {
  try {
    const v = decode(bytes, { maxBytes: MAX_FRAME, maxDepth: 4 })
    return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array)
      ? (v as Record<string, Value>)
      : undefined
  } catch {
    return undefined
  }
}

const big = (v: Value | undefined): bigint =>
  typeof v === 'bigint' ? v : typeof v === 'number' ? BigInt(v) : -1n

/** The bank's books. */
export interface Bank {
  readonly vault: LedgerVault
  /** Money paid outside the escrow: currency balances per account. */
  cash(account: string, currency: string): bigint
  /** Total money of a currency over all accounts (constant). */
  cashTotal(currency: string): bigint
  /** Payments made, by reference. */
  readonly payments: ReadonlyMap<string, { from: string; to: string; amount: bigint }>
  close(): void
}

/**
 * Runs the bank on `node`.
 * @param balances - opening custody balances (account → asset → amount)
 * @param cash - opening money balances (account → currency → amount)
 * @param signer - the bank's signer, with which it attests the receipts of trades it
 *   settled (without it the bank attests nothing, and no rating counts)
 */
export function createBank(
  node: Node,
  clock: Clock,
  balances: Record<string, Record<string, bigint>>,
  cash: Record<string, Record<string, bigint>>,
  signer?: Signer,
): Bank {
  const vault = createLedgerVault({ balances })
  const money = new Map<string, bigint>()
  for (const [account, row] of Object.entries(cash))
    for (const [currency, amount] of Object.entries(row))
      money.set(`${account}/${currency}`, amount)
  const payments = new Map<string, { from: string; to: string; amount: bigint }>()

  async function handle(from: PeerId, r: Record<string, Value>): Promise<Value | undefined> {
    const caller = from.toString()
    switch (r.t) {
      case 'lock': {
        const q = r.request as Record<string, Value>
        // a caller locks only its own assets
        if (q.from !== caller)
          throw Object.assign(new Error('not your account'), { name: 'NotYourAccountError' })
        await vault.lock({
          key: String(q.key),
          lock: String(q.lock),
          from: caller,
          asset: String(q.asset),
          amount: big(q.amount),
        })
        return undefined
      }
      case 'settle':
      case 'attest': {
        // fold the signed log with the escrow core: only what the log implies is executed
        const now = clock.now()
        const trade = openTrade(tradeEscrow, r.terms as Uint8Array, { now })
        if (!trade.signers.some((p) => p.equals(from)))
          throw Object.assign(new Error('not a role of this trade'), { name: 'NotYourTradeError' })
        let state = startTrade(tradeEscrow, trade)
        for (const step of r.steps as Uint8Array[]) {
          const result = apply(state, step, now, { maxSkewMs: 120_000 })
          if (!result.ok) throw result.error
          state = result.state
        }
        if (!state.terminal)
          throw Object.assign(new Error('the trade has not ended'), { name: 'NotTerminalError' })
        const ran = await settle(state, vault)
        if (r.t === 'settle') return ran
        // settled here (again, idempotently): the bank vouches for the receipt of this log
        if (signer === undefined)
          throw Object.assign(new Error('the bank attests nothing'), { name: 'NoAuthorityError' })
        if (!(r.receipt instanceof Uint8Array))
          throw Object.assign(new Error('no receipt'), { name: 'NoReceiptError' })
        return attestSettlement(signer, state, r.receipt, { now })
      }
      case 'pay': {
        const reference = String(r.reference)
        const amount = big(r.amount)
        const currency = String(r.currency)
        const to = String(r.to)
        const previous = payments.get(reference)
        if (previous !== undefined) {
          if (previous.from === caller && previous.to === to && previous.amount === amount)
            return undefined
          throw Object.assign(new Error('reference used'), { name: 'ReferenceUsedError' })
        }
        const have = money.get(`${caller}/${currency}`) ?? 0n
        if (amount <= 0n || have < amount)
          throw Object.assign(new Error('insufficient money'), { name: 'InsufficientMoneyError' })
        money.set(`${caller}/${currency}`, have - amount)
        money.set(`${to}/${currency}`, (money.get(`${to}/${currency}`) ?? 0n) + amount)
        payments.set(reference, { from: caller, to, amount })
        return undefined
      }
      case 'paid': {
        const p = payments.get(String(r.reference))
        return p !== undefined && p.from === r.from && p.to === r.to && p.amount === big(r.amount)
      }
      default:
        throw Object.assign(new Error('unknown request'), { name: 'UnknownRequestError' })
    }
  }

  const protocol = node.protocol(
    BANK_PROTOCOL,
    {
      onFrame(peer, frame) {
        const r = decodeFrame(frame)
        if (r === undefined || typeof r.id !== 'number') return
        const id = r.id
        trace(`bank <- ${peer.toString().slice(-4)} ${String(r.t)} #${id}`)
        handle(peer, r).then(
          (value) => {
            const reply: Reply = value === undefined ? { t: 'ok', id } : { t: 'ok', id, value }
            const sent = protocol.send(peer, encode(reply as unknown as Value))
            trace(`bank -> ${peer.toString().slice(-4)} #${id} ${sent}`)
          },
          (error: unknown) => {
            const name = error instanceof Error ? error.name : 'Error'
            const sent = protocol.send(peer, encode({ t: 'error', id, name }))
            trace(`bank -> ${peer.toString().slice(-4)} #${id} ${name} ${sent}`)
          },
        )
      },
    },
    { maxFrameBytes: MAX_FRAME },
  )
  return {
    vault,
    cash: (account, currency) => money.get(`${account}/${currency}`) ?? 0n,
    cashTotal(currency) {
      let total = 0n
      for (const [key, amount] of money) if (key.endsWith(`/${currency}`)) total += amount
      return total
    },
    payments,
    close: () => protocol.close(),
  }
}

/**
 * A trader's side of the bank: custody for `createMarket`, the settle and attest hooks,
 * and payments.
 */
export interface BankClient extends Vault {
  settleTrade(session: EscrowSession): Promise<void>
  /** The receipt both parties signed, back with the bank's attestation. */
  attest(session: EscrowSession, receipt: Uint8Array): Promise<Uint8Array>
  pay(to: string, currency: string, amount: bigint, reference: string): Promise<void>
  paid(from: string, to: string, amount: bigint, reference: string): Promise<boolean>
  close(): void
}

/** Connects to the bank at `bank` through `node`; requests wait for the link and retry. */
export function bankClient(node: Node, clock: Clock, bank: PeerId, timeoutMs = 5_000): BankClient {
  let next = 1
  const waiting = new Map<
    number,
    { resolve: (v: Value | undefined) => void; reject: (e: Error) => void }
  >()
  const protocol = node.protocol(
    BANK_PROTOCOL,
    {
      onFrame(peer, frame) {
        if (!peer.equals(bank)) return
        const r = decodeFrame(frame)
        if (r === undefined || typeof r.id !== 'number') return
        const w = waiting.get(r.id)
        if (w === undefined) return
        waiting.delete(r.id)
        if (r.t === 'ok') w.resolve(r.value)
        else
          w.reject(
            Object.assign(new Error(`the bank refused: ${String(r.name)}`), {
              name: String(r.name),
            }),
          )
      },
    },
    { maxFrameBytes: MAX_FRAME },
  )
  async function call(body: Record<string, Value>): Promise<Value | undefined> {
    const id = next++
    const frame = encode({ ...body, id })
    const started = clock.now()
    while (!protocol.send(bank, frame)) {
      if (clock.now() - started > timeoutMs)
        throw Object.assign(new Error('the bank is unreachable'), { name: 'BankUnreachableError' })
      await node.dial(bank).catch(() => undefined)
      await new Promise((r) => clock.setTimeout(() => r(undefined), 50))
    }
    trace(`client ${node.peerId.toString().slice(-4)} -> bank ${String(body.t)} #${id}`)
    return new Promise((resolve, reject) => {
      waiting.set(id, { resolve, reject })
      clock.setTimeout(() => {
        if (!waiting.delete(id)) return
        trace(
          `client ${node.peerId.toString().slice(-4)} timeout #${id} links ${node
            .peers()
            .map((p) => p.toString().slice(-4))
            .join(',')}`,
        )
        reject(Object.assign(new Error('the bank did not answer'), { name: 'BankTimeoutError' }))
      }, timeoutMs)
    })
  }
  return {
    async lock(request) {
      await call({ t: 'lock', request: { ...request } as unknown as Value })
    },
    async release() {
      throw new Error('payouts go through settleTrade')
    },
    async refund() {
      throw new Error('payouts go through settleTrade')
    },
    async settleTrade(session) {
      await call({ t: 'settle', terms: session.trade.bytes, steps: [...session.steps] })
    },
    async attest(session, receipt) {
      const attested = await call({
        t: 'attest',
        terms: session.trade.bytes,
        steps: [...session.steps],
        receipt,
      })
      if (!(attested instanceof Uint8Array))
        throw Object.assign(new Error('the bank sent no receipt'), { name: 'BankAnswerError' })
      return attested
    },
    async pay(to, currency, amount, reference) {
      await call({ t: 'pay', to, currency, amount, reference })
    },
    async paid(from, to, amount, reference) {
      return (await call({ t: 'paid', from, to, amount, reference })) === true
    },
    close: () => protocol.close(),
  }
}
