/**
 * The text form of TCP addresses: `tcp://host:port`, where host is an IPv4 address, a
 * bracketed IPv6 address or a DNS name. Parsing is strict and bounded: anything else is an
 * `InvalidAddressError`, and nothing longer than `MAX_ADDRESS_LENGTH` is looked at.
 *
 * @example
 * parseTcpAddress('tcp://127.0.0.1:4001') // { host: '127.0.0.1', port: 4001 }
 * parseTcpAddress('tcp://[::1]:0')        // { host: '::1', port: 0 }
 * formatTcpAddress('::1', 4001)           // 'tcp://[::1]:4001'
 */
import { isIP } from 'node:net'
import { InvalidAddressError } from '@peerkit/net'
import { MAX_ADDRESS_LENGTH } from './constants'

/** The scheme of TCP addresses, with its separator. */
export const TCP_SCHEME = 'tcp://'

/** A parsed TCP address. */
export interface TcpAddress {
  /** IPv4 or IPv6 (without brackets) address, or a DNS name. */
  readonly host: string
  /** 0 to 65535; 0 asks the system for a free port when listening. */
  readonly port: number
}

const DNS_NAME =
  /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/
const ALL_NUMERIC = /^[0-9.]+$/
const PORT = /^(0|[1-9][0-9]{0,4})$/

/**
 * Parses `tcp://host:port`.
 * @param address - the address text
 * @returns its host and port
 * @throws InvalidAddressError when it is not a well-formed TCP address
 * @example
 * parseTcpAddress('tcp://localhost:4001') // { host: 'localhost', port: 4001 }
 */
export function parseTcpAddress(address: string): TcpAddress {
  if (typeof address !== 'string') throw new InvalidAddressError(String(address), 'not a string')
  if (address.length > MAX_ADDRESS_LENGTH) throw new InvalidAddressError(address, 'too long')
  if (!address.startsWith(TCP_SCHEME)) throw new InvalidAddressError(address, 'not tcp://')
  const rest = address.slice(TCP_SCHEME.length)
  let host: string
  let portText: string
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']')
    if (close < 0 || rest[close + 1] !== ':')
      throw new InvalidAddressError(address, 'bad IPv6 host')
    host = rest.slice(1, close)
    portText = rest.slice(close + 2)
    if (isIP(host) !== 6) throw new InvalidAddressError(address, 'bad IPv6 host')
  } else {
    const colon = rest.lastIndexOf(':')
    if (colon < 0) throw new InvalidAddressError(address, 'no port')
    host = rest.slice(0, colon)
    portText = rest.slice(colon + 1)
    const valid = isIP(host) === 4 || (DNS_NAME.test(host) && !ALL_NUMERIC.test(host))
    if (!valid) throw new InvalidAddressError(address, 'bad host')
  }
  if (!PORT.test(portText)) throw new InvalidAddressError(address, 'bad port')
  const port = Number(portText)
  if (port > 65_535) throw new InvalidAddressError(address, 'port out of range')
  return { host, port }
}

/**
 * Formats a host and port as `tcp://host:port` (IPv6 in brackets).
 * @example
 * formatTcpAddress('127.0.0.1', 4001) // 'tcp://127.0.0.1:4001'
 */
export function formatTcpAddress(host: string, port: number): string {
  return isIP(host) === 6 ? `${TCP_SCHEME}[${host}]:${port}` : `${TCP_SCHEME}${host}:${port}`
}
