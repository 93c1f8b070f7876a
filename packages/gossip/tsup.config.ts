import { defineConfig } from 'tsup'

export default defineConfig({
  entry: ['src/index.ts', 'src/wire.ts', 'src/invariants.ts'],
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  tsconfig: 'tsconfig.build.json',
})
