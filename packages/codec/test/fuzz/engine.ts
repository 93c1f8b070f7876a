/**
 * A small deterministic fuzzing engine for decoders: seeded random and mutated inputs,
 * a tally of accepted inputs and rejections by error name, the slowest input, and every
 * input that let anything but a typed error escape. `pnpm fuzz` runs it for long; the
 * codec's test suite runs a short pass.
 */

/** splitmix32: a fast seeded PRNG; returns a function giving uint32s. */
export function prng(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x9e3779b9) >>> 0
    let z = s
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
    return (z ^ (z >>> 16)) >>> 0
  }
}

export interface FuzzTarget {
  name: string
  /** Valid inputs to mutate. */
  corpus(next: () => number): Uint8Array[]
  /**
   * Runs one input. Returns `'accepted'` or the typed error's name; throws only when the
   * target misbehaved (an untyped error escaped, or an accepted input broke a property).
   */
  run(input: Uint8Array): string
}

export interface FuzzReport {
  target: string
  inputs: number
  seconds: number
  inputsPerSecond: number
  accepted: number
  rejected: Record<string, number>
  escaped: { input: string; error: string }[]
  slowestMs: number
  slowestInput: string
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')

function mutate(base: Uint8Array, next: () => number): Uint8Array {
  const b = Array.from(base)
  const rounds = 1 + (next() % 4)
  for (let r = 0; r < rounds; r++) {
    const at = b.length === 0 ? 0 : next() % b.length
    switch (next() % 8) {
      case 0: // flip a bit
        if (b.length > 0) b[at] = b[at]! ^ (1 << (next() % 8))
        break
      case 1: // set a byte
        if (b.length > 0) b[at] = next() & 0xff
        break
      case 2: // set an interesting byte (heads with long arguments, break, floats)
        if (b.length > 0)
          b[at] = [0x18, 0x19, 0x1a, 0x1b, 0x1f, 0x5f, 0x7f, 0x9f, 0xbf, 0xff, 0xf9, 0xfb, 0xc2][
            next() % 13
          ]!
        break
      case 3: // insert a byte
        b.splice(at, 0, next() & 0xff)
        break
      case 4: // delete a run
        b.splice(at, 1 + (next() % 4))
        break
      case 5: // truncate
        b.length = at
        break
      case 6: {
        // duplicate a slice
        const len = 1 + (next() % 8)
        b.splice(at, 0, ...b.slice(at, at + len))
        break
      }
      default: // set a 32-bit length-like run of 0xff
        for (let i = 0; i < 4 && at + i < b.length; i++) b[at + i] = 0xff
    }
  }
  return Uint8Array.from(b)
}

function randomInput(next: () => number): Uint8Array {
  const kind = next() % 4
  if (kind === 0) {
    // deep nesting of arrays or maps
    const depth = 1 + (next() % 2000)
    const b = new Uint8Array(depth + 1).fill(next() % 2 === 0 ? 0x81 : 0xa1)
    return b
  }
  const n = next() % (kind === 1 ? 8 : 96)
  const b = new Uint8Array(n)
  for (let i = 0; i < n; i++) b[i] = next() & 0xff
  return b
}

/**
 * Runs `inputs` inputs against a target.
 * @param options - `inputs`, `seed`, `slowMs` (an input slower than this, confirmed by
 *   re-running it, counts as a failure), and `onProgress`
 */
export function fuzz(
  target: FuzzTarget,
  options: { inputs: number; seed: number; slowMs?: number; onProgress?: (done: number) => void },
): FuzzReport & { slow: { input: string; ms: number }[] } {
  const next = prng(options.seed)
  const corpus = target.corpus(next)
  const rejected: Record<string, number> = {}
  const escaped: FuzzReport['escaped'] = []
  const slow: { input: string; ms: number }[] = []
  let accepted = 0
  let slowestMs = 0
  let slowestInput = ''
  const slowMs = options.slowMs ?? 50
  const start = performance.now()
  for (let i = 0; i < options.inputs; i++) {
    const input =
      next() % 5 === 0 ? randomInput(next) : mutate(corpus[next() % corpus.length]!, next)
    const t0 = performance.now()
    let outcome: string
    try {
      outcome = target.run(input)
    } catch (error) {
      escaped.push({ input: hex(input), error: String(error) })
      continue
    }
    const ms = performance.now() - t0
    if (ms > slowestMs) {
      slowestMs = ms
      slowestInput = hex(input)
    }
    if (ms > slowMs) {
      // confirm: a pause of the collector is not a slow input
      const t1 = performance.now()
      target.run(input)
      const again = performance.now() - t1
      if (again > slowMs) slow.push({ input: hex(input), ms: again })
    }
    if (outcome === 'accepted') accepted++
    else rejected[outcome] = (rejected[outcome] ?? 0) + 1
    if (options.onProgress !== undefined && (i + 1) % 100_000 === 0) options.onProgress(i + 1)
  }
  const seconds = (performance.now() - start) / 1000
  return {
    target: target.name,
    inputs: options.inputs,
    seconds,
    inputsPerSecond: options.inputs / seconds,
    accepted,
    rejected,
    escaped,
    slowestMs,
    slowestInput,
    slow,
  }
}
