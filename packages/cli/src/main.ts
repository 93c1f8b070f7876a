#!/usr/bin/env node
/** The `peerkit` executable: runs one command line against this process's streams. */
import { serveSimWorker } from '@peerkit/sim/threads'
import { processIo } from './io'
import { run } from './run'

// this script is also the entry of the worker threads of a split `peerkit sim` run
if (!(await serveSimWorker())) process.exitCode = await run(process.argv.slice(2), processIo())
