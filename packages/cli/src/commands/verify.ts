/** `peerkit verify`: opens a signed envelope and prints who signed what, when. */
import { open } from '@peerkit/envelope'
import { peerIdFromString } from '@peerkit/identity'
import { fromString as textToBytes } from 'uint8arrays/from-string'
import { integerFlag, parseFlags } from '../args'
import { DEFAULT_MAX_SKEW_MS, EXIT_OK, MAX_VERIFY_INPUT_BYTES } from '../constants'
import { UnexpectedSignerError, UsageError } from '../errors'
import { readFileBounded } from '../files'
import { type CliIo, readAll } from '../io'
import { jsonLine, jsonSafe } from '../json'

export const VERIFY_USAGE = `usage: peerkit verify --domain D [--in FILE] [options]

Opens a signed envelope (raw bytes, or base64url text as \`peerkit sign\` prints it) from FILE
or standard input, checks its signature, domain and time, and prints its signer and payload.
Exits 1 when it does not verify.

  --domain D          the domain the envelope must be sealed for
  --in FILE           read the envelope from FILE (default: standard input)
  --signer ID         also require this signer (z6Mk… or did:key:…)
  --max-age MS        refuse envelopes older than this (default: no limit)
  --json              print one JSON object`

const FLAGS = {
  domain: { type: 'string' },
  in: { type: 'string' },
  signer: { type: 'string' },
  'max-age': { type: 'string' },
  json: { type: 'boolean' },
} as const

/** base64url characters and white space: text as `peerkit sign` prints it. */
const BASE64URL_TEXT = /^[A-Za-z0-9_\-\s]+$/

/**
 * Runs `peerkit verify …`.
 * @param argv - the arguments after `verify`
 * @param io - the command's environment
 * @returns the exit code
 * @example
 * await verifyCommand(['--domain', 'notes/1', '--in', 'note.env'], io)
 */
export async function verifyCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(argv, FLAGS)
  const domain = values.domain
  if (typeof domain !== 'string') throw new UsageError('peerkit verify needs --domain')
  let expected: ReturnType<typeof peerIdFromString> | undefined
  if (typeof values.signer === 'string') {
    try {
      expected = peerIdFromString(values.signer)
    } catch (error) {
      throw new UsageError(`--signer: ${(error as Error).message}`)
    }
  }
  const maxAgeMs = integerFlag(values['max-age'], '--max-age', Number.POSITIVE_INFINITY)
  const input =
    typeof values.in === 'string'
      ? await readFileBounded(values.in, MAX_VERIFY_INPUT_BYTES)
      : await readAll(io.stdin, MAX_VERIFY_INPUT_BYTES, 'standard input')
  const opened = open(envelopeBytes(input), {
    domain,
    now: Date.now(),
    maxSkewMs: DEFAULT_MAX_SKEW_MS,
    maxAgeMs,
  })
  if (expected !== undefined && !opened.signer.equals(expected))
    throw new UnexpectedSignerError(expected.toString(), opened.signer.toString())
  const report = {
    valid: true,
    signer: opened.signer.toString(),
    timestamp: new Date(opened.timestamp).toISOString(),
    expiresAt:
      opened.expiresAt === undefined ? undefined : new Date(opened.expiresAt).toISOString(),
    id: opened.id.toString(),
    domain: opened.domain,
    payload: jsonSafe(opened.payload),
  }
  if (values.json === true) {
    io.stdout.write(jsonLine(report))
    return EXIT_OK
  }
  const lines = [
    `signer    ${report.signer}`,
    `timestamp ${report.timestamp}`,
    ...(report.expiresAt === undefined ? [] : [`expires   ${report.expiresAt}`]),
    `id        ${report.id}`,
    `payload   ${typeof report.payload === 'string' ? report.payload : JSON.stringify(report.payload)}`,
    '',
  ]
  io.stdout.write(lines.join('\n'))
  return EXIT_OK
}

/** Raw envelope bytes from raw input or base64url text (an envelope never starts with text). */
function envelopeBytes(input: Uint8Array): Uint8Array {
  const text = new TextDecoder().decode(input)
  if (!BASE64URL_TEXT.test(text)) return input
  try {
    return textToBytes(text.replace(/\s+/g, ''), 'base64url')
  } catch {
    throw new UsageError('the input is neither an envelope nor base64url text')
  }
}
