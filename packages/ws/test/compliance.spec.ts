/** The transport compliance suite of @peerkit/net, on real WebSockets over 127.0.0.1. */
import { testTransport } from '@peerkit/net/compliance'
import { ws } from '../src/index'

testTransport('ws', {
  setup: () => ({
    createTransport: (signer) => ws()({ signer }),
    listenAddress: () => 'ws://127.0.0.1:0/peerkit',
    // Port 1 (tcpmux) is closed on any machine that runs these tests.
    unreachableAddress: 'ws://127.0.0.1:1/peerkit',
  }),
})
