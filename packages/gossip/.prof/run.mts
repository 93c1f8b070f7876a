import { createNetwork } from '../test/fixtures/network'

const net = await createNetwork({ nodes: 300, seed: 7 })
net.subscribeAll('t')
net.bootstrap(1)
net.run(net.now + 300 * 20 + 5000)
const t0 = performance.now()
for (let i = 0; i < 40; i++) {
  await net.publish((i * 37) % 300, 't', `m${i}`)
  net.run(net.now + 2000)
}
console.log('ms', performance.now() - t0, 'ctrl', net.controlSends, 'pay', net.payloadSends)
