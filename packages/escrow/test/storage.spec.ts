/**
 * Sessions on real stores: memory, file and SQLite. A crash mid-write reloads to the
 * last committed step; compaction keeps state, head and outbox; a damaged log is a
 * typed error, never an earlier state; one session per trade log; a step the store
 * did not make durable (a full tmpfs) is neither applied nor acknowledged, and the
 * resent step is taken once space is back.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSqliteStore } from '@peerkit/storage-sqlite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createMemoryStore,
  createSession,
  type EscrowSession,
  type LogStore,
  loadSession,
  tradeEscrow,
} from '../src/index'
import { createFileStore } from '../src/node'
import { buyer, MINUTE, seller, T0, tradeTerms } from './fixtures/parties'
import { snapshot } from './fixtures/run'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'peerkit-escrow-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** A buyer session on `store` that reaches 'paid' with a seller session kept in memory. */
async function paidTrade(store: LogStore, n: number) {
  const terms = await tradeTerms(n)
  const me = await createSession({ definition: tradeEscrow, signer: buyer, store, terms, now: T0 })
  const other = await createSession({
    definition: tradeEscrow,
    signer: seller,
    store: createMemoryStore(),
    terms,
    now: T0,
  })
  await me.act('accept', null, T0 + MINUTE)
  await other.receiveStep(me.steps[0]!, T0 + MINUTE)
  await other.act('fund', null, T0 + 2 * MINUTE)
  const r = await me.receiveStep(other.steps[1]!, T0 + 2 * MINUTE)
  await other.receiveAck(r.ack, buyer.peerId)
  await me.act('markPaid', null, T0 + 3 * MINUTE)
  return { me, other, terms }
}

const reload = (store: LogStore, session: EscrowSession) =>
  loadSession({ definition: tradeEscrow, signer: buyer, store, trade: session.trade.idText })

const stores: Array<[string, () => Promise<LogStore>]> = [
  ['memory', async () => createMemoryStore()],
  ['file', () => createFileStore(join(dir, 'file'))],
  ['sqlite', async () => createSqliteStore(join(dir, 'logs.db'))],
]

describe.each(stores)('sessions on the %s store', (_, make) => {
  it('reload to the same state; compaction keeps state, head and outbox', async () => {
    const store = await make()
    const { me, other } = await paidTrade(store, 11)
    const before = { state: snapshot(me.state), outbox: me.outbox(), head: me.state.head }
    await me.close()
    const again = await reload(store, me)
    expect(snapshot(again.state)).toEqual(before.state)
    await again.compact()
    await again.close()
    const compacted = await reload(store, me)
    expect(snapshot(compacted.state)).toEqual(before.state)
    expect(compacted.state.head).toEqual(before.head)
    expect(compacted.outbox()).toEqual(before.outbox)
    // and the log goes on after the snapshot
    await other.receiveStep(compacted.steps[2]!, T0 + 4 * MINUTE)
    await other.act('release', null, T0 + 5 * MINUTE)
    await compacted.receiveStep(other.steps[3]!, T0 + 5 * MINUTE)
    await compacted.close()
    const last = await reload(store, me)
    expect(last.state.name).toBe('released')
    await last.close()
    await store.close()
  })

  it('one session per trade log: a second one is refused until the first closes', async () => {
    const store = await make()
    const { me } = await paidTrade(store, 12)
    await expect(reload(store, me)).rejects.toMatchObject({ name: 'LogLockedError' })
    await me.close()
    await (await reload(store, me)).close()
    await store.close()
  })
})

describe('file store logs of sessions', () => {
  it('a crash in the middle of a record reloads to the last committed step', async () => {
    const sub = join(dir, 'torn')
    const store = await createFileStore(sub)
    const { me } = await paidTrade(store, 13)
    await me.close()
    const file = join(sub, `${me.trade.idText}.log`)
    const bytes = await readFile(file)
    // a crash while writing one more record: a prefix of its frame, then zeros
    const frame = [0xc2, 0, 0, 0, 50, 1, 2, 3]
    await writeFile(file, new Uint8Array([...bytes, ...frame, ...new Uint8Array(100)]))
    const again = await reload(await createFileStore(sub), me)
    expect(snapshot(again.state)).toEqual(snapshot(me.state))
    await again.close()
  })

  it('a flipped bit in a middle record is CorruptLogError, and the file is left as it was', async () => {
    const sub = join(dir, 'flipped')
    const store = await createFileStore(sub)
    const { me } = await paidTrade(store, 14)
    await me.close()
    const file = join(sub, `${me.trade.idText}.log`)
    const bytes = await readFile(file)
    bytes[40]! ^= 0x01
    await writeFile(file, bytes)
    await expect(reload(await createFileStore(sub), me)).rejects.toMatchObject({
      name: 'CorruptLogError',
    })
    expect(await readFile(file)).toEqual(bytes)
  })

  it('a step the store could not make durable is not applied or acknowledged; the resent step is', async () => {
    const mount = join(dir, 'tmpfs')
    mkdirSync(mount)
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mount], { stdio: 'ignore' })
    } catch {
      return // not permitted here; the storage package's ulimit test covers the write path
    }
    try {
      const store = await createFileStore(mount)
      const terms = await tradeTerms(15)
      const me = await createSession({
        definition: tradeEscrow,
        signer: buyer,
        store,
        terms,
        now: T0,
      })
      const other = await createSession({
        definition: tradeEscrow,
        signer: seller,
        store: createMemoryStore(),
        terms,
        now: T0,
      })
      await me.act('accept', null, T0 + MINUTE)
      await other.receiveStep(me.steps[0]!, T0 + MINUTE)
      await other.act('fund', null, T0 + 2 * MINUTE)
      await other.receiveAck(
        (await me.receiveStep(other.steps[1]!, T0 + 2 * MINUTE)).ack,
        buyer.peerId,
      )
      // a step larger than a page, so no space left in the log's last page can hold it
      await other.act('dispute', { note: 'x'.repeat(4000) }, T0 + 3 * MINUTE)
      // fill the disk
      const filler = join(mount, 'filler')
      const block = new Uint8Array(4096)
      const handle = await (await import('node:fs/promises')).open(filler, 'w')
      for (;;) {
        try {
          await handle.write(block)
        } catch {
          break
        }
      }
      await handle.close()
      const seq = me.state.seq
      await expect(me.receiveStep(other.steps[2]!, T0 + 3 * MINUTE)).rejects.toMatchObject({
        name: 'NoSpaceError',
      })
      expect(me.state.seq).toBe(seq)
      // the sender kept it in its outbox (no ack came); space comes back; it is resent
      expect(other.outbox().find((o) => o.role === 'buyer')?.steps.length).toBe(1)
      await rm(filler)
      const r = await me.receiveStep(other.steps[2]!, T0 + 4 * MINUTE)
      expect(r.status).toBe('applied')
      await other.receiveAck(r.ack, buyer.peerId)
      expect(other.outbox().find((o) => o.role === 'buyer')).toBeUndefined()
      await me.close()
      const again = await reload(await createFileStore(mount), me)
      expect(again.state.name).toBe('disputed')
      await again.close()
    } finally {
      execFileSync('umount', ['-l', mount])
    }
  })
})
