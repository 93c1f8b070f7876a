/**
 * @peerkit/libp2p: peerkit's protocols on a libp2p 3 node. The `peerkit()` service gives the
 * node driver a transport whose links are libp2p streams, and turns the peers libp2p
 * connects to into links; one Ed25519 seed makes both identities.
 *
 * @example
 * const libp2p = await createLibp2p({ privateKey: await privateKeyFromSeed(seed), ..., services: { identify: identify(), peerkit: peerkit() } })
 * const node = await createNode({ signer: signerFromPrivateKey(libp2p... ), transports: [libp2p.services.peerkit.transport], listen: ['libp2p'] })
 */
export {
  DEFAULT_MAX_BUFFERED_BYTES,
  DEFAULT_MAX_FRAME_BYTES,
  DEFAULT_MAX_HELD_BYTES,
  LIBP2P_LISTEN_ADDRESS,
  PEERKIT_PROTOCOL,
} from './constants'
export * from './errors'
export { peerIdFromLibp2p, privateKeyFromSeed, signerFromPrivateKey } from './keys'
export { installPromiseWithResolvers } from './polyfill'
export { type PeerkitComponents, type PeerkitInit, type PeerkitService, peerkit } from './service'
export { type StreamLinkOptions, streamToLink } from './stream-link'
