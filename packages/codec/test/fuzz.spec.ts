/**
 * A short fuzzing pass inside the test suite (about 100k inputs; `PEERKIT_FUZZ_INPUTS`
 * changes it). `pnpm fuzz` runs the same engine for long.
 */
import { expect, it } from 'vitest'
import { codecTarget } from './fuzz/codec-target'
import { cursorTarget } from './fuzz/cursor-target'
import { fuzz } from './fuzz/engine'

it('decode survives random and mutated inputs with only typed errors', () => {
  const inputs = Number(process.env.PEERKIT_FUZZ_INPUTS ?? 100_000)
  const report = fuzz(codecTarget, { inputs, seed: 20261120 })
  expect(report.escaped).toEqual([])
  expect(report.slow).toEqual([])
  // the corpus must exercise both sides: some inputs accepted, many kinds rejected
  expect(report.accepted).toBeGreaterThan(0)
  expect(Object.keys(report.rejected).sort()).toEqual(
    expect.arrayContaining([
      'LimitExceededError',
      'MalformedError',
      'NonCanonicalError',
      'TrailingBytesError',
      'UnsupportedTypeError',
    ]),
  )
})

it('the cursor walk gives decode’s verdict on random and mutated inputs', () => {
  const inputs = Math.ceil(Number(process.env.PEERKIT_FUZZ_INPUTS ?? 100_000) / 3)
  const report = fuzz(cursorTarget, { inputs, seed: 20261203 })
  // a verdict that differs from decode's is thrown by the target, and reported as escaped
  expect(report.escaped).toEqual([])
  expect(report.accepted).toBeGreaterThan(0)
  expect(Object.keys(report.rejected).length).toBeGreaterThanOrEqual(4)
})
