/**
 * Global setup of the browser suite (runs in Node): two Node peers on `@peerkit/net` over
 * WebSocket on 127.0.0.1, linked to each other. Each publishes a `tick` on the test topic
 * every 100 ms, and answers every message from a peer other than the two of them with an
 * `ack` naming that message, so a browser peer can see both directions of gossip. Their
 * addresses reach the tests through `provide` (`inject('wsPeers')`).
 */
import { keyPairFromSeed, signerFromKeyPair } from '@peerkit/identity'
import { createNode, type Node } from '@peerkit/net'
import type { TestProject } from 'vitest/node'
import { ws } from '../../../../packages/ws/src/node'
import { WS_TOPIC } from './topic'

declare module 'vitest' {
  export interface ProvidedContext {
    /** The Node peers: name, peer id text and listen address. */
    wsPeers: Array<{ name: string; peerId: string; address: string }>
  }
}

interface Wire {
  kind: 'tick' | 'ack'
  from: string
  n?: number
  of?: string
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const nodes: Array<{ name: string; node: Node }> = []
  const timers: Array<ReturnType<typeof setInterval>> = []
  const start = async (name: string, seed: number, bootstrap: string[]) => {
    const node = await createNode({
      signer: signerFromKeyPair(keyPairFromSeed(new Uint8Array(32).fill(seed))),
      transports: [ws()],
      listen: ['ws://127.0.0.1:0/peerkit'],
      bootstrap,
    })
    nodes.push({ name, node })
    return node
  }
  const alice = await start('alice', 41, [])
  await start('bob', 42, [alice.addresses()[0]!])
  const ours = new Set(nodes.map(({ node }) => node.peerId.toString()))
  for (const { name, node } of nodes) {
    node.gossip.subscribe(WS_TOPIC, (message) => {
      const data = message.data as Partial<Wire> | undefined
      if (ours.has(message.signer.toString()) || data?.kind === 'ack') return
      void node.gossip.publish(WS_TOPIC, { kind: 'ack', from: name, of: message.messageId })
    })
    let n = 0
    timers.push(
      setInterval(() => {
        void node.gossip.publish(WS_TOPIC, { kind: 'tick', from: name, n: n++ }).catch(() => {})
      }, 100),
    )
  }
  project.provide(
    'wsPeers',
    nodes.map(({ name, node }) => ({
      name,
      peerId: node.peerId.toString(),
      address: node.addresses()[0]!,
    })),
  )
  return async () => {
    for (const timer of timers) clearInterval(timer)
    await Promise.all(nodes.map(({ node }) => node.stop()))
  }
}
