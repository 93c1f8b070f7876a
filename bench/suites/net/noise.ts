/**
 * Noise over loopback TCP, three ratios measured in one run:
 * - `net.noise.throughput/native`: MB/s of 16 KiB frames over one `@peerkit/tcp` link (Noise
 *   over a loopback socket), against the same frames on a TCP socket encrypted with bare `node:crypto`
 *   ChaCha20-Poly1305 behind a 2-byte length prefix (no framework: the native limit);
 * - `net.noise.throughput/libp2p`: the same against one libp2p 3 stream (TCP + Noise + yamux);
 * - beside them, each subject's processor time per MB (`net.noise.cpu-us-per-MB.*`), which
 *   moves less than the rates when other work loads the machine;
 * - `net.handshake/libp2p`: connections set up per second (TCP connect, Noise XX with
 *   identity proofs on both sides), against libp2p dialing over TCP + Noise (+ yamux).
 *
 * @example
 * pnpm bench -- --suite net
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { connect, createServer, type Server, type Socket } from 'node:net'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { tcp } from '@libp2p/tcp'
import { generateKeyPair, signerFromKeyPair } from '@peerkit/identity'
import type { Link, Transport } from '@peerkit/net'
import { DEFAULT_WRITE_BUFFER_BYTES, tcp as peerkitTcp } from '@peerkit/tcp'
import { createLibp2p, type Libp2p } from 'libp2p'
import type { BenchContext, Suite } from '../../src/harness'

const FRAME_BYTES = 16 * 1024
const BATCH_FRAMES = 64
const PROTOCOL = '/peerkit-bench/throughput/1'

async function listen(
  onSocket: (socket: Socket) => void,
): Promise<{ server: Server; port: number }> {
  const server = createServer({ highWaterMark: DEFAULT_WRITE_BUFFER_BYTES }, onSocket)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  return { server, port: address.port }
}

function dialSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    // the write buffer @peerkit/tcp gives its sockets (the Node types omit the option)
    const options = { port, host: '127.0.0.1', highWaterMark: DEFAULT_WRITE_BUFFER_BYTES }
    const socket = connect(options, () => resolve(socket))
    socket.once('error', reject)
  })
}

/** Counts received bytes; `expect(n)` resolves once `n` more have arrived. */
function byteCounter() {
  let received = 0
  let target = Number.POSITIVE_INFINITY
  let resolve: (() => void) | undefined
  return {
    add(bytes: number) {
      received += bytes
      if (resolve !== undefined && received >= target) {
        const done = resolve
        resolve = undefined
        done()
      }
    },
    expect(bytes: number): Promise<void> {
      target = received + bytes
      return new Promise((r) => {
        resolve = r
      })
    },
  }
}

/** Sends `count` frames through `send`, waiting on `drained` whenever it pushes back. */
async function sendAll(
  send: (frame: Uint8Array) => boolean,
  drained: () => Promise<void>,
  frame: Uint8Array,
  count: number,
) {
  for (let i = 0; i < count; i++) {
    if (!send(frame)) await drained()
  }
}

interface Setup {
  run(): Promise<void>
  close(): Promise<void>
}

/** A link pair between two `@peerkit/tcp` transports: the path a node's links take. */
async function peerkitThroughput(
  alice: Transport,
  bobAddress: string,
  accepted: Promise<Link>,
): Promise<Setup> {
  const sender = await alice.dial(bobAddress)
  const receiver = await accepted
  const counter = byteCounter()
  receiver.on('frame', (frame) => counter.add(frame.length))
  const frame = randomBytes(FRAME_BYTES)
  const drained = () =>
    new Promise<void>((resolve) => {
      const off = sender.on('drain', () => {
        off()
        resolve()
      })
    })
  return {
    async run() {
      const done = counter.expect(FRAME_BYTES * BATCH_FRAMES)
      await sendAll((f) => sender.send(f), drained, frame, BATCH_FRAMES)
      await done
    },
    async close() {
      sender.close()
      receiver.close()
    },
  }
}

/** A 12-byte ChaCha20-Poly1305 nonce counting up in place (32 zero bits, then 64 LE). */
function counterNonce(): { next(): Buffer } {
  const nonce = Buffer.alloc(12)
  let first = true
  return {
    next() {
      if (first) {
        first = false
        return nonce
      }
      for (let i = 4; i < 12; i++) {
        nonce[i] = ((nonce[i] as number) + 1) & 0xff
        if (nonce[i] !== 0) break
      }
      return nonce
    },
  }
}

/**
 * The native limit: ChaCha20-Poly1305 from node:crypto behind a 2-byte length prefix, with
 * the fewest copies the API allows (a message is copied only when it spans two chunks) and
 * nothing else: no records, no backpressure bookkeeping, no events.
 */
async function nativeThroughput(): Promise<Setup> {
  const key = randomBytes(32)
  const counter = byteCounter()
  const { server, port } = await listen((socket) => {
    socket.setNoDelay(true)
    const receiveNonce = counterNonce()
    const open = (message: Buffer) => {
      const length = message.length
      const decipher = createDecipheriv('chacha20-poly1305', key, receiveNonce.next(), {
        authTagLength: 16,
      })
      decipher.setAuthTag(message.subarray(length - 16))
      const plaintext = decipher.update(message.subarray(0, length - 16))
      decipher.final()
      counter.add(plaintext.length)
    }
    // the start of a message that spans chunks (prefix included)
    let pending: Buffer | undefined
    socket.on('data', (incoming: Buffer) => {
      let chunk = incoming
      if (pending !== undefined) {
        const joined = Buffer.concat([pending, chunk.subarray(0, 2 + 0xffff)])
        if (joined.length < 2 || joined.length < 2 + joined.readUInt16BE(0)) {
          pending = joined
          return
        }
        const whole = 2 + joined.readUInt16BE(0)
        open(joined.subarray(2, whole))
        chunk = chunk.subarray(whole - pending.length)
        pending = undefined
      }
      let offset = 0
      while (chunk.length - offset >= 2) {
        const length = chunk.readUInt16BE(offset)
        if (chunk.length - offset - 2 < length) break
        open(chunk.subarray(offset + 2, offset + 2 + length))
        offset += 2 + length
      }
      if (offset < chunk.length) pending = chunk.subarray(offset)
    })
  })
  const socket = await dialSocket(port)
  socket.setNoDelay(true)
  const sendNonce = counterNonce()
  const frame = randomBytes(FRAME_BYTES)
  const send = (plaintext: Uint8Array): boolean => {
    const cipher = createCipheriv('chacha20-poly1305', key, sendNonce.next(), {
      authTagLength: 16,
    })
    const body = cipher.update(plaintext)
    cipher.final()
    const out = Buffer.allocUnsafe(2 + body.length + 16)
    out.writeUInt16BE(body.length + 16, 0)
    body.copy(out, 2)
    cipher.getAuthTag().copy(out, 2 + body.length)
    return socket.write(out)
  }
  const drained = () => new Promise<void>((resolve) => socket.once('drain', () => resolve()))
  return {
    async run() {
      const done = counter.expect(FRAME_BYTES * BATCH_FRAMES)
      await sendAll(send, drained, frame, BATCH_FRAMES)
      await done
    },
    async close() {
      socket.destroy()
      server.close()
    },
  }
}

function libp2pNode(): Promise<Libp2p> {
  return createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: {
      inboundConnectionThreshold: Number.MAX_SAFE_INTEGER,
      maxIncomingPendingConnections: 10_000,
      maxConnections: 10_000,
    },
  })
}

async function libp2pThroughput(a: Libp2p, b: Libp2p): Promise<Setup> {
  const counter = byteCounter()
  await b.handle(PROTOCOL, (stream) => {
    stream.addEventListener('message', (event) => counter.add(event.data.byteLength))
  })
  const stream = await a.dialProtocol(b.getMultiaddrs()[0] as never, PROTOCOL)
  const frame = randomBytes(FRAME_BYTES)
  return {
    async run() {
      const done = counter.expect(FRAME_BYTES * BATCH_FRAMES)
      await sendAll(
        (f) => stream.send(f),
        () => stream.onDrain(),
        frame,
        BATCH_FRAMES,
      )
      await done
    },
    async close() {
      await stream.close().catch(() => {})
      await b.unhandle(PROTOCOL)
    },
  }
}

/** libp2p 3 uses `Promise.withResolvers` (Node 22+); Node 20 lacks it. */
function shimWithResolvers(): void {
  const statics = Promise as unknown as { withResolvers?: () => unknown }
  statics.withResolvers ??= () => {
    let resolve: unknown
    let reject: unknown
    const promise = new Promise((res, rej) => {
      resolve = res
      reject = rej
    })
    return { promise, resolve, reject }
  }
}

async function run(ctx: BenchContext): Promise<void> {
  shimWithResolvers()
  const alice = peerkitTcp()({ signer: signerFromKeyPair(generateKeyPair()) })
  // as libp2p's connection manager below: the setup loop opens connections faster than closed
  // ones finish closing, so the default caps on inbound links would refuse some of them
  const bob = peerkitTcp({ maxInboundLinks: 100_000, maxPendingHandshakes: 10_000 })({
    signer: signerFromKeyPair(generateKeyPair()),
  })
  let onLink: (link: Link) => void = () => {}
  const accepted = new Promise<Link>((resolve) => {
    onLink = resolve
  })
  const listener = await bob.listen('tcp://127.0.0.1:0', (link) => onLink(link))
  const bobAddress = listener.addresses[0] as string
  const [nodeA, nodeB] = await Promise.all([libp2pNode(), libp2pNode()])
  const options = ctx.quick
    ? { rounds: 3, roundMs: 150, warmupMs: 100 }
    : { rounds: 7, roundMs: 400, warmupMs: 300 }

  const subjects = {
    peerkit: await peerkitThroughput(alice, bobAddress, accepted),
    native: await nativeThroughput(),
    libp2p: await libp2pThroughput(nodeA, nodeB),
  }
  // processor time per MB beside the wall-clock rates: the process's own user + system time
  // moves less with other load on the machine than the rates do
  const cpu = { peerkit: { us: 0, ops: 0 }, native: { us: 0, ops: 0 }, libp2p: { us: 0, ops: 0 } }
  const timed = (name: keyof typeof subjects) => async () => {
    const start = process.cpuUsage()
    await subjects[name].run()
    const used = process.cpuUsage(start)
    cpu[name].us += used.user + used.system
    cpu[name].ops++
  }
  const throughput = await ctx.measure(
    `noise throughput (${BATCH_FRAMES} x 16 KiB frames per op)`,
    { peerkit: timed('peerkit'), native: timed('native'), libp2p: timed('libp2p') },
    options,
  )
  for (const setup of Object.values(subjects)) await setup.close()
  const megabytes = (ops: number) => (ops * BATCH_FRAMES * FRAME_BYTES) / 1e6
  ctx.log(
    `  MB/s: peerkit ${megabytes(throughput.peerkit as number).toFixed(0)}, native ${megabytes(throughput.native as number).toFixed(0)}, libp2p ${megabytes(throughput.libp2p as number).toFixed(0)}`,
  )
  const cpuPerMegabyte = (name: keyof typeof cpu) => cpu[name].us / megabytes(cpu[name].ops)
  ctx.log(
    `  processor us/MB (user + system): peerkit ${cpuPerMegabyte('peerkit').toFixed(0)}, native ${cpuPerMegabyte('native').toFixed(0)}, libp2p ${cpuPerMegabyte('libp2p').toFixed(0)}`,
  )
  for (const name of ['peerkit', 'native', 'libp2p'] as const) {
    ctx.figure(`net.noise.cpu-us-per-MB.${name}`, Math.round(cpuPerMegabyte(name)))
  }
  ctx.ratio(
    'net.noise.throughput/native',
    (throughput.peerkit as number) / (throughput.native as number),
  )
  ctx.ratio(
    'net.noise.throughput/libp2p',
    (throughput.peerkit as number) / (throughput.libp2p as number),
  )

  // handshakes: a fresh TCP connection secured on both sides (one static key per transport,
  // as in a node), then closed
  onLink = (link) => link.close()
  const libp2pAddress = nodeB.getMultiaddrs()[0] as never
  const handshakes = await ctx.measure(
    'connection setup (TCP + Noise XX, both identities proved)',
    {
      peerkit: async () => {
        const link = await alice.dial(bobAddress)
        link.close()
      },
      libp2p: async () => {
        const connection = await nodeA.dial(libp2pAddress)
        await connection.close()
      },
    },
    options,
  )
  ctx.log(
    `  connections/s: peerkit ${(handshakes.peerkit as number).toFixed(0)}, libp2p ${(handshakes.libp2p as number).toFixed(0)}`,
  )
  ctx.ratio('net.handshake/libp2p', (handshakes.peerkit as number) / (handshakes.libp2p as number))
  await Promise.all([alice.close(), bob.close(), nodeA.stop(), nodeB.stop()])
}

const suite: Suite = { name: 'net', run }

export default suite
