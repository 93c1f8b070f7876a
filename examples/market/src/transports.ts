/**
 * The links a market peer (or the bank) runs on: peerkit's own TCP or WebSocket transport
 * with Noise, the in-process memory transport, or a libp2p node (TCP, Noise and yamux on
 * 127.0.0.1) whose streams carry the peer's links through `@peerkit/libp2p`. The libp2p key
 * comes from the same seed as the peer's signer, so both networks know it by one id.
 *
 * @example
 * const links = await startLinks('libp2p', keySeedOf(member, seed), 'alice')
 * const node = await createNode({ signer, transports: [links.factory], listen: [links.listen] })
 * await node.stop().then(() => links.stop())
 */
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { tcp as libp2pTcp } from '@libp2p/tcp'
import {
  installPromiseWithResolvers,
  LIBP2P_LISTEN_ADDRESS,
  peerkit,
  privateKeyFromSeed,
} from '@peerkit/libp2p'
import { type MemoryNetwork, memory, type TransportFactory } from '@peerkit/net'
import { tcp } from '@peerkit/tcp'
import { ws } from '@peerkit/ws'
import { createLibp2p } from 'libp2p'

export type TransportName = 'tcp' | 'ws' | 'memory' | 'libp2p'

export const TRANSPORTS: readonly TransportName[] = ['tcp', 'ws', 'memory', 'libp2p']

/**
 * Connections libp2p accepts from one host per second. Every peer of the demo is on
 * 127.0.0.1 and they all dial each other within a second of starting; libp2p's default (5)
 * would refuse most of them.
 */
const LIBP2P_INBOUND_PER_HOST_PER_S = 1_000
/** Inbound connections libp2p lets wait for their upgrade (its default is 10). */
const LIBP2P_PENDING_INBOUND = 64

/** A transport for `createNode`, the address to listen on, and what to stop after the node. */
export interface Links {
  readonly factory: TransportFactory
  readonly listen: string
  stop(): Promise<void>
}

/**
 * Starts the links of one process.
 * @param name - the transport
 * @param keySeed - the 32-byte seed of the peer's key (used by libp2p only)
 * @param label - the memory transport's address name
 * @param network - the shared memory network (memory transport only)
 */
export async function startLinks(
  name: TransportName,
  keySeed: Uint8Array,
  label: string,
  network?: MemoryNetwork,
): Promise<Links> {
  const none = async () => undefined
  if (name === 'tcp') return { factory: tcp(), listen: 'tcp://127.0.0.1:0', stop: none }
  if (name === 'ws') return { factory: ws(), listen: 'ws://127.0.0.1:0', stop: none }
  if (name === 'memory') {
    if (network === undefined)
      throw new Error('the memory transport runs every peer in one process')
    return { factory: memory(network), listen: `memory://${label}`, stop: none }
  }
  installPromiseWithResolvers()
  const libp2p = await createLibp2p({
    privateKey: await privateKeyFromSeed(keySeed),
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [libp2pTcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: {
      maxIncomingPendingConnections: LIBP2P_PENDING_INBOUND,
      inboundConnectionThreshold: LIBP2P_INBOUND_PER_HOST_PER_S,
    },
    // the driver's keepalive finds dead links; libp2p's ping monitor would also abort
    // healthy connections of a process starved on a loaded machine
    connectionMonitor: { abortConnectionOnPingFailure: false },
    services: { identify: identify(), peerkit: peerkit() },
  })
  return {
    factory: libp2p.services.peerkit.transport,
    listen: LIBP2P_LISTEN_ADDRESS,
    stop: async () => {
      await libp2p.stop()
    },
  }
}
