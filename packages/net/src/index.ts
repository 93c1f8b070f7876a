/**
 * @peerkit/net: the connection contract (authenticated, message-oriented links with
 * backpressure), the node driver that runs peerkit's sans-IO cores on real links, and an
 * in-memory transport.
 */
export * from './errors'
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
