/**
 * Whom to show: global trust of makers from `@peerkit/reputation`. `makerTrust` runs
 * EigenTrust over the local-trust evidence a peer holds (ratings bound to receipts and
 * first-hand outcomes), anchored at peers it trusts beforehand, and returns the
 * `trustOf` a book's `RankPolicy` takes: relative trust, where 1 is an average share.
 * A peer no evidence names is unknown (`undefined`), which the policy decides about.
 *
 * @example
 * const trust = makerTrust(localTrust, [arbiterKey])
 * book.query({ asset: 'BTC' }, now, { trustOf: trust.trustOf, trustFloor: 0.25 })
 */
import { computeGlobalTrust, type LocalTrust, relativeTrust } from '@peerkit/reputation'

/** Trust of each maker a local-trust matrix names. */
export interface MakerTrust {
  /** Relative global trust (1 = an average share), or undefined for a peer no evidence names. */
  trustOf(maker: string): number | undefined
  /** Every peer with its relative trust, most trusted first. */
  readonly ranking: readonly { readonly peer: string; readonly trust: number }[]
  /** Whether EigenTrust converged. */
  readonly converged: boolean
}

/**
 * Computes makers' global trust from local-trust evidence.
 * @param local - the evidence (`createLocalTrust` of @peerkit/reputation)
 * @param preTrusted - peer id texts trusted beforehand (for example the arbiters); those the
 *   evidence does not name are left out
 * @returns the trust of each named peer
 * @example const { trustOf } = makerTrust(local, [carol.toString()])
 */
export function makerTrust(local: LocalTrust, preTrusted: readonly string[]): MakerTrust {
  const { matrix, rowTotals, index, peers } = local.toMatrix()
  if (peers.length === 0) return { trustOf: () => undefined, ranking: [], converged: true }
  const anchors = preTrusted.map((p) => index.get(p)).filter((i): i is number => i !== undefined)
  const result = computeGlobalTrust(matrix, { preTrusted: anchors, rowTotals })
  const table = new Map<string, number>()
  for (const [peer, i] of index) table.set(peer, relativeTrust(result, i))
  const ranking = [...table]
    .map(([peer, trust]) => ({ peer, trust }))
    .sort((a, b) => b.trust - a.trust || (a.peer < b.peer ? -1 : 1))
  return { trustOf: (maker) => table.get(maker), ranking, converged: result.converged }
}
