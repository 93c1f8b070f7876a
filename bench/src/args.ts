/**
 * Parses `--name value` and `--flag` arguments; a bare `--` (which pnpm may pass
 * through) is ignored.
 */
export function parseArgs(argv: readonly string[]): Record<string, string | true> {
  const out: Record<string, string | true> = {}
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--' || !arg.startsWith('--')) continue
    const eq = arg.indexOf('=')
    if (eq > 0) {
      out[arg.slice(2, eq)] = arg.slice(eq + 1)
      continue
    }
    const next = argv[i + 1]
    if (next !== undefined && !next.startsWith('--')) {
      out[arg.slice(2)] = next
      i++
    } else {
      out[arg.slice(2)] = true
    }
  }
  return out
}
