/**
 * The codec's fuzz target: `decode` must accept only canonical encodings (checked by
 * re-encoding every accepted input) and reject everything else with a codec error.
 */
import { decode, encode, equalBytes, isCodecError, type Value } from '../../src/index'
import type { FuzzTarget } from './engine'

function sampleValues(next: () => number): Value[] {
  const bytes = (n: number) => Uint8Array.from({ length: n }, () => next() & 0xff)
  return [
    0,
    -1,
    2 ** 53 - 1,
    -(2n ** 63n),
    2n ** 64n - 1n,
    'peerkit',
    'ünïcödé 水 𐅑',
    bytes(32),
    [1, [2, [3, [4]]], { a: null, b: true }],
    {
      v: 1,
      domain: 'peerkit/gossip/1',
      key: bytes(32),
      sig: bytes(64),
      ts: 1_700_000_000_000,
      nested: { x: [1, 2, 3] },
    },
    new Map<string, Value>([
      ['z', 1],
      ['aa', [false]],
    ]),
    Array.from({ length: 30 }, (_, i) => i * 1000),
  ]
}

export const codecTarget: FuzzTarget = {
  name: 'codec.decode',
  corpus: (next) => sampleValues(next).map((v) => encode(v)),
  run(input) {
    let value: Value
    try {
      value = decode(input)
    } catch (error) {
      if (isCodecError(error)) return error.name
      throw error
    }
    if (!equalBytes(encode(value), input)) throw new Error('accepted a non-canonical encoding')
    return 'accepted'
  },
}
