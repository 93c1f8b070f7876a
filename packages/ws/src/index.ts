/**
 * @peerkit/ws: the WebSocket transport of peerkit. In Node it dials and listens with `ws`;
 * browsers get `./browser.ts` (the `browser` export condition), on the platform's
 * `WebSocket`. Every connection runs the Noise XX handshake, bound to the peers' Ed25519
 * identities, before it becomes a `Link`.
 *
 * @example
 * const node = await createNode({ signer, transports: [ws()], listen: ['ws://127.0.0.1:4002/'] })
 */
export {
  formatWebSocketAddress,
  MAX_WEBSOCKET_ADDRESS_LENGTH,
  parseWebSocketAddress,
  type WebSocketAddress,
} from './address'
export { type BrowserWebSocket, byteStreamFromBrowserWebSocket } from './browser-socket'
export * from './constants'
export * from './errors'
export { type NodeWsInit, type WsTlsOptions, ws } from './node'
export { byteStreamFromWebSocket } from './node-socket'
export type { WsInit } from './settings'
