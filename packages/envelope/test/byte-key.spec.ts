import fc from 'fast-check'
import { expect, test } from 'vitest'
import { byteKey, byteKeyToBytes } from '../src/byte-key'

test('byteKey is one character per byte, and byteKeyToBytes inverts it', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      const key = byteKey(bytes)
      expect(key.length).toBe(bytes.length)
      expect(key).toBe(String.fromCharCode(...bytes))
      expect(byteKeyToBytes(key)).toEqual(bytes)
    }),
  )
})
