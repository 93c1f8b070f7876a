import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { emptyStepLog, type StepLog } from '../src/step-log'

describe('step log', () => {
  it('property: appending to any version never changes another, and lookups agree with arrays', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(), fc.nat(7), fc.boolean()), { maxLength: 60 }),
        (ops) => {
          const versions: Array<{ log: StepLog; model: number[] }> = [
            { log: emptyStepLog(), model: [] },
          ]
          for (const [pick, value, lookup] of ops) {
            const base = versions[pick % versions.length]!
            const id = new Uint8Array([value, 1, 2])
            versions.push({ log: base.log.append(id), model: [...base.model, value] })
            if (lookup) base.log.seqOf(id) // builds the lazy index on some versions
            for (const { log, model } of versions) {
              expect(log.length).toBe(model.length)
              for (let i = 0; i < model.length; i++) expect(log.idAt(i)![0]).toBe(model[i])
              expect(log.idAt(model.length)).toBeUndefined()
              for (let v = 0; v < 8; v++) {
                const first = model.indexOf(v)
                expect(log.seqOf(new Uint8Array([v, 1, 2]))).toBe(first === -1 ? undefined : first)
              }
            }
          }
        },
      ),
      { numRuns: 200 },
    )
  })
})
