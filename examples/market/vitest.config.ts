import { defineConfig, mergeConfig } from 'vitest/config'
import shared from '../../vitest.shared.ts'

// each end-to-end file starts a whole market of processes: one file at a time
export default mergeConfig(shared, defineConfig({ test: { fileParallelism: false } }))
