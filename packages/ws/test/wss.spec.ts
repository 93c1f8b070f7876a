/**
 * `wss://` dials over real TLS: a `ws` server on `https.createServer` with a self-signed
 * certificate for 127.0.0.1 (test/fixtures/tls-*.pem, valid 2000 to 2125), securing each
 * connection with Noise as a listener does. The dialer trusts the certificate through
 * `tls.ca`; without it the dial fails with a typed `DialError`; with
 * `rejectUnauthorized: false` TLS proves nothing, and Noise still refuses the wrong peer.
 */
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import { generateKeyPair, type Signer, signerFromKeyPair } from '@peerkit/identity'
import { isNetError, type Link, type Transport } from '@peerkit/net'
import { secureStream } from '@peerkit/noise'
import { afterEach, expect, test } from 'vitest'
import { WebSocketServer } from 'ws'
import {
  DEFAULT_MAX_HELD_BYTES,
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_WRITE_BUFFER_BYTES,
} from '../src/constants'
import { byteStreamFromWebSocket, ws } from '../src/index'

const cert = readFileSync(new URL('./fixtures/tls-cert.pem', import.meta.url), 'utf8')
const key = readFileSync(new URL('./fixtures/tls-key.pem', import.meta.url), 'utf8')
const text = (value: string) => new TextEncoder().encode(value)
const read = (bytes: Uint8Array) => new TextDecoder().decode(bytes)

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()))
})

/** An HTTPS server whose WebSocket connections on `/peerkit` become Noise links of `signer`. */
async function wssListener(signer: Signer): Promise<{ url: string; links: Link[] }> {
  const server: Server = createServer({ key, cert })
  const sockets = new WebSocketServer({
    server,
    path: '/peerkit',
    maxPayload: DEFAULT_MAX_MESSAGE_BYTES,
    perMessageDeflate: false,
  })
  const links: Link[] = []
  sockets.on('connection', (socket) => {
    const stream = byteStreamFromWebSocket(socket, {
      maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES,
      writeBufferBytes: DEFAULT_WRITE_BUFFER_BYTES,
      maxHeldBytes: DEFAULT_MAX_HELD_BYTES,
    })
    secureStream(stream, { signer, initiator: false }).then(
      (link) => {
        links.push(link)
        link.on('frame', (frame) => link.send(text(`echo: ${read(frame)}`)))
      },
      () => {},
    )
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  cleanups.push(async () => {
    for (const link of links) link.close()
    for (const client of sockets.clients) client.terminate()
    await new Promise<void>((resolve) => sockets.close(() => resolve()))
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })
  return { url: `wss://127.0.0.1:${(server.address() as AddressInfo).port}/peerkit`, links }
}

function dialer(init?: Parameters<typeof ws>[0]): Transport {
  const transport = ws(init)({ signer: signerFromKeyPair(generateKeyPair()) })
  cleanups.push(() => transport.close())
  return transport
}

test('a wss:// dial that trusts the certificate makes a Noise link over TLS', async () => {
  const bob = signerFromKeyPair(generateKeyPair())
  const listener = await wssListener(bob)
  const link = await dialer({ tls: { ca: cert } }).dial(listener.url, {
    expectedPeer: bob.peerId,
  })
  expect(link.remotePeer.equals(bob.peerId)).toBe(true)
  const reply = new Promise<string>((resolve) => link.on('frame', (frame) => resolve(read(frame))))
  link.send(text('over TLS and Noise'))
  expect(await reply).toBe('echo: over TLS and Noise')
  expect(listener.links).toHaveLength(1)
})

test('without the certificate the dial fails with DialError, before any Noise', async () => {
  const listener = await wssListener(signerFromKeyPair(generateKeyPair()))
  const error = await dialer()
    .dial(listener.url)
    .catch((caught: unknown) => caught)
  expect(isNetError(error, 'DialError')).toBe(true)
  expect(String((error as Error).message)).toMatch(/SELF_SIGNED|self.signed/i)
  expect(listener.links).toHaveLength(0)
})

test('rejectUnauthorized: false skips the TLS check, and Noise still refuses the wrong peer', async () => {
  const bob = signerFromKeyPair(generateKeyPair())
  const listener = await wssListener(bob)
  const transport = dialer({ tls: { rejectUnauthorized: false } })
  const link = await transport.dial(listener.url, { expectedPeer: bob.peerId })
  expect(link.remotePeer.equals(bob.peerId)).toBe(true)
  const stranger = signerFromKeyPair(generateKeyPair()).peerId
  const error = await transport
    .dial(listener.url, { expectedPeer: stranger })
    .catch((caught: unknown) => caught)
  expect(isNetError(error, 'PeerMismatchError')).toBe(true)
})

test('malformed TLS options are refused with InvalidArgumentError', () => {
  for (const tls of [
    'yes',
    { ca: 42 },
    { ca: ['pem', 1] },
    { rejectUnauthorized: 'no' },
    { servername: 7 },
  ]) {
    let caught: unknown
    try {
      ws({ tls: tls as never })
    } catch (error) {
      caught = error
    }
    expect(isNetError(caught, 'InvalidArgumentError')).toBe(true)
  }
})
