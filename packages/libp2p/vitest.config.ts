import { mergeConfig } from 'vitest/config'
import shared from '../../vitest.shared.ts'

// Files run one after another: each starts many real libp2p nodes, and together on two cores
// they would measure the machine's load rather than the code. The 16-node gossip run is a
// long run (`pnpm --filter @peerkit/libp2p test:long`), outside `pnpm test`.
const long = process.env.PEERKIT_LONG === '1'
const config = mergeConfig(shared, {
  test: {
    setupFiles: ['./test/setup.ts'],
    fileParallelism: false,
    ...(long ? {} : { exclude: ['test/gossip.spec.ts'] }),
  },
})
// mergeConfig concatenates arrays: the shared `include` would stay beside the long test's, so
// the long run sets its own outright.
if (long) config.test = { ...config.test, include: ['test/gossip.spec.ts'] }
export default config
