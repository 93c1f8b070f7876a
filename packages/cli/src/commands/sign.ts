/** `peerkit sign`: seals a payload in a signed envelope with the identity's current key. */
import { writeFile } from 'node:fs/promises'
import type { Value } from '@peerkit/codec'
import { envelopeId, seal } from '@peerkit/envelope'
import { toString as bytesToText } from 'uint8arrays/to-string'
import { integerFlag, parseFlags, passwordOf } from '../args'
import { DEFAULT_IDENTITY_DIR, EXIT_OK, MAX_SIGN_INPUT_BYTES, PASSWORD_ENV } from '../constants'
import { UsageError } from '../errors'
import { readFileBounded } from '../files'
import { loadIdentity } from '../identity-dir'
import { type CliIo, readAll } from '../io'
import { jsonLine, valueFromJson } from '../json'

export const SIGN_USAGE = `usage: peerkit sign --domain D [--text T | --in FILE] [options]

Seals a payload (the text given, a file, or standard input) in a signed envelope and prints it
as base64url (or writes the raw bytes with --out).

  --domain D          the envelope's domain (what the signature is for), e.g. my-app/note/1
  --text T            the payload is this text
  --in FILE           read the payload from FILE (default: standard input)
  --payload-json      the input is JSON, sealed as its value (no floats)
  --binary            the input is sealed as bytes, not text
  --expires-in MS     the envelope expires this many milliseconds from now
  --out FILE          write the envelope's raw bytes to FILE
  --dir DIR           the identity directory (default ${DEFAULT_IDENTITY_DIR})
  --json              print { envelope, id, signer } as JSON

The key files are encrypted with the password in ${PASSWORD_ENV}.`

const FLAGS = {
  domain: { type: 'string' },
  text: { type: 'string' },
  in: { type: 'string' },
  'payload-json': { type: 'boolean' },
  binary: { type: 'boolean' },
  'expires-in': { type: 'string' },
  out: { type: 'string' },
  dir: { type: 'string' },
  json: { type: 'boolean' },
} as const

/**
 * Runs `peerkit sign …`.
 * @param argv - the arguments after `sign`
 * @param io - the command's environment
 * @returns the exit code
 * @example
 * await signCommand(['--domain', 'notes/1', '--text', 'hello'], io)
 */
export async function signCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(argv, FLAGS)
  const domain = values.domain
  if (typeof domain !== 'string') throw new UsageError('peerkit sign needs --domain')
  if (values.text !== undefined && values.in !== undefined)
    throw new UsageError('give --text or --in, not both')
  if (values['payload-json'] === true && values.binary === true)
    throw new UsageError('give --payload-json or --binary, not both')
  const expiresIn = integerFlag(values['expires-in'], '--expires-in', undefined)
  const identity = await loadIdentity(
    (values.dir as string | undefined) ?? DEFAULT_IDENTITY_DIR,
    passwordOf(io),
  )
  const input =
    typeof values.text === 'string'
      ? new TextEncoder().encode(values.text)
      : typeof values.in === 'string'
        ? await readFileBounded(values.in, MAX_SIGN_INPUT_BYTES)
        : await readAll(io.stdin, MAX_SIGN_INPUT_BYTES, 'standard input')
  const payload = payloadOf(input, values['payload-json'] === true, values.binary === true)
  const timestamp = Date.now()
  const envelope = await seal(identity.signer, {
    domain,
    payload,
    timestamp,
    ...(expiresIn === undefined ? {} : { expiresAt: timestamp + expiresIn }),
  })
  const id = envelopeId(envelope).toString()
  if (typeof values.out === 'string') await writeFile(values.out, envelope)
  if (values.json === true) {
    io.stdout.write(
      jsonLine({
        envelope: bytesToText(envelope, 'base64url'),
        id,
        signer: identity.signer.peerId.toString(),
      }),
    )
  } else if (typeof values.out === 'string') {
    io.stdout.write(`${id}\n`)
  } else {
    io.stdout.write(`${bytesToText(envelope, 'base64url')}\n`)
  }
  return EXIT_OK
}

function payloadOf(input: Uint8Array, json: boolean, binary: boolean): Value {
  if (binary) return input
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(input)
  } catch {
    throw new UsageError('the input is not UTF-8 text: give --binary to seal bytes')
  }
  return json ? valueFromJson(text) : text
}
