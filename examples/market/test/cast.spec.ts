/**
 * The market's cast: who plays, and that each member's key is its own and the same for
 * the same seed (a restarted peer comes back as itself). The whole multi-process run is
 * `pnpm --filter @peerkit/example-market start`.
 */
import { describe, expect, it } from 'vitest'
import { BANK, castOf, short, signerOf } from '../src/cast'

describe('market cast', () => {
  it('has a scammer, a spammer, an arbiter and at least two makers and two takers', () => {
    for (const peers of [5, 6, 8, 12]) {
      const cast = castOf(peers)
      const count = (kind: string) => cast.filter((member) => member.kind === kind).length
      expect(count('scammer')).toBe(1)
      expect(count('spammer')).toBe(1)
      expect(count('arbiter')).toBe(1)
      expect(count('maker')).toBeGreaterThanOrEqual(2)
      expect(count('taker')).toBeGreaterThanOrEqual(2)
      expect(new Set(cast.map((member) => member.name)).size).toBe(cast.length)
    }
  })

  it('gives every member its own key, the same one for the same seed', () => {
    const members = [...castOf(8), BANK]
    const ids = members.map((member) => signerOf(member, 7).peerId.toString())
    expect(new Set(ids).size).toBe(members.length)
    expect(members.map((member) => signerOf(member, 7).peerId.toString())).toEqual(ids)
    expect(signerOf(BANK, 8).peerId.toString()).not.toBe(signerOf(BANK, 7).peerId.toString())
    expect(short(ids[0] as string)).toMatch(/^.{6}….{4}$/)
  })
})
