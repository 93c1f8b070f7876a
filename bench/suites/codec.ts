/**
 * Codec suite: encode and strict decode of a ~300-byte value shaped like a signed message,
 * for @peerkit/codec, raw cborg (with its strict decode options) and cbor-x.
 */
import { decode, encode } from '@peerkit/codec'
import { Decoder as CborXDecoder, Encoder as CborXEncoder } from 'cbor-x'
import * as cborg from 'cborg'
import type { Suite } from '../src/harness'

const bytes = (n: number, seed: number) =>
  Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff)

/** A value shaped like a signed message: a few ints, a text, a key, a signature, a nested map. */
export const messageLike = {
  v: 1,
  domain: 'peerkit/gossip/1',
  seq: 48_213,
  ts: 1_763_600_000_000,
  expires: 1_763_600_060_000,
  key: bytes(32, 1),
  sig: bytes(64, 2),
  body: {
    topic: 'market/offers',
    kind: 'offer',
    amount: 250_000,
    price: 61_234,
    note: 'Selling 0.0025 BTC for EUR via SEPA, reply within the hour',
    tags: ['btc', 'eur', 'sepa'],
  },
}

const cborgStrict = {
  strict: true,
  rejectDuplicateMapKeys: true,
  allowIndefinite: false,
  allowUndefined: false,
  allowNaN: false,
  allowInfinity: false,
  allowBigInt: true,
} as const

const suite: Suite = {
  name: 'codec',
  async run(ctx) {
    const encoded = encode(messageLike)
    ctx.log(`  value: ${encoded.length} bytes`)
    const cborX = new CborXEncoder({ useRecords: false, mapsAsObjects: true })
    const cborXDecoder = new CborXDecoder({ useRecords: false, mapsAsObjects: true })
    // all three must agree on the bytes, or the comparison would be meaningless
    const viaCborg = cborg.encode(messageLike)
    if (Buffer.compare(Buffer.from(viaCborg), Buffer.from(encoded)) !== 0)
      throw new Error('cborg disagrees')

    const enc = await ctx.measure('encode', {
      peerkit: () => encode(messageLike),
      cborg: () => cborg.encode(messageLike),
      'cbor-x': () => cborX.encode(messageLike),
    })
    const dec = await ctx.measure('decode (strict)', {
      peerkit: () => decode(encoded),
      cborg: () => cborg.decode(encoded, cborgStrict),
      'cbor-x (not strict)': () => cborXDecoder.decode(encoded),
    })
    ctx.ratio('codec.encode/cborg', enc.peerkit! / enc.cborg!)
    ctx.ratio('codec.decode/cborg', dec.peerkit! / dec.cborg!)
    ctx.ratio('codec.encode/cbor-x', enc.peerkit! / enc['cbor-x']!)
    ctx.ratio('codec.decode/cbor-x', dec.peerkit! / dec['cbor-x (not strict)']!)
  },
}

export default suite
