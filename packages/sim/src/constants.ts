/**
 * Named defaults of @peerkit/sim. Times are virtual milliseconds.
 */
import type { LatencyModel } from './latency'

/** Default link delays: uniform between 10 and 100 ms one way (a continent-sized network). */
export const DEFAULT_LATENCY: LatencyModel = { kind: 'uniform', minMs: 10, maxMs: 100 }

/**
 * Wake requests are rounded up to a multiple of this (the contract allows a tick "at or
 * after" the requested time); nearby wakes of one node then share one tick.
 */
export const DEFAULT_TICK_RESOLUTION_MS = 10

/** The topic every simulated subscriber joins. */
export const DEFAULT_TOPIC = 'sim'

/** Virtual start of every run: 2026-01-01T00:00:00Z, so envelope timestamps look real. */
export const EPOCH_MS = 1_767_225_600_000

/** Connections each joining node dials (to nodes that joined before it) for flood and mesh. */
export const DEFAULT_BOOTSTRAP_DEGREE = 4

/** Time nodes spend joining: node i starts at i * JOIN_SPREAD_MS / N. */
export const DEFAULT_JOIN_SPREAD_MS = 2_000

/** Settling time after the last join before the first message. */
export const DEFAULT_WARMUP_MS = 8_000

/** Unmeasured messages published first, so that trees and meshes form. */
export const DEFAULT_WARMUP_MESSAGES = 10

/** Gap between measured publishes. */
export const DEFAULT_PUBLISH_INTERVAL_MS = 200

/** Time allowed after the last publish for messages to reach everyone. */
export const DEFAULT_DRAIN_MS = 10_000

/** Largest wire frame the baseline strategies accept. */
export const BASELINE_MAX_FRAME_BYTES = 256 * 1024

/** Hop limit of the baseline strategies. */
export const BASELINE_MAX_HOPS = 64

/**
 * How long the baselines remember a message id: as `@peerkit/gossip`, the envelope's
 * largest age plus twice the clock skew, so an id is forgotten only once its envelope
 * can no longer open.
 */
export const BASELINE_SEEN_TTL_MS = 140_000

/** Invalid messages from one peer after which a baseline cuts it off. */
export const BASELINE_INVALID_LIMIT = 3

/** Frames a spammer sends to each neighbour per spam round. */
export const SPAM_FRAMES_PER_ROUND = 2

/** Gap between a spammer's spam rounds. */
export const SPAM_INTERVAL_MS = 250

/** Gap between a Sybil's rounds of new connection attempts. */
export const ECLIPSE_INTERVAL_MS = 1_000

/** Honest nodes each Sybil dials per eclipse round. */
export const ECLIPSE_DIALS_PER_ROUND = 4

/**
 * Runs of at least this many nodes are split across the machine's cores by default
 * (`pnpm sim`, `pnpm scenarios`). Below it, starting the workers and trading between them
 * costs more than the second core saves.
 */
export const SPLIT_RUN_MIN_NODES = 5_000

/** Most threads a run is split across by default. */
export const MAX_AUTO_WORKERS = 8
