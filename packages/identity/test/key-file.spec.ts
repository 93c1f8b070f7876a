import { decode, encode } from '@peerkit/codec'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  decryptKeyFile,
  encryptKeyFile,
  isIdentityError,
  keyPairFromSeed,
  readKeyFileInfo,
} from '../src/index'

const keyPair = keyPairFromSeed(new Uint8Array(32).fill(21))
const password = 'correct horse battery staple'
const cheap = { logN: 10, r: 8, p: 1 }
const file = await encryptKeyFile(keyPair, password, cheap)

async function errorName(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise
  } catch (error) {
    expect(isIdentityError(error)).toBe(true)
    return (error as Error).name
  }
  return undefined
}

function edited(change: (map: Record<string, unknown>) => void): Uint8Array {
  const map = decode(file) as Record<string, unknown>
  change(map)
  return encode(map as never)
}

describe('encrypted key files', () => {
  it('round-trips a key pair and shows its public parameters', async () => {
    expect(await decryptKeyFile(file, password)).toEqual(keyPair)
    const info = readKeyFileInfo(file)
    expect(info.version).toBe(1)
    expect(info.publicKey).toEqual(keyPair.publicKey)
    expect(info.kdf).toMatchObject({ name: 'scrypt', logN: 10, r: 8, p: 1 })
    expect(info.kdf.salt).toHaveLength(16)
    expect(info.cipher.name).toBe('xchacha20-poly1305')
    expect(info.cipher.nonce).toHaveLength(24)
    // the seed does not appear in the file
    const hex = Buffer.from(file).toString('hex')
    expect(hex.includes(Buffer.from(keyPair.privateKey).toString('hex'))).toBe(false)
  })

  it('uses the default scrypt cost (N = 2^17, r = 8, p = 1) unless told otherwise', async () => {
    const strong = await encryptKeyFile(keyPair, password)
    expect(readKeyFileInfo(strong).kdf).toMatchObject({ logN: 17, r: 8, p: 1 })
    // (opening a default-cost file is exercised by the README example test)
  })

  it('is deterministic given its randomness, fresh otherwise', async () => {
    const randomBytes = (n: number) => new Uint8Array(n).fill(n)
    const a = await encryptKeyFile(keyPair, password, { ...cheap, randomBytes })
    const b = await encryptKeyFile(keyPair, password, { ...cheap, randomBytes })
    expect(a).toEqual(b)
    expect(await encryptKeyFile(keyPair, password, cheap)).not.toEqual(file)
  })

  it('normalises text passwords (NFKC) and accepts byte passwords', async () => {
    const composed = await encryptKeyFile(keyPair, 'caf\u00e9', cheap)
    expect(await decryptKeyFile(composed, 'cafe\u0301')).toEqual(keyPair)
    const raw = await encryptKeyFile(keyPair, Uint8Array.of(0, 1, 2), cheap)
    expect(await decryptKeyFile(raw, Uint8Array.of(0, 1, 2))).toEqual(keyPair)
    expect(await errorName(decryptKeyFile(raw, Uint8Array.of(0, 1, 3)))).toBe(
      'KeyFileDecryptionError',
    )
  })

  it('refuses a wrong password', async () => {
    expect(await errorName(decryptKeyFile(file, 'Correct horse battery staple'))).toBe(
      'KeyFileDecryptionError',
    )
  })

  it('refuses every truncation as malformed, before any key derivation', async () => {
    const started = performance.now()
    for (let length = 0; length < file.length; length++) {
      expect(await errorName(decryptKeyFile(file.subarray(0, length), password))).toBe(
        'KeyFileFormatError',
      )
    }
    expect(await errorName(decryptKeyFile(Uint8Array.of(...file, 0), password))).toBe(
      'KeyFileFormatError',
    )
    // ~200 refusals without scrypt are fast
    expect(performance.now() - started).toBeLessThan(2000)
  })

  it('refuses every single-byte change with a typed error', async () => {
    const seen = new Set<string>()
    for (let at = 0; at < file.length; at++) {
      const tampered = Uint8Array.from(file)
      tampered[at]! ^= 0x01
      const name = await errorName(decryptKeyFile(tampered, password))
      expect(name).toBeDefined()
      seen.add(name!)
    }
    expect([...seen].sort()).toEqual([
      'KeyFileDecryptionError',
      'KeyFileFormatError',
      'UnsupportedKeyFileVersionError',
    ])
  })

  it('authenticates every parameter: changed salt, nonce, cost or public key do not open', async () => {
    const changes: ((map: Record<string, unknown>) => void)[] = [
      (m) => ((m.kdf as Record<string, unknown>).salt = new Uint8Array(16)),
      (m) => ((m.kdf as Record<string, unknown>).logN = 11),
      (m) => ((m.kdf as Record<string, unknown>).r = 4),
      (m) => ((m.cipher as Record<string, unknown>).nonce = new Uint8Array(24)),
      (m) => (m.publicKey = keyPairFromSeed(new Uint8Array(32)).publicKey),
    ]
    for (const change of changes) {
      expect(await errorName(decryptKeyFile(edited(change), password))).toBe(
        'KeyFileDecryptionError',
      )
    }
  })

  it('checks versions, fields and limits before spending work', async () => {
    const cases: [(map: Record<string, unknown>) => void, string][] = [
      [(m) => (m.version = 2), 'UnsupportedKeyFileVersionError'],
      [(m) => (m.type = 'something/else'), 'KeyFileFormatError'],
      [(m) => (m.extra = 1), 'KeyFileFormatError'],
      [(m) => delete m.cipher, 'KeyFileFormatError'],
      [(m) => ((m.kdf as Record<string, unknown>).logN = 30), 'KeyFileFormatError'],
      [(m) => ((m.kdf as Record<string, unknown>).logN = 4), 'KeyFileFormatError'],
      [(m) => ((m.kdf as Record<string, unknown>).r = 1000), 'KeyFileFormatError'],
      [(m) => ((m.kdf as Record<string, unknown>).p = 1_000_000), 'KeyFileFormatError'],
      [(m) => Object.assign(m.kdf as object, { logN: 20, r: 16 }), 'KeyFileFormatError'], // 2 GiB
      [(m) => ((m.kdf as Record<string, unknown>).name = 'argon2id'), 'KeyFileFormatError'],
      [(m) => ((m.cipher as Record<string, unknown>).name = 'aes-256-gcm'), 'KeyFileFormatError'],
      [(m) => ((m.kdf as Record<string, unknown>).salt = new Uint8Array(8)), 'KeyFileFormatError'],
      [(m) => (m.ciphertext = new Uint8Array(47)), 'KeyFileFormatError'],
      [(m) => (m.publicKey = 'key'), 'KeyFileFormatError'],
    ]
    const started = performance.now()
    for (const [change, name] of cases) {
      expect(await errorName(decryptKeyFile(edited(change), password))).toBe(name)
    }
    expect(performance.now() - started).toBeLessThan(1000)
    expect(await errorName(decryptKeyFile(new Uint8Array(2000), password))).toBe(
      'KeyFileFormatError',
    )
    // a non-canonical encoding of the same map (a 2-byte length where 1 byte is enough)
    const nonCanonical = Uint8Array.of(0xb9, 0x00, 0x06, ...file.subarray(1))
    expect(await errorName(decryptKeyFile(nonCanonical, password))).toBe('KeyFileFormatError')
  })

  it('refuses bad arguments with typed errors', async () => {
    expect(await errorName(encryptKeyFile(keyPair, '', cheap))).toBe('InvalidArgumentError')
    expect(await errorName(encryptKeyFile(keyPair, password, { logN: 9 }))).toBe(
      'InvalidArgumentError',
    )
    expect(await errorName(encryptKeyFile(keyPair, password, { logN: 10, r: 0 }))).toBe(
      'InvalidArgumentError',
    )
    const other = keyPairFromSeed(new Uint8Array(32).fill(1))
    expect(
      await errorName(
        encryptKeyFile(
          { publicKey: other.publicKey, privateKey: keyPair.privateKey },
          password,
          cheap,
        ),
      ),
    ).toBe('KeyPairMismatchError')
    expect(await errorName(decryptKeyFile('file' as never, password))).toBe('InvalidArgumentError')
  })

  it('never fails with anything but a typed error on arbitrary bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (bytes) => {
        expect(await errorName(decryptKeyFile(bytes, password))).toBeDefined()
      }),
      { numRuns: 200 },
    )
  })
})
