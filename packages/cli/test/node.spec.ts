/**
 * `peerkit node` in real child processes on loopback TCP: a line typed in one prints in the
 * other (as text, and as JSON with the signer's id), the identity from `--dir` signs, and each
 * process exits 0 on end of input or SIGINT.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, expect, test } from 'vitest'
import { ENV, FAST, peerkit, tempDir } from './helpers'

const cliDir = fileURLToPath(new URL('..', import.meta.url))
// tsx's loader, not the tsx command: SIGINT then reaches the program itself, as Ctrl-C in a
// terminal does (the command relays it after waiting 30 ms to hear whether the child
// handles it, and on a loaded machine gives up and exits with 130)
const TSX = ['--import', 'tsx']
const tsconfig = fileURLToPath(new URL('../../../tsconfig.json', import.meta.url))
const running: ChildProcessWithoutNullStreams[] = []
const dir = tempDir()
afterAll(() => {
  for (const child of running) if (child.exitCode === null) child.kill('SIGKILL')
  dir.remove()
})

function start(args: string[]) {
  const child = spawn(process.execPath, [...TSX, 'src/main.ts', 'node', ...args], {
    cwd: cliDir,
    env: { ...process.env, ...ENV, NODE_OPTIONS: '', TSX_TSCONFIG_PATH: tsconfig },
  })
  running.push(child)
  const text = { out: '', err: '' }
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (text.out += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (text.err += chunk))
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
  const wait = async (stream: 'out' | 'err', pattern: RegExp): Promise<RegExpMatchArray> => {
    const deadline = Date.now() + 30_000
    for (;;) {
      const match = text[stream].match(pattern)
      if (match !== null) return match
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`no ${pattern} in ${JSON.stringify(text)}`)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
  return { child, text, exited, wait }
}

test('two peerkit nodes on TCP publish lines to each other and stop cleanly', async () => {
  const id = join(dir.path, 'id')
  const identity = JSON.parse(
    (await peerkit(['key', 'new', '--dir', id, '--json', ...FAST], { env: ENV })).stdout,
  ).current.id as string

  const a = start(['--listen', 'tcp://127.0.0.1:0', '--topic', 'room', '--keep-running', '--json'])
  const address = (await a.wait('err', /listening on (tcp:\/\/\S+)/))[1] as string
  const aId = (await a.wait('err', /# peer (z\S+)/))[1] as string
  const b = start(['--bootstrap', address, '--topic', 'room', '--dir', id])
  await b.wait('err', new RegExp(`# peer ${identity}`))
  await Promise.all([a.wait('err', /# connected/), b.wait('err', /# connected/)])

  b.child.stdin.write('hello from b\n')
  const line = (await a.wait('out', /^\{.*"hello from b".*\}$/m))[0]
  expect(JSON.parse(line)).toMatchObject({
    signer: identity,
    from: identity,
    data: { text: 'hello from b' },
  })

  a.child.stdin.write('hi back\n')
  await b.wait('out', new RegExp(`^${aId.slice(-8)}: hi back$`, 'm'))

  b.child.stdin.end()
  expect(await b.exited).toBe(0)
  expect(b.text.err).toMatch(/# stopped/)
  a.child.stdin.end() // --keep-running: still up after the end of input
  await new Promise((resolve) => setTimeout(resolve, 300))
  expect(a.child.exitCode).toBeNull()
  a.child.kill('SIGINT')
  expect(await a.exited).toBe(0)
}, 60_000)

test('a bad address exits 1 with a typed error, a missing one exits 2', async () => {
  const bad = start(['--listen', 'tcp://nowhere'])
  expect(await bad.exited).toBe(1)
  expect(bad.text.err).toMatch(/^\w+Error: /m)
  const none = start([])
  expect(await none.exited).toBe(2)
  expect(none.text.err).toMatch(/^UsageError: peerkit node needs --listen or --bootstrap/)
}, 30_000)
