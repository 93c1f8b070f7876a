/**
 * A terminal chat on peerkit: each line typed is published as a signed gossip message on one
 * topic, and each message received is printed as `<short peer id>: <text>`. Links are TCP or
 * WebSocket, each encrypted and authenticated with Noise. Status lines go to standard error.
 *
 * @example
 * // one terminal:     pnpm --filter chat start -- --listen tcp://127.0.0.1:4001
 * // another terminal: pnpm --filter chat start -- --dial tcp://127.0.0.1:4001
 */
import { createInterface } from 'node:readline'
import { generateKeyPair, type PeerId, signerFromKeyPair } from '@peerkit/identity'
import { createNode } from '@peerkit/net'
import { tcp } from '@peerkit/tcp'
import { ws } from '@peerkit/ws'
import { chatOptions, MAX_LINE_LENGTH, USAGE } from './options'

/** The last 8 characters of a peer id: enough to tell the people in a chat apart. */
function short(peer: PeerId): string {
  return peer.toString().slice(-8)
}

async function main(): Promise<void> {
  let options: ReturnType<typeof chatOptions>
  try {
    options = chatOptions(process.argv.slice(2))
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`)
    process.exitCode = 2
    return
  }
  const signer = signerFromKeyPair(generateKeyPair())
  const node = await createNode({
    signer,
    transports: [tcp(), ws()],
    listen: options.listen,
    bootstrap: options.dial,
  })
  const status = (text: string): void => {
    process.stderr.write(`# ${text}\n`)
  }
  status(`peer ${node.peerId.toString()} (${short(node.peerId)})`)
  for (const address of node.addresses()) status(`listening on ${address}`)
  node.on('peer-connected', (peer) => status(`connected ${short(peer)}`))
  node.on('peer-disconnected', ({ peer }) => status(`disconnected ${short(peer)}`))

  node.gossip.subscribe(options.topic, (message) => {
    if (message.signer.equals(node.peerId)) return
    const data = message.data as { text?: unknown } | null
    if (typeof data !== 'object' || data === null || typeof data.text !== 'string') return
    // One message, one line: control characters cannot forge other lines or move the cursor.
    let text = ''
    for (const character of data.text) {
      const code = character.charCodeAt(0)
      text += code < 0x20 || code === 0x7f ? ' ' : character
    }
    process.stdout.write(`${short(message.signer)}: ${text}\n`)
  })

  const publishes = new Set<Promise<unknown>>()
  let stopping: Promise<void> | undefined
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await Promise.allSettled(publishes)
      await node.stop()
      status('stopped')
    })()
    return stopping
  }

  const lines = createInterface({ input: process.stdin, terminal: false })
  lines.on('line', (line) => {
    const text = line.slice(0, MAX_LINE_LENGTH)
    if (text.trim().length === 0 || stopping !== undefined) return
    const publish = node.gossip.publish(options.topic, { text }).catch((error: Error) => {
      status(`not sent: ${error.name}`)
    })
    publishes.add(publish)
    publish.finally(() => publishes.delete(publish))
  })
  lines.on('close', () => {
    void stop()
  })
  process.once('SIGINT', () => {
    lines.close()
  })
  process.once('SIGTERM', () => {
    lines.close()
  })
}

main().catch((error: unknown) => {
  process.stderr.write(
    `chat failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`,
  )
  process.exitCode = 1
})
