import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createMemoryStore,
  createSession,
  type LogStore,
  loadSession,
  tradeEscrow,
} from '../src/index'
import { createFileStore, frameRecord, parseLogFile } from '../src/node'
import { buyer, MINUTE, seller, T0, tradeTerms } from './fixtures/parties'
import { snapshot } from './fixtures/run'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'peerkit-escrow-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const records = [
  new Uint8Array([1, 2, 3]),
  new Uint8Array(0),
  new Uint8Array(300).fill(9),
  new Uint8Array([4]),
]

async function storeContract(make: () => Promise<LogStore>) {
  const store = await make()
  expect(await store.read('nothing')).toEqual([])
  for (const r of records) await store.append('t1', r)
  await store.append('t2', records[0]!)
  expect(await store.read('t1')).toEqual(records)
  expect((await store.list()).sort()).toEqual(['t1', 't2'])
  await expect(store.append('../escape', records[0]!)).rejects.toMatchObject({
    name: 'InvalidArgumentError',
  })
  await expect(store.append('.hidden', records[0]!)).rejects.toMatchObject({
    name: 'InvalidArgumentError',
  })
  await expect(store.append('t1', new Uint8Array(70_000))).rejects.toMatchObject({
    name: 'InvalidArgumentError',
  })
  expect(await store.read('t1')).toEqual(records)
}

describe('log stores', () => {
  it('memory store keeps the contract', () => storeContract(async () => createMemoryStore()))
  it('file store keeps the contract', () =>
    storeContract(() => createFileStore(join(dir, 'contract'))))

  it('file store: a crash at every byte reloads to the last committed record', async () => {
    const full = new Uint8Array(records.flatMap((r) => Array.from(frameRecord(r))))
    const ends: number[] = []
    let end = 0
    for (const r of records) {
      end += 8 + r.length
      ends.push(end)
    }
    const sub = join(dir, 'torn')
    const store = await createFileStore(sub)
    for (let cut = 0; cut <= full.length; cut++) {
      const committed = ends.filter((e) => e <= cut).length
      expect(parseLogFile(full.subarray(0, cut)).records).toEqual(records.slice(0, committed))
      // and through the store: a torn file reads to the last committed record, then appends cleanly
      if (cut % 7 === 0 || cut === full.length) {
        const name = `cut${cut}`
        await writeFile(join(sub, `${name}.log`), full.subarray(0, cut))
        const fresh = await createFileStore(sub)
        expect(await fresh.read(name)).toEqual(records.slice(0, committed))
        await fresh.append(name, new Uint8Array([0xee]))
        expect(await fresh.read(name)).toEqual([
          ...records.slice(0, committed),
          new Uint8Array([0xee]),
        ])
      }
    }
    void store
  })

  it('file store: corrupting any byte keeps exactly the records before it', async () => {
    const full = new Uint8Array(records.flatMap((r) => Array.from(frameRecord(r))))
    const starts: number[] = []
    let at = 0
    for (const r of records) {
      starts.push(at)
      at += 8 + r.length
    }
    for (let i = 0; i < full.length; i++) {
      const bad = full.slice()
      bad[i]! ^= 0x5a
      const damaged = starts.filter((s) => s <= i).length - 1
      const { records: read } = parseLogFile(bad)
      expect(read).toEqual(records.slice(0, damaged))
    }
  })

  it('file store: a session reloads from disk to the same state after a crash mid-write', async () => {
    const sub = join(dir, 'session')
    const terms = await tradeTerms(9)
    const store = await createFileStore(sub)
    const s = await createSession({ definition: tradeEscrow, signer: buyer, store, terms, now: T0 })
    await s.act('accept', null, T0 + MINUTE)
    const sellerSide = await createSession({
      definition: tradeEscrow,
      signer: seller,
      store: createMemoryStore(),
      terms,
      now: T0,
    })
    await sellerSide.receiveStep(s.steps[0]!, T0 + MINUTE)
    await sellerSide.act('fund', null, T0 + 2 * MINUTE)
    await s.receiveStep(sellerSide.steps[1]!, T0 + 2 * MINUTE)
    await s.act('markPaid', null, T0 + 3 * MINUTE)
    const file = join(sub, `${s.trade.idText}.log`)
    const bytes = await readFile(file)
    // simulate a crash in the middle of writing one more record
    await writeFile(
      file,
      new Uint8Array([...bytes, ...frameRecord(new Uint8Array(50)).subarray(0, 20)]),
    )
    const reloaded = await loadSession({
      definition: tradeEscrow,
      signer: buyer,
      store: await createFileStore(sub),
      trade: s.trade.idText,
    })
    expect(snapshot(reloaded.state)).toEqual(snapshot(s.state))
    await reloaded.receiveStep(sellerSide.steps[1]!, T0 + 4 * MINUTE)
    expect(reloaded.state.seq).toBe(3)
  })
})
