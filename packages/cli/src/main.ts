#!/usr/bin/env node
/** The `peerkit` executable: runs one command line against this process's streams. */
import { processIo } from './io'
import { run } from './run'

process.exitCode = await run(process.argv.slice(2), processIo())
