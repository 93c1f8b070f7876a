/**
 * The WebSocket transport on real loopback sockets: the Node transport both ways, the
 * browser build (on `ws`'s WHATWG-compatible client) dialing it, the typed errors of each
 * failure, limits and closing; and that the browser build pulls in neither `ws` nor Node.
 */
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { generateKeyPair, signerFromKeyPair } from '@peerkit/identity'
import { isNetError, type Link, type Transport } from '@peerkit/net'
import { build } from 'esbuild'
import { afterEach, expect, test } from 'vitest'
import WebSocket from 'ws'
import { ws as browserWs } from '../src/browser'
import { ws } from '../src/index'

const transports: Transport[] = []
afterEach(async () => {
  await Promise.all(transports.splice(0).map((transport) => transport.close()))
})

function makeTransport(init?: Parameters<typeof ws>[0]) {
  const signer = signerFromKeyPair(generateKeyPair())
  const transport = ws(init)({ signer })
  transports.push(transport)
  return { signer, transport }
}

function frames(link: Link): Uint8Array[] {
  const received: Uint8Array[] = []
  link.on('frame', (frame) => received.push(frame))
  return received
}

async function until(condition: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

test('a dial to a listener on port 0 makes an authenticated link both ways', async () => {
  const alice = makeTransport()
  const bob = makeTransport()
  const inbound: Link[] = []
  const listener = await bob.transport.listen('ws://127.0.0.1:0/peerkit', (link) =>
    inbound.push(link),
  )
  const address = listener.addresses[0] as string
  expect(address).toMatch(/^ws:\/\/127\.0\.0\.1:[1-9]\d*\/peerkit$/)
  const link = await alice.transport.dial(address, { expectedPeer: bob.signer.peerId })
  expect(link.remotePeer.equals(bob.signer.peerId)).toBe(true)
  await until(() => inbound.length === 1)
  const other = inbound[0] as Link
  expect(other.remotePeer.equals(alice.signer.peerId)).toBe(true)
  const atBob = frames(other)
  const atAlice = frames(link)
  const big = new Uint8Array(1024 * 1024).map((_, index) => index % 253)
  link.send(new Uint8Array([1]))
  link.send(big)
  other.send(new Uint8Array([9, 9]))
  await until(() => atBob.length === 2 && atAlice.length === 1)
  expect(atBob[0]).toEqual(new Uint8Array([1]))
  expect(Buffer.compare(atBob[1] as Uint8Array, big)).toBe(0)
  expect(atAlice[0]).toEqual(new Uint8Array([9, 9]))
})

test('the browser build dials a Node listener and exchanges frames', async () => {
  const bob = makeTransport()
  const inbound: Link[] = []
  const listener = await bob.transport.listen('ws://127.0.0.1:0/', (link) => inbound.push(link))
  const signer = signerFromKeyPair(generateKeyPair())
  const browser = browserWs({ WebSocket: WebSocket as never })({ signer })
  transports.push(browser)
  const link = await browser.dial(listener.addresses[0] as string, {
    expectedPeer: bob.signer.peerId,
  })
  await until(() => inbound.length === 1)
  const atBob = frames(inbound[0] as Link)
  const atBrowser = frames(link)
  const big = new Uint8Array(600_000).fill(5)
  link.send(big)
  ;(inbound[0] as Link).send(new Uint8Array([4]))
  await until(() => atBob.length === 1 && atBrowser.length === 1)
  expect(Buffer.compare(atBob[0] as Uint8Array, big)).toBe(0)
  const error = await browser
    .listen('ws://127.0.0.1:0/', () => {})
    .catch((caught: unknown) => caught)
  expect(isNetError(error, 'ListenError')).toBe(true)
})

test('the browser build bundles without ws or any Node module of its own', async () => {
  const entry = fileURLToPath(new URL('../src/browser.ts', import.meta.url))
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    metafile: true,
    logLevel: 'silent',
    // Node built-ins reached only behind runtime checks (in identity and noise) stay out.
    external: ['node:*'],
    alias: Object.fromEntries(
      ['net', 'noise', 'identity', 'codec'].map((name) => [
        `@peerkit/${name}`,
        fileURLToPath(new URL(`../../${name}/src/index.ts`, import.meta.url)),
      ]),
    ),
  })
  const inputs = Object.keys(result.metafile.inputs)
  expect(inputs.some((input) => input.includes('node_modules/ws/'))).toBe(false)
  expect(inputs.some((input) => /ws\/src\/node/.test(input))).toBe(false)
  const wsImports = Object.entries(result.metafile.inputs)
    .filter(([input]) => input.includes('packages/ws/src/'))
    .flatMap(([, info]) => info.imports.map((item) => item.path))
  expect(wsImports.filter((path) => path.startsWith('node:'))).toEqual([])
})

test('a dial to a closed port fails with DialError whose cause is ECONNREFUSED', async () => {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as { port: number }
  await new Promise((resolve) => probe.close(resolve))
  const error = await makeTransport()
    .transport.dial(`ws://127.0.0.1:${port}/`)
    .catch((caught: unknown) => caught)
  expect(isNetError(error, 'DialError')).toBe(true)
  expect(((error as Error).cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED')
})

test('a dial to another path fails with DialError; a wrong peer with PeerMismatchError', async () => {
  const bob = makeTransport()
  const listener = await bob.transport.listen('ws://127.0.0.1:0/right', () => {})
  const address = listener.addresses[0] as string
  const wrongPath = await makeTransport()
    .transport.dial(address.replace('/right', '/wrong'))
    .catch((caught: unknown) => caught)
  expect(isNetError(wrongPath, 'DialError')).toBe(true)
  const carol = signerFromKeyPair(generateKeyPair())
  const wrongPeer = await makeTransport()
    .transport.dial(address, { expectedPeer: carol.peerId })
    .catch((caught: unknown) => caught)
  expect(isNetError(wrongPeer, 'PeerMismatchError')).toBe(true)
})

test('listening on a port in use fails with ListenError; bad addresses with InvalidAddressError', async () => {
  const listener = await makeTransport().transport.listen('ws://127.0.0.1:0/', () => {})
  const { transport } = makeTransport()
  const inUse = await transport
    .listen(listener.addresses[0] as string, () => {})
    .catch((caught: unknown) => caught)
  expect(isNetError(inUse, 'ListenError')).toBe(true)
  expect(transport.canDial('ws://127.0.0.1:4002/')).toBe(true)
  expect(transport.canDial('tcp://127.0.0.1:4002')).toBe(false)
  const bad = await transport.dial('ws://127.0.0.1:1/a b').catch((caught: unknown) => caught)
  expect(isNetError(bad, 'InvalidAddressError')).toBe(true)
})

test('an aborted dial fails with DialAbortedError', async () => {
  const listener = await makeTransport().transport.listen('ws://127.0.0.1:0/', () => {})
  const controller = new AbortController()
  const dialing = makeTransport().transport.dial(listener.addresses[0] as string, {
    signal: controller.signal,
  })
  controller.abort()
  const error = await dialing.catch((caught: unknown) => caught)
  expect(isNetError(error, 'DialAbortedError')).toBe(true)
})

test('upgrades past maxInboundLinks are dropped; the links already open keep working', async () => {
  const bob = makeTransport({ maxInboundLinks: 2 })
  const inbound: Link[] = []
  const listener = await bob.transport.listen('ws://127.0.0.1:0/', (link) => inbound.push(link))
  const address = listener.addresses[0] as string
  const first = await makeTransport().transport.dial(address)
  await makeTransport().transport.dial(address)
  await until(() => inbound.length === 2)
  const third = await makeTransport()
    .transport.dial(address)
    .catch((caught: unknown) => caught)
  expect(isNetError(third, 'DialError')).toBe(true)
  const received = frames(inbound[0] as Link)
  first.send(new Uint8Array([7]))
  await until(() => received.length === 1)
})

test('closing the transport closes its links on both sides', async () => {
  const alice = makeTransport()
  const inbound: Link[] = []
  const listener = await makeTransport().transport.listen('ws://127.0.0.1:0/', (link) =>
    inbound.push(link),
  )
  const link = await alice.transport.dial(listener.addresses[0] as string)
  await until(() => inbound.length === 1)
  const closedRemotely = new Promise((resolve) => (inbound[0] as Link).on('close', resolve))
  await alice.transport.close()
  expect(link.status).toBe('closed')
  await closedRemotely
})
