import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { peerIdFromString, resolveRotation } from '@peerkit/identity'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { loadIdentity, readIdentityChain } from '../src/identity-dir'
import { ENV, FAST, peerkit, tempDir } from './helpers'

describe('peerkit key', () => {
  let dir: { path: string; remove: () => void }
  let id: string
  beforeEach(() => {
    dir = tempDir()
    id = join(dir.path, 'id')
  })
  afterEach(() => dir.remove())

  it('new prints the identity in every text form, and show prints the same without a password', async () => {
    const made = await peerkit(['key', 'new', '--dir', id, '--json', ...FAST], { env: ENV })
    expect(made.code).toBe(0)
    const report = JSON.parse(made.stdout)
    const root = peerIdFromString(report.root.id)
    expect(report.root.didKey).toBe(`did:key:${report.root.id}`)
    expect(report.root.libp2p).toBe(root.toLibp2pString())
    expect(report.root.libp2p).toMatch(/^12D3KooW/)
    expect(report.root.publicKeyHex).toBe(Buffer.from(root.publicKey).toString('hex'))
    expect(report.step).toBe(0)
    expect(report.current.id).toBe(report.root.id)

    const shown = await peerkit(['key', 'show', '--dir', id])
    expect(shown.code).toBe(0)
    expect(shown.stdout).toContain(`identity  ${report.root.id}`)
    expect(shown.stdout).toContain(`libp2p    ${report.root.libp2p}`)
    expect(shown.stdout).toContain(`inception ${report.inception}`)
  })

  it('rotate moves to the committed key, keeps the root, and removes the retired key file', async () => {
    await peerkit(['key', 'new', '--dir', id, ...FAST], { env: ENV })
    const before = await readIdentityChain(id)
    const first = await peerkit(['key', 'rotate', '--dir', id, '--json', ...FAST], { env: ENV })
    const second = await peerkit(['key', 'rotate', '--dir', id, '--json', ...FAST], { env: ENV })
    expect([first.code, second.code]).toEqual([0, 0])
    const after = JSON.parse(second.stdout)
    expect(after.step).toBe(2)
    expect(after.root.id).toBe(before.resolved.root.toString())
    expect(after.current.id).not.toBe(after.root.id)
    expect(existsSync(join(id, 'key-0'))).toBe(false)
    expect(existsSync(join(id, 'key-1'))).toBe(false)
    // anyone holding the chain and the pinned inception resolves the same current key
    const chain = await readIdentityChain(id)
    const resolved = await resolveRotation([...chain.statements], {
      root: before.resolved.root,
      inception: before.inceptionId,
    })
    expect(resolved.current.toString()).toBe(after.current.id)
    const loaded = await loadIdentity(id, ENV.PEERKIT_PASSWORD)
    expect(loaded.signer.peerId.toString()).toBe(after.current.id)
  })

  it('a rotation that crashed before writing its chain leaves the old identity, and can be redone', async () => {
    await peerkit(['key', 'new', '--dir', id, ...FAST], { env: ENV })
    // what a crash after writing the new next key and before the chain leaves behind
    writeFileSync(join(id, 'key-2'), 'half a key file')
    const shown = JSON.parse((await peerkit(['key', 'show', '--dir', id, '--json'])).stdout)
    expect(shown.step).toBe(0)
    const rotated = await peerkit(['key', 'rotate', '--dir', id, '--json', ...FAST], { env: ENV })
    expect(rotated.code).toBe(0)
    expect(JSON.parse(rotated.stdout).step).toBe(1)
    expect((await loadIdentity(id, ENV.PEERKIT_PASSWORD)).signer.peerId.toString()).toBe(
      JSON.parse(rotated.stdout).current.id,
    )
  })

  it('refuses to overwrite an identity, a wrong password, a missing one, and a damaged chain', async () => {
    await peerkit(['key', 'new', '--dir', id, ...FAST], { env: ENV })
    const again = await peerkit(['key', 'new', '--dir', id, ...FAST], { env: ENV })
    expect(again.code).toBe(1)
    expect(again.stderr).toMatch(/^IdentityDirError: /)

    const wrong = await peerkit(['key', 'rotate', '--dir', id], { env: { PEERKIT_PASSWORD: 'no' } })
    expect(wrong.code).toBe(1)
    expect(wrong.stderr).toMatch(/^KeyFileDecryptionError/)
    expect((await readIdentityChain(id)).statements).toHaveLength(1)

    const noPassword = await peerkit(['key', 'rotate', '--dir', id])
    expect(noPassword.code).toBe(2)
    expect(noPassword.stderr).toMatch(/^MissingPasswordError: set PEERKIT_PASSWORD/)

    const missing = await peerkit(['key', 'show', '--dir', join(dir.path, 'nothing')])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toMatch(/^IdentityDirError: no identity/)

    writeFileSync(join(id, 'chain'), new Uint8Array([0xa0]))
    const damaged = await peerkit(['key', 'show', '--dir', id])
    expect(damaged.code).toBe(1)
    expect(damaged.stderr).toMatch(/^IdentityDirError: .* is not a rotation chain/)
  })

  it('bad command lines exit 2 with the usage text', async () => {
    const none = await peerkit(['key'])
    expect(none.code).toBe(2)
    expect(none.stderr).toContain('usage: peerkit key')
    expect((await peerkit(['key', 'forge'])).code).toBe(2)
    expect((await peerkit(['key', 'show', '--colour'])).code).toBe(2)
    expect((await peerkit(['key', 'new', '--scrypt-cost', 'lots'], { env: ENV })).code).toBe(2)
  })
})
