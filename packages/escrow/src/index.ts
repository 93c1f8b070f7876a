/**
 * @peerkit/escrow: two-party escrow state machines built from signed, hash-linked
 * steps. Define a machine with `defineEscrow` (or use `tradeEscrow` and `htlc`), agree
 * on terms, and fold each signed step with the pure `apply`; a `session` adds storage,
 * an outbox and custody.
 *
 * @example
 * const trade = openTrade(tradeEscrow, signedTerms, { now })
 * let state = startTrade(tradeEscrow, trade)
 * const r = apply(state, stepBytes, now)
 * if (r.ok) state = r.state
 */
export { type Ack, decodeAck, encodeAck } from './ack'
export {
  type ApplyOptions,
  type ApplyResult,
  apply,
  cosignStep,
  makeStep,
  readStepPayload,
  type StepPayload,
} from './apply'
export * from './constants'
export {
  defineEscrow,
  type EscrowDefinition,
  type EscrowDefinitionInit,
  type MachineData,
  type StepContext,
  type Transition,
  type TransitionSpec,
} from './definition'
export {
  type EquivocatedStep,
  type Equivocation,
  type EquivocationProof,
  findEquivocation,
  verifyEquivocation,
} from './equivocation'
export * from './errors'
export {
  type AtomicSwapOptions,
  checkAtomicSwap,
  HASH_LENGTH,
  type HtlcTermsInit,
  hashLock,
  htlc,
  htlcTerms,
  revealedPreimage,
} from './htlc'
export {
  createLedgerVault,
  type LedgerLock,
  type LedgerVault,
  type LedgerVaultInit,
} from './ledger-vault'
export {
  countersignReceipt,
  makeReceipt,
  type OpenReceiptOptions,
  openReceipt,
  type Receipt,
  receiptPayload,
} from './receipt'
export {
  decodeRecord,
  decodeSnapshot,
  encodeRecord,
  encodeSnapshot,
  type LogRecord,
  type LogSnapshot,
} from './record'
export {
  createSession,
  DEFAULT_MAX_PENDING,
  type EscrowSession,
  loadSession,
  type OutboxEntry,
  type ReceiveResult,
  type SessionInit,
} from './session'
export { type SettleOptions, settle } from './settle'
export { type AppliedStep, type EscrowState, startTrade } from './state'
export type { StepLog } from './step-log'
export {
  createMemoryDisk,
  createMemoryStore,
  type Log,
  type LogStore,
  type MemoryDisk,
  type MemoryStore,
} from './storage'
export {
  acceptTerms,
  type OpenTradeOptions,
  openTrade,
  proposeTerms,
  type TermsInit,
  type Trade,
} from './terms'
export {
  MAX_NOTE_LENGTH,
  type TradeEscrowTermsInit,
  type TradeParams,
  tradeEscrow,
  tradeEscrowTerms,
  tradeParams,
} from './trade-escrow'
export type {
  BoundVaultOp,
  LockRequest,
  RefundRequest,
  ReleaseRequest,
  Vault,
  VaultOp,
} from './vault'
