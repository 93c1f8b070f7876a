/**
 * Named defaults and limits of @peerkit/escrow: the domain tags bound into every
 * signature, the sizes checked before any work is spent, and the clock tolerances.
 *
 * @example
 * import { STEP_DOMAIN, MAX_STEP_BYTES } from '@peerkit/escrow'
 * STEP_DOMAIN    // 'peerkit/escrow/1'
 * MAX_STEP_BYTES // 16384
 */

/** Domain tag of every step envelope. */
export const STEP_DOMAIN = 'peerkit/escrow/1'
/** Domain tag of the terms envelope both parties sign. */
export const TERMS_DOMAIN = 'peerkit/escrow/terms/1'
/** Domain tag of a receipt of a completed trade. */
export const RECEIPT_DOMAIN = 'peerkit/escrow/receipt/1'

/** Version of the step, terms and receipt payloads. */
export const PAYLOAD_VERSION = 1
/** Version of the records kept in a trade's log store. */
export const RECORD_VERSION = 1

/** Largest step envelope accepted, in bytes (checked before decoding). */
export const MAX_STEP_BYTES = 16 * 1024
/** Largest terms envelope accepted, in bytes. */
export const MAX_TERMS_BYTES = 16 * 1024
/** Largest single record in a log store, in bytes. */
export const MAX_RECORD_BYTES = 64 * 1024
/** Largest acknowledgement frame, in bytes. */
export const MAX_ACK_BYTES = 256
/** Most roles a machine may define. */
export const MAX_ROLES = 8
/** Most states a machine may define. */
export const MAX_STATES = 64
/** Longest role, state, transition or deadline name. */
export const MAX_NAME_LENGTH = 64

/**
 * How far ahead of the receiver's clock a step's signed timestamp may be, in ms.
 * A step further ahead is rejected as too early and can be applied again later.
 */
export const DEFAULT_MAX_SKEW_MS = 2 * 60 * 1000

/**
 * How long after a deadline `apply` still accepts a step signed before it, in ms. The
 * default (no limit) makes every verdict a function of the signed bytes alone, so a
 * replica that is offline, or an arbiter joining late, accepts what the others accepted.
 */
export const DEFAULT_MAX_DELAY_MS = Number.POSITIVE_INFINITY

/** Largest amount the kit accepts: amounts are unsigned 64-bit integers. */
export const MAX_AMOUNT = 2n ** 64n - 1n

/** Most equivocation proofs a session keeps (the first ones found; one is enough to show). */
export const MAX_EQUIVOCATIONS = 8
