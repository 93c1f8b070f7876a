/**
 * The text form of WebSocket addresses: `ws://host:port/path` (and `wss://` for dialing
 * through TLS). The host is an IPv4 address, a bracketed IPv6 address or a DNS name; the
 * port defaults to 80 (`ws`) or 443 (`wss`); the path defaults to `/` and has no query or
 * fragment. Parsing is strict and bounded and uses no platform API, so it runs in browsers.
 *
 * @example
 * parseWebSocketAddress('ws://127.0.0.1:4002/peerkit') // { secure: false, host: '127.0.0.1', port: 4002, path: '/peerkit' }
 * formatWebSocketAddress({ secure: false, host: '::1', port: 80, path: '/' }) // 'ws://[::1]:80/'
 */
import { InvalidAddressError } from '@peerkit/net'

/** The longest address text accepted. */
export const MAX_WEBSOCKET_ADDRESS_LENGTH = 1024

/** A parsed WebSocket address. */
export interface WebSocketAddress {
  /** `true` for `wss://`. */
  readonly secure: boolean
  /** IPv4, IPv6 (without brackets) or a DNS name. */
  readonly host: string
  readonly port: number
  /** Starts with `/`. */
  readonly path: string
}

const IPV4 =
  /^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$/
const IPV6 = /^[0-9A-Fa-f:.]{2,45}$/
const DNS_LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/
const PORT = /^(0|[1-9][0-9]{0,4})$/
const PATH = /^\/([A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*$/

/**
 * Parses `ws://host:port/path` or `wss://host:port/path`.
 * @param address - the address text
 * @returns its parts
 * @throws InvalidAddressError when it is not a well-formed WebSocket address
 * @example
 * parseWebSocketAddress('ws://localhost:4002') // { secure: false, host: 'localhost', port: 4002, path: '/' }
 */
export function parseWebSocketAddress(address: string): WebSocketAddress {
  if (typeof address !== 'string') throw new InvalidAddressError(String(address), 'not a string')
  if (address.length > MAX_WEBSOCKET_ADDRESS_LENGTH)
    throw new InvalidAddressError(address, 'too long')
  const secure = address.startsWith('wss://')
  if (!secure && !address.startsWith('ws://'))
    throw new InvalidAddressError(address, 'not ws:// or wss://')
  const rest = address.slice(secure ? 6 : 5)
  const slash = rest.indexOf('/')
  const authority = slash < 0 ? rest : rest.slice(0, slash)
  const path = slash < 0 ? '/' : rest.slice(slash)
  if (!PATH.test(path)) throw new InvalidAddressError(address, 'bad path')
  let host: string
  let portText: string | undefined
  if (authority.startsWith('[')) {
    const close = authority.indexOf(']')
    if (close < 0) throw new InvalidAddressError(address, 'bad IPv6 host')
    host = authority.slice(1, close)
    const after = authority.slice(close + 1)
    if (after.length > 0) {
      if (!after.startsWith(':')) throw new InvalidAddressError(address, 'bad IPv6 host')
      portText = after.slice(1)
    }
    if (!IPV6.test(host) || !host.includes(':') || host.split('::').length > 2) {
      throw new InvalidAddressError(address, 'bad IPv6 host')
    }
  } else {
    const colon = authority.lastIndexOf(':')
    host = colon < 0 ? authority : authority.slice(0, colon)
    portText = colon < 0 ? undefined : authority.slice(colon + 1)
    const labels = host.split('.')
    const numeric = /^[0-9]+$/.test(labels[labels.length - 1] ?? '')
    const valid = numeric
      ? IPV4.test(host)
      : host.length <= 253 && labels.every((label) => DNS_LABEL.test(label))
    if (!valid) throw new InvalidAddressError(address, 'bad host')
  }
  let port = secure ? 443 : 80
  if (portText !== undefined) {
    if (!PORT.test(portText)) throw new InvalidAddressError(address, 'bad port')
    port = Number(portText)
    if (port > 65_535) throw new InvalidAddressError(address, 'port out of range')
  }
  return { secure, host, port, path }
}

/**
 * Formats an address as `ws://host:port/path` (IPv6 in brackets, the port always written).
 * @example
 * formatWebSocketAddress({ secure: false, host: '127.0.0.1', port: 4002, path: '/' }) // 'ws://127.0.0.1:4002/'
 */
export function formatWebSocketAddress(address: WebSocketAddress): string {
  const host = address.host.includes(':') ? `[${address.host}]` : address.host
  return `${address.secure ? 'wss' : 'ws'}://${host}:${address.port}${address.path}`
}
