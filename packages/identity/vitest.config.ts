import { fileURLToPath } from 'node:url'
import { mergeConfig } from 'vitest/config'
import shared from '../../vitest.shared.ts'

// the README example imports the Node subpath as users do
export default mergeConfig(shared, {
  resolve: {
    alias: [
      {
        find: /^@peerkit\/identity\/node$/,
        replacement: fileURLToPath(new URL('./src/node.ts', import.meta.url)),
      },
    ],
  },
})
