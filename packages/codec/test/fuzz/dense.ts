/**
 * Item-dense inputs: the most items the given limits admit, each as small as an item gets
 * (empty and one-byte byte strings, short text, small integers, empty containers), packed
 * in arrays of `maxItems` under one outer array, within `maxBytes`. They are the costliest
 * inputs per byte a decoder meets, so the fuzz run and the codec's tests time them.
 *
 * @example
 * for (const { name, bytes } of denseInputs()) console.log(name, msPerMiB(() => decode(bytes), bytes.length))
 */
import { DEFAULT_MAX_BYTES, DEFAULT_MAX_ITEMS, DEFAULT_MAX_TOTAL_ITEMS } from '../../src/index'

export interface DenseLimits {
  maxBytes: number
  maxItems: number
  maxTotalItems: number
}

export interface DenseInput {
  name: string
  bytes: Uint8Array
  /** Items in all containers together (what `maxTotalItems` counts). */
  items: number
}

const defaults: DenseLimits = {
  maxBytes: DEFAULT_MAX_BYTES,
  maxItems: DEFAULT_MAX_ITEMS,
  maxTotalItems: DEFAULT_MAX_TOTAL_ITEMS,
}

function head(major: number, n: number): number[] {
  if (n < 24) return [(major << 5) | n]
  if (n < 0x100) return [(major << 5) | 24, n]
  if (n < 0x1_0000) return [(major << 5) | 25, n >> 8, n & 0xff]
  return [(major << 5) | 26, (n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]
}

/** One encoded item repeated as often as the limits allow. */
const shapes: [string, number[]][] = [
  ['empty byte strings', [0x40]],
  ['one-byte byte strings', [0x41, 0x07]],
  ['two-byte byte strings', [0x42, 0x07, 0x08]],
  ['eight-byte byte strings', [0x48, 1, 2, 3, 4, 5, 6, 7, 8]],
  ['empty text strings', [0x60]],
  ['one-letter text strings', [0x61, 0x61]],
  ['three-letter text strings', [0x63, 0x61, 0x62, 0x63]],
  ['two-byte UTF-8 characters', [0x62, 0xc3, 0xa9]],
  ['four-byte UTF-8 characters', [0x64, 0xf0, 0x9f, 0x98, 0x80]],
  ['small integers', [0x01]],
  ['negative integers', [0x38, 0x63]],
  ['64-bit integers', [0x1b, 1, 0, 0, 0, 0, 0, 0, 0]],
  ['nulls', [0xf6]],
  ['empty arrays', [0x80]],
  ['empty maps', [0xa0]],
]

/**
 * The item-dense inputs for the given limits (the codec's defaults when omitted).
 * @param limits - `maxBytes`, `maxItems`, `maxTotalItems` of the decoder under test
 * @returns one input per shape, each accepted by a decoder with those limits
 */
export function denseInputs(limits: DenseLimits = defaults): DenseInput[] {
  return shapes.map(([name, item]) => {
    const outer = Math.ceil(limits.maxTotalItems / (limits.maxItems + 1))
    const fitting = Math.floor((limits.maxBytes - 8 - 8 * outer) / item.length / outer)
    const per = Math.min(
      limits.maxItems,
      Math.floor((limits.maxTotalItems - outer) / outer),
      fitting,
    )
    const out: number[] = head(4, outer)
    for (let o = 0; o < outer; o++) {
      out.push(...head(4, per))
      for (let i = 0; i < per; i++) for (const byte of item) out.push(byte)
    }
    return { name, bytes: Uint8Array.from(out), items: outer + outer * per }
  })
}

/**
 * Milliseconds of processor time per MiB of input that `run` costs over an input of `bytes`
 * bytes: the time of enough runs to read `batchMiB` MiB in all, divided by the MiB read, so
 * the collector's work for what the runs allocated is counted in the figure rather than
 * landing by chance in one run. Processor time (of every thread of the process, the
 * collector's included) rather than wall time, so other programs on the machine do not
 * inflate the figure.
 */
export function msPerMiB(run: () => unknown, bytes: number, batchMiB = 4): number {
  const runs = Math.max(3, Math.ceil((batchMiB * 1024 * 1024) / bytes))
  const before = process.cpuUsage()
  for (let i = 0; i < runs; i++) run()
  const used = process.cpuUsage(before)
  return (used.user + used.system) / 1000 / ((runs * bytes) / (1024 * 1024))
}
