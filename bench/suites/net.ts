/**
 * Net suite: the node driver against the simulator (`net/driver.ts`), and Noise over
 * loopback TCP against bare `node:crypto` and against libp2p (`net/noise.ts`). Each part
 * is a module of `bench/suites/net/` that default-exports a `Suite`; a part that is not
 * there yet is skipped with a line saying so.
 */
import { existsSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { Suite } from '../src/harness'

const PARTS = ['driver', 'noise'] as const

const suite: Suite = {
  name: 'net',
  async run(ctx) {
    for (const part of PARTS) {
      const file = fileURLToPath(new URL(`./net/${part}.ts`, import.meta.url))
      if (!existsSync(file)) {
        console.log(`  (net/${part}: not present)`)
        continue
      }
      const sub = (await import(pathToFileURL(file).href)).default as Suite
      await sub.run(ctx)
    }
  },
}

export default suite
