/**
 * The simulator in the browser: `@peerkit/sim` loads without Node's API and runs a 200-node
 * gossip network to the same figures it gives on Node; flooding, with the same seed,
 * delivers as reliably and sends many more copies.
 */
import { floodStrategy, isSimError, plumtreeStrategy, runGossip } from '@peerkit/sim'
import { describe, expect, it } from 'vitest'

// four publishers take turns, each sending ten warm-up messages first: the measured messages
// travel trees that settled (a publisher's first message is pushed to every neighbour, and
// the tree sheds its extra links over the next few messages)
const options = { nodes: 200, messages: 20, seed: 7, publishers: 4, warmupMessages: 40 }

describe('@peerkit/sim in Chromium', () => {
  it('runs 200 nodes: every message reaches every node, with few duplicates', async () => {
    const plumtree = await runGossip({ ...options, strategy: plumtreeStrategy })
    expect(plumtree.nodes).toBe(200)
    expect(plumtree.messages).toBe(20)
    expect(plumtree.reliability).toBe(1)
    expect(plumtree.minHonestReliability).toBe(1)
    expect(plumtree.unknownDeliveries).toBe(0)
    // the eager tree sends each payload about once per receiver; a repair costs a copy now and then
    expect(plumtree.duplicateDeliveries).toBe(0)
    expect(plumtree.duplicatesPerDelivery).toBeLessThan(0.05)
    expect(plumtree.rmr).toBeLessThan(0.5)

    const flood = await runGossip({ ...options, strategy: floodStrategy })
    expect(flood.reliability).toBe(1)
    expect(flood.duplicatesPerDelivery).toBeGreaterThan(1)
    expect(plumtree.rmr).toBeLessThan(flood.rmr)
  })

  it('is deterministic in the tab: the same seed gives the same figures', async () => {
    const strip = ({ wallMs, ...rest }: Awaited<ReturnType<typeof runGossip>>) => {
      expect(wallMs).toBeGreaterThan(0)
      return JSON.stringify(rest)
    }
    const small = { nodes: 60, messages: 5, seed: 3, strategy: plumtreeStrategy }
    expect(strip(await runGossip(small))).toBe(strip(await runGossip(small)))
  })

  it('refuses a split run without threads (worker threads are Node-only)', async () => {
    await expect(
      runGossip({ ...options, strategy: plumtreeStrategy, workers: 2 }),
    ).rejects.toSatisfy((error) => isSimError(error, 'InvalidOptionError'))
  })
})
