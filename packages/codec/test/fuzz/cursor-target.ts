/**
 * The cursor's fuzz target: `Cursor.skip` must give `decode`'s verdict on every input (the
 * same error name, or acceptance of the whole input), building nothing.
 */
import {
  Cursor,
  DEFAULT_MAX_DEPTH,
  DEFAULT_MAX_ITEMS,
  DEFAULT_MAX_TOTAL_ITEMS,
  decode,
  isCodecError,
} from '../../src/index'
import { codecTarget } from './codec-target'
import type { FuzzTarget } from './engine'

const limits = {
  maxDepth: DEFAULT_MAX_DEPTH,
  maxItems: DEFAULT_MAX_ITEMS,
  maxTotalItems: DEFAULT_MAX_TOTAL_ITEMS,
}

function verdict(run: () => void): string {
  try {
    run()
    return 'accepted'
  } catch (error) {
    if (isCodecError(error)) return error.name
    throw error
  }
}

export const cursorTarget: FuzzTarget = {
  name: 'codec.cursor.skip',
  corpus: codecTarget.corpus,
  run(input) {
    const skipped = verdict(() => {
      const c = new Cursor(input)
      c.skip(limits)
      c.expectEnd()
    })
    const decoded = verdict(() => decode(input))
    if (skipped !== decoded) throw new Error(`skip says ${skipped}, decode says ${decoded}`)
    return skipped
  },
}
