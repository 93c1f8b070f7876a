/**
 * Where the runtime has no `process.getBuiltinModule` (browsers, workers), ids are hashed by
 * @peerkit/codec's pure-JavaScript SHA-256, and they are the same ids.
 */
import { contentId } from '@peerkit/codec'
import fc from 'fast-check'
import { expect, test, vi } from 'vitest'

test('without native hashing, ids come from the codec and are identical', async () => {
  const proc = process as { getBuiltinModule?: unknown }
  const original = proc.getBuiltinModule
  proc.getBuiltinModule = undefined
  try {
    vi.resetModules()
    const { bodyId, bodyDigestKey } = await import('../src/body-id')
    const { byteKey } = await import('../src/byte-key')
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1000 }), (bytes) => {
        expect(bodyId(bytes).toString()).toBe(contentId(bytes).toString())
        expect(bodyDigestKey(bytes)).toBe(byteKey(contentId(bytes).digest))
      }),
      { numRuns: 50 },
    )
  } finally {
    proc.getBuiltinModule = original
  }
})

test('the envelope round trip works on the fallback too', async () => {
  const proc = process as { getBuiltinModule?: unknown }
  const original = proc.getBuiltinModule
  proc.getBuiltinModule = undefined
  try {
    vi.resetModules()
    const envelope = await import('../src/index')
    const { alice, DOMAIN, rules, T } = await import('./fixtures/peers')
    const bytes = await envelope.seal(alice, { domain: DOMAIN, payload: 'fallback', timestamp: T })
    const guard = envelope.createReplayGuard()
    const opened = envelope.open(bytes, { ...rules, replayGuard: guard })
    const body = ((await import('@peerkit/codec')).decode(bytes) as Uint8Array[])[1]!
    expect(opened.id.equals(contentId(body))).toBe(true)
    expect(opened.id.toString()).toBe(envelope.envelopeId(bytes).toString())
    expect(guard.has(opened.id)).toBe(true)
  } finally {
    proc.getBuiltinModule = original
  }
})
