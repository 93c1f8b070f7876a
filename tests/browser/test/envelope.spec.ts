/**
 * Envelopes in the browser: sealed and opened with the browser's crypto, replays refused.
 */
import { createReplayGuard, isEnvelopeError, open, seal } from '@peerkit/envelope'
import { generateKeyPair, signerFromKeyPair } from '@peerkit/identity'
import { describe, expect, it } from 'vitest'

describe('envelopes in Chromium', () => {
  it('seals and opens envelopes, and refuses a replay', async () => {
    const alice = signerFromKeyPair(generateKeyPair())
    const rules = { domain: 'example/browser/1', maxSkewMs: 30_000, maxAgeMs: 60_000 }
    const replayGuard = createReplayGuard()
    const now = 1_763_600_000_000
    const bytes = await seal(alice, {
      domain: rules.domain,
      payload: { text: 'hi' },
      timestamp: now,
    })
    const opened = open(bytes, { ...rules, now: now + 10, replayGuard })
    expect(opened.signer.equals(alice.peerId)).toBe(true)
    expect(opened.payload).toEqual({ text: 'hi' })
    let replay = ''
    try {
      open(bytes, { ...rules, now: now + 20, replayGuard })
    } catch (error) {
      if (isEnvelopeError(error)) replay = error.name
    }
    expect(replay).toBe('ReplayError')
  })
})
