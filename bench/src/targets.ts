/**
 * The target of every benchmark ratio that has one: peerkit's rate over the baseline's in the
 * same run (`>=`), or its cost over the baseline's (`<=`). `pnpm bench` prints each ratio
 * beside its target and `pnpm bench:chart` draws them; a ratio without a target is reported.
 */
import type { Target } from './scenario'

export const BENCH_TARGETS: Readonly<Record<string, Target>> = {
  'codec.encode/cborg': { op: '>=', value: 0.9 },
  'codec.decode/cborg': { op: '>=', value: 0.7 },
  'identity.verify/node-crypto': { op: '>=', value: 0.9 },
  'identity.verify-js/noble': { op: '>=', value: 1.0 },
  'envelope.open/node-verify': { op: '>=', value: 0.85 },
  'envelope.open/libp2p': { op: '>=', value: 1.0 },
  'envelope.open/nostr': { op: '>=', value: 2.0 },
  'reputation.eigentrust/naive-csr': { op: '>=', value: 0.8 },
  'escrow.apply/verify': { op: '>=', value: 0.85 },
  'storage.append/raw-fsync': { op: '>=', value: 0.8 },
  'storage.append-sqlite/raw-fsync': { op: '>=', value: 0.8 },
  'storage.load/raw-read': { op: '>=', value: 0.5 },
  'net.driver.deliveries/sim': { op: '>=', value: 0.7 },
  'net.noise.throughput/native': { op: '>=', value: 0.8 },
  'net.noise.throughput/libp2p': { op: '>=', value: 2.0 },
  'net.handshake/libp2p': { op: '>=', value: 1.5 },
  'gossip.cpu/gossipsub': { op: '<=', value: 0.5 },
  'libp2p.cpu/gossipsub': { op: '<=', value: 0.5 },
  'libp2p.duplicates/gossipsub': { op: '<=', value: 0.1 },
  'libp2p.p99/gossipsub': { op: '<=', value: 1.0 },
  'libp2p.bytes/gossipsub': { op: '<=', value: 0.5 },
}

/**
 * The target of a ratio id; per-size variants (`libp2p.cpu/gossipsub.16`) share the target
 * of their base id.
 * @example
 * targetOf('libp2p.cpu/gossipsub.32') // { op: '<=', value: 0.5 }
 */
export function targetOf(id: string): Target | undefined {
  return BENCH_TARGETS[id] ?? BENCH_TARGETS[id.replace(/\.\d+$/, '')]
}
