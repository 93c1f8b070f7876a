/**
 * @peerkit/net: the connection contract (authenticated, message-oriented links with
 * backpressure), the node driver that runs peerkit's sans-IO cores on real links, and an
 * in-memory transport.
 */
export {
  type Address,
  type AddressScheme,
  formatAddress,
  type HostKind,
  type MemoryAddress,
  normalizeAddress,
  parseAddress,
  type TcpAddress,
  type WebSocketAddress,
} from './address'
export { type AddressBook, type AddressBookEntry, createAddressBook } from './address-book'
export { type Clock, createVirtualClock, systemClock, type VirtualClock } from './clock'
export {
  DEFAULT_MAX_BUFFERED_BYTES,
  DEFAULT_MAX_FRAME_BYTES,
  DEFAULT_WRITE_BUFFER_BYTES,
  MAX_ADDRESS_LENGTH,
} from './constants'
export { type ByteList, type FrameDuplex, type LinkToDuplexOptions, linkToDuplex } from './duplex'
export * from './errors'
export {
  createFrameDecoder,
  encodeFrame,
  encodeFrameHeader,
  type FrameDecoder,
  type FrameDecoderOptions,
  isBytes,
} from './framing'
export type {
  AsyncValidator,
  NodeGossip,
  PublishOptions,
  ValidatorOptions,
} from './gossip-service'
export { createLinkEmitter, type LinkEmitter } from './link-emitter'
export {
  createMemoryNetwork,
  type MemoryNetwork,
  type MemoryNetworkOptions,
  type MemoryTransportOptions,
  memory,
} from './memory'
export {
  createNode,
  type MisbehaviourReport,
  type Node,
  type NodeEvents,
  type NodeInit,
  type NodeLimits,
  type Protocol,
  type ProtocolHandler,
  type ProtocolOptions,
} from './node'
export {
  type OpenPeerRecordOptions,
  openPeerRecord,
  type PeerRecord,
  type PeerRecordInit,
  sealPeerRecord,
} from './peer-record'
export { isProtocolId } from './protocols'
export { PRIORITIES, type Priority } from './queue'
export type {
  ByteStream,
  ByteStreamEvents,
  DialOptions,
  Link,
  LinkCloseEvent,
  LinkDirection,
  LinkEvents,
  LinkHandler,
  LinkStatus,
  Listener,
  Transport,
  TransportComponents,
  TransportFactory,
} from './types'
