/**
 * Whom to show: global trust of makers from `@peerkit/reputation`. `makerTrust` runs
 * EigenTrust over the local-trust evidence a peer holds (ratings bound to receipts and
 * first-hand outcomes), anchored at peers it trusts beforehand, and returns the
 * `trustOf` a book's `RankPolicy` takes: relative trust, where 1 is an average share.
 * A peer nobody rated is unknown (`undefined`), which the policy decides about: having
 * rated others earns no trust, and no one's trust should read as zero before anyone
 * traded with it.
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
 * @param preTrusted - peer id texts trusted beforehand (for example the arbiters)
 * @param rated - the peers someone rated (default: every peer the evidence names)
 * @returns the trust of each rated peer
 * @example const { trustOf } = makerTrust(local, [carol.toString()], ratings.map((r) => r.ratee))
 */
export function makerTrust(
  local: LocalTrust,
  preTrusted: readonly string[],
  rated?: Iterable<string>,
): MakerTrust {
  const named = local.peers()
  const order = [...new Set([...named, ...(named.length === 0 ? [] : preTrusted)])].sort()
  if (order.length === 0) return { trustOf: () => undefined, ranking: [], converged: true }
  const { matrix, rowTotals, index } = local.toMatrix(order)
  const anchors = preTrusted.map((p) => index.get(p)).filter((i): i is number => i !== undefined)
  const result = computeGlobalTrust(matrix, { preTrusted: anchors, rowTotals })
  const known = rated === undefined ? undefined : new Set(rated)
  const table = new Map<string, number>()
  for (const [peer, i] of index)
    if (known === undefined || known.has(peer)) table.set(peer, relativeTrust(result, i))
  const ranking = [...table]
    .map(([peer, trust]) => ({ peer, trust }))
    .sort((a, b) => b.trust - a.trust || (a.peer < b.peer ? -1 : 1))
  return { trustOf: (maker) => table.get(maker), ranking, converged: result.converged }
}
