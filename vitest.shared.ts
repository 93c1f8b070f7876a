/**
 * Shared vitest settings: every package tests its `src` directly (no build step),
 * with `@peerkit/<pkg>` imports resolved to the sibling package's `src/index.ts` and
 * `@peerkit/<pkg>/<sub>` to its `src/<sub>.ts`.
 */
import { fileURLToPath } from 'node:url'
import type { ViteUserConfig } from 'vitest/config'

const packagesDir = fileURLToPath(new URL('./packages/', import.meta.url))

const config: ViteUserConfig = {
  resolve: {
    alias: [
      { find: /^@peerkit\/([a-z0-9-]+)$/, replacement: `${packagesDir}$1/src/index.ts` },
      { find: /^@peerkit\/([a-z0-9-]+)\/([a-z0-9-]+)$/, replacement: `${packagesDir}$1/src/$2.ts` },
    ],
  },
  test: {
    include: ['test/**/*.spec.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
}

export default config
