import { createGossip, type Gossip } from '@peerkit/gossip'
import { runGossip, type Strategy } from './src/index'

const routers = new Map<string, Gossip>()
const strategy: Strategy = {
  name: 'plumtree',
  heartbeatMs: 1000,
  bootstrapDegree: 1,
  createRouter(ctx) {
    const g = createGossip({}, { self: ctx.self, random: ctx.random, verifyCache: ctx.rules.cache })
    routers.set(ctx.self.toString(), g)
    return g
  },
}
const r = await runGossip({ strategy, nodes: 1000, messages: 50, seed: 1 })
console.log(JSON.stringify({ rel: r.reliability, comps: r.componentsAtEnd }))
const counts = new Map<number, number>()
for (const g of routers.values())
  counts.set(g.stats().delivered, (counts.get(g.stats().delivered) ?? 0) + 1)
console.log([...counts.entries()].sort((a, b) => a[0] - b[0]))
