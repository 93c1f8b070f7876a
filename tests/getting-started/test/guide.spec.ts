/**
 * docs/getting-started.md, run: every `ts` block of the guide is one of the files in
 * `snippets/` (named on the line before it) and the same text, the files typecheck with
 * the package (`pnpm typecheck`), and each runs as a reader would run it, through tsx in a
 * process of its own, printing what the guide says it prints. The gossip peer runs twice,
 * as two processes on TCP that each receive the other's messages, and stops on SIGINT.
 *
 * The snippets run on tsx's loader (`node --import tsx`) rather than the `tsx` command, so
 * that SIGINT reaches the snippet itself, as Ctrl-C in a terminal does. The command relays
 * a signal to its child after waiting 30 ms to hear whether the child handles it; on a
 * loaded machine it gave up waiting and exited with 130 while the snippet was stopping.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const here = fileURLToPath(new URL('../', import.meta.url))
const guide = readFileSync(`${root}docs/getting-started.md`, 'utf8')

/** The guide's ts blocks, each with the snippet file named just before it. */
function blocks(): Array<{ file: string; code: string }> {
  const found: Array<{ file: string; code: string }> = []
  const pattern = /`tests\/getting-started\/(snippets\/[a-z-]+\.ts)`\):\n+```ts\n([\s\S]*?)```/g
  for (const match of guide.matchAll(pattern)) found.push({ file: match[1]!, code: match[2]! })
  return found
}

const children: ChildProcess[] = []
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL')
})

/** Starts a snippet the way the guide runs it; `lines` collects its output. */
function start(file: string, args: string[] = []) {
  const child = spawn(process.execPath, ['--import', 'tsx', `${here}${file}`, ...args], {
    cwd: here,
    env: { ...process.env, TSX_TSCONFIG_PATH: `${root}tsconfig.json` },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  const lines: string[] = []
  let errors = ''
  let rest = ''
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    rest += chunk
    const parts = rest.split('\n')
    rest = parts.pop()!
    lines.push(...parts)
  })
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    errors += chunk
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
  /** Resolves with the first line (seen or to come) that `test` accepts. */
  const line = (test: (l: string) => boolean, timeoutMs = 30_000) =>
    new Promise<string>((resolve, reject) => {
      const started = Date.now()
      const look = () => {
        const hit = lines.find(test)
        if (hit !== undefined) return resolve(hit)
        if (child.exitCode !== null || Date.now() - started > timeoutMs)
          return reject(new Error(`${file}: no such line; output:\n${lines.join('\n')}\n${errors}`))
        setTimeout(look, 50)
      }
      look()
    })
  return { child, lines, line, exited, errors: () => errors }
}

describe('docs/getting-started.md', () => {
  it('shows every snippet file, verbatim', () => {
    const shown = blocks()
    const files = readdirSync(`${here}snippets`).map((f) => `snippets/${f}`)
    expect(shown.map((b) => b.file).sort()).toEqual(files.sort())
    for (const { file, code } of shown) {
      expect([file, code]).toEqual([file, readFileSync(`${here}${file}`, 'utf8')])
    }
  })

  it('first signed message: sealed, opened, and a changed or repeated copy refused', async () => {
    const run = start('snippets/signed-message.ts')
    expect(await run.exited).toBe(0)
    expect(run.lines[0]).toMatch(/^alice is z6Mk[1-9A-HJ-NP-Za-km-z]+$/)
    expect(run.lines.slice(1)).toEqual([
      "signed by alice: true { text: 'hello' }",
      'refused: MalformedEnvelopeError',
      'refused: ReplayError',
    ])
    for (const line of run.lines.slice(1)) expect(guide).toContain(line)
  }, 60_000)

  it('first gossip network: two processes on TCP receive each other', async () => {
    const first = start('snippets/gossip-peer.ts')
    const listening = await first.line((l) => l.startsWith('listening on '))
    const [, , address, , firstId] = listening.split(' ')
    expect(address).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/)
    const second = start('snippets/gossip-peer.ts', ['tcp://127.0.0.1:0', address!])
    const secondId = (await second.line((l) => l.startsWith('listening on '))).split(' ')[4]
    const fromFirst = await second.line((l) => l.startsWith('received ') && l.endsWith(firstId!))
    const fromSecond = await first.line((l) => l.startsWith('received ') && l.endsWith(secondId!))
    for (const line of [fromFirst, fromSecond])
      expect(line).toMatch(/^received \{"at":\d+,"text":"hello"\} from z6Mk/)
    for (const run of [first, second]) run.child.kill('SIGINT')
    expect(await Promise.all([first.exited, second.exited])).toEqual([0, 0])
    expect(first.lines.at(-1)).toBe('stopped')
    expect(second.lines.at(-1)).toBe('stopped')
  }, 90_000)

  it('first escrow trade: released after a restart, and the coins moved', async () => {
    const run = start('snippets/escrow-trade.ts')
    expect(await run.exited).toBe(0)
    expect(run.lines).toEqual([
      'bob after a restart: funded',
      'trade: released released',
      'bob holds 150000n BTC units',
    ])
    for (const line of run.lines) expect(guide).toContain(line)
  }, 60_000)
})
