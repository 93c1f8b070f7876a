/**
 * `peerkit node`: a real node on TCP and WebSocket (Noise on every link). Each line of
 * standard input is published as a signed gossip message on the topic; each message received
 * is printed as `<short id>: <text>` (or one JSON object a line with `--json`).
 */
import { generateKeyPair, type PeerId, signerFromKeyPair } from '@peerkit/identity'
import { createNode } from '@peerkit/net'
import { tcp } from '@peerkit/tcp'
import { ws } from '@peerkit/ws'
import { parseFlags, passwordOf } from '../args'
import { DEFAULT_TOPIC, EXIT_OK, MAX_NODE_LINE_LENGTH, PASSWORD_ENV } from '../constants'
import { UsageError } from '../errors'
import { loadIdentity } from '../identity-dir'
import type { CliIo } from '../io'
import { jsonLine, jsonSafe } from '../json'

export const NODE_USAGE = `usage: peerkit node [--listen ADDR]... [--bootstrap ADDR]... [options]

Runs a node: publishes each line of standard input on the topic, prints each message received.
Status lines go to standard error. Stops at the end of input (or on SIGINT with --keep-running).

  --listen ADDR       listen on tcp://host:port or ws://host:port/path (repeatable)
  --bootstrap ADDR    dial this address at start, retried with backoff (repeatable)
  --topic T           the gossip topic (default ${DEFAULT_TOPIC})
  --dir DIR           sign as the identity in DIR (password in ${PASSWORD_ENV});
                      default: a fresh key for this run
  --keep-running      keep running after the end of input, until SIGINT or SIGTERM
  --json              print each message as one JSON object a line`

const FLAGS = {
  listen: { type: 'string', multiple: true },
  bootstrap: { type: 'string', multiple: true },
  topic: { type: 'string' },
  dir: { type: 'string' },
  'keep-running': { type: 'boolean' },
  json: { type: 'boolean' },
} as const

/** The last 8 characters of a peer id: enough to tell a few peers apart on a terminal. */
function short(peer: PeerId): string {
  return peer.toString().slice(-8)
}

/** A received text made safe for one terminal line: no control characters. */
function oneLine(text: string): string {
  let out = ''
  for (const character of text) {
    const code = character.charCodeAt(0)
    out += code < 0x20 || code === 0x7f ? ' ' : character
  }
  return out
}

/**
 * Runs `peerkit node …` until the end of input or the io's signal.
 * @param argv - the arguments after `node`
 * @param io - the command's environment
 * @returns the exit code
 * @example
 * await nodeCommand(['--listen', 'tcp://127.0.0.1:4001'], io)
 */
export async function nodeCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(argv, FLAGS)
  const listen = (values.listen as string[] | undefined) ?? []
  const bootstrap = (values.bootstrap as string[] | undefined) ?? []
  if (listen.length === 0 && bootstrap.length === 0)
    throw new UsageError('peerkit node needs --listen or --bootstrap')
  const topic = (values.topic as string | undefined) ?? DEFAULT_TOPIC
  const json = values.json === true
  const signer =
    typeof values.dir === 'string'
      ? (await loadIdentity(values.dir, passwordOf(io))).signer
      : signerFromKeyPair(generateKeyPair())
  const node = await createNode({ signer, transports: [tcp(), ws()], listen, bootstrap })
  const status = (text: string): void => {
    io.stderr.write(`# ${text}\n`)
  }
  status(`peer ${node.peerId.toString()} (${short(node.peerId)})`)
  for (const address of node.addresses()) status(`listening on ${address}`)
  node.on('peer-connected', (peer) => status(`connected ${short(peer)}`))
  node.on('peer-disconnected', ({ peer }) => status(`disconnected ${short(peer)}`))
  node.gossip.subscribe(topic, (message) => {
    if (message.signer.equals(node.peerId)) return
    if (json) {
      io.stdout.write(
        jsonLine({
          signer: message.signer.toString(),
          from: message.from.toString(),
          timestamp: message.timestamp,
          data: jsonSafe(message.data),
        }),
      )
      return
    }
    const data = message.data as { text?: unknown } | null
    const text =
      typeof data === 'object' && data !== null && typeof data.text === 'string'
        ? data.text
        : JSON.stringify(jsonSafe(message.data))
    io.stdout.write(`${short(message.signer)}: ${oneLine(text)}\n`)
  })

  const publishes = new Set<Promise<unknown>>()
  const stopped = new Promise<void>((resolve) => {
    if (io.signal?.aborted) resolve()
    io.signal?.addEventListener('abort', () => resolve(), { once: true })
  })
  const input = (async () => {
    for await (const line of lines(io.stdin)) {
      const text = line.slice(0, MAX_NODE_LINE_LENGTH)
      if (text.trim().length === 0) continue
      const publish = node.gossip.publish(topic, { text }).catch((error: Error) => {
        status(`not sent: ${error.name}`)
      })
      publishes.add(publish)
      void publish.finally(() => publishes.delete(publish))
    }
  })()
  await (values['keep-running'] === true ? stopped : Promise.race([input, stopped]))
  await Promise.allSettled(publishes)
  await node.stop()
  status('stopped')
  return EXIT_OK
}

/** Splits chunks into lines (without their line ends); a last line without one counts. */
async function* lines(input: AsyncIterable<Uint8Array | string>): AsyncGenerator<string> {
  const decoder = new TextDecoder()
  let pending = ''
  for await (const chunk of input) {
    pending += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true })
    let end = pending.indexOf('\n')
    while (end >= 0) {
      yield pending.slice(0, end).replace(/\r$/, '')
      pending = pending.slice(end + 1)
      end = pending.indexOf('\n')
    }
    // input without line ends cannot grow the buffer: past the limit it goes out in parts
    if (pending.length > MAX_NODE_LINE_LENGTH) {
      yield pending
      pending = ''
    }
  }
  if (pending.length > 0) yield pending
}
