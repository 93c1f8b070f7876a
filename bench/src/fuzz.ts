/**
 * `pnpm fuzz [--inputs N] [--seed S] [--target name]`: long fuzzing runs of peerkit's
 * decoders (`codec.decode`, and `codec.cursor.skip`, whose verdict must be decode's on every
 * input). Prints inputs/s, accepted, rejected by error name and the slowest input, then the
 * processor time per MiB of the item-dense inputs the codec's default limits admit, decoded
 * and walked by the cursor, and the worst of them; exits non-zero if any untyped error
 * escaped, a verdict differed, any input took more than 50 ms, or any dense input cost more
 * than 50 ms per MiB to decode.
 */
import {
  Cursor,
  DEFAULT_MAX_DEPTH,
  DEFAULT_MAX_ITEMS,
  DEFAULT_MAX_TOTAL_ITEMS,
  decode,
} from '../../packages/codec/src/index'
import { codecTarget } from '../../packages/codec/test/fuzz/codec-target'
import { cursorTarget } from '../../packages/codec/test/fuzz/cursor-target'
import { denseInputs, msPerMiB } from '../../packages/codec/test/fuzz/dense'
import { type FuzzTarget, fuzz } from '../../packages/codec/test/fuzz/engine'
import { parseArgs } from './args'

const targets: FuzzTarget[] = [codecTarget, cursorTarget]

const args = parseArgs(process.argv.slice(2))
const inputs = typeof args.inputs === 'string' ? Number(args.inputs) : 1_000_000
const seed = typeof args.seed === 'string' ? Number(args.seed) : 1
if (!Number.isSafeInteger(inputs) || inputs < 1)
  throw new Error('--inputs must be a positive integer')
if (!Number.isSafeInteger(seed)) throw new Error('--seed must be an integer')
const wanted = typeof args.target === 'string' ? args.target.split(',') : undefined

let failed = false
for (const target of targets) {
  if (wanted !== undefined && !wanted.some((w) => target.name.startsWith(w))) continue
  console.log(`# ${target.name}: ${inputs} inputs, seed ${seed}`)
  const report = fuzz(target, {
    inputs,
    seed,
    onProgress: (done) => console.log(`  ${done} inputs`),
  })
  console.log(`  inputs/s        ${Math.round(report.inputsPerSecond)}`)
  console.log(`  seconds         ${report.seconds.toFixed(1)}`)
  console.log(`  accepted        ${report.accepted}`)
  for (const [name, count] of Object.entries(report.rejected).sort()) {
    console.log(`  rejected        ${name.padEnd(22)} ${count}`)
  }
  console.log(
    `  slowest input   ${report.slowestMs.toFixed(3)} ms (${report.slowestInput.slice(0, 64)}${report.slowestInput.length > 64 ? '…' : ''})`,
  )
  console.log(`  escaped errors  ${report.escaped.length}`)
  console.log(`  inputs > 50 ms  ${report.slow.length}`)
  for (const e of report.escaped.slice(0, 10)) console.log(`    ESCAPED ${e.error} on ${e.input}`)
  for (const s of report.slow.slice(0, 10))
    console.log(`    SLOW ${s.ms.toFixed(1)} ms on ${s.input.slice(0, 80)}`)
  if (report.escaped.length > 0 || report.slow.length > 0) failed = true
}
if (wanted === undefined || wanted.some((w) => 'codec.decode'.startsWith(w))) {
  console.log('# codec.decode, item-dense inputs under the default limits (processor ms per MiB)')
  let worst = 0
  let worstName = ''
  for (const { name, bytes, items } of denseInputs()) {
    decode(bytes)
    // the best of three 8 MiB batches: the figure is the decoder's, not the machine's other work
    const figure = Math.min(
      msPerMiB(() => decode(bytes), bytes.length, 8),
      msPerMiB(() => decode(bytes), bytes.length, 8),
      msPerMiB(() => decode(bytes), bytes.length, 8),
    )
    console.log(
      `  ${name.padEnd(28)} ${String(items).padStart(6)} items ${String(bytes.length).padStart(8)} bytes ${figure.toFixed(1).padStart(6)} ms/MiB`,
    )
    if (figure > worst) {
      worst = figure
      worstName = name
    }
  }
  console.log(`  worst time per MiB  ${worst.toFixed(1)} ms (${worstName})`)
  if (worst > 50) failed = true
  // the walk a protocol can afford before a signature check: no allocation per item
  const limits = {
    maxDepth: DEFAULT_MAX_DEPTH,
    maxItems: DEFAULT_MAX_ITEMS,
    maxTotalItems: DEFAULT_MAX_TOTAL_ITEMS,
  }
  let worstSkip = 0
  let worstSkipName = ''
  for (const { name, bytes } of denseInputs()) {
    const walk = () => new Cursor(bytes).skip(limits)
    const figure = Math.min(
      msPerMiB(walk, bytes.length, 8),
      msPerMiB(walk, bytes.length, 8),
      msPerMiB(walk, bytes.length, 8),
    )
    if (figure > worstSkip) {
      worstSkip = figure
      worstSkipName = name
    }
  }
  console.log(`  worst cursor walk per MiB  ${worstSkip.toFixed(1)} ms (${worstSkipName})`)
}
process.exit(failed ? 1 : 0)
