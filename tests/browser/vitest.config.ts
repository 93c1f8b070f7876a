/**
 * The browser suite: the packages' sources, bundled by Vite, run in Debian's headless
 * Chromium through Playwright (no downloaded browser).
 */
import { fileURLToPath } from 'node:url'
import { playwright } from '@vitest/browser-playwright'
import { defineConfig } from 'vitest/config'

const packagesDir = fileURLToPath(new URL('../../packages/', import.meta.url))

export default defineConfig({
  resolve: {
    alias: [
      // what a bundler picks for browsers through the `browser` export condition
      { find: /^@peerkit\/ws$/, replacement: `${packagesDir}ws/src/browser.ts` },
      { find: /^@peerkit\/([a-z0-9-]+)$/, replacement: `${packagesDir}$1/src/index.ts` },
      { find: /^@peerkit\/([a-z0-9-]+)\/([a-z0-9-]+)$/, replacement: `${packagesDir}$1/src/$2.ts` },
    ],
  },
  test: {
    include: ['test/**/*.spec.ts'],
    testTimeout: 60_000,
    // Node peers on WebSocket for the browser peer to dial (addresses through `inject`)
    globalSetup: ['./test/setup/ws-peers.ts'],
    browser: {
      enabled: true,
      headless: true,
      provider: playwright({
        launchOptions: {
          executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
          args: ['--no-sandbox'],
        },
      }),
      instances: [{ browser: 'chromium' }],
    },
  },
})
