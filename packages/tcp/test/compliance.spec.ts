/** The transport compliance suite of @peerkit/net, on real TCP sockets over 127.0.0.1. */
import { testTransport } from '@peerkit/net/compliance'
import { tcp } from '../src/index'

testTransport('tcp', {
  setup: () => ({
    createTransport: (signer) => tcp()({ signer }),
    listenAddress: () => 'tcp://127.0.0.1:0',
    // Port 1 (tcpmux) is closed on any machine that runs these tests.
    unreachableAddress: 'tcp://127.0.0.1:1',
  }),
})
