/**
 * The storage compliance suite against the IndexedDB store in Chromium, each test on a
 * database of its own, with damage done to a record's bytes behind the store's back.
 */
import { storageCompliance } from '@peerkit/storage/compliance'
import { deleteIndexedDbStore, openIndexedDbStore } from '../src/index'
import { flipRecordBit } from './fixtures/raw'

const databases = new Map<object, string>()
let next = 0

storageCompliance({
  name: 'indexeddb store',
  async setup() {
    const database = `compliance-${Date.now()}-${next++}`
    const context = {
      open: async (options?: object) => openIndexedDbStore(database, options),
      damage: (name: string, index: number) => flipRecordBit(database, name, index),
    }
    databases.set(context, database)
    return context
  },
  async teardown(context) {
    await deleteIndexedDbStore(databases.get(context)!)
  },
})
