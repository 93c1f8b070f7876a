import { readLog } from '@peerkit/storage'
import { describe, expect, it } from 'vitest'
import { deleteIndexedDbStore, openIndexedDbStore } from '../src/index'

describe('README example', () => {
  it('is the code below, and it holds', async () => {
    const readme = (await import('../README.md?raw')).default
    expect(readme).toContain("const store = await openIndexedDbStore('my-app-logs')")
    expect(readme).toContain('console.log(records.length) // 2')

    const store = await openIndexedDbStore('my-app-logs')
    const log = await store.open('ledger')
    await log.append([new Uint8Array([1, 2]), new Uint8Array([3])])
    const { records } = await readLog(log)
    expect(records.length).toBe(2)
    await store.close()
    await deleteIndexedDbStore('my-app-logs')
  })
})
