import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

const packages = fileURLToPath(new URL('../../packages/', import.meta.url))

// peerkit's packages are used from source, as everywhere in the workspace
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@peerkit\/([a-z0-9-]+)$/, replacement: `${packages}$1/src/index.ts` },
      { find: /^@peerkit\/([a-z0-9-]+)\/([a-z0-9-]+)$/, replacement: `${packages}$1/src/$2.ts` },
    ],
  },
  build: { target: 'es2022' },
})
