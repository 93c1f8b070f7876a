/**
 * How the story prints, and how it keeps score of its own expectations. A `fact` is a
 * line of output; a `check` is a line that states what must be true (a replay is
 * dropped, a forged signature is refused): any failed check makes the demo fail.
 */

/** A line printer: the console for `pnpm story`, a collector in the test. */
export type Log = (line: string) => void

/** Width of the label column. */
const LABEL = 34

export interface Report {
  /** A numbered section title. */
  heading(title: string): void
  /** A sentence of narration. */
  say(text: string): void
  /** One fact: a label and its value, aligned. */
  fact(label: string, value: string): void
  /** An expectation: printed with ✓ when `ok`, with ✗ (and remembered) otherwise. */
  check(label: string, ok: boolean, value: string): boolean
  /**
   * Expects `attempt` to be refused with a typed error named `expected`; prints what
   * happened. An attempt that succeeds, or fails another way, is a failed check.
   */
  refused(label: string, expected: string, attempt: () => unknown): Promise<boolean>
  /** Labels of the failed checks. */
  readonly failures: readonly string[]
  /** Number of checks made. */
  readonly checks: number
}

export function createReport(log: Log): Report {
  const failures: string[] = []
  let checks = 0
  let section = 0
  const report: Report = {
    heading(title) {
      section++
      log('')
      log(`${section}. ${title}`)
      log('─'.repeat(3 + title.length))
    },
    say(text) {
      log(`   ${text}`)
    },
    fact(label, value) {
      log(`   ${label.padEnd(LABEL)} ${value}`)
    },
    check(label, ok, value) {
      checks++
      if (!ok) failures.push(label)
      log(` ${ok ? '✓' : '✗'} ${label.padEnd(LABEL)} ${value}${ok ? '' : '   ← unexpected'}`)
      return ok
    },
    async refused(label, expected, attempt) {
      try {
        await attempt()
      } catch (error) {
        const name = (error as { name?: unknown } | null)?.name
        const text = typeof name === 'string' ? name : String(error)
        return report.check(label, text === expected, `refused: ${text}`)
      }
      return report.check(label, false, `accepted (expected ${expected})`)
    },
    get failures() {
      return failures
    },
    get checks() {
      return checks
    },
  }
  return report
}
