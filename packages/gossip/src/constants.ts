/**
 * Named defaults and limits of @peerkit/gossip. Every tuning knob of `createGossip(init)`
 * has its default here, with the reason for its value.
 *
 * @example
 * import { DEFAULT_ACTIVE_VIEW_SIZE } from '@peerkit/gossip'
 * createGossip({ activeViewSize: DEFAULT_ACTIVE_VIEW_SIZE + 1 }, components)
 */

/** Version of the wire frames; frames of any other version are dropped and reported. */
export const FRAME_VERSION = 1

/** The envelope domain of gossip messages (inside the signed bytes). */
export const GOSSIP_DOMAIN = 'peerkit/gossip/1'

// ---------------------------------------------------------------- membership (HyParView)

/**
 * Most peers in the active view (the symmetric links that carry broadcast). HyParView uses
 * log10(N) + 1 for connectivity alone; 8 gives each node as many links as a flood overlay
 * where each node dials 4 others, and a publisher's tree picks its fastest paths among
 * them: at 1,000 nodes a view of 6 left the steady p50 1.48x flooding's, 8 about 1.1x (see
 * docs/gossip.md). Each message costs an announcement on every link outside the tree.
 */
export const DEFAULT_ACTIVE_VIEW_SIZE = 8

/** Most peers in the passive view (known, not connected; the pool repair draws from). */
export const DEFAULT_PASSIVE_VIEW_SIZE = 30

/** Active random walk length: hops a FORWARD_JOIN travels. */
export const DEFAULT_ACTIVE_RANDOM_WALK_LENGTH = 6

/** Passive random walk length: at this remaining length the joiner enters the passive view. */
export const DEFAULT_PASSIVE_RANDOM_WALK_LENGTH = 3

/** Milliseconds between heartbeats (membership repair, cache expiry, timeouts). */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 1_000

/** Milliseconds between shuffles of the passive view with a random walk. */
export const DEFAULT_SHUFFLE_INTERVAL_MS = 10_000

/**
 * Milliseconds between swaps: a router with a full active view asks a random passive peer
 * to become its neighbour with high priority and, once accepted, lets a random active
 * neighbour go (to its passive view). Both ends of the dropped links refill from their
 * passive views, so the overlay keeps mixing: a group of nodes whose views filled up with
 * each other (after a wave of joins or a mass crash) is joined to the rest within a few
 * swaps of its members instead of staying cut off. 0 disables swaps. Each swap moves a
 * few links, so the interval stays long next to the heartbeat.
 */
export const DEFAULT_SWAP_INTERVAL_MS = 0

/** Active-view peers in a shuffle sample. */
export const DEFAULT_SHUFFLE_ACTIVE_COUNT = 3

/** Passive-view peers in a shuffle sample. */
export const DEFAULT_SHUFFLE_PASSIVE_COUNT = 4

/** Hops a shuffle walks before the receiver answers. */
export const DEFAULT_SHUFFLE_WALK_LENGTH = 3

/** Milliseconds to wait for a NEIGHBOR reply before trying another peer. */
export const DEFAULT_NEIGHBOR_TIMEOUT_MS = 2_000

/**
 * Milliseconds a connection that is not in the active view may stay idle before the
 * router asks to drop it (connections used once for a shuffle reply or a refused request).
 */
export const DEFAULT_IDLE_CONNECTION_MS = 5_000

// ---------------------------------------------------------------- broadcast (Plumtree)

/**
 * Milliseconds to wait for the message after asking an announcer for it (GRAFT or IWANT)
 * before asking the next one; the asked peer broke a promise when it does not come.
 */
export const DEFAULT_IHAVE_TIMEOUT_MS = 500

/**
 * Milliseconds a router with a parent in the publisher's tree waits for the pushed copy,
 * after the first announcement of a message that has not arrived, before asking the
 * announcer for it. A tree follows the paths of first arrival, so an announcement that
 * comes first means a lost or late push, and the wait is the tail under loss. The ask is
 * an IWANT that leaves the tree as it is (see `TopicState.misses`), and a late push
 * that comes after it moves the parent to the faster announcer, so too short a wait costs a
 * copy, not a slower tree.
 */
export const DEFAULT_PUSH_WAIT_MS = 25

/**
 * Milliseconds after a router asked an announcer for a message its parent's push did not
 * bring in time, past which the parent's copy is taken as lost (see `LOSS_MEMORY_MS`).
 * Checked at each heartbeat; a late push comes well within it.
 */
export const LOSS_CONFIRM_MS = 1_000

/**
 * Milliseconds a router that noticed a lost push (a parent's copy that never came) keeps a
 * second parent in each publisher's tree: the first neighbour to announce a message it
 * already has is grafted for that publisher, and its copies are not pruned. On lossy links
 * each node then takes about two copies of each message; with no loss for this long the
 * second parents are pruned.
 */
export const LOSS_MEMORY_MS = 60_000

/**
 * Shortest time in milliseconds between two lazy flushes of announcements that are only a
 * backup: those of a message pushed down an established tree by its parent (and of a first
 * message pushed to every neighbour). After a quiet spell the first goes at the end of its
 * input; while messages come faster than this, the rest wait for the window's end and one
 * IHAVE frame per neighbour carries them all. An announcement a neighbour may be waiting on
 * (a first message beyond `firstPushHops`, a pulled or repaired copy) goes at once, with
 * whatever is queued. Each frame costs a transport its own framing, encryption and write:
 * on libp2p at 16 nodes and about 40 messages a second, 50 ms took IHAVE frames from 4.7
 * to 2.0 per delivery and the CPU per delivery from about 1,050 to 700 µs; 30 ms batched
 * too little and 100 ms delayed the repairs that loaded links need (docs/benchmarks.md).
 * 0: every announcement at the end of its input.
 */
export const DEFAULT_LAZY_FLUSH_MS = 50

/**
 * When a peer becomes an active neighbour, the router announces to it (one IHAVE per topic)
 * the messages it accepted in the last this many milliseconds. A node cut off for a moment
 * (every neighbour crashed at once) misses what was published meanwhile, and Plumtree
 * announces a message only once, when it arrives; so the new neighbours it finds tell it,
 * and it pulls what it lacks. 0 disables.
 */
export const DEFAULT_CATCH_UP_MS = 5_000

/** Most hops a message travels; a router does not forward a message received at this hop. */
export const DEFAULT_HOP_LIMIT = 32

/**
 * Tree optimization by hops: when a lazy neighbour announces a message at least this many
 * hops closer to the source than the eager path delivered it, graft the lazy link and prune
 * the eager one (0: off). Off by default: trees move to the neighbour whose announcement
 * comes before the pushed copy, which is the faster path; fewer hops are often slower
 * links, and the two rules moved parents back and forth (steady p99 1.31x flooding's with
 * 3, 1.06x with 0, at 1,000 nodes).
 */
export const DEFAULT_OPTIMIZATION_THRESHOLD = 0

/**
 * Hops over which a publisher's first message is pushed to every neighbour, counted from
 * the publisher: a router with no tree for that publisher yet that received it over fewer
 * hops pushes it on to every neighbour (the duplicates then prune the tree to the paths of
 * first arrival); beyond, it is announced and pulled hop by hop. 1: only the publisher
 * pushes, about three times flooding's latency at 1,000 nodes with almost no duplicates;
 * `hopLimit`: a flood, at a flood's copies. 2 by default: the publisher's neighbours push
 * too, so a first message reaches the nodes two hops out at push speed (on a small
 * network, nearly all of them), for about the square of the degree in copies per message
 * whatever the network's size; applications whose publishers each send a few messages
 * (offers, chat) do not pay a flood for most of what they send.
 */
export const DEFAULT_FIRST_PUSH_HOPS = 2

/** Milliseconds a pruned peer must wait before grafting back without a missing message. */
export const DEFAULT_PRUNE_BACKOFF_MS = 60_000

/** Longest prune backoff a router accepts from a peer (a larger value is clamped). */
export const MAX_PRUNE_BACKOFF_MS = 600_000

/**
 * Milliseconds a delivered message is kept to answer IWANT and GRAFT requests (never longer
 * than its id is remembered: the envelope is kept in the seen entry).
 */
export const DEFAULT_MESSAGE_CACHE_MS = 30_000

// ---------------------------------------------------------------- messages

/**
 * Oldest envelope timestamp accepted, in ms before now. The seen cache keeps every id at
 * least `maxMessageAgeMs + maxClockSkewMs`, so a replay is caught by the cache while the
 * envelope is young and by its age once the cache has forgotten it.
 */
export const DEFAULT_MAX_MESSAGE_AGE_MS = 120_000

/** Furthest in the future an envelope timestamp may be, in ms. */
export const DEFAULT_MAX_CLOCK_SKEW_MS = 10_000

/** Largest message (envelope) accepted, in bytes: the envelope package's own default. */
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024

/** Most ids in the seen cache; past it new messages are dropped unprocessed, never forgotten early. */
export const DEFAULT_MAX_SEEN_ENTRIES = 1_000_000

/** Most messages kept for answering requests (oldest evicted first). */
export const DEFAULT_MAX_CACHED_MESSAGES = 10_000

/** Milliseconds the application has to answer a `validate` output; later answers are ignored. */
export const DEFAULT_VALIDATION_TIMEOUT_MS = 30_000

// ---------------------------------------------------------------- limits

/** Largest frame accepted from a peer, in bytes (checked before decoding). */
export const DEFAULT_MAX_FRAME_BYTES = 1024 * 1024

/**
 * Largest opaque peer record a router sets for itself or keeps for a peer (bytes). Membership
 * frames carry these records (a driver's signed addresses); the router never reads them.
 */
export const DEFAULT_MAX_PEER_DATA_BYTES = 1024

/** Most message ids in one IHAVE, IWANT or GRAFT. */
export const DEFAULT_MAX_IDS_PER_FRAME = 512

/** Times a router answers one peer's requests (IWANT / GRAFT) for one message. */
export const DEFAULT_MAX_REQUESTS_PER_MESSAGE = 2

/** Full messages accepted from one peer per second (token bucket, burst of the same size). */
export const DEFAULT_MAX_MESSAGES_PER_PEER_PER_SECOND = 200

/** Frames of any kind accepted from one peer per second (token bucket, burst of the same size). */
export const DEFAULT_MAX_FRAMES_PER_PEER_PER_SECOND = 2_000

/** Messages waiting for the application's verdict, in all. */
export const DEFAULT_MAX_PENDING_VALIDATIONS = 1_024

/** Messages waiting for the application's verdict that came from one peer. */
export const DEFAULT_MAX_PENDING_PER_PEER = 128

/** Ids announced but not yet received that a router tracks for repair. */
export const DEFAULT_MAX_MISSING = 10_000

/**
 * Publishers per topic whose broadcast tree a router remembers (least recently used
 * forgotten first; a forgotten tree is rebuilt by pulling, without extra payloads).
 */
export const DEFAULT_MAX_SOURCES = 4_096

/**
 * Milliseconds a publisher's tree (children and parent) is kept without a message of that
 * publisher; a forgotten tree is rebuilt by pulling. Trees named only by announcements or
 * grafts that never bring a message go this way too.
 */
export const DEFAULT_SOURCE_TTL_MS = 600_000

/**
 * Bytes of envelopes kept to answer requests (with `DEFAULT_MAX_CACHED_MESSAGES`, whichever
 * is reached first): 32 MiB, oldest dropped first.
 */
export const DEFAULT_MAX_CACHED_BYTES = 32 * 1024 * 1024

/**
 * Dials one neighbour's membership frames (a FORWARD_JOIN or SHUFFLE naming other peers)
 * may cause: a burst of this many, refilled at one per second.
 */
export const DEFAULT_MAX_DIALS_PER_PEER = 8

/** Dials caused by neighbours' membership frames that may be pending at once, in all. */
export const DEFAULT_MAX_PENDING_DIALS = 32

/** Topics a router subscribes to, and topics it tracks per neighbour. */
export const DEFAULT_MAX_TOPICS = 1_024

/** Longest topic name, in UTF-8 bytes. */
export const MAX_TOPIC_BYTES = 256

/** Deepest nesting in a wire frame (frames are at most three levels deep). */
export const FRAME_MAX_DEPTH = 4

/**
 * Bytes a kept view of a frame (an envelope, an id) may leave unused in its buffer. A view
 * whose buffer holds more (a transport's read buffer, a batch of frames) is copied before
 * the router keeps it, so it does not pin that buffer.
 */
export const MAX_PINNED_SLACK = 256

/**
 * Control frames (ihave, iwant, graft) are cut from shared slabs of this many bytes, as
 * Node cuts small Buffers from a pool: one allocation per slab instead of one per frame.
 */
export const FRAME_SLAB_BYTES = 16 * 1024

/** Larger control frames get a buffer of their own. */
export const MAX_SLAB_FRAME_BYTES = 1024

// ---------------------------------------------------------------- scores

/**
 * Below this score a peer gets no IHAVE and no eager pushes from us, and its IHAVEs are
 * ignored. The thresholds are on one scale with `@peerkit/reputation`'s scorer (its
 * `gossip`, `publish` and `graylist` are -10, -40 and -80), and the built-in scorer's
 * weights are set on it too (see `score.ts`), so either hook meets the same defaults.
 */
export const DEFAULT_GOSSIP_THRESHOLD = -10

/** Below this score a peer is neither grafted nor accepted as a graft. */
export const DEFAULT_GRAFT_THRESHOLD = -5

/** Below this score messages from a peer are not accepted (reputation's `publish`). */
export const DEFAULT_ACCEPT_THRESHOLD = -40

/**
 * Below this score a peer is ignored entirely and the router asks to disconnect it. With
 * the built-in scorer that is two invalid messages (an honest router never forwards one
 * that fails to open) or nine protocol violations in quick succession; with reputation's,
 * three invalid messages.
 */
export const DEFAULT_GRAYLIST_THRESHOLD = -80

/**
 * Distinct settings a share keeps (`createGossipShare`): routers of one share made with the
 * same settings read one frozen object. Past this many distinct settings a router keeps its own.
 */
export const MAX_INTERNED_SETTINGS = 64

/**
 * Keys per generation of a share's key table (`GossipShare.key`): message ids and sources
 * heard lately. Two generations are kept, so at most twice this many keys.
 */
export const INTERN_GENERATION = 16_384

/**
 * Bytes of envelopes per generation of a share's envelope table (`GossipShare.envelope`).
 * Two generations are kept, so it holds at most twice this much beyond what routers keep.
 */
export const SHARED_ENVELOPE_GENERATION_BYTES = 4 * 1024 * 1024
