import { seal } from '@peerkit/envelope'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  apply,
  cosignStep,
  type EscrowState,
  makeStep,
  RECEIPT_DOMAIN,
  STEP_DOMAIN,
} from '../src/index'
import { arbiter, buyer, MINUTE, mallory, seller, T0, tradeStart } from './fixtures/parties'
import { attempt, snapshot, step, verdict } from './fixtures/run'

const t = (minutes: number) => T0 + minutes * MINUTE

async function funded(nonce = 0): Promise<EscrowState> {
  let s = await tradeStart(nonce)
  s = await step(s, buyer, 'accept', t(1))
  return step(s, seller, 'fund', t(2))
}

/** A step payload sealed by `signer` with any fields. */
function raw(
  signer: typeof seller,
  state: EscrowState,
  fields: Record<string, unknown>,
  at = t(5),
) {
  return seal(signer, {
    domain: STEP_DOMAIN,
    timestamp: at,
    payload: {
      v: 1,
      trade: state.trade.id.bytes,
      seq: state.seq,
      prev: state.head,
      action: 'markPaid',
      by: 'buyer',
      body: null,
      ...fields,
    } as never,
  })
}

describe('adversarial steps are rejected and leave the state unchanged', () => {
  it('a party signs a step for the other party’s role', async () => {
    const s = await funded()
    const before = snapshot(s)
    // the seller claims to be the buyer
    expect(verdict(apply(s, await raw(seller, s, { by: 'buyer' }), t(5)))).toBe('WrongSignerError')
    // the seller acts as itself but takes the buyer's transition
    expect(verdict(apply(s, await raw(seller, s, { by: 'seller' }), t(5)))).toBe('WrongRoleError')
    // a stranger
    expect(verdict(apply(s, await raw(mallory, s, { by: 'buyer' }), t(5)))).toBe('WrongSignerError')
    expect(snapshot(s)).toEqual(before)
  })

  it('the arbiter cannot be forged', async () => {
    const s = await step(await funded(), buyer, 'dispute', t(10))
    const before = snapshot(s)
    for (const forger of [buyer, seller, mallory]) {
      const bytes = await raw(forger, s, { action: 'ruleRelease', by: 'arbiter' })
      expect(verdict(apply(s, bytes, t(11)))).toBe('WrongSignerError')
    }
    // a party cannot rule as itself either
    expect(
      verdict(apply(s, await raw(buyer, s, { action: 'ruleRelease', by: 'buyer' }), t(11))),
    ).toBe('WrongRoleError')
    // a real arbiter step with its signature tampered with
    const good = await makeStep(s, arbiter, 'ruleRelease', null, t(11))
    const forged = good.slice()
    forged[forged.length - 50]! ^= 1
    expect(verdict(apply(s, forged, t(11)))).toBe('ForgedStepError')
    expect(snapshot(s)).toEqual(before)
    expect(verdict(apply(s, good, t(11)))).toBe('ok')
  })

  it('skipping steps', async () => {
    const s = await tradeStart()
    expect(verdict(await attempt(s, seller, 'release', t(1)))).toBe('TransitionNotAllowedError')
    expect(verdict(await attempt(s, seller, 'fund', t(1)))).toBe('TransitionNotAllowedError')
    expect(verdict(apply(s, await raw(buyer, s, { seq: 1, action: 'accept' }, t(1)), t(1)))).toBe(
      'StepGapError',
    )
    expect(
      verdict(
        apply(s, await raw(buyer, s, { prev: new Uint8Array(36), action: 'accept' }, t(1)), t(1)),
      ),
    ).toBe('BrokenLinkError')
  })

  it('forking the log: two different next steps', async () => {
    const s = await funded()
    const paid = await makeStep(s, buyer, 'markPaid', null, t(5))
    const dispute = await makeStep(s, seller, 'dispute', null, t(5))
    const r = apply(s, paid, t(5))
    if (!r.ok) throw r.error
    expect(verdict(apply(r.state, dispute, t(5)))).toBe('ForkError')
    // the other branch is equally valid on its own: the fork is visible to whoever sees both
    expect(verdict(apply(s, dispute, t(5)))).toBe('ok')
  })

  it('replaying an old step into a new trade', async () => {
    const a = await funded(1)
    const b = await funded(2)
    const stepOfA = await makeStep(a, buyer, 'markPaid', null, t(5))
    expect(verdict(apply(b, stepOfA, t(5)))).toBe('ReplayedStepError')
    // and a step of the same trade sealed for another domain
    const wrongDomain = await seal(buyer, {
      domain: RECEIPT_DOMAIN,
      timestamp: t(5),
      payload: {
        v: 1,
        trade: a.trade.id.bytes,
        seq: a.seq,
        prev: a.head,
        action: 'markPaid',
        by: 'buyer',
        body: null,
      },
    })
    expect(verdict(apply(a, wrongDomain, t(5)))).toBe('MalformedStepError')
  })

  it('unknown actions, bad bodies, unknown roles and malformed payloads', async () => {
    const s = await funded()
    expect(verdict(apply(s, await raw(buyer, s, { action: 'steal' }), t(5)))).toBe(
      'UnknownActionError',
    )
    expect(verdict(apply(s, await raw(buyer, s, { body: 42 }), t(5)))).toBe('GuardRejectedError')
    expect(verdict(apply(s, await raw(buyer, s, { by: 'king' }), t(5)))).toBe('WrongSignerError')
    expect(verdict(apply(s, await raw(buyer, s, { v: 2 }), t(5)))).toBe('MalformedStepError')
    expect(verdict(apply(s, await raw(buyer, s, { extra: 1 }), t(5)))).toBe('MalformedStepError')
    expect(verdict(apply(s, await raw(buyer, s, { seq: -1 }), t(5)))).toBe('MalformedStepError')
    expect(verdict(apply(s, new Uint8Array(20_000), t(5)))).toBe('MalformedStepError')
    expect(verdict(apply(s, 'not bytes' as never, t(5)))).toBe('MalformedStepError')
  })

  it('a step dated too far ahead of the receiver is too early; a joint step needs both', async () => {
    const s = await funded()
    expect(verdict(apply(s, await makeStep(s, buyer, 'markPaid', null, t(30)), t(5)))).toBe(
      'TooEarlyError',
    )
    let c = await tradeStart()
    c = await step(c, buyer, 'accept', t(1))
    const bySellerTwice = await cosignStep(await makeStep(c, seller, 'cancel', null, t(2)), seller)
    expect(['WrongSignerError', 'MalformedStepError']).toContain(
      verdict(apply(c, bySellerTwice, t(2))),
    )
    const withMallory = await cosignStep(await makeStep(c, seller, 'cancel', null, t(2)), mallory)
    expect(verdict(apply(c, withMallory, t(2)))).toBe('WrongSignerError')
  })

  it('property: any byte flip of a valid step is rejected with a typed error, state unchanged', async () => {
    const s = await funded()
    const good = await makeStep(s, buyer, 'markPaid', { note: 'ref 7' }, t(5))
    const before = snapshot(s)
    fc.assert(
      fc.property(
        fc.nat({ max: good.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        (at, mask) => {
          const bad = good.slice()
          bad[at]! ^= mask
          const r = apply(s, bad, t(5))
          expect(r.ok).toBe(false)
          if (!r.ok) expect(r.error.name).toMatch(/Error$/)
        },
      ),
      { numRuns: 300 },
    )
    expect(snapshot(s)).toEqual(before)
  })

  it('property: random bytes are rejected as malformed', async () => {
    const s = await funded()
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        expect(verdict(apply(s, bytes, t(5)))).toBe('MalformedStepError')
      }),
      { numRuns: 300 },
    )
  })

  it('bad arguments throw InvalidArgumentError', async () => {
    const s = await funded()
    expect(() => apply({ ...s }, new Uint8Array(), t(5))).toThrow(
      expect.objectContaining({ name: 'InvalidArgumentError' }),
    )
    expect(() => apply(s, new Uint8Array(), -1)).toThrow(
      expect.objectContaining({ name: 'InvalidArgumentError' }),
    )
    await expect(makeStep(s, mallory, 'markPaid', null, t(5))).rejects.toMatchObject({
      name: 'NotMyRoleError',
    })
    await expect(makeStep(s, buyer, 'nope', null, t(5))).rejects.toMatchObject({
      name: 'InvalidArgumentError',
    })
  })
})
