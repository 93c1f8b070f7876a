/**
 * @peerkit/gossip: topic pub/sub by epidemic broadcast, as a sans-IO router. HyParView
 * partial views keep the overlay connected; a Plumtree tree per topic carries each
 * message once per node, with lazy announcements and repair by request.
 *
 * @example
 * import { createGossip, sealMessage } from '@peerkit/gossip'
 * const router = createGossip({}, { self: signer.peerId, random })
 * router.handle({ type: 'subscribe', topic: 'news', now })
 * const envelope = await sealMessage(signer, { topic: 'news', data: 'hi', timestamp: now })
 * router.handle({ type: 'publish', topic: 'news', envelope, now })
 */
export * from './constants'
export {
  DuplicatePublishError,
  FrameTooLargeError,
  GossipError,
  type GossipErrorName,
  InvalidArgumentError,
  InvalidTopicError,
  isGossipError,
  MalformedFrameError,
  PeerDataTooLargeError,
  PublishRejectedError,
  UnsupportedFrameVersionError,
} from './errors'
export { decodeFrame } from './frame-reader'
export { encodeFrame } from './frame-writer'
export type { Frame, FrameKind, FrameLimits, PruneReason, WireId } from './frames'
export { type MessageInit, messageIdOf, sealMessage } from './message'
export type { GossipComponents, GossipInit, ScoreThresholds } from './options'
export { createGossip } from './router'
export { createPenaltyScore, DEFAULT_PENALTY_WEIGHTS, type PenaltyScoreInit } from './score'
export { createGossipShare, type GossipShare } from './shared'
export { isValidTopic } from './topic'
export type {
  DeliveryPath,
  Gossip,
  GossipInput,
  GossipMessage,
  GossipOutput,
  GossipRouter,
  GossipStats,
  PeerEventName,
  PeerKey,
  ScoreHook,
  ValidationVerdict,
  Validator,
} from './types'
