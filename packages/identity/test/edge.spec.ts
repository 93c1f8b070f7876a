/**
 * Every public function of the package, root entry and `/node`, checks its arguments at the
 * edge: called with wrong arguments it throws (or rejects with) one of the package's typed
 * errors, never a `TypeError` from deeper inside.
 */
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import * as identity from '../src/index'
import * as node from '../src/node'

// the one string is a path in a directory that does not exist, so nothing is ever written
const missingPath = join(tmpdir(), `peerkit-edge-${process.pid}-absent`, 'x')
const wrong: unknown[] = [undefined, null, 7, missingPath, {}, [null], new Uint8Array(3)]

function publicFunctions(module: object): [string, (...args: unknown[]) => unknown][] {
  return Object.entries(module).filter(
    (entry): entry is [string, (...args: unknown[]) => unknown] =>
      typeof entry[1] === 'function' && /^[a-z]/.test(entry[0]) && !entry[0].startsWith('is'),
  )
}

async function outcome(run: () => unknown): Promise<unknown> {
  try {
    await run()
    return undefined
  } catch (error) {
    return error
  }
}

describe('arguments are checked at the edge', () => {
  for (const [where, module] of [
    ['@peerkit/identity', identity],
    ['@peerkit/identity/node', node],
  ] as const) {
    it(`every function of ${where} refuses wrong arguments with a typed error`, async () => {
      const untyped: string[] = []
      let calls = 0
      for (const [name, fn] of publicFunctions(module)) {
        for (const bad of wrong) {
          for (let position = 0; position < 3; position++) {
            const args: unknown[] = [new Uint8Array(32), new Uint8Array(64), new Uint8Array(32)]
            args[position] = bad
            calls++
            const error = await outcome(() => fn(...args))
            // a file system error (ENOENT for a path that does not exist) is the caller's answer
            if (error === undefined || identity.isIdentityError(error)) continue
            if (typeof (error as { code?: unknown }).code === 'string') continue
            untyped.push(`${name}(arg ${position} = ${String(bad)}): ${(error as Error).name}`)
          }
        }
      }
      expect(untyped).toEqual([])
      expect(calls).toBeGreaterThan(60)
    })
  }

  it('resolveRotation([null]) names the item', async () => {
    const error = await outcome(() => identity.resolveRotation([null] as never))
    expect(error).toMatchObject({ name: 'InvalidArgumentError', argument: 'chain[0]' })
  })
})
