/**
 * `@peerkit/gossip/frames`: the wire codec, for whoever writes frames by hand (a test
 * playing a misbehaving peer, a tool reading captured traffic). It follows the wire version,
 * not semver.
 *
 * @example
 * import { decodeFrame, encodeFrame } from '@peerkit/gossip/frames'
 * decodeFrame(encodeFrame({ kind: 'iwant', topic: 'news', ids }), limits).kind // 'iwant'
 */
export { decodeFrame } from './frame-reader'
export { encodeFrame, type FrameAllocator, frameValue } from './frame-writer'
export {
  type Announcement,
  type Frame,
  type FrameKind,
  type FrameLimits,
  ID_BYTES,
  idKeyOf,
  type PeerResolver,
  type PruneReason,
  SOURCE_BYTES,
  type WireId,
  wireIdOfKey,
} from './frames'
