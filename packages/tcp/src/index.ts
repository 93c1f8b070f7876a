/**
 * @peerkit/tcp: the TCP transport of peerkit (Node only). Every connection runs the Noise XX
 * handshake, bound to the peers' Ed25519 identities, before it becomes a `Link`.
 *
 * @example
 * const node = await createNode({ signer, transports: [tcp()], listen: ['tcp://127.0.0.1:4001'] })
 */
export { formatTcpAddress, parseTcpAddress, TCP_SCHEME, type TcpAddress } from './address'
export * from './constants'
export * from './errors'
export { byteStreamFromSocket, type SocketStreamOptions } from './socket-stream'
export { type TcpInit, tcp } from './transport'
