/**
 * `peerkit key new|show|rotate`: an identity directory with pre-rotation (see identity-dir).
 */
import { toHex } from '@peerkit/codec'
import { integerFlag, parseFlags, passwordOf } from '../args'
import { DEFAULT_IDENTITY_DIR, EXIT_OK, PASSWORD_ENV } from '../constants'
import { UsageError } from '../errors'
import {
  createIdentity,
  type IdentityChain,
  peerIdForms,
  readIdentityChain,
  rotateIdentity,
  stepOf,
} from '../identity-dir'
import type { CliIo } from '../io'
import { jsonLine } from '../json'

export const KEY_USAGE = `usage: peerkit key new|show|rotate [--dir DIR] [--json]

  new      create an identity in DIR: a root key, the key committed to next, the inception
  show     print the identity's root and current key in every text form (no password needed)
  rotate   move to the key committed to next and commit to a fresh one

  --dir DIR           the identity directory (default ${DEFAULT_IDENTITY_DIR})
  --json              print one JSON object
  --scrypt-cost N     scrypt cost of new key files, log2(N), 10..20 (default 17)

The key files are encrypted with the password in ${PASSWORD_ENV}.`

const FLAGS = {
  dir: { type: 'string' },
  json: { type: 'boolean' },
  'scrypt-cost': { type: 'string' },
} as const

/**
 * Runs `peerkit key …`.
 * @param argv - the arguments after `key`
 * @param io - the command's environment
 * @returns the exit code
 * @example
 * await keyCommand(['show', '--dir', '.peerkit'], io)
 */
export async function keyCommand(argv: string[], io: CliIo): Promise<number> {
  const [action, ...rest] = argv
  const { values } = parseFlags(rest, FLAGS)
  const dir = (values.dir as string | undefined) ?? DEFAULT_IDENTITY_DIR
  const scryptCost = integerFlag(values['scrypt-cost'], '--scrypt-cost', undefined)
  let chain: IdentityChain
  switch (action) {
    case 'new':
      chain = await createIdentity(dir, passwordOf(io), { scryptCost })
      break
    case 'show':
      chain = await readIdentityChain(dir)
      break
    case 'rotate':
      chain = await rotateIdentity(dir, passwordOf(io), { scryptCost })
      break
    default:
      throw new UsageError(
        action === undefined ? 'peerkit key needs new, show or rotate' : `unknown: key ${action}`,
      )
  }
  const report = {
    dir,
    root: peerIdForms(chain.resolved.root),
    current: peerIdForms(chain.resolved.current),
    step: stepOf(chain),
    inception: toHex(chain.inceptionId),
  }
  if (values.json === true) {
    io.stdout.write(jsonLine(report))
    return EXIT_OK
  }
  io.stdout.write(
    [
      `identity  ${report.root.id}`,
      `did:key   ${report.root.didKey}`,
      `libp2p    ${report.root.libp2p}`,
      `public    ${report.root.publicKeyHex}`,
      `current   ${report.current.id} (step ${report.step})`,
      `inception ${report.inception}`,
      '',
    ].join('\n'),
  )
  return EXIT_OK
}
