/**
 * Nodes of @peerkit/net on real TCP links: a peer flooding beyond its rate limit, and a peer
 * that stops reading its socket, are each cut off (only that peer), while a third peer's
 * gossip keeps arriving, every message.
 */
import { connect, type Socket } from 'node:net'
import { generateKeyPair, signerFromKeyPair } from '@peerkit/identity'
import {
  createNode,
  isNetError,
  type MisbehaviourReport,
  type NetError,
  type Node,
  type Transport,
  type TransportFactory,
} from '@peerkit/net'
import { secureStream } from '@peerkit/noise'
import { afterEach, expect, test } from 'vitest'
import { byteStreamFromSocket, parseTcpAddress, tcp } from '../src/index'

const nodes: Node[] = []
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((node) => node.stop()))
})

async function start(init: Partial<Parameters<typeof createNode>[0]> = {}): Promise<Node> {
  const node = await createNode({
    signer: signerFromKeyPair(generateKeyPair()),
    transports: [tcp()],
    listen: ['tcp://127.0.0.1:0'],
    ...init,
  })
  nodes.push(node)
  return node
}

async function until(condition: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

test('a flood beyond the per-peer rate costs only the flooder; gossip from a third peer keeps arriving', async () => {
  const victim = await start({ limits: { maxFramesPerPeerPerSecond: 200, rateBurstSeconds: 1 } })
  const address = victim.addresses()[0] as string
  const reports: MisbehaviourReport[] = []
  victim.on('misbehaved', (report) => reports.push(report))
  victim.protocol('/flood/1', { onFrame() {} })
  const received: number[] = []
  victim.gossip.subscribe('steady', (message) => {
    received.push((message.data as { n: number }).n)
  })

  const carol = await start({ bootstrap: [address] })
  const mallory = await start({ bootstrap: [address] })
  const flood = mallory.protocol('/flood/1', { onFrame() {} })
  await until(() => victim.peers().length === 2 && flood.peers().length === 1)
  await new Promise((resolve) => setTimeout(resolve, 300))

  const count = 100
  const steady = (async () => {
    for (let n = 0; n < count; n++) {
      await carol.gossip.publish('steady', { n })
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
  })()
  const frame = new Uint8Array(64)
  const flooding = setInterval(() => {
    for (let index = 0; index < 200; index++) flood.send(victim.peerId, frame)
  }, 10)
  try {
    await until(() => reports.some((report) => report.peer.equals(mallory.peerId)))
  } finally {
    clearInterval(flooding)
  }
  await steady
  await until(() => received.length === count)
  expect([...received].sort((a, b) => a - b)).toEqual(Array.from({ length: count }, (_, n) => n))
  const report = reports.find((entry) => entry.peer.equals(mallory.peerId)) as MisbehaviourReport
  expect(isNetError(report.error, 'RateLimitError')).toBe(true)
  expect(reports.some((entry) => entry.peer.equals(carol.peerId))).toBe(false)
  expect(victim.peers().some((peer) => peer.equals(carol.peerId))).toBe(true)
})

/** Dials over TCP with Noise like `tcp()`, and keeps each socket so a test can stop reading it. */
function pausableTcp(sockets: Socket[]): TransportFactory {
  return ({ signer }) => {
    const inner = tcp()({ signer })
    const transport: Transport = {
      name: 'tcp',
      canDial: (address) => inner.canDial(address),
      listen: (address, onLink) => inner.listen(address, onLink),
      close: () => inner.close(),
      async dial(address, options) {
        const { host, port } = parseTcpAddress(address)
        const socket = connect(port, host)
        await new Promise<void>((resolve, reject) => {
          socket.once('connect', resolve)
          socket.once('error', reject)
        })
        sockets.push(socket)
        return secureStream(byteStreamFromSocket(socket), {
          signer,
          initiator: true,
          ...(options?.expectedPeer === undefined ? {} : { expectedPeer: options.expectedPeer }),
        })
      },
    }
    return transport
  }
}

test('a peer that stops reading is disconnected with QueueOverflowError; a third peer gets every message', async () => {
  const victim = await start({ limits: { maxQueueBytesPerPeer: 256 * 1024, drainTimeoutMs: 500 } })
  const address = victim.addresses()[0] as string
  const bulk = victim.protocol('/bulk/1', { onFrame() {} })
  const disconnected: Array<{ peer: string; error?: NetError }> = []
  victim.on('peer-disconnected', ({ peer, error }) =>
    disconnected.push({ peer: peer.toString(), ...(error === undefined ? {} : { error }) }),
  )
  const carol = await start({ bootstrap: [address] })
  const received: number[] = []
  carol.gossip.subscribe('steady', (message) => {
    received.push((message.data as { n: number }).n)
  })
  const sockets: Socket[] = []
  const mallory = await createNode({
    signer: signerFromKeyPair(generateKeyPair()),
    transports: [pausableTcp(sockets)],
    bootstrap: [address],
  })
  nodes.push(mallory)
  mallory.protocol('/bulk/1', { onFrame() {} })
  await until(() => victim.peers().length === 2 && bulk.peers().length === 1)
  await new Promise((resolve) => setTimeout(resolve, 300))
  for (const socket of sockets) socket.pause()

  const frame = new Uint8Array(32 * 1024)
  const pushing = setInterval(() => {
    for (let index = 0; index < 16; index++) bulk.send(mallory.peerId, frame)
  }, 10)
  const count = 100
  try {
    for (let n = 0; n < count; n++) {
      await victim.gossip.publish('steady', { n })
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    await until(() => disconnected.some((entry) => entry.peer === mallory.peerId.toString()))
  } finally {
    clearInterval(pushing)
  }
  await until(() => received.length === count)
  expect([...received].sort((a, b) => a - b)).toEqual(Array.from({ length: count }, (_, n) => n))
  const entry = disconnected.find((item) => item.peer === mallory.peerId.toString())
  expect(isNetError(entry?.error, 'QueueOverflowError')).toBe(true)
  expect(victim.peers().some((peer) => peer.equals(carol.peerId))).toBe(true)
})
