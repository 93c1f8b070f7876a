/**
 * @peerkit/sim: a deterministic discrete-event network simulator for sans-IO cores. It
 * drives any core through a protocol adapter (the gossip router's by default) over simulated links (latency, loss, partitions), with churn
 * and adversaries, measures each run, and compares peerkit's router with flooding and a
 * gossipsub-style mesh under identical conditions. The same seed gives the same run,
 * whether on one thread or split across several (`workers`). This entry uses no runtime
 * API and loads in browsers; split runs on Node's worker threads come from
 * `@peerkit/sim/threads`.
 *
 * @example
 * import { runGossip, strategyFromName } from '@peerkit/sim'
 * const result = await runGossip({ strategy: strategyFromName('plumtree'), nodes: 200, messages: 20, seed: 1 })
 * console.log(result.reliability, result.rmr)
 */
export {
  type Adversary,
  type AdversaryOptions,
  type AdversaryStats,
  createAdversary,
} from './adversaries'
export { parseSimArgs, type SimArgs } from './args'
export {
  type ConnectionLog,
  type ConnectionReplay,
  createConnectionReplay,
} from './connection-log'
export * from './constants'
export {
  InvalidArgumentError,
  InvalidOptionError,
  isSimError,
  PartFailedError,
  SimError,
  type SimErrorName,
  UnknownFlagError,
  UnknownStrategyError,
} from './errors'
export { createEventQueue, type EventQueue } from './event-queue'
export {
  createGossipProtocol,
  type GossipDelivery,
  type GossipProtocolOptions,
} from './gossip-protocol'
export { createIdentities, type Identities, nodeKeySeed } from './identities'
export { assertLatencyModel, type LatencyModel, linkLatency, minLinkLatency } from './latency'
export {
  createEnvelopeCheck,
  defaultEnvelopeRules,
  type EnvelopeRules,
  type MessageCheck,
} from './messages'
export {
  createMetrics,
  type MessageRecord,
  type Metrics,
  type MetricsOptions,
  type NodeRole,
  percentile,
  type RunFigures,
} from './metrics'
export type { SimThreads } from './parallel'
export type { ProtocolAdapter, ProtocolEffects, SansIoCore } from './protocol'
export {
  createRandom,
  hash3,
  mulberry32,
  type Random,
  sample,
  shuffleInPlace,
  splitmix32,
} from './random'
export {
  type GossipRunOptions,
  type GossipRunResult,
  overlayComponents,
  overlayConnected,
  type ReplayOptions,
  runGossip,
} from './run'
export {
  createSimulator,
  type DropReason,
  type NodeContext,
  type NodeSpec,
  type PartitionOptions,
  type SimObserver,
  type SimParts,
  type Simulator,
  type SimulatorOptions,
  SPLIT_WINDOWS_PER_DELAY,
} from './simulator'
export {
  createFloodRouter,
  type FloodComponents,
  type FloodInit,
  floodStrategy,
} from './strategies/flood'
export { STRATEGY_NAMES, type StrategyName, strategyFromName } from './strategies/index'
export {
  createMeshRouter,
  type MeshComponents,
  type MeshInit,
  meshStrategy,
} from './strategies/mesh'
export {
  createPlumtreeStrategy,
  PLUMTREE_BOOTSTRAP_DEGREE,
  plumtreeStrategy,
} from './strategies/plumtree'
export type { Strategy, StrategyContext } from './strategies/types'
export {
  BASELINE_WIRE_VERSION,
  type BaselineFrame,
  decodeBaselineFrame,
  encodeBaselineFrame,
  MalformedFrameError,
  type WireMessage,
} from './strategies/wire'
export { type ChartSeries, renderDeliveryChart } from './svg'
export { formatSummaryTable } from './table'
