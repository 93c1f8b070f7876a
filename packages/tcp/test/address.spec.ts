/** TCP address text: strict parsing, canonical formatting, hostile input refused. */
import { isNetError } from '@peerkit/net'
import fc from 'fast-check'
import { expect, test } from 'vitest'
import { formatTcpAddress, parseTcpAddress } from '../src/address'

test('parses IPv4, IPv6 and DNS hosts with their port', () => {
  expect(parseTcpAddress('tcp://127.0.0.1:4001')).toEqual({ host: '127.0.0.1', port: 4001 })
  expect(parseTcpAddress('tcp://[::1]:0')).toEqual({ host: '::1', port: 0 })
  expect(parseTcpAddress('tcp://localhost:65535')).toEqual({ host: 'localhost', port: 65535 })
})

test.each([
  'tcp://127.0.0.1',
  'tcp://127.0.0.1:',
  'tcp://127.0.0.1:65536',
  'tcp://127.0.0.1:04001',
  'tcp://127.0.0.1:4001/',
  'tcp://999.0.0.1:1',
  'tcp://[::1:1',
  'tcp://[zz::1]:1',
  'tcp://::1:1',
  'tcp://exa mple:1',
  'ws://127.0.0.1:1',
  'tcp://-bad.example:1',
  `tcp://${'a'.repeat(2000)}:1`,
  '',
])('refuses %j with InvalidAddressError', (text) => {
  expect(() => parseTcpAddress(text)).toThrow(
    expect.objectContaining({ name: 'InvalidAddressError' }),
  )
})

test('formatting and parsing round-trip for every IPv4 host and port', () => {
  fc.assert(
    fc.property(fc.ipV4(), fc.integer({ min: 0, max: 65_535 }), (host, port) => {
      expect(parseTcpAddress(formatTcpAddress(host, port))).toEqual({ host, port })
    }),
  )
})

test('arbitrary text either parses to a host and port in range or fails with a typed error', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 64 }), (rest) => {
      try {
        const { port } = parseTcpAddress(`tcp://${rest}`)
        expect(port).toBeGreaterThanOrEqual(0)
        expect(port).toBeLessThanOrEqual(65_535)
      } catch (error) {
        expect(isNetError(error, 'InvalidAddressError')).toBe(true)
      }
    }),
  )
})
