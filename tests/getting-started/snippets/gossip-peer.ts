import { generateKeyPair, signerFromKeyPair } from '@peerkit/identity'
import { createNode } from '@peerkit/net'
import { tcp } from '@peerkit/tcp'

// usage: gossip-peer.ts [listen address] [bootstrap address…]
const [listen = 'tcp://127.0.0.1:0', ...bootstrap] = process.argv.slice(2)
const node = await createNode({
  signer: signerFromKeyPair(generateKeyPair()),
  transports: [tcp()], // Noise on every connection: each side proves its key
  listen: [listen],
  bootstrap,
})
console.log('listening on', node.addresses()[0], 'as', node.peerId.toString())

const topic = 'my-app/chat'
node.gossip.subscribe(topic, (message) => {
  if (message.signer.equals(node.peerId)) return // our own publishes are delivered too
  console.log('received', JSON.stringify(message.data), 'from', message.signer.toString())
})

// say hello every second until stopped
const timer = setInterval(() => {
  void node.gossip.publish(topic, { text: 'hello', at: Date.now() })
}, 1_000)
process.once('SIGINT', async () => {
  clearInterval(timer)
  await node.stop()
  console.log('stopped')
})
