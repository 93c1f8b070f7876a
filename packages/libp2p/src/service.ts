/**
 * The peerkit service for libp2p 3: `peerkit(init)` in `createLibp2p({ services })`. It
 * registers peerkit's link protocol, learns peers from the registrar's topology (after
 * identify reports the protocol), and gives the node driver a `Transport`: dials are libp2p
 * dials plus one long-lived stream, and peers libp2p connects to by any means (bootstrap
 * lists, discovery, inbound connections) become links the driver accepts.
 *
 * @example
 * const libp2p = await createLibp2p({ privateKey, ..., services: { identify: identify(), peerkit: peerkit() } })
 * const node = await createNode({ signer, transports: [libp2p.services.peerkit.transport], listen: ['libp2p'] })
 */
import type {
  Connection,
  PeerId as Libp2pPeerId,
  Startable,
  Stream,
  Topology,
} from '@libp2p/interface'
import { serviceDependencies } from '@libp2p/interface'
import { type Multiaddr, multiaddr } from '@multiformats/multiaddr'
import type { PeerId } from '@peerkit/identity'
import {
  DialAbortedError,
  DialError,
  HandshakeError,
  InvalidAddressError,
  InvalidArgumentError,
  type Link,
  type LinkHandler,
  LinkLimitError,
  ListenError,
  type Listener,
  PeerMismatchError,
  type Transport,
  type TransportComponents,
  type TransportFactory,
  UnsupportedAddressError,
} from '@peerkit/net'
import {
  DEFAULT_MAX_BUFFERED_BYTES,
  DEFAULT_MAX_FRAME_BYTES,
  DEFAULT_MAX_HELD_BYTES,
  LIBP2P_LISTEN_ADDRESS,
  MAX_PENDING_LINKS,
  MAX_STREAMS_PER_CONNECTION,
  PEERKIT_PROTOCOL,
} from './constants'
import { IdentityMismatchError, TransportInUseError } from './errors'
import { peerIdFromLibp2p } from './keys'
import { streamToLink } from './stream-link'

/** Options of the peerkit service. */
export interface PeerkitInit {
  /** The libp2p protocol id of peerkit links (default `/peerkit/link/1.0.0`). */
  readonly protocol?: string
  /** The largest frame (default 1 MiB). */
  readonly maxFrameBytes?: number
  /** Frames held for a link with no frame listener before its stream is paused (default 1 MiB). */
  readonly maxHeldBytes?: number
  /** Bytes queued on a stream past which it is reset (default 16 MiB). */
  readonly maxBufferedBytes?: number
  /**
   * Open a link to every peer libp2p connects to that runs the protocol (default `true`).
   * Of two peers, only the one with the smaller PeerId opens it, so they never race.
   */
  readonly autoLink?: boolean
}

/** What the service needs from libp2p's components. */
export interface PeerkitComponents {
  readonly peerId: Libp2pPeerId
  readonly registrar: {
    handle(
      protocol: string,
      handler: (stream: Stream, connection: Connection) => void | Promise<void>,
      options?: { maxInboundStreams?: number; maxOutboundStreams?: number },
    ): Promise<void>
    unhandle(protocol: string): Promise<void>
    register(protocol: string, topology: Topology): Promise<string>
    unregister(id: string): void
  }
  readonly connectionManager: {
    openConnection(target: Multiaddr, options?: { signal?: AbortSignal }): Promise<Connection>
    getConnections(peerId?: Libp2pPeerId): Connection[]
  }
  readonly addressManager: { getAddresses(): Multiaddr[] }
}

/** The service as `libp2p.services.peerkit`. */
export interface PeerkitService extends Startable {
  /** The libp2p protocol id its links use. */
  readonly protocol: string
  /** The transport for `createNode({ transports: [libp2p.services.peerkit.transport] })`. */
  readonly transport: TransportFactory
  /** The node's libp2p addresses, with `/p2p/<id>`: what others dial. */
  addresses(): string[]
}

interface ListenState {
  readonly onLink: LinkHandler
}

/**
 * The peerkit libp2p service factory.
 * @param init - protocol id, limits and whether to link to every connected peer
 * @returns the factory libp2p calls with its components
 * @throws InvalidArgumentError for a limit out of range or a protocol id not starting with `/`
 * @example
 * services: { identify: identify(), peerkit: peerkit({ autoLink: true }) }
 */
export function peerkit(init?: PeerkitInit): (components: PeerkitComponents) => PeerkitService {
  const protocol = init?.protocol ?? PEERKIT_PROTOCOL
  if (typeof protocol !== 'string' || !/^\/[\x21-\x7e]{1,127}$/.test(protocol)) {
    throw new InvalidArgumentError('protocol', 'must be 2-128 printable characters starting with /')
  }
  const limits = {
    maxFrameBytes: positive(init?.maxFrameBytes, DEFAULT_MAX_FRAME_BYTES, 'maxFrameBytes'),
    maxHeldBytes: positive(init?.maxHeldBytes, DEFAULT_MAX_HELD_BYTES, 'maxHeldBytes'),
    maxBufferedBytes: positive(
      init?.maxBufferedBytes,
      DEFAULT_MAX_BUFFERED_BYTES,
      'maxBufferedBytes',
    ),
  }
  const autoLink = init?.autoLink ?? true
  return (components) => createService(components, protocol, limits, autoLink)
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback
  if (!Number.isSafeInteger(value) || value < 1)
    throw new InvalidArgumentError(name, 'must be a safe integer >= 1')
  return value
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length)
  for (let index = 0; index < length; index++) {
    const difference = (a[index] as number) - (b[index] as number)
    if (difference !== 0) return difference
  }
  return a.length - b.length
}

function p2pOf(address: Multiaddr): string | undefined {
  for (const component of address.getComponents()) {
    if (component.name === 'p2p') return component.value
  }
  return undefined
}

function createService(
  components: PeerkitComponents,
  protocol: string,
  limits: { maxFrameBytes: number; maxHeldBytes: number; maxBufferedBytes: number },
  autoLink: boolean,
): PeerkitService {
  const selfLibp2p = components.peerId
  let started = false
  let handled = false
  let topologyId: string | undefined
  /** The open transport, when the driver made one. */
  let transport:
    | { links: Set<Link>; listen: ListenState | undefined; pending: Link[]; closed: boolean }
    | undefined
  /** Peers whose link this side opens (smaller PeerId), connected before the transport listened. */
  const waitingPeers = new Map<string, Connection>()

  const selfPeerkit = (): PeerId => peerIdFromLibp2p(selfLibp2p)

  const addresses = (): string[] => {
    const id = selfLibp2p.toString()
    return components.addressManager
      .getAddresses()
      .map((address) =>
        p2pOf(address) === undefined ? address.encapsulate(`/p2p/${id}`) : address,
      )
      .map((address) => address.toString())
  }

  const makeLink = (stream: Stream, connection: Connection, remote: PeerId): Link => {
    const link = streamToLink(stream, remote, {
      ...limits,
      remoteAddress: `${connection.remoteAddr.toString()}${p2pOf(connection.remoteAddr) === undefined ? `/p2p/${connection.remotePeer.toString()}` : ''}`,
    })
    const state = transport
    if (state !== undefined) {
      state.links.add(link)
      link.on('close', () => state.links.delete(link))
    }
    return link
  }

  const deliver = (link: Link): void => {
    const state = transport
    if (state === undefined || state.closed) {
      link.close()
      return
    }
    if (state.listen !== undefined) {
      state.listen.onLink(link)
      return
    }
    if (state.pending.length >= MAX_PENDING_LINKS) {
      link.close(new LinkLimitError('too many links before the transport listens'))
      return
    }
    state.pending.push(link)
  }

  const handle = async (): Promise<void> => {
    if (handled) return
    handled = true
    await components.registrar.handle(protocol, onStream, {
      maxInboundStreams: MAX_STREAMS_PER_CONNECTION,
      maxOutboundStreams: MAX_STREAMS_PER_CONNECTION,
    })
  }

  const unhandle = async (): Promise<void> => {
    if (!handled) return
    handled = false
    await components.registrar.unhandle(protocol)
  }

  const onStream = (stream: Stream, connection: Connection): void => {
    let remote: PeerId
    try {
      remote = peerIdFromLibp2p(connection.remotePeer)
    } catch {
      stream.abort(new HandshakeError('peerkit peers have Ed25519 keys'))
      return
    }
    if (
      transport === undefined ||
      transport.closed ||
      (transport.listen === undefined && transport.pending.length >= MAX_PENDING_LINKS)
    ) {
      stream.abort(new ListenError(LIBP2P_LISTEN_ADDRESS, 'not listening'))
      return
    }
    deliver(makeLink(stream, connection, remote))
  }

  /** Peers a dial of this side is opening a stream to: no automatic link is opened beside it. */
  const dialing = new Map<string, number>()

  const hasLink = (remote: PeerId): boolean => {
    if ((dialing.get(remote.toString()) ?? 0) > 0) return true
    for (const link of transport?.links ?? []) {
      if (link.status === 'open' && link.remotePeer.equals(remote)) return true
    }
    return false
  }

  const openAutoLink = (connection: Connection): void => {
    const state = transport
    if (state === undefined || state.closed || state.listen === undefined) return
    if (connection.status !== 'open') return
    let remote: PeerId
    try {
      remote = peerIdFromLibp2p(connection.remotePeer)
    } catch {
      return
    }
    if (hasLink(remote)) return
    connection.newStream(protocol).then(
      (stream) => {
        if (transport !== state || state.closed || hasLink(remote)) {
          stream.abort(new DialAbortedError('no longer wanted'))
          return
        }
        deliver(makeLink(stream, connection, remote))
      },
      () => {
        // The peer went away or refused the stream: nothing to link.
      },
    )
  }

  const topology: Topology = {
    onConnect(peer, connection) {
      if (!autoLink || connection.status !== 'open') return
      let remote: PeerId
      try {
        remote = peerIdFromLibp2p(peer)
      } catch {
        return
      }
      // Of the two peers only the smaller opens the link, so the two sides never race.
      if (compareBytes(selfPeerkit().publicKey, remote.publicKey) >= 0) return
      if (transport?.listen === undefined) {
        waitingPeers.set(peer.toString(), connection)
        return
      }
      openAutoLink(connection)
    },
    onDisconnect(peer) {
      waitingPeers.delete(peer.toString())
    },
  }

  const transportFactory: TransportFactory = (
    transportComponents: TransportComponents,
  ): Transport => {
    const signerPeer = transportComponents?.signer?.peerId
    if (signerPeer === undefined)
      throw new InvalidArgumentError('components.signer', 'a signer is required')
    const self = selfPeerkit()
    if (!signerPeer.equals(self)) {
      throw new IdentityMismatchError(signerPeer.toLibp2pString(), selfLibp2p.toString())
    }
    if (transport !== undefined && !transport.closed) throw new TransportInUseError()
    const state = {
      links: new Set<Link>(),
      listen: undefined as ListenState | undefined,
      pending: [] as Link[],
      closed: false,
    }
    transport = state

    const parse = (address: string): Multiaddr => {
      if (typeof address !== 'string' || !address.startsWith('/') || address.length > 1024) {
        throw new UnsupportedAddressError(String(address))
      }
      try {
        return multiaddr(address)
      } catch (error) {
        throw new InvalidAddressError(address, `not a multiaddr (${(error as Error).name})`)
      }
    }

    return {
      name: 'libp2p',
      canDial(address) {
        if (address === LIBP2P_LISTEN_ADDRESS) return true
        try {
          return p2pOf(parse(address)) !== undefined
        } catch {
          return false
        }
      },
      async dial(address, options) {
        const target = parse(address)
        const signal = options?.signal
        if (signal?.aborted) throw new DialAbortedError()
        if (state.closed) throw new DialError(address, 'transport closed')
        const expected = options?.expectedPeer
        const named = p2pOf(target)
        if (expected !== undefined && named !== undefined && named !== expected.toLibp2pString()) {
          throw new PeerMismatchError(expected.toString(), named)
        }
        let connection: Connection
        try {
          connection = await components.connectionManager.openConnection(
            target,
            signal ? { signal } : {},
          )
        } catch (error) {
          if (signal?.aborted) throw new DialAbortedError()
          throw new DialError(address, `libp2p dial failed (${(error as Error)?.name})`, {
            cause: error,
          })
        }
        let remote: PeerId
        try {
          remote = peerIdFromLibp2p(connection.remotePeer)
        } catch (error) {
          throw new HandshakeError('the remote key is not Ed25519', { cause: error })
        }
        if (expected !== undefined && !expected.equals(remote)) {
          throw new PeerMismatchError(expected.toString(), remote.toString())
        }
        let stream: Stream
        const key = remote.toString()
        dialing.set(key, (dialing.get(key) ?? 0) + 1)
        try {
          stream = await connection.newStream(protocol, signal ? { signal } : {})
        } catch (error) {
          if (signal?.aborted) throw new DialAbortedError()
          throw new DialError(
            address,
            `the peer does not run ${protocol} (${(error as Error)?.name})`,
            {
              cause: error,
            },
          )
        } finally {
          const left = (dialing.get(key) ?? 1) - 1
          if (left > 0) dialing.set(key, left)
          else dialing.delete(key)
        }
        if (signal?.aborted || state.closed) {
          stream.abort(new DialAbortedError())
          throw state.closed ? new DialError(address, 'transport closed') : new DialAbortedError()
        }
        return makeLink(stream, connection, remote)
      },
      async listen(address, onLink): Promise<Listener> {
        if (address !== LIBP2P_LISTEN_ADDRESS) {
          throw new UnsupportedAddressError(address)
        }
        if (typeof onLink !== 'function')
          throw new InvalidArgumentError('onLink', 'must be a function')
        if (state.closed) throw new ListenError(address, 'transport closed')
        if (state.listen !== undefined) throw new ListenError(address, 'already listening')
        if (!started) throw new ListenError(address, 'the libp2p node is not started')
        const listen: ListenState = { onLink }
        state.listen = listen
        await handle()
        const pending = state.pending.splice(0)
        for (const link of pending) if (link.status === 'open') onLink(link)
        for (const connection of [...waitingPeers.values()]) openAutoLink(connection)
        waitingPeers.clear()
        return {
          get addresses() {
            return addresses()
          },
          async close() {
            if (state.listen !== listen) return
            state.listen = undefined
            // New dials fail at protocol selection; links made before stay open.
            if (transport === state) await unhandle()
          },
        }
      },
      async close() {
        if (state.closed) return
        state.closed = true
        state.listen = undefined
        for (const link of [...state.pending, ...state.links]) link.close()
        state.pending.length = 0
        if (transport === state && started) await unhandle()
      },
    }
  }

  return {
    protocol,
    transport: transportFactory,
    addresses,
    [serviceDependencies]: ['@libp2p/identify'],
    [Symbol.toStringTag]: '@peerkit/libp2p',
    async start() {
      // Handled from the start, so identify announces the protocol and links that arrive
      // before the driver listens are held for it.
      await handle()
      topologyId = await components.registrar.register(protocol, topology)
      started = true
    },
    async stop() {
      started = false
      if (topologyId !== undefined) components.registrar.unregister(topologyId)
      topologyId = undefined
      await unhandle().catch(() => {})
      if (transport !== undefined) {
        transport.closed = true
        for (const link of [...transport.pending, ...transport.links]) link.close()
      }
      waitingPeers.clear()
    },
  } as PeerkitService
}
