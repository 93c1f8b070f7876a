/**
 * One node of `pnpm soak`, run in its own process by scripts/soak.ts: listens on loopback
 * TCP, dials its neighbours, publishes at a steady rate and reports over IPC each message it
 * publishes and receives, and its resident memory every few seconds. Any unhandled error is
 * reported and ends the process with code 1.
 *
 * @example
 * // node --import tsx scripts/soak-node.ts <index> <port> <ratePerSecond> <dial address>...
 */
import { generateKeyPair, signerFromKeyPair } from '@peerkit/identity'
import { createNode } from '@peerkit/net'
import { tcp } from '@peerkit/tcp'

const TOPIC = 'soak'
const [indexText, portText, rateText, ...dial] = process.argv.slice(2)
const index = Number(indexText)
const send = (message: object): void => {
  process.send?.(message)
}

process.on('uncaughtException', (error) => {
  send({ type: 'error', index, error: `${error.name}: ${error.message}\n${error.stack}` })
  process.exit(1)
})
process.on('unhandledRejection', (reason) => {
  send({ type: 'error', index, error: `unhandled rejection: ${String(reason)}` })
  process.exit(1)
})

const node = await createNode({
  signer: signerFromKeyPair(generateKeyPair()),
  transports: [tcp()],
  listen: [`tcp://127.0.0.1:${portText}`],
  bootstrap: dial,
  limits: { dialBackoffMs: 500, maxDialBackoffMs: 4_000, bootstrapAttempts: 1_000 },
})
node.gossip.subscribe(TOPIC, (message) => {
  if (message.signer.equals(node.peerId)) return
  const data = message.data as { id: string; at: number }
  send({ type: 'received', index, id: data.id, latencyMs: Date.now() - data.at })
})
send({ type: 'ready', index, peer: node.peerId.toString() })

let sequence = 0
const intervalMs = 1000 / Number(rateText)
const publisher = setInterval(() => {
  const id = `${index}-${process.pid}-${sequence++}`
  const at = Date.now()
  node.gossip.publish(TOPIC, { id, at }).then(
    () => send({ type: 'published', index, id, at }),
    (error: Error) => send({ type: 'publish-failed', index, id, error: error.name }),
  )
}, intervalMs)
const reporter = setInterval(() => {
  send({ type: 'rss', index, rss: process.memoryUsage().rss, peers: node.peers().length })
}, 5_000)

process.on('message', async (message: { type?: string }) => {
  if (message.type !== 'stop') return
  clearInterval(publisher)
  clearInterval(reporter)
  await node.stop()
  process.exit(0)
})
