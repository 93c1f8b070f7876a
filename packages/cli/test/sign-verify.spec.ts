import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MAX_SIGN_INPUT_BYTES } from '../src/constants'
import { ENV, FAST, peerkit, tempDir } from './helpers'

describe('peerkit sign and verify', () => {
  const dir = tempDir()
  const id = join(dir.path, 'id')
  let signer: string
  beforeAll(async () => {
    signer = JSON.parse(
      (await peerkit(['key', 'new', '--dir', id, '--json', ...FAST], { env: ENV })).stdout,
    ).current.id
  })
  afterAll(() => dir.remove())
  const sign = (args: string[], stdin?: string) =>
    peerkit(['sign', '--dir', id, '--domain', 'notes/1', ...args], { env: ENV, stdin })

  it('a note signed as text verifies, naming its signer, time and payload', async () => {
    const signed = await sign(['--text', 'hello, peers'])
    expect(signed.code).toBe(0)
    const verified = await peerkit(['verify', '--domain', 'notes/1', '--json'], {
      stdin: signed.stdout,
    })
    expect(verified.code).toBe(0)
    const report = JSON.parse(verified.stdout)
    expect(report).toMatchObject({
      valid: true,
      signer,
      domain: 'notes/1',
      payload: 'hello, peers',
    })
    expect(Math.abs(Date.parse(report.timestamp) - Date.now())).toBeLessThan(60_000)
    const text = await peerkit(['verify', '--domain', 'notes/1', '--signer', signer], {
      stdin: signed.stdout,
    })
    expect(text.stdout).toContain(`signer    ${signer}`)
    expect(text.stdout).toContain('payload   hello, peers')
  })

  it('JSON and binary payloads, raw files in and out', async () => {
    const json = await sign(['--payload-json', '--json'], '{"sell":"0.1 BTC","price":3000}')
    const envelope = JSON.parse(json.stdout).envelope as string
    const opened = await peerkit(['verify', '--domain', 'notes/1', '--json'], { stdin: envelope })
    expect(JSON.parse(opened.stdout).payload).toEqual({ sell: '0.1 BTC', price: 3000 })

    const input = join(dir.path, 'blob')
    const output = join(dir.path, 'blob.env')
    writeFileSync(input, new Uint8Array([0, 255, 7]))
    const binary = await sign(['--binary', '--in', input, '--out', output])
    expect(binary.code).toBe(0)
    const raw = await peerkit(['verify', '--domain', 'notes/1', '--in', output, '--json'])
    expect(JSON.parse(raw.stdout).payload).toEqual({ $bytes: 'AP8H' })
    expect(JSON.parse(raw.stdout).id).toBe(binary.stdout.trim())
  })

  it('a tampered envelope, another domain, another signer and an expired one fail with exit 1', async () => {
    const signed = (await sign(['--text', 'pay 10'])).stdout.trim()
    const bytes = Buffer.from(signed, 'base64url')
    bytes[bytes.length - 3] = (bytes[bytes.length - 3] as number) ^ 1
    const tampered = await peerkit(['verify', '--domain', 'notes/1'], {
      stdin: bytes.toString('base64url'),
    })
    expect(tampered.code).toBe(1)
    expect(tampered.stderr).toMatch(/^BadSignatureError/)
    expect(tampered.stdout).toBe('')

    const domain = await peerkit(['verify', '--domain', 'other/1'], { stdin: signed })
    expect(domain.code).toBe(1)
    expect(domain.stderr).toMatch(/^WrongDomainError/)

    const other = JSON.parse(
      (
        await peerkit(['key', 'new', '--dir', join(dir.path, 'other'), '--json', ...FAST], {
          env: ENV,
        })
      ).stdout,
    ).root.id
    const wrong = await peerkit(['verify', '--domain', 'notes/1', '--signer', other], {
      stdin: signed,
    })
    expect(wrong.code).toBe(1)
    expect(wrong.stderr).toMatch(/^UnexpectedSignerError/)

    const short = (await sign(['--text', 'soon gone', '--expires-in', '1'])).stdout
    await new Promise((resolve) => setTimeout(resolve, 20))
    const expired = await peerkit(['verify', '--domain', 'notes/1'], { stdin: short })
    expect(expired.code).toBe(1)
    expect(expired.stderr).toMatch(/^ExpiredError/)

    const garbage = await peerkit(['verify', '--domain', 'notes/1'], {
      stdin: 'bm90IGFuIGVudmVsb3Bl',
    })
    expect(garbage.code).toBe(1)
    expect(garbage.stderr).toMatch(/^MalformedEnvelopeError/)
  })

  it('bounds its inputs and refuses what is not a regular file', async () => {
    const big = await sign([], 'x'.repeat(MAX_SIGN_INPUT_BYTES + 1))
    expect(big.code).toBe(1)
    expect(big.stderr).toMatch(/^InputTooLargeError/)
    const folder = join(dir.path, 'folder')
    mkdirSync(folder)
    const notFile = await peerkit(['verify', '--domain', 'notes/1', '--in', folder])
    expect(notFile.code).toBe(2)
    expect(notFile.stderr).toMatch(/is not a regular file/)
    const float = await sign(['--payload-json'], '{"price":0.5}')
    expect(float.code).toBe(2)
    expect(float.stderr).toMatch(/not a safe integer/)
    expect((await sign(['--text', 'a', '--in', folder])).code).toBe(2)
    expect((await peerkit(['sign', '--text', 'no domain'], { env: ENV })).code).toBe(2)
    const badSigner = await peerkit(['verify', '--domain', 'd/1', '--signer', 'nobody'], {
      stdin: 'x',
    })
    expect(badSigner.code).toBe(2)
  })
})

describe('peerkit', () => {
  it('prints help for every command with exit 0, and usage with exit 2 when given none', async () => {
    for (const command of ['key', 'sign', 'verify', 'node']) {
      const help = await peerkit([command, '--help'])
      expect(help.code).toBe(0)
      expect(help.stdout).toContain(`usage: peerkit ${command}`)
    }
    expect((await peerkit(['help', 'sign'])).stdout).toContain('usage: peerkit sign')
    const none = await peerkit([])
    expect(none.code).toBe(2)
    expect(none.stdout).toContain('usage: peerkit <command>')
    const unknown = await peerkit(['mint'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toMatch(/^UsageError: unknown command mint/)
  })
})
