/**
 * The flagship demo: what peerkit does today, end to end, in one process.
 * Run it with `pnpm demo`.
 */
import { contentId, decode, encode, isCodecError, toHex } from '@peerkit/codec'

const line = (text = '') => console.log(text)

line('peerkit demo')
line('============')
line()
line('1. Canonical bytes: the same value encodes to the same bytes on every peer,')
line('   whatever order its keys were written in.')
const offerA = { kind: 'offer', amount: 250_000, asset: 'BTC', price: 61_234 }
const offerB = { price: 61_234, asset: 'BTC', amount: 250_000, kind: 'offer' }
const bytesA = encode(offerA)
const bytesB = encode(offerB)
line(`   encode(offer)         ${toHex(bytesA)}`)
line(`   same bytes reordered  ${toHex(bytesA) === toHex(bytesB)}`)
line(`   content id            ${contentId(bytesA).toString()}`)
line()
line('2. Strict decoding: anything but the one canonical encoding is rejected with a typed error.')
const hostile: [string, Uint8Array][] = [
  ['23 written in two bytes', Uint8Array.from([0x18, 0x17])],
  ['keys out of order', Uint8Array.from([0xa2, 0x61, 0x62, 0x01, 0x61, 0x61, 0x01])],
  ['a float', Uint8Array.from([0xf9, 0x3c, 0x00])],
  ['10,000 nested arrays', new Uint8Array(10_000).fill(0x81)],
  ['an array claiming 4 billion items', Uint8Array.from([0x9a, 0xff, 0xff, 0xff, 0xff])],
]
for (const [what, bytes] of hostile) {
  try {
    decode(bytes)
    line(`   ${what.padEnd(36)} accepted (unexpected)`)
    process.exitCode = 1
  } catch (error) {
    if (!isCodecError(error)) throw error
    line(`   ${what.padEnd(36)} ${error.name}`)
  }
}
line()
const decoded = decode(bytesA) as typeof offerA
line(
  `   decoded offer: ${decoded.amount} sats of ${decoded.asset} at ${decoded.price}, re-encodes identically: ${toHex(encode(decoded)) === toHex(bytesA)}`,
)
