import { defineConfig } from 'tsup'

export default defineConfig({
  entry: ['src/index.ts', 'src/compliance.ts'],
  external: ['vitest'],
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  tsconfig: 'tsconfig.build.json',
})
