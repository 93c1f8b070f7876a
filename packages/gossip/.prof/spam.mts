import { encodeFrame } from '../src/index'
import { createNetwork } from '../test/fixtures/network'

const net = await createNetwork({ nodes: 20, seed: 4 })
net.subscribeAll('t')
net.bootstrap(2)
net.run(net.now + 3000)
const env = await net.seal(19, 't', 'x')
const bad = env.slice()
bad[bad.length - 1] ^= 0xff
const to = net.linked(19)[0]!
for (let i = 0; i < 7; i++) {
  const out = net.inject(
    19,
    to,
    encodeFrame({ kind: 'gossip', topic: 't', hops: 1, envelope: bad }),
  )
  console.log(out.map((o) => o.type + ' ' + ((o as any).reason ?? '')))
}
