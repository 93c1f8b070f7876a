import { describe, expect, it } from 'vitest'
import { createNetwork } from './fixtures/network'

describe('smoke', () => {
  it('spreads a message in a small network', async () => {
    const net = await createNetwork({ nodes: 30, seed: 1 })
    net.subscribeAll('t')
    net.bootstrap(2)
    net.run(net.now + 5_000)
    const sizes = net.nodes.map((n) => n.router.activeView().length)
    console.log('active sizes', sizes.join(','))
    console.log('passive sizes', net.nodes.map((n) => n.router.passiveView().length).join(','))
    for (let m = 0; m < 5; m++) {
      const sendsBefore = net.payloadSends
      const id = await net.publish(m, 't', `m${m}`)
      net.run(net.now + 3_000)
      console.log('reached', net.reached(id), 'payloads', net.payloadSends - sendsBefore)
    }
    expect(net.reached('x')).toBe(0)
  })
})
