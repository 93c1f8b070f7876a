import { createNetwork } from '../test/fixtures/network'

const net = await createNetwork({ nodes: 6, seed: 2, init: { hopLimit: 2 } })
net.subscribeAll('t')
for (let i = 0; i < 5; i++) net.connect(i, i + 1)
net.run(net.now + 2_000)
console.log(
  net.nodes.map((n) => n.router.activeView().length),
  [...net.connections()],
)
const id = await net.publish(0, 't', 'far')
net.run(net.now + 5_000)
console.log(net.nodes.map((n) => [n.delivered.get(id), n.hops.get(id)]))
