/**
 * The router contract the simulator drives, re-exported from its owner: `@peerkit/gossip`
 * defines `GossipRouter` and its inputs and outputs; `@peerkit/identity` defines `PeerId`.
 *
 * @example
 * const router: GossipRouter = createFloodRouter({}, { self, check })
 */
export type {
  GossipInput,
  GossipOutput,
  GossipRouter,
  PeerKey,
  ScoreHook,
  ValidationVerdict,
} from '@peerkit/gossip'
export type { PeerId } from '@peerkit/identity'
