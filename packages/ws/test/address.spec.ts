/** WebSocket address text: strict parsing, defaults, canonical formatting, hostile input refused. */
import { isNetError } from '@peerkit/net'
import fc from 'fast-check'
import { expect, test } from 'vitest'
import { formatWebSocketAddress, parseWebSocketAddress } from '../src/address'

test('parses hosts, ports, paths and their defaults', () => {
  expect(parseWebSocketAddress('ws://127.0.0.1:4002/peerkit')).toEqual({
    secure: false,
    host: '127.0.0.1',
    port: 4002,
    path: '/peerkit',
  })
  expect(parseWebSocketAddress('ws://localhost')).toEqual({
    secure: false,
    host: 'localhost',
    port: 80,
    path: '/',
  })
  expect(parseWebSocketAddress('wss://[::1]/a/b')).toEqual({
    secure: true,
    host: '::1',
    port: 443,
    path: '/a/b',
  })
})

test.each([
  'ws://',
  'ws://127.0.0.1:/',
  'ws://127.0.0.1:65536/',
  'ws://127.0.0.1:01/',
  'ws://999.1.1.1:1/',
  'ws://host:1/a?b',
  'ws://host:1/a#b',
  'ws://host:1/a b',
  'ws://[::1:1/',
  'ws://[::1]x/',
  'ws://user@host:1/',
  'tcp://127.0.0.1:1',
  `ws://host:1/${'a'.repeat(2000)}`,
])('refuses %j with InvalidAddressError', (text) => {
  expect(() => parseWebSocketAddress(text)).toThrow(
    expect.objectContaining({ name: 'InvalidAddressError' }),
  )
})

test('formatting and parsing round-trip', () => {
  fc.assert(
    fc.property(
      fc.boolean(),
      fc.ipV4(),
      fc.integer({ min: 0, max: 65_535 }),
      fc.stringMatching(/^\/[a-z0-9/]{0,20}$/),
      (secure, host, port, path) => {
        const address = { secure, host, port, path }
        expect(parseWebSocketAddress(formatWebSocketAddress(address))).toEqual(address)
      },
    ),
  )
})

test('arbitrary text either parses or fails with a typed error', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 64 }), (rest) => {
      try {
        const { port, path } = parseWebSocketAddress(`ws://${rest}`)
        expect(port).toBeLessThanOrEqual(65_535)
        expect(path.startsWith('/')).toBe(true)
      } catch (error) {
        expect(isNetError(error, 'InvalidAddressError')).toBe(true)
      }
    }),
  )
})
