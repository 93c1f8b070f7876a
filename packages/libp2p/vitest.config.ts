import { mergeConfig } from 'vitest/config'
import shared from '../../vitest.shared.ts'

// Files run one after another: each starts many real libp2p nodes, and together on two cores
// they would measure the machine's load rather than the code.
export default mergeConfig(shared, {
  test: { setupFiles: ['./test/setup.ts'], fileParallelism: false },
})
