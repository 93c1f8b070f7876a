/**
 * @peerkit/cli — the `peerkit` command, and the same commands for programs and tests:
 * identities with pre-rotation on disk, signed envelopes, and a live node.
 *
 * @example
 * import { run } from '@peerkit/cli'
 * const code = await run(['key', 'show', '--dir', '.peerkit'], io)
 */
export * from './constants'
export {
  CliError,
  IdentityDirError,
  type IdentityDirReason,
  InputTooLargeError,
  isCliError,
  MissingPasswordError,
  UnexpectedSignerError,
  UsageError,
} from './errors'
export {
  createIdentity,
  type IdentityChain,
  type KeyWriteOptions,
  type LoadedIdentity,
  loadIdentity,
  type PeerIdForms,
  peerIdForms,
  readIdentityChain,
  rotateIdentity,
  stepOf,
} from './identity-dir'
export { type CliIo, processIo } from './io'
export { run, USAGE } from './run'
