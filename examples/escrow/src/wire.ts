/**
 * The examples' stand-in for a network: delivers one session's outbox to another and
 * carries the acknowledgements back. A real application sends the same bytes over
 * gossip, a direct connection or a relay.
 */
import type { EscrowSession } from '@peerkit/escrow'

/** A line printer; the examples print to the console, their tests collect the lines. */
export type Log = (line: string) => void

/**
 * Delivers every step `from` still owes `to`, and `to`'s acknowledgements back.
 * @returns how many steps `to` applied
 */
export async function deliver(
  from: EscrowSession,
  to: EscrowSession,
  now: number,
): Promise<number> {
  let applied = 0
  for (const entry of from.outbox()) {
    if (entry.role !== to.role) continue
    for (const step of entry.steps) {
      const result = await to.receiveStep(step, now)
      if (result.status === 'applied') applied++
      await from.receiveAck(result.ack, to.trade.roles[to.role]!)
    }
  }
  return applied
}

/** Formats an amount of satoshis or wei-like units with a thousands separator. */
export function units(amount: bigint): string {
  return amount.toString().replace(/\B(?=(\d{3})+(?!\d))/g, '_')
}
