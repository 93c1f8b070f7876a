/**
 * Transport addresses in text form, parsed strictly: `memory://name`, `tcp://host:port`,
 * `ws://host:port/path` and `wss://host:port/path`. Anything else, or anything longer than
 * the limits, gets `InvalidAddressError`. `formatAddress` writes the one canonical form
 * (lowercase host names, RFC 5952 IPv6 text, an explicit port), so equal endpoints compare
 * equal as text.
 *
 * @example
 * parseAddress('tcp://127.0.0.1:4001') // { scheme: 'tcp', host: '127.0.0.1', port: 4001, hostKind: 'ipv4' }
 * formatAddress(parseAddress('ws://[::1]:80')) // 'ws://[::1]:80/'
 * parseAddress('tcp://example.com:99999') // throws InvalidAddressError
 */
import { MAX_ADDRESS_LENGTH, MAX_HOST_LENGTH, MAX_MEMORY_NAME_LENGTH } from './constants'
import { InvalidAddressError } from './errors'

/** The schemes peerkit's own transports use. */
export type AddressScheme = 'memory' | 'tcp' | 'ws' | 'wss'

/** How the host of a network address is written. */
export type HostKind = 'ipv4' | 'ipv6' | 'dns'

/** `memory://name`: an endpoint on an in-process memory network. */
export interface MemoryAddress {
  readonly scheme: 'memory'
  /** 1 to 255 characters of `A-Z a-z 0-9 . _ ~ -`. */
  readonly name: string
}

/** `tcp://host:port`. */
export interface TcpAddress {
  readonly scheme: 'tcp'
  /** An IPv4 dotted quad, IPv6 text without brackets, or a lowercase DNS name. */
  readonly host: string
  readonly hostKind: HostKind
  /** 0 to 65535; 0 asks the system for a free port when listening. */
  readonly port: number
}

/** `ws://host:port/path` or `wss://host:port/path` (the port defaults to 80 or 443). */
export interface WebSocketAddress {
  readonly scheme: 'ws' | 'wss'
  readonly host: string
  readonly hostKind: HostKind
  readonly port: number
  /** Starts with `/`; percent-encoded where needed; no query or fragment. */
  readonly path: string
}

/** A parsed address of one of peerkit's schemes. */
export type Address = MemoryAddress | TcpAddress | WebSocketAddress

const MEMORY_NAME = /^[A-Za-z0-9._~-]+$/
const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/
const DECIMAL = /^(?:0|[1-9][0-9]{0,4})$/
const PATH = /^\/(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*$/
const HEX_GROUP = /^[0-9a-f]{1,4}$/

/**
 * Parses an address.
 * @param text - the address, e.g. `tcp://127.0.0.1:4001`
 * @returns the parsed address
 * @throws InvalidAddressError when `text` is not a string, too long, of an unknown scheme, or malformed
 * @example
 * const { host, port } = parseAddress('tcp://[::1]:4001') as TcpAddress
 */
export function parseAddress(text: string): Address {
  if (typeof text !== 'string') throw new InvalidAddressError(String(text), 'not a string')
  if (text.length === 0) throw new InvalidAddressError(text, 'empty address')
  if (text.length > MAX_ADDRESS_LENGTH) throw new InvalidAddressError(text, 'address too long')
  // Printable ASCII only: no spaces, controls or characters that render alike.
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index)
    if (code <= 0x20 || code >= 0x7f) {
      throw new InvalidAddressError(text, 'address has a space, control or non-ASCII character')
    }
  }
  const separator = text.indexOf('://')
  if (separator <= 0) throw new InvalidAddressError(text, 'missing scheme')
  const scheme = text.slice(0, separator)
  const rest = text.slice(separator + 3)
  switch (scheme) {
    case 'memory':
      return parseMemory(text, rest)
    case 'tcp': {
      if (rest.includes('/')) throw new InvalidAddressError(text, 'a tcp address has no path')
      const { host, hostKind, port } = parseAuthority(text, rest, undefined)
      return { scheme, host, hostKind, port }
    }
    case 'ws':
    case 'wss': {
      const slash = rest.indexOf('/')
      const authority = slash === -1 ? rest : rest.slice(0, slash)
      const path = slash === -1 ? '/' : rest.slice(slash)
      if (!PATH.test(path)) throw new InvalidAddressError(text, 'invalid path')
      const { host, hostKind, port } = parseAuthority(text, authority, scheme === 'ws' ? 80 : 443)
      return { scheme, host, hostKind, port, path }
    }
    default:
      throw new InvalidAddressError(text, 'unknown scheme')
  }
}

/**
 * Writes an address in its canonical text form. The address is checked as `parseAddress`
 * checks text, so a hand-built object cannot produce text that would not parse back.
 * @param address - a parsed address
 * @returns the canonical text (`parseAddress(formatAddress(a))` equals `a` in canonical form)
 * @throws InvalidAddressError when a field is out of range
 * @example
 * formatAddress({ scheme: 'tcp', host: '::1', hostKind: 'ipv6', port: 9 }) // 'tcp://[::1]:9'
 */
export function formatAddress(address: Address): string {
  let text: string
  if (address === null || typeof address !== 'object') {
    throw new InvalidAddressError(String(address), 'not an address')
  }
  switch (address.scheme) {
    case 'memory':
      text = `memory://${String(address.name)}`
      break
    case 'tcp':
      text = `tcp://${hostText(address.host, address.hostKind)}:${String(address.port)}`
      break
    case 'ws':
    case 'wss':
      text = `${address.scheme}://${hostText(address.host, address.hostKind)}:${String(address.port)}${String(address.path)}`
      break
    default:
      throw new InvalidAddressError(
        String((address as { scheme?: unknown }).scheme),
        'unknown scheme',
      )
  }
  const parsed = parseAddress(text)
  return canonical(parsed)
}

/**
 * The canonical text of an address (the same address always gives the same text).
 * @param text - an address
 * @returns its canonical form, e.g. `tcp://[::1]:80` for `tcp://[0:0:0:0:0:0:0:1]:80`
 * @throws InvalidAddressError when `text` does not parse
 */
export function normalizeAddress(text: string): string {
  return canonical(parseAddress(text))
}

function canonical(address: Address): string {
  switch (address.scheme) {
    case 'memory':
      return `memory://${address.name}`
    case 'tcp':
      return `tcp://${hostText(address.host, address.hostKind)}:${address.port}`
    default:
      return `${address.scheme}://${hostText(address.host, address.hostKind)}:${address.port}${address.path}`
  }
}

function hostText(host: string, kind: HostKind): string {
  return kind === 'ipv6' ? `[${host}]` : String(host)
}

function parseMemory(text: string, name: string): MemoryAddress {
  if (name.length === 0) throw new InvalidAddressError(text, 'empty memory name')
  if (name.length > MAX_MEMORY_NAME_LENGTH)
    throw new InvalidAddressError(text, 'memory name too long')
  if (!MEMORY_NAME.test(name)) throw new InvalidAddressError(text, 'invalid memory name')
  return { scheme: 'memory', name }
}

function parseAuthority(
  text: string,
  authority: string,
  defaultPort: number | undefined,
): { host: string; hostKind: HostKind; port: number } {
  if (authority.includes('@'))
    throw new InvalidAddressError(text, 'user information is not allowed')
  let hostPart: string
  let portPart: string | undefined
  if (authority.startsWith('[')) {
    const close = authority.indexOf(']')
    if (close === -1) throw new InvalidAddressError(text, 'unclosed IPv6 bracket')
    hostPart = authority.slice(0, close + 1)
    const after = authority.slice(close + 1)
    if (after.length > 0) {
      if (!after.startsWith(':')) throw new InvalidAddressError(text, 'junk after IPv6 host')
      portPart = after.slice(1)
    }
  } else {
    const colon = authority.lastIndexOf(':')
    if (colon === -1) {
      hostPart = authority
    } else {
      hostPart = authority.slice(0, colon)
      portPart = authority.slice(colon + 1)
    }
  }
  let port: number
  if (portPart === undefined) {
    if (defaultPort === undefined) throw new InvalidAddressError(text, 'missing port')
    port = defaultPort
  } else {
    if (!DECIMAL.test(portPart)) throw new InvalidAddressError(text, 'invalid port')
    port = Number(portPart)
    if (port > 65535) throw new InvalidAddressError(text, 'port out of range')
  }
  const { host, hostKind } = parseHost(text, hostPart)
  return { host, hostKind, port }
}

function parseHost(text: string, hostPart: string): { host: string; hostKind: HostKind } {
  if (hostPart.length === 0) throw new InvalidAddressError(text, 'missing host')
  if (hostPart.startsWith('[')) {
    if (!hostPart.endsWith(']')) throw new InvalidAddressError(text, 'unclosed IPv6 bracket')
    const groups = parseIpv6(hostPart.slice(1, -1).toLowerCase())
    if (groups === undefined) throw new InvalidAddressError(text, 'invalid IPv6 address')
    return { host: formatIpv6(groups), hostKind: 'ipv6' }
  }
  if (hostPart.length > MAX_HOST_LENGTH) throw new InvalidAddressError(text, 'host too long')
  const lower = hostPart.toLowerCase()
  const labels = lower.split('.')
  const last = labels[labels.length - 1] as string
  // As in URLs, a host whose last label is numeric is an IPv4 address or nothing.
  if (/^[0-9]+$/.test(last) || /^0x/.test(last)) {
    if (parseIpv4(lower) === undefined) throw new InvalidAddressError(text, 'invalid IPv4 address')
    return { host: lower, hostKind: 'ipv4' }
  }
  for (const label of labels) {
    if (!DNS_LABEL.test(label)) throw new InvalidAddressError(text, 'invalid host name')
  }
  return { host: lower, hostKind: 'dns' }
}

/** Four decimal octets without leading zeros, or `undefined`. */
function parseIpv4(text: string): number[] | undefined {
  const parts = text.split('.')
  if (parts.length !== 4) return undefined
  const octets: number[] = []
  for (const part of parts) {
    if (!/^(?:0|[1-9][0-9]{0,2})$/.test(part)) return undefined
    const value = Number(part)
    if (value > 255) return undefined
    octets.push(value)
  }
  return octets
}

/** Eight 16-bit groups, or `undefined` (no zone ids). */
function parseIpv6(text: string): number[] | undefined {
  if (text.length === 0 || text.length > 45) return undefined
  const halves = text.split('::')
  if (halves.length > 2) return undefined
  const readGroups = (part: string): number[] | undefined => {
    if (part.length === 0) return []
    const pieces = part.split(':')
    const groups: number[] = []
    for (let index = 0; index < pieces.length; index++) {
      const piece = pieces[index] as string
      if (index === pieces.length - 1 && piece.includes('.')) {
        const octets = parseIpv4(piece)
        if (octets === undefined) return undefined
        const [a, b, c, d] = octets as [number, number, number, number]
        groups.push((a << 8) | b, (c << 8) | d)
      } else {
        if (!HEX_GROUP.test(piece)) return undefined
        groups.push(Number.parseInt(piece, 16))
      }
    }
    return groups
  }
  const head = readGroups(halves[0] as string)
  if (head === undefined) return undefined
  if (halves.length === 1) return head.length === 8 ? head : undefined
  const tail = readGroups(halves[1] as string)
  if (tail === undefined) return undefined
  // An IPv4 tail is only allowed at the very end.
  if ((halves[0] as string).includes('.')) return undefined
  const missing = 8 - head.length - tail.length
  if (missing < 1) return undefined
  return [...head, ...new Array<number>(missing).fill(0), ...tail]
}

/** RFC 5952 text: lowercase, no leading zeros, the longest run of two or more zero groups as `::`. */
function formatIpv6(groups: number[]): string {
  let bestStart = -1
  let bestLength = 0
  for (let index = 0; index < 8; ) {
    if (groups[index] !== 0) {
      index++
      continue
    }
    let end = index
    while (end < 8 && groups[end] === 0) end++
    if (end - index > bestLength) {
      bestStart = index
      bestLength = end - index
    }
    index = end
  }
  const hex = groups.map((group) => group.toString(16))
  if (bestLength < 2) return hex.join(':')
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`
}
