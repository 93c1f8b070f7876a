/**
 * Model-based test of the HTLC machine under the trade escrow's faults: random
 * interleavings of the sender and the receiver over a network that loses, duplicates,
 * reorders and delays messages, crashes before a write and restarts after every write,
 * clock skew and jumps around `lockBy` and `claimBy` — checked after every command
 * against a reference table and the invariants (assets conserved, a lock never pays out
 * more than it holds, a claim pays the receiver only with the preimage, refund and claim
 * exclude each other, the committed log never moves backwards). Runs: `PEERKIT_FC_RUNS`
 * (default 100; the long run uses 10,000).
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type AppliedStep,
  createLedgerVault,
  createSession,
  type EscrowSession,
  type EscrowState,
  htlc,
  isEscrowError,
  type LedgerVault,
  loadSession,
  revealedPreimage,
} from '../src/index'
import { faultyStore, SimulatedCrash } from './fixtures/faulty-store'
import { buyer, HOUR, htlcTermsBytes, MINUTE, secret, seller, T0 } from './fixtures/parties'
import { snapshot } from './fixtures/run'

const RUNS = Number(process.env.PEERKIT_FC_RUNS ?? 100)
const LOCK_BY = T0 + HOUR
const CLAIM_BY = T0 + 4 * HOUR
const AMOUNT = 5_000n

type Role = 'sender' | 'receiver'
const ROLES: Role[] = ['sender', 'receiver']
const SIGNERS = { sender: seller, receiver: buyer }

/** The reference machine: an independent, plain table of the HTLC's rules. */
const REFERENCE: Record<
  string,
  { from: string; to: string; by: Role[]; before?: number; after?: number }
> = {
  lock: { from: 'proposed', to: 'locked', by: ['sender'], before: LOCK_BY },
  claim: { from: 'locked', to: 'claimed', by: ['receiver'], before: CLAIM_BY },
  refund: { from: 'locked', to: 'refunded', by: ['sender', 'receiver'], after: CLAIM_BY },
  expire: { from: 'proposed', to: 'expired', by: ['sender', 'receiver'], after: LOCK_BY },
}
const TERMINAL = new Set(['claimed', 'refunded', 'expired'])

interface Message {
  kind: 'step' | 'ack'
  from: Role
  to: Role
  bytes: Uint8Array
}

interface Model {
  names: Record<Role, string>
}

const coverage = { outcomes: new Map<string, number>(), forks: 0, crashes: 0, restarts: 0 }

class World {
  now = T0
  readonly vault: LedgerVault
  readonly totals: Map<string, bigint>
  readonly stores = { sender: faultyStore(), receiver: faultyStore() }
  readonly sessions: Partial<Record<Role, EscrowSession>> = {}
  readonly seen: Record<Role, Uint8Array[]> = { sender: [], receiver: [] }
  net: Message[] = []

  constructor(
    readonly terms: Uint8Array,
    readonly skew: Record<Role, number>,
    readonly restartAfterWrite: boolean,
    readonly model: Model,
  ) {
    this.vault = createLedgerVault({
      balances: { [seller.peerId.toString()]: { BTC: AMOUNT } },
    })
    this.totals = this.vault.totals()
  }

  clock(role: Role): number {
    return Math.max(0, this.now + this.skew[role])
  }

  init(role: Role) {
    return {
      definition: htlc,
      signer: SIGNERS[role],
      store: this.stores[role],
      vault: this.vault,
      onStep: (step: AppliedStep, state: EscrowState, now: number) =>
        this.check(role, step, state, now),
    }
  }

  async open(role: Role): Promise<void> {
    this.sessions[role] = await createSession({
      ...this.init(role),
      terms: this.terms,
      now: this.clock(role),
    })
  }

  check(role: Role, step: AppliedStep, state: EscrowState, now: number): void {
    const rule = REFERENCE[step.action]!
    expect(rule.from).toBe(this.model.names[role])
    expect(rule.by).toContain(step.role)
    expect(state.name).toBe(rule.to)
    if (rule.before !== undefined) expect(step.timestamp < rule.before).toBe(true)
    if (rule.after !== undefined)
      expect(now >= rule.after && step.timestamp >= rule.after).toBe(true)
    if (step.action === 'claim') expect(revealedPreimage(state)).toEqual(secret)
    this.model.names[role] = rule.to
  }

  async guarded(role: Role, fn: (s: EscrowSession) => Promise<unknown>): Promise<void> {
    const session = this.sessions[role]
    if (session === undefined) return
    const writes = this.stores[role].writes
    try {
      await fn(session)
    } catch (error) {
      if (error instanceof SimulatedCrash) {
        coverage.crashes++
        await this.restart(role)
        return
      }
      if (!isEscrowError(error)) throw error
      if (
        error.name === 'IdempotencyConflictError' ||
        error.name === 'OverdrawnLockError' ||
        error.name === 'UnknownLockError'
      ) {
        // custody refuses the second branch of a fork (claim against refund)
        expect(this.forked() || this.behind(role)).toBe(true)
      }
    }
    if (this.restartAfterWrite && this.stores[role].writes > writes) await this.restart(role)
  }

  behind(role: Role): boolean {
    const mine = this.sessions[role]?.state.seq ?? 0
    return ROLES.some((r) => (this.sessions[r]?.state.seq ?? 0) > mine)
  }

  async restart(role: Role): Promise<void> {
    const before = this.sessions[role]
    if (before === undefined) return
    coverage.restarts++
    await before.close()
    const after = await loadSession({ ...this.init(role), trade: before.trade.idText })
    // the committed steps, plus at most the lock that was in flight when it crashed
    expect(after.steps.slice(0, before.steps.length)).toEqual(before.steps)
    expect(after.steps.length - before.steps.length).toBeLessThanOrEqual(1)
    if (after.steps.length === before.steps.length)
      expect(snapshot(after.state)).toEqual(snapshot(before.state))
    else this.model.names[role] = after.state.name
    this.sessions[role] = after
  }

  send(role: Role): void {
    for (const entry of this.sessions[role]?.outbox() ?? [])
      for (const bytes of entry.steps)
        this.net.push({ kind: 'step', from: role, to: entry.role as Role, bytes })
  }

  async deliver(message: Message): Promise<void> {
    const { to } = message
    await this.guarded(to, async (s) => {
      if (message.kind === 'ack') return s.receiveAck(message.bytes, SIGNERS[message.from].peerId)
      const r = await s.receiveStep(message.bytes, this.clock(to))
      if (r.status === 'rejected') expect(isEscrowError(r.error)).toBe(true)
      this.net.push({ kind: 'ack', from: to, to: message.from, bytes: r.ack })
    })
  }

  forked(): boolean {
    const [a, b] = ROLES.map((r) => this.sessions[r]!.state.log)
    const n = Math.min(a!.length, b!.length)
    return n > 0 && a!.idAt(n - 1)!.join() !== b!.idAt(n - 1)!.join()
  }

  invariants(): void {
    expect(this.vault.totals()).toEqual(this.totals)
    for (const id of this.vault.locks()) {
      const lock = this.vault.lockOf(id)!
      expect(
        lock.remaining >= 0n && lock.released + lock.refunded + lock.remaining === lock.amount,
      ).toBe(true)
      // claim and refund exclude each other
      expect(lock.released === 0n || lock.refunded === 0n).toBe(true)
    }
    // the receiver is paid only through a claim that revealed the preimage
    const paid = this.vault.balance(buyer.peerId.toString(), 'BTC')
    if (paid > 0n) {
      expect(paid).toBe(AMOUNT)
      const claimed = ROLES.some((r) => this.sessions[r]!.state.outcome === 'claimed')
      expect(claimed).toBe(true)
    }
    for (const role of ROLES) {
      const state = this.sessions[role]!.state
      expect(state.name).toBe(this.model.names[role])
      expect(state.terminal).toBe(TERMINAL.has(state.name))
      const seen = this.seen[role]
      expect(state.seq).toBeGreaterThanOrEqual(seen.length)
      for (let i = 0; i < seen.length; i++) expect(state.log.idAt(i)).toEqual(seen[i])
      this.seen[role] = Array.from({ length: state.seq }, (_, i) => state.log.idAt(i)!)
    }
    const [a, b] = ROLES.map((r) => this.sessions[r]!.state)
    if (a!.seq === b!.seq && a!.head.join() === b!.head.join())
      expect(snapshot(a!)).toEqual(snapshot(b!))
  }

  async quiesce(): Promise<void> {
    for (let round = 0; round < 50; round++) {
      for (const role of ROLES) this.send(role)
      if (this.net.length === 0) return
      for (let i = 0; i < 200 && this.net.length > 0; i++) await this.deliver(this.net.shift()!)
    }
    throw new Error('the network did not quiesce: a resend loop')
  }
}

type Cmd = fc.AsyncCommand<Model, World>
const cmd = (name: string, run: (w: World, m: Model) => Promise<void>): Cmd => ({
  check: () => true,
  async run(m, w) {
    await run(w, m)
    w.invariants()
  },
  toString: () => name,
})

const act = (role: Role, action: string, good: boolean) =>
  cmd(`act(${role}, ${action}, ${good})`, async (w) => {
    if (!REFERENCE[action]!.by.includes(role)) return
    const body = action === 'claim' ? { preimage: good ? secret : new Uint8Array(32) } : null
    await w.guarded(role, (s) => s.act(action, body, w.clock(role)))
    w.send(role)
  })

const network = (what: 'deliver' | 'drop' | 'duplicate', index: number) =>
  cmd(`${what}(${index})`, async (w) => {
    if (w.net.length === 0) return
    const i = index % w.net.length
    const message = w.net[i]!
    if (what === 'duplicate') w.net.push(message)
    else {
      w.net.splice(i, 1)
      if (what === 'deliver') await w.deliver(message)
    }
  })

const MOMENTS = [LOCK_BY, CLAIM_BY]
const advance = (to: { offset: number } | number) =>
  cmd(`advance(${JSON.stringify(to)})`, async (w) => {
    const next = MOMENTS.find((d) => d > w.now + 2) ?? CLAIM_BY
    w.now = Math.max(w.now, typeof to === 'number' ? w.now + to : next + to.offset)
  })

/** A cooperative move: the sender locks a proposed HTLC, the receiver claims a locked one. */
const actSensibly = (good: boolean) =>
  cmd(`actSensibly(${good})`, async (w, m) => {
    if (m.names.sender === 'proposed') await act('sender', 'lock', true).run(m, w)
    else if (m.names.receiver === 'locked') await act('receiver', 'claim', good).run(m, w)
  })

const role = fc.constantFrom<Role>(...ROLES)
const command: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 6, arbitrary: fc.nat(5).map((v) => actSensibly(v !== 0)) },
  {
    weight: 6,
    arbitrary: fc
      .tuple(role, fc.constantFrom('lock', 'claim', 'claim', 'refund', 'expire'), fc.nat(4))
      .map(([r, a, v]) => act(r, a, v !== 0)),
  },
  {
    weight: 4,
    arbitrary: fc.integer({ min: 1, max: 4 }).map((n) =>
      cmd(`deliverSome(${n})`, async (w) => {
        for (let i = 0; i < n && w.net.length > 0; i++) await w.deliver(w.net.shift()!)
      }),
    ),
  },
  { weight: 3, arbitrary: fc.nat(30).map((i) => network('deliver', i)) },
  { weight: 2, arbitrary: fc.nat(30).map((i) => network('drop', i)) },
  { weight: 2, arbitrary: fc.nat(30).map((i) => network('duplicate', i)) },
  { weight: 2, arbitrary: role.map((r) => cmd(`resend(${r})`, async (w) => w.send(r))) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 30 * MINUTE }).map((ms) => advance(ms)) },
  { weight: 2, arbitrary: fc.integer({ min: -2, max: 2 }).map((offset) => advance({ offset })) },
  { weight: 1, arbitrary: role.map((r) => cmd(`restart(${r})`, (w) => w.restart(r))) },
  {
    weight: 1,
    arbitrary: role.map((r) =>
      cmd(`crashBeforeNextWrite(${r})`, async (w) => {
        w.stores[r].armed = true
      }),
    ),
  },
  {
    weight: 2,
    arbitrary: role.map((r) => cmd(`settle(${r})`, (w) => w.guarded(r, (s) => s.settle()))),
  },
)

describe('htlc model', () => {
  it(
    `holds its invariants under faults (${RUNS} runs)`,
    async () => {
      const terms = await htlcTermsBytes(seller, buyer, LOCK_BY, CLAIM_BY)
      await fc.assert(
        fc.asyncProperty(
          fc.commands([command], { maxCommands: 30, size: 'large' }),
          fc.record({
            sender: fc.integer({ min: -MINUTE, max: MINUTE }),
            receiver: fc.integer({ min: -MINUTE, max: MINUTE }),
          }),
          fc.nat(3).map((n) => n === 0),
          async (cmds, skew, restartAfterWrite) => {
            const model: Model = { names: { sender: 'proposed', receiver: 'proposed' } }
            const world = new World(terms, skew, restartAfterWrite, model)
            await world.open('sender')
            await world.open('receiver')
            await fc.asyncModelRun(() => ({ model, real: world }), cmds)
            // every HTLC ends once claimBy has passed and either side acts
            for (const s of Object.values(world.stores)) s.armed = false
            world.now = Math.max(world.now, CLAIM_BY + 2 * MINUTE)
            await world.quiesce()
            for (const actor of ROLES) {
              for (const action of ['expire', 'refund']) {
                const session = world.sessions[actor]!
                if (session.state.terminal) break
                if (REFERENCE[action]!.from === session.state.name)
                  await world.guarded(actor, (s) => s.act(action, null, world.clock(actor)))
              }
              expect(world.sessions[actor]!.state.terminal).toBe(true)
              await world.quiesce()
            }
            for (const r of ROLES) await world.guarded(r, (s) => s.settle())
            world.invariants()
            const outcome = world.sessions.receiver!.state.outcome!
            coverage.outcomes.set(outcome, (coverage.outcomes.get(outcome) ?? 0) + 1)
            if (world.forked()) coverage.forks++
            else {
              expect(world.sessions.sender!.state.outcome).toBe(outcome)
              for (const id of world.vault.locks())
                expect(world.vault.lockOf(id)!.remaining).toBe(0n)
            }
          },
        ),
        {
          numRuns: RUNS,
          ...(process.env.PEERKIT_FC_SEED === undefined
            ? {}
            : { seed: Number(process.env.PEERKIT_FC_SEED) }),
        },
      )
      if (process.env.PEERKIT_MODEL_STATS !== undefined) console.log(coverage)
      // the generators reach every ending and the faults, or the invariants prove little
      if (RUNS >= 50) {
        expect(coverage.outcomes.size).toBe(3)
        expect(coverage.crashes).toBeGreaterThan(0)
        expect(coverage.restarts).toBeGreaterThan(0)
      }
    },
    60_000 + RUNS * 300,
  )
})
