import { open, openMulti } from '@peerkit/envelope'
import { it } from 'vitest'
import { apply, makeStep, STEP_DOMAIN } from '../src/index'
import { buyer, T0, tradeStart } from './fixtures/parties'

it('speed', async () => {
  const s = await tradeStart()
  const bytes = await makeStep(s, buyer, 'accept', null, T0 + 1)
  const N = 3000
  const time = (name: string, fn: () => unknown) => {
    for (let i = 0; i < 300; i++) fn()
    const t = performance.now()
    for (let i = 0; i < N; i++) fn()
    console.log(name, (((performance.now() - t) / N) * 1000).toFixed(1))
  }
  time('apply', () => apply(s, bytes, T0 + 1))
  time('openMulti', () =>
    openMulti(bytes, {
      domain: STEP_DOMAIN,
      now: T0 + 1,
      maxSkewMs: 1000,
      maxAgeMs: Infinity,
      signers: [...s.trade.signers],
      threshold: 1,
    }),
  )
  time('open', () =>
    open(bytes, { domain: STEP_DOMAIN, now: T0 + 1, maxSkewMs: 1000, maxAgeMs: Infinity }),
  )
  time('apply', () => apply(s, bytes, T0 + 1))
})
