import type { Signer } from '@peerkit/identity'
import { testTransport } from '@peerkit/net/compliance'
import { type Flavour, identityFromSeed, type PeerkitLibp2p, startNode } from './fixtures/nodes'

function libp2pContext(flavour: Flavour) {
  const seeds = new Map<Signer, Uint8Array>()
  const nodes: PeerkitLibp2p[] = []
  const stranger = identityFromSeed().signer.peerId.toLibp2pString()
  return {
    nodes,
    context: {
      createSigner() {
        const { seed, signer } = identityFromSeed()
        seeds.set(signer, seed)
        return signer
      },
      async createTransport(signer: Signer) {
        const node = await startNode(flavour, seeds.get(signer) as Uint8Array, { autoLink: false })
        nodes.push(node)
        return node.services.peerkit.transport({ signer })
      },
      listenAddress: () => 'libp2p',
      unreachableAddress:
        flavour === 'memory'
          ? `/memory/nobody-here/p2p/${stranger}`
          : `/ip4/127.0.0.1/tcp/1/p2p/${stranger}`,
    },
  }
}

for (const flavour of ['memory', 'tcp'] as const) {
  let current: ReturnType<typeof libp2pContext> | undefined
  testTransport(
    `libp2p over ${flavour === 'memory' ? 'memory + plaintext' : 'TCP + Noise + yamux'}`,
    {
      setup() {
        current = libp2pContext(flavour)
        return current.context
      },
      async teardown() {
        await Promise.allSettled((current?.nodes ?? []).map((node) => node.stop()))
      },
    },
  )
}
