import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { formatAddress, normalizeAddress, parseAddress } from '../src/address'
import { MAX_ADDRESS_LENGTH } from '../src/constants'

describe('parseAddress', () => {
  it('parses each scheme', () => {
    expect(parseAddress('memory://alice-1')).toEqual({ scheme: 'memory', name: 'alice-1' })
    expect(parseAddress('tcp://127.0.0.1:4001')).toEqual({
      scheme: 'tcp',
      host: '127.0.0.1',
      hostKind: 'ipv4',
      port: 4001,
    })
    expect(parseAddress('tcp://[::1]:0')).toEqual({
      scheme: 'tcp',
      host: '::1',
      hostKind: 'ipv6',
      port: 0,
    })
    expect(parseAddress('tcp://Example.COM:65535')).toEqual({
      scheme: 'tcp',
      host: 'example.com',
      hostKind: 'dns',
      port: 65535,
    })
    expect(parseAddress('ws://localhost:8080/peerkit')).toEqual({
      scheme: 'ws',
      host: 'localhost',
      hostKind: 'dns',
      port: 8080,
      path: '/peerkit',
    })
    expect(parseAddress('wss://relay.example.org')).toEqual({
      scheme: 'wss',
      host: 'relay.example.org',
      hostKind: 'dns',
      port: 443,
      path: '/',
    })
  })

  it('writes canonical forms', () => {
    expect(normalizeAddress('tcp://[0:0:0:0:0:0:0:1]:80')).toBe('tcp://[::1]:80')
    expect(normalizeAddress('tcp://[2001:DB8:0:0:1:0:0:1]:80')).toBe('tcp://[2001:db8::1:0:0:1]:80')
    expect(normalizeAddress('tcp://[::ffff:1.2.3.4]:80')).toBe('tcp://[::ffff:102:304]:80')
    expect(normalizeAddress('ws://[::1]')).toBe('ws://[::1]:80/')
    expect(normalizeAddress('ws://HOST:1/a/b%2F')).toBe('ws://host:1/a/b%2F')
    expect(formatAddress({ scheme: 'tcp', host: '::1', hostKind: 'ipv6', port: 9 })).toBe(
      'tcp://[::1]:9',
    )
  })

  const bad = [
    '',
    'memory://',
    'memory://a b',
    'memory://a/b',
    `memory://${'a'.repeat(256)}`,
    'tcp://127.0.0.1',
    'tcp://127.0.0.1:',
    'tcp://127.0.0.1:65536',
    'tcp://127.0.0.1:080',
    'tcp://127.0.0.1:-1',
    'tcp://127.0.0.1:1/path',
    'tcp://256.0.0.1:1',
    'tcp://1.2.3:1',
    'tcp://01.2.3.4:1',
    'tcp://user@host:1',
    'tcp://[::1:1',
    'tcp://[::1]x:1',
    'tcp://[1::2::3]:1',
    'tcp://[::1%25eth0]:1',
    'tcp://[12345::]:1',
    'tcp://[1:2:3:4:5:6:7:8:9]:1',
    'tcp://-bad.example:1',
    'tcp://bad_.example:1',
    'tcp://a..b:1',
    `tcp://${'a'.repeat(64)}.com:1`,
    'tcp://:1',
    'ws://host:1/path?query',
    'ws://host:1/path#fragment',
    'ws://host:1/%zz',
    'http://host:1',
    'TCP://host:1',
    'tcp:/host:1',
    'tcp://hóst:1',
    'tcp://host:1\n',
    `memory://${'a'.repeat(MAX_ADDRESS_LENGTH)}`,
  ]
  for (const text of bad) {
    it(`refuses ${JSON.stringify(text.slice(0, 40))} with InvalidAddressError`, () => {
      expect(() => parseAddress(text)).toThrow(
        expect.objectContaining({ name: 'InvalidAddressError' }),
      )
    })
  }

  it('refuses non-strings and hand-built addresses out of range', () => {
    expect(() => parseAddress(7 as never)).toThrow(
      expect.objectContaining({ name: 'InvalidAddressError' }),
    )
    expect(() =>
      formatAddress({ scheme: 'tcp', host: '1.2.3.4', hostKind: 'ipv4', port: 70000 }),
    ).toThrow(expect.objectContaining({ name: 'InvalidAddressError' }))
    expect(() => formatAddress({ scheme: 'tcp', host: '::1', hostKind: 'dns', port: 1 })).toThrow(
      expect.objectContaining({ name: 'InvalidAddressError' }),
    )
    expect(() => formatAddress({ scheme: 'udp' } as never)).toThrow(
      expect.objectContaining({ name: 'InvalidAddressError' }),
    )
  })

  it('gives a typed error or an address whose canonical form is stable, for any text', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 80 }),
          fc
            .tuple(
              fc.constantFrom('tcp://', 'ws://', 'wss://', 'memory://'),
              fc.string({ maxLength: 60 }),
            )
            .map(([scheme, rest]) => scheme + rest),
        ),
        (text) => {
          let canonical: string
          try {
            canonical = normalizeAddress(text)
          } catch (error) {
            expect((error as Error).name).toBe('InvalidAddressError')
            return
          }
          expect(normalizeAddress(canonical)).toBe(canonical)
          expect(formatAddress(parseAddress(canonical))).toBe(canonical)
        },
      ),
      { numRuns: 2000 },
    )
  })

  it('round-trips generated IPv4 and IPv6 hosts and ports', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.ipV4(), fc.ipV6()),
        fc.integer({ min: 0, max: 65535 }),
        (ip, port) => {
          const host = ip.includes(':') ? `[${ip}]` : ip
          const parsed = parseAddress(`tcp://${host}:${port}`)
          expect(parsed).toMatchObject({ port, hostKind: ip.includes(':') ? 'ipv6' : 'ipv4' })
          const canonical = formatAddress(parsed)
          expect(normalizeAddress(canonical)).toBe(canonical)
        },
      ),
      { numRuns: 1000 },
    )
  })
})
