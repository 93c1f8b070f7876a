/**
 * The page in real headless Chromium (Debian's, never a downloaded one), served by Vite from
 * source: the simulator view runs in the tab, a click publishes and the counters show every
 * live node delivered it; crashes and Sybils are clicked in and the next message still
 * reaches every live honest node. The market view shows the real market of `pnpm demo -- --ui`
 * (peers on the memory transport), and renders what a feed sends, ignoring what it cannot read.
 * With PEERKIT_SCREENSHOTS=1 the screenshots are written to docs/img/.
 */
import { spawn } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Browser, chromium, type Page } from 'playwright-core'
import { createServer, type ViteDevServer } from 'vite'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { WebSocketServer } from 'ws'
import type { FeedMessage } from '../src/market-feed'

const root = fileURLToPath(new URL('..', import.meta.url))
const shots =
  process.env.PEERKIT_SCREENSHOTS === '1'
    ? fileURLToPath(new URL('../../../docs/img/', import.meta.url))
    : join(tmpdir(), 'peerkit-web-shots')
mkdirSync(shots, { recursive: true })

let server: ViteDevServer
let browser: Browser
let base: string
beforeAll(async () => {
  server = await createServer({
    root,
    configFile: join(root, 'vite.config.ts'),
    logLevel: 'error',
    server: { port: 0, host: '127.0.0.1' },
  })
  await server.listen()
  base = server.resolvedUrls?.local[0] as string
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] })
}, 60_000)
afterAll(async () => {
  await browser?.close()
  await server?.close()
})

const counter = async (page: Page, name: string) =>
  (await page.locator(`[data-counter="${name}"] b`).textContent()) ?? ''

test('the simulator runs live in the tab: publish, crash, add Sybils, and every live node delivers', async () => {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } })
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(error.message))
  await page.goto(`${base}?nodes=60&seed=2#sim`)
  await page.waitForSelector('body[data-ready~="sim"]', { timeout: 30_000 })
  expect(await page.locator('#network circle').count()).toBe(60)

  await page.click('#publish')
  await expect.poll(() => counter(page, 'reliability'), { timeout: 30_000 }).toBe('100%')
  expect(Number(await counter(page, 'messages'))).toBe(1)
  expect(await page.locator('#network line[stroke="#36c"]').count()).toBe(59)
  await page.screenshot({ path: join(shots, 'web-sim.png') })

  await page.click('#crash')
  await page.click('#sybils')
  expect(await counter(page, 'crashed')).toBe('12')
  expect(await counter(page, 'sybils')).toBe('10')
  // let the overlay repair around the crashed nodes before the next message
  await page.locator('#speed').fill('4')
  await expect
    .poll(async () => Number.parseFloat(await counter(page, 'time')), { timeout: 30_000 })
    .toBeGreaterThan(20)
  await page.click('#publish')
  await expect.poll(() => counter(page, 'messages'), { timeout: 30_000 }).toBe('2')
  await expect.poll(() => counter(page, 'reliability'), { timeout: 30_000 }).toBe('100%')
  expect(errors).toEqual([])
  await page.close()
}, 120_000)

test('the market dashboard shows the feed: the book, trades in their states, trust ranked', async () => {
  const feed = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  await new Promise((resolve) => feed.once('listening', resolve))
  const port = (feed.address() as { port: number }).port
  const state: FeedMessage = {
    type: 'state',
    peers: [
      { id: 'a3f1c2d4', role: 'maker', balance: 1050, trust: 0.31 },
      { id: '9bd0e611', role: 'scammer', balance: 900, trust: 0.01 },
      { id: '77c2aa90', role: 'taker', balance: 1000, trust: 0.22 },
    ],
    offers: [{ id: 'o1', maker: 'a3f1c2d4', side: 'sell', amount: '0.1 BTC', price: '3000 EUR' }],
    trades: [{ id: 't1', seller: 'a3f1c2d4', buyer: '77c2aa90', state: 'released' }],
  }
  feed.on('connection', (socket) => {
    socket.send(JSON.stringify(state))
    socket.send(JSON.stringify({ type: 'event', line: '77c2 took a3f1’s offer' }))
    socket.send('not json')
  })
  const page = await browser.newPage({ viewport: { width: 1100, height: 700 } })
  await page.goto(`${base}?feed=ws://127.0.0.1:${port}#market`)
  await page.waitForSelector('#trades td')
  expect(await page.locator('#market-status').textContent()).toContain('connected')
  expect(await page.locator('#offers td').allTextContents()).toEqual([
    'a3f1c2d4',
    'sell',
    '0.1 BTC',
    '3000 EUR',
  ])
  expect(await page.locator('#trades td').nth(3).textContent()).toBe('released')
  const ranked = await page.locator('#trust tr td:first-child').allTextContents()
  expect(ranked).toEqual(['a3f1c2d4', '77c2aa90', '9bd0e611'])
  expect(await page.locator('#events li').allTextContents()).toEqual(['77c2 took a3f1’s offer'])
  await page.screenshot({ path: join(shots, 'web-market.png') })
  await page.close()
  feed.close()
}, 60_000)

test('the market dashboard follows pnpm demo -- --ui: trades settle, the scammer ends last', async () => {
  const repo = fileURLToPath(new URL('../../../', import.meta.url))
  const demo = spawn(
    process.execPath,
    [
      'scripts/run-bundled.mjs',
      'examples/market/src/main.ts',
      '--transport',
      'memory',
      '--ui',
      '0',
    ],
    { cwd: repo, stdio: ['ignore', 'pipe', 'inherit'] },
  )
  let out = ''
  demo.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk))
  const exited = new Promise<number | null>((resolve) => demo.once('exit', resolve))
  try {
    await expect
      .poll(() => /dashboard feed at (ws:\/\/\S+):/.test(out), { timeout: 60_000 })
      .toBe(true)
    const url = (/dashboard feed at (ws:\/\/\S+):/.exec(out) as RegExpExecArray)[1]
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } })
    await page.goto(`${base}?feed=${url}#market`)
    await expect
      .poll(() => page.locator('#trust td').count(), { timeout: 30_000 })
      .toBeGreaterThan(0)
    await expect
      .poll(async () => (await page.locator('#trades td').allTextContents()).includes('released'), {
        timeout: 60_000,
      })
      .toBe(true)
    await expect.poll(() => /the dashboard feed stays up/.test(out), { timeout: 90_000 }).toBe(true)
    // the final state: nobody has less trust than the scammer, and traders have earned some
    const rows = async () => {
      const cells = await page.locator('#trust td').allTextContents()
      const out: Array<{ name: string; role: string; trust: number }> = []
      for (let i = 0; i < cells.length; i += 4)
        out.push({
          name: cells[i] as string,
          role: cells[i + 1] as string,
          trust: Number(cells[i + 2]),
        })
      return out
    }
    await expect
      .poll(
        async () => {
          const ranked = await rows()
          const scammer = ranked.find((r) => r.name === 'mallory')?.trust ?? Number.NaN
          const traders = ranked.filter((r) => r.role === 'maker' || r.role === 'taker')
          return (
            ranked.every((r) => r.trust >= scammer) && traders.some((r) => r.trust > scammer + 0.1)
          )
        },
        { timeout: 10_000 },
      )
      .toBe(true)
    expect(await page.locator('#events li').count()).toBeGreaterThan(10)
    await page.screenshot({ path: join(shots, 'web-market.png') })
    await page.close()
  } finally {
    demo.kill('SIGINT')
  }
  expect(await exited).toBe(0)
}, 150_000)
