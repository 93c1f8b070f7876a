/**
 * The chat in real child processes on loopback TCP and WebSocket: lines typed in one
 * process print in the others with the sender's short id, a peer that joins later receives
 * new messages, and each process exits cleanly on end of input or SIGINT.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterEach, expect, test } from 'vitest'

const chatDir = fileURLToPath(new URL('..', import.meta.url))
// tsx's loader, not the tsx command: SIGINT then reaches the program itself, as Ctrl-C in a
// terminal does (the command relays it after waiting 30 ms to hear whether the child
// handles it, and on a loaded machine gives up and exits with 130)
const TSX = ['--import', 'tsx']
const tsconfig = fileURLToPath(new URL('../../../tsconfig.json', import.meta.url))
const running: ChildProcessWithoutNullStreams[] = []
afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null) child.kill('SIGKILL')
})

interface Chat {
  readonly child: ChildProcessWithoutNullStreams
  readonly id: string
  readonly address: string | undefined
  readonly out: string[]
  readonly err: string[]
  waitOut(pattern: RegExp): Promise<string>
  waitErr(pattern: RegExp): Promise<string>
  exited(): Promise<number | null>
}

async function start(...args: string[]): Promise<Chat> {
  const child = spawn(process.execPath, [...TSX, 'src/main.ts', ...args], {
    cwd: chatDir,
    env: { ...process.env, NODE_OPTIONS: '', TSX_TSCONFIG_PATH: tsconfig },
  })
  running.push(child)
  const out: string[] = []
  const err: string[] = []
  const waiters: Array<() => void> = []
  const lines = (stream: NodeJS.ReadableStream, into: string[]) => {
    let rest = ''
    stream.setEncoding('utf8')
    stream.on('data', (chunk: string) => {
      rest += chunk
      const parts = rest.split('\n')
      rest = parts.pop() as string
      into.push(...parts)
      for (const wake of waiters.splice(0)) wake()
    })
  }
  lines(child.stdout, out)
  lines(child.stderr, err)
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const wait = async (into: string[], pattern: RegExp): Promise<string> => {
    const deadline = Date.now() + 20_000
    for (;;) {
      const line = into.find((candidate) => pattern.test(candidate))
      if (line !== undefined) return line
      if (Date.now() > deadline || child.exitCode !== null) {
        throw new Error(`no line ${pattern} in ${JSON.stringify({ out, err })}`)
      }
      await new Promise<void>((resolve) => {
        waiters.push(resolve)
        setTimeout(resolve, 100)
      })
    }
  }
  const peerLine = await wait(err, /^# peer /)
  const id = (/\((\w{8})\)/.exec(peerLine) as RegExpExecArray)[1] as string
  const listening = args.includes('--listen') ? await wait(err, /^# listening on /) : undefined
  return {
    child,
    id,
    address: listening?.slice('# listening on '.length),
    out,
    err,
    waitOut: (pattern) => wait(out, pattern),
    waitErr: (pattern) => wait(err, pattern),
    exited: () => exit,
  }
}

test('three chats over TCP: lines go both ways, a late joiner gets new messages, end of input and SIGINT exit cleanly', async () => {
  const alice = await start('--listen', 'tcp://127.0.0.1:0')
  expect(alice.address).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/)
  const bob = await start('--dial', alice.address as string)
  await alice.waitErr(new RegExp(`connected ${bob.id}`))
  await bob.waitErr(new RegExp(`connected ${alice.id}`))
  // Give the two routers a moment to exchange their subscriptions.
  await new Promise((resolve) => setTimeout(resolve, 500))
  bob.child.stdin.write('hello from bob\n')
  expect(await alice.waitOut(/hello from bob/)).toBe(`${bob.id}: hello from bob`)
  alice.child.stdin.write('hi bob\n')
  expect(await bob.waitOut(/hi bob/)).toBe(`${alice.id}: hi bob`)

  const carol = await start('--dial', alice.address as string)
  await alice.waitErr(new RegExp(`connected ${carol.id}`))
  await new Promise((resolve) => setTimeout(resolve, 500))
  bob.child.stdin.write('welcome carol\n')
  expect(await carol.waitOut(/welcome carol/)).toBe(`${bob.id}: welcome carol`)
  expect(await alice.waitOut(/welcome carol/)).toBe(`${bob.id}: welcome carol`)
  // Nobody prints their own lines.
  expect(bob.out.some((line) => line.includes('welcome carol'))).toBe(false)
  expect(alice.out.some((line) => line.includes('hi bob'))).toBe(false)

  carol.child.stdin.end()
  expect(await carol.exited()).toBe(0)
  bob.child.kill('SIGINT')
  expect(await bob.exited()).toBe(0)
  alice.child.stdin.end()
  expect(await alice.exited()).toBe(0)
  for (const chat of [alice, bob, carol]) {
    expect(chat.err.filter((line) => !line.startsWith('# '))).toEqual([])
  }
})

test('two chats over WebSocket', async () => {
  const alice = await start('--listen', 'ws://127.0.0.1:0/chat')
  expect(alice.address).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/chat$/)
  const bob = await start('--dial', alice.address as string)
  await bob.waitErr(new RegExp(`connected ${alice.id}`))
  await new Promise((resolve) => setTimeout(resolve, 500))
  alice.child.stdin.write('over websocket\n')
  expect(await bob.waitOut(/over websocket/)).toBe(`${alice.id}: over websocket`)
  bob.child.stdin.end()
  alice.child.stdin.end()
  expect(await bob.exited()).toBe(0)
  expect(await alice.exited()).toBe(0)
})

test('a bad command line prints the usage and exits with 2', async () => {
  const child = spawn(process.execPath, [...TSX, 'src/main.ts', '--bogus'], {
    cwd: chatDir,
    env: { ...process.env, TSX_TSCONFIG_PATH: tsconfig },
  })
  running.push(child)
  let err = ''
  child.stderr.on('data', (chunk) => {
    err += String(chunk)
  })
  const code = await new Promise((resolve) => child.once('exit', resolve))
  expect(code).toBe(2)
  expect(err).toContain('usage:')
})
