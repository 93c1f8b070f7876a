import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  defineEscrow,
  type EscrowDefinitionInit,
  htlc,
  isEscrowError,
  openTrade,
  proposeTerms,
  startTrade,
  tradeEscrow,
  tradeEscrowTerms,
} from '../src/index'
import { acceptTerms } from '../src/terms'
import { arbiter, buyer, deadlines, mallory, seller, T0 } from './fixtures/parties'
import { step } from './fixtures/run'

const base: EscrowDefinitionInit = {
  name: 'test/ping/1',
  roles: ['a', 'b'],
  states: ['open', 'waiting', 'done'],
  initial: 'open',
  terminal: ['done'],
  deadlines: ['closeBy'],
  transitions: {
    ping: { from: ['open'], to: 'waiting', by: ['a'] },
    pong: { from: ['waiting'], to: 'open', by: ['b'], before: 'closeBy' },
    close: { from: ['open', 'waiting'], to: 'done', by: ['a', 'b'], after: 'closeBy' },
  },
}

function nameOf(fn: () => unknown): string {
  try {
    fn()
    return 'ok'
  } catch (error) {
    return isEscrowError(error) ? error.name : `untyped ${String(error)}`
  }
}

describe('defineEscrow checks the definition when it is made', () => {
  it('accepts a well-formed machine and the shipped machines', () => {
    expect(nameOf(() => defineEscrow(base))).toBe('ok')
    expect(tradeEscrow.terminal.has('released')).toBe(true)
    expect(htlc.transitions.get('claim')!.before).toBe('claimBy')
  })

  it('rejects a transition out of a terminal state', () => {
    const bad = {
      ...base,
      transitions: { ...base.transitions, reopen: { from: ['done'], to: 'open', by: ['a'] } },
    }
    expect(nameOf(() => defineEscrow(bad))).toBe('TransitionFromTerminalError')
  })

  it('rejects an unreachable state', () => {
    expect(nameOf(() => defineEscrow({ ...base, states: [...base.states, 'limbo'] }))).toBe(
      'UnreachableStateError',
    )
  })

  it('rejects a deadline the terms do not declare', () => {
    const bad = {
      ...base,
      transitions: {
        ...base.transitions,
        late: { from: ['open'], to: 'done', by: ['b'], after: 'never' },
      },
    }
    expect(nameOf(() => defineEscrow(bad))).toBe('UnknownDeadlineError')
    expect(nameOf(() => defineEscrow({ ...base, deadlines: [] }))).toBe('UnknownDeadlineError')
  })

  it('rejects states from which no terminal state can be reached', () => {
    const bad = {
      ...base,
      states: [...base.states, 'trap'],
      transitions: { ...base.transitions, fall: { from: ['open'], to: 'trap', by: ['a'] } },
    }
    expect(nameOf(() => defineEscrow(bad))).toBe('InvalidDefinitionError')
  })

  it('rejects malformed shapes', () => {
    const cases: unknown[] = [
      null,
      { ...base, roles: [] },
      { ...base, roles: ['a', 'a'] },
      { ...base, initial: 'nowhere' },
      { ...base, terminal: [] },
      { ...base, terminal: ['open'] },
      { ...base, parties: ['c'] },
      { ...base, transitions: { x: { from: ['open'], to: 'nowhere', by: ['a'] } } },
      {
        ...base,
        transitions: { ...base.transitions, x: { from: ['open'], to: 'done', by: ['z'] } },
      },
      { ...base, transitions: { ...base.transitions, x: { from: [], to: 'done', by: ['a'] } } },
      {
        ...base,
        transitions: {
          ...base.transitions,
          x: { from: ['open'], to: 'done', by: ['a'], guard: 1 },
        },
      },
      { ...base, name: '' },
    ]
    for (const c of cases)
      expect(nameOf(() => defineEscrow(c as EscrowDefinitionInit))).toBe('InvalidDefinitionError')
  })

  it('property: any definition either passes or fails with a typed definition error', () => {
    const names = fc.constantFrom('a', 'b', 's0', 's1', 's2', 's3', 'd')
    fc.assert(
      fc.property(
        fc.record({
          roles: fc.array(names, { maxLength: 3 }),
          states: fc.array(names, { maxLength: 5 }),
          initial: names,
          terminal: fc.array(names, { maxLength: 2 }),
          deadlines: fc.array(names, { maxLength: 2 }),
          transitions: fc.dictionary(
            fc.string({ minLength: 1, maxLength: 4 }),
            fc.record(
              {
                from: fc.array(names, { maxLength: 3 }),
                to: names,
                by: fc.array(names, { maxLength: 2 }),
                before: names,
              },
              { requiredKeys: ['from', 'to', 'by'] },
            ),
            { maxKeys: 5 },
          ),
        }),
        (init) => {
          const verdictName = nameOf(() => defineEscrow({ name: 'p/1', ...init }))
          expect(verdictName).toMatch(
            /^(ok|InvalidDefinitionError|TransitionFromTerminalError|UnreachableStateError|UnknownDeadlineError)$/,
          )
        },
      ),
      { numRuns: 500 },
    )
  })

  it('a custom machine runs through the kit, deadlines and all', async () => {
    const ping = defineEscrow({
      ...base,
      roles: ['seller', 'buyer'],
      transitions: {
        ping: {
          from: ['open'],
          to: 'waiting',
          by: ['seller'],
          update: (c) => ({ pings: ((c.data.pings as number) ?? 0) + 1 }),
        },
        pong: { from: ['waiting'], to: 'open', by: ['buyer'], before: 'closeBy' },
        close: { from: ['open', 'waiting'], to: 'done', by: ['seller', 'buyer'], after: 'closeBy' },
      },
    })
    const offer = await proposeTerms(ping, seller, {
      roles: { seller: seller.peerId, buyer: buyer.peerId },
      deadlines: { closeBy: T0 + 1000 },
      timestamp: T0,
    })
    let s = startTrade(ping, openTrade(ping, await acceptTerms(offer, buyer), { now: T0 }))
    s = await step(s, seller, 'ping', T0 + 1)
    s = await step(s, buyer, 'pong', T0 + 2)
    s = await step(s, seller, 'ping', T0 + 3)
    expect(s.data.pings).toBe(2)
    await expect(step(s, buyer, 'pong', T0 + 1000)).rejects.toMatchObject({ name: 'TooLateError' })
    s = await step(s, buyer, 'close', T0 + 1000)
    expect(s).toMatchObject({ name: 'done', terminal: true, outcome: 'done' })
  })
})

describe('terms', () => {
  const init = tradeEscrowTerms({
    seller: seller.peerId,
    buyer: buyer.peerId,
    arbiter: arbiter.peerId,
    asset: 'BTC',
    amount: 10n,
    ...deadlines,
  })

  it('must be signed by every party', async () => {
    const offer = await proposeTerms(tradeEscrow, seller, { ...init, timestamp: T0 })
    expect(nameOf(() => openTrade(tradeEscrow, offer, { now: T0 }))).toBe('InvalidTermsError')
    const signed = await acceptTerms(offer, buyer)
    expect(openTrade(tradeEscrow, signed, { now: T0 }).roles.arbiter!.equals(arbiter.peerId)).toBe(
      true,
    )
    const byMallory = await acceptTerms(offer, mallory)
    expect(nameOf(() => openTrade(tradeEscrow, byMallory, { now: T0 }))).toBe('InvalidTermsError')
    expect(nameOf(() => openTrade(htlc, signed, { now: T0 }))).toBe('InvalidTermsError')
  })

  it('are checked against the machine before anyone signs', async () => {
    const bad = [
      { ...init, deadlines: { ...init.deadlines, payBy: deadlines.fundBy } },
      { ...init, deadlines: { fundBy: 1 } },
      { ...init, params: { ...init.params, amount: 0n } },
      { ...init, params: { ...init.params, asset: '' } },
      { ...init, params: { ...init.params, sellerBond: -1n } },
      { ...init, params: { ...init.params, extra: 1 } },
      { ...init, roles: { ...init.roles, buyer: seller.peerId } },
    ]
    for (const terms of bad) {
      await expect(
        proposeTerms(tradeEscrow, seller, { ...terms, timestamp: T0 }),
      ).rejects.toMatchObject({ name: 'InvalidTermsError' })
    }
    await expect(
      proposeTerms(tradeEscrow, arbiter, { ...init, timestamp: T0 }),
    ).rejects.toMatchObject({ name: 'InvalidTermsError' })
    await expect(
      proposeTerms(tradeEscrow, mallory, { ...init, timestamp: T0 }),
    ).rejects.toMatchObject({ name: 'InvalidTermsError' })
  })
})
