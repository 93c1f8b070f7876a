/** Named defaults and limits of the `peerkit` command. */

/** The environment variable that holds the password of an identity's key files. */
export const PASSWORD_ENV = 'PEERKIT_PASSWORD'

/** The identity directory used when `--dir` is not given. */
export const DEFAULT_IDENTITY_DIR = '.peerkit'

/** The gossip topic of `peerkit node` when `--topic` is not given. */
export const DEFAULT_TOPIC = 'peerkit'

/** Largest payload `peerkit sign` reads (standard input or `--in`). */
export const MAX_SIGN_INPUT_BYTES = 60 * 1024

/** Largest envelope `peerkit verify` reads, raw or as base64url text. */
export const MAX_VERIFY_INPUT_BYTES = 128 * 1024

/** Longest line `peerkit node` publishes; longer lines are cut. */
export const MAX_NODE_LINE_LENGTH = 4096

/** Largest identity chain file: every statement of the longest chain, with room for framing. */
export const MAX_CHAIN_FILE_BYTES = 256 * 600

/** How far in the future an envelope's timestamp may be for `peerkit verify` (clock skew). */
export const DEFAULT_MAX_SKEW_MS = 60_000

/** Exit code for success. */
export const EXIT_OK = 0
/** Exit code for a failure of the operation itself (a bad signature, a missing file). */
export const EXIT_FAILURE = 1
/** Exit code for a command line that cannot be run (unknown command, bad flag). */
export const EXIT_USAGE = 2
